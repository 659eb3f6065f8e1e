build-m/src/train/checkpoints.o: src/train/checkpoints.c \
 src/train/checkpoints.h src/core/error.h src/core/rng.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/ops/ops.h \
 src/ops/conv_geom.h src/model/zdist.h src/train/options.h \
 src/train/step.h src/parallel/dist.h src/core/log.h \
 src/model/checkpoint.h src/io/safetensors.h src/model/run_config.h \
 src/train/resume_check.h src/train/run_folder.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h
src/train/checkpoints.h:
src/core/error.h:
src/core/rng.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/options.h:
src/train/step.h:
src/parallel/dist.h:
src/core/log.h:
src/model/checkpoint.h:
src/io/safetensors.h:
src/model/run_config.h:
src/train/resume_check.h:
src/train/run_folder.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
