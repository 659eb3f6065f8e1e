build-m/src/train/step.o: src/train/step.c src/train/step.h \
 src/parallel/dist.h src/core/error.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h src/train/replicas.h
src/train/step.h:
src/parallel/dist.h:
src/core/error.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/replicas.h:
