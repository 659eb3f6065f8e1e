build-m/src/train/run_folder.o: src/train/run_folder.c \
 src/train/run_folder.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h src/train/options.h /usr/include/cjson/cJSON.h \
 src/core/atomic_file.h src/core/crc32c.h src/core/log.h \
 src/model/run_config.h src/parallel/dist.h
src/train/run_folder.h:
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
src/train/options.h:
/usr/include/cjson/cJSON.h:
src/core/atomic_file.h:
src/core/crc32c.h:
src/core/log.h:
src/model/run_config.h:
src/parallel/dist.h:
