build-m/src/model/dcgan.o: src/model/dcgan.c src/model/dcgan.h \
 src/nn/net.h src/nn/param_store.h src/core/rng.h src/ops/ops.h \
 src/core/error.h src/ops/conv_geom.h src/model/zdist.h
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/model/zdist.h:
