build-m/src/ops/cpu/adam.o: src/ops/cpu/adam.c src/ops/cpu/adam.h \
 src/ops/ops.h src/core/error.h src/ops/conv_geom.h src/ops/formulas.h
src/ops/cpu/adam.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/ops/formulas.h:
