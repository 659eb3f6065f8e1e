build-m/tests/test_conv_direct.o: tests/test_conv_direct.c \
 src/ops/cpu/conv2d.h src/ops/conv_geom.h src/ops/cpu/conv_plan.h \
 src/ops/ops.h src/core/error.h src/ops/cpu/conv2d_onednn.h \
 src/ops/cpu/linear.h tests/testutil.h
src/ops/cpu/conv2d.h:
src/ops/conv_geom.h:
src/ops/cpu/conv_plan.h:
src/ops/ops.h:
src/core/error.h:
src/ops/cpu/conv2d_onednn.h:
src/ops/cpu/linear.h:
tests/testutil.h:
