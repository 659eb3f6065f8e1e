build-m/src/ops/cpu/spectral_norm.o: src/ops/cpu/spectral_norm.c \
 src/ops/cpu/spectral_norm.h src/core/error.h
src/ops/cpu/spectral_norm.h:
src/core/error.h:
