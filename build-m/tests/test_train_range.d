build-m/tests/test_train_range.o: tests/test_train_range.c src/core/log.h \
 src/io/png_write.h src/core/error.h tests/testdata.h tests/testutil.h \
 src/train/session.h src/train/options.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h
src/core/log.h:
src/io/png_write.h:
src/core/error.h:
tests/testdata.h:
tests/testutil.h:
src/train/session.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
