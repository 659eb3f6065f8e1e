build-m/src/nn/net.o: src/nn/net.c src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/core/error.h src/ops/conv_geom.h
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
