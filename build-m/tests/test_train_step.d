build-m/tests/test_train_step.o: tests/test_train_step.c \
 /usr/include/cjson/cJSON.h src/io/safetensors.h src/core/error.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/core/rng.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h src/train/step.h \
 src/parallel/dist.h tests/testutil.h
/usr/include/cjson/cJSON.h:
src/io/safetensors.h:
src/core/error.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/step.h:
src/parallel/dist.h:
tests/testutil.h:
