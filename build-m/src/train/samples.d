build-m/src/train/samples.o: src/train/samples.c src/train/samples.h \
 src/core/error.h src/io/tb_events.h src/io/protobuf.h src/model/dcgan.h \
 src/nn/net.h src/nn/param_store.h src/core/rng.h src/ops/ops.h \
 src/ops/conv_geom.h src/model/zdist.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/io/png_write.h \
 src/train/run_folder.h src/train/options.h
src/train/samples.h:
src/core/error.h:
src/io/tb_events.h:
src/io/protobuf.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/io/png_write.h:
src/train/run_folder.h:
src/train/options.h:
