build-m/src/cli/cmd_train.o: src/cli/cmd_train.c src/cli/cli.h \
 src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/model/zdist.h src/model/checkpoint.h \
 src/io/safetensors.h src/model/run_config.h src/train/run.h \
 src/train/data_open.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/data/source.h src/train/options.h \
 src/train/session.h src/train/step.h src/parallel/dist.h \
 src/core/interrupt.h src/core/log.h
src/cli/cli.h:
src/model/generator.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/core/error.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/model/checkpoint.h:
src/io/safetensors.h:
src/model/run_config.h:
src/train/run.h:
src/train/data_open.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/source.h:
src/train/options.h:
src/train/session.h:
src/train/step.h:
src/parallel/dist.h:
src/core/interrupt.h:
src/core/log.h:
