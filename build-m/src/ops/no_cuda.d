build-m/src/ops/no_cuda.o: src/ops/no_cuda.c src/ops/cuda/cuda_backend.h \
 src/ops/ops.h src/core/error.h src/ops/conv_geom.h
src/ops/cuda/cuda_backend.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
