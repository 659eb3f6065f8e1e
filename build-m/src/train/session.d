build-m/src/train/session.o: src/train/session.c src/train/session.h \
 src/core/error.h src/train/options.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h src/core/interrupt.h src/core/log.h src/core/threads.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/data/loader.h src/io/tb_events.h src/io/protobuf.h \
 src/model/checkpoint.h src/io/safetensors.h src/train/checkpoints.h \
 src/train/step.h src/parallel/dist.h src/train/data_open.h \
 src/data/source.h src/train/eval_hook.h src/train/run_folder.h \
 src/train/samples.h src/train/replicas.h src/train/summaries.h \
 src/core/clock.h
src/train/session.h:
src/core/error.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/core/interrupt.h:
src/core/log.h:
src/core/threads.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/loader.h:
src/io/tb_events.h:
src/io/protobuf.h:
src/model/checkpoint.h:
src/io/safetensors.h:
src/train/checkpoints.h:
src/train/step.h:
src/parallel/dist.h:
src/train/data_open.h:
src/data/source.h:
src/train/eval_hook.h:
src/train/run_folder.h:
src/train/samples.h:
src/train/replicas.h:
src/train/summaries.h:
src/core/clock.h:
