build-m/tests/test_ops_basic.o: tests/test_ops_basic.c \
 src/ops/cpu/activation.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/ops/cpu/adam.h src/ops/cpu/batchnorm.h \
 src/ops/cpu/concat.h src/ops/cpu/loss.h src/core/rng.h tests/testutil.h
src/ops/cpu/activation.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/ops/cpu/adam.h:
src/ops/cpu/batchnorm.h:
src/ops/cpu/concat.h:
src/ops/cpu/loss.h:
src/core/rng.h:
tests/testutil.h:
