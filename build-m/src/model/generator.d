build-m/src/model/generator.o: src/model/generator.c \
 src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/model/zdist.h src/model/checkpoint.h \
 src/io/safetensors.h src/model/run_config.h /usr/include/cjson/cJSON.h \
 src/core/log.h
src/model/generator.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/model/checkpoint.h:
src/io/safetensors.h:
src/model/run_config.h:
/usr/include/cjson/cJSON.h:
src/core/log.h:
