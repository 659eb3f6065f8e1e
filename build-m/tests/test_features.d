build-m/tests/test_features.o: tests/test_features.c src/core/log.h \
 src/core/rng.h src/data/cifar.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/eval/d_model.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/ops/ops.h \
 src/ops/conv_geom.h src/model/zdist.h src/eval/features.h \
 src/eval/linear_svm.h src/eval/protocol.h src/io/npy.h tests/testutil.h
src/core/log.h:
src/core/rng.h:
src/data/cifar.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/eval/d_model.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/eval/features.h:
src/eval/linear_svm.h:
src/eval/protocol.h:
src/io/npy.h:
tests/testutil.h:
