build-m/src/model/run_config.o: src/model/run_config.c \
 src/model/run_config.h src/core/error.h src/model/zdist.h src/core/rng.h \
 /usr/include/cjson/cJSON.h src/core/log.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/ops/ops.h src/ops/conv_geom.h
src/model/run_config.h:
src/core/error.h:
src/model/zdist.h:
src/core/rng.h:
/usr/include/cjson/cJSON.h:
src/core/log.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
