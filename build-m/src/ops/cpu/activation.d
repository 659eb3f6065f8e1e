build-m/src/ops/cpu/activation.o: src/ops/cpu/activation.c \
 src/ops/cpu/activation.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h
src/ops/cpu/activation.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
