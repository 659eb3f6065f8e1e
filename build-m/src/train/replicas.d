build-m/src/train/replicas.o: src/train/replicas.c src/train/replicas.h \
 src/parallel/dist.h src/core/error.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h src/core/crc32c.h
src/train/replicas.h:
src/parallel/dist.h:
src/core/error.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/core/crc32c.h:
