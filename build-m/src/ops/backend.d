build-m/src/ops/backend.o: src/ops/backend.c src/ops/ops_backend.h \
 src/ops/ops.h src/core/error.h src/ops/conv_geom.h \
 src/ops/cpu/cpu_backend.h src/ops/cpu/loss.h src/ops/cpu/spectral_norm.h \
 src/ops/cuda/cuda_backend.h
src/ops/ops_backend.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/ops/cpu/cpu_backend.h:
src/ops/cpu/loss.h:
src/ops/cpu/spectral_norm.h:
src/ops/cuda/cuda_backend.h:
