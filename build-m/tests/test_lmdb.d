build-m/tests/test_lmdb.o: tests/test_lmdb.c src/core/rng.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/core/error.h src/data/loader.h src/data/source.h src/io/png_write.h \
 src/train/run.h src/train/data_open.h src/train/options.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/ops/ops.h \
 src/ops/conv_geom.h src/model/zdist.h src/train/session.h \
 tests/testdata.h tests/testutil.h
src/core/rng.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/data/loader.h:
src/data/source.h:
src/io/png_write.h:
src/train/run.h:
src/train/data_open.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/session.h:
tests/testdata.h:
tests/testutil.h:
