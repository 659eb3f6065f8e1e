build-m/tests/tinyrun.o: tests/tinyrun.c tests/tinyrun.h \
 src/io/png_read.h src/core/error.h src/io/png_write.h src/core/rng.h \
 src/train/run.h src/train/data_open.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/data/source.h \
 src/train/options.h src/model/dcgan.h src/nn/net.h src/nn/param_store.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h src/train/session.h
tests/tinyrun.h:
src/io/png_read.h:
src/core/error.h:
src/io/png_write.h:
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
