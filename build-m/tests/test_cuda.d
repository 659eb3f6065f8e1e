build-m/tests/test_cuda.o: tests/test_cuda.c src/core/rng.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/ops/ops.h \
 src/core/error.h src/ops/conv_geom.h src/model/zdist.h src/train/step.h \
 src/parallel/dist.h tests/testutil.h
src/core/rng.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/step.h:
src/parallel/dist.h:
tests/testutil.h:
