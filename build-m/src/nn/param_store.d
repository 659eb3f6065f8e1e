build-m/src/nn/param_store.o: src/nn/param_store.c src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/core/error.h src/ops/conv_geom.h
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
