build-m/tests/test_checkpoint.o: tests/test_checkpoint.c \
 src/model/checkpoint.h src/io/safetensors.h src/core/error.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/core/rng.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h src/train/run.h \
 src/train/data_open.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/data/source.h src/train/options.h \
 src/train/session.h src/core/log.h tests/testdata.h tests/testutil.h
src/model/checkpoint.h:
src/io/safetensors.h:
src/core/error.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/run.h:
src/train/data_open.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/source.h:
src/train/options.h:
src/train/session.h:
src/core/log.h:
tests/testdata.h:
tests/testutil.h:
