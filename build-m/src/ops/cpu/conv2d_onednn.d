build-m/src/ops/cpu/conv2d_onednn.o: src/ops/cpu/conv2d_onednn.c \
 src/ops/cpu/conv2d_onednn.h src/ops/cpu/conv2d.h src/ops/conv_geom.h \
 src/core/error.h
src/ops/cpu/conv2d_onednn.h:
src/ops/cpu/conv2d.h:
src/ops/conv_geom.h:
src/core/error.h:
