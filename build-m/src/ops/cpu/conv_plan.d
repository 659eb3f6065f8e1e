build-m/src/ops/cpu/conv_plan.o: src/ops/cpu/conv_plan.c \
 src/ops/cpu/conv_plan.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/ops/cpu/conv2d.h src/ops/cpu/conv2d_onednn.h
src/ops/cpu/conv_plan.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/ops/cpu/conv2d.h:
src/ops/cpu/conv2d_onednn.h:
