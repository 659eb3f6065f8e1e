build-m/tests/test_batchnorm_sync.o: tests/test_batchnorm_sync.c \
 src/core/rng.h src/ops/ops.h src/core/error.h src/ops/conv_geom.h \
 tests/testutil.h
src/core/rng.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
tests/testutil.h:
