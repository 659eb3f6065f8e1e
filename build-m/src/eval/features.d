build-m/src/eval/features.o: src/eval/features.c src/eval/features.h \
 src/core/error.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h
src/eval/features.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
