build-m/src/ops/cpu/cpu_backend.o: src/ops/cpu/cpu_backend.c \
 src/ops/cpu/cpu_backend.h src/core/error.h src/ops/ops.h \
 src/ops/conv_geom.h src/ops/cpu/activation.h src/ops/cpu/adam.h \
 src/ops/cpu/batchnorm.h src/ops/cpu/concat.h src/ops/cpu/conv_plan.h \
 src/ops/cpu/conv2d.h src/ops/cpu/conv2d_onednn.h src/ops/cpu/linear.h \
 src/ops/cpu/loss.h src/ops/ops_backend.h
src/ops/cpu/cpu_backend.h:
src/core/error.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/ops/cpu/activation.h:
src/ops/cpu/adam.h:
src/ops/cpu/batchnorm.h:
src/ops/cpu/concat.h:
src/ops/cpu/conv_plan.h:
src/ops/cpu/conv2d.h:
src/ops/cpu/conv2d_onednn.h:
src/ops/cpu/linear.h:
src/ops/cpu/loss.h:
src/ops/ops_backend.h:
