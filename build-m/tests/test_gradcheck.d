build-m/tests/test_gradcheck.o: tests/test_gradcheck.c \
 src/ops/cpu/activation.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/ops/cpu/batchnorm.h src/ops/cpu/concat.h \
 src/ops/cpu/conv2d.h src/ops/cpu/linear.h src/ops/cpu/loss.h \
 src/ops/cpu/spectral_norm.h tests/testutil.h
src/ops/cpu/activation.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/ops/cpu/batchnorm.h:
src/ops/cpu/concat.h:
src/ops/cpu/conv2d.h:
src/ops/cpu/linear.h:
src/ops/cpu/loss.h:
src/ops/cpu/spectral_norm.h:
tests/testutil.h:
