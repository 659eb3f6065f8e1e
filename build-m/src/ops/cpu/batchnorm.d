build-m/src/ops/cpu/batchnorm.o: src/ops/cpu/batchnorm.c \
 src/ops/cpu/batchnorm.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/ops/formulas.h
src/ops/cpu/batchnorm.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/ops/formulas.h:
