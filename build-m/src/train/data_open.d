build-m/src/train/data_open.o: src/train/data_open.c \
 src/train/data_open.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/data/source.h \
 src/train/options.h src/model/dcgan.h src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h
src/train/data_open.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/source.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
