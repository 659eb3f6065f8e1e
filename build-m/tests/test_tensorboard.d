build-m/tests/test_tensorboard.o: tests/test_tensorboard.c \
 src/io/tb_events.h src/io/protobuf.h src/core/error.h src/core/rng.h \
 src/train/run.h src/train/data_open.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/data/source.h \
 src/train/options.h src/model/dcgan.h src/nn/net.h src/nn/param_store.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h src/train/session.h \
 src/core/crc32c.h src/core/log.h tests/testdata.h tests/testutil.h
src/io/tb_events.h:
src/io/protobuf.h:
src/core/error.h:
src/core/rng.h:
src/train/run.h:
src/train/data_open.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/source.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/session.h:
src/core/crc32c.h:
src/core/log.h:
tests/testdata.h:
tests/testutil.h:
