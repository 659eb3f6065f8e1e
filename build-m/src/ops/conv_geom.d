build-m/src/ops/conv_geom.o: src/ops/conv_geom.c src/ops/conv_geom.h \
 src/core/error.h
src/ops/conv_geom.h:
src/core/error.h:
