build-m/src/model/checkpoint.o: src/model/checkpoint.c \
 src/model/checkpoint.h src/io/safetensors.h src/core/error.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/core/rng.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h \
 /usr/include/cjson/cJSON.h
src/model/checkpoint.h:
src/io/safetensors.h:
src/core/error.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
/usr/include/cjson/cJSON.h:
