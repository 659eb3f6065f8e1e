build-m/src/train/eval_hook.o: src/train/eval_hook.c \
 src/train/eval_hook.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/io/tb_events.h \
 src/io/protobuf.h src/model/dcgan.h src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h \
 src/train/options.h src/core/log.h src/eval/evaluate.h \
 src/eval/classifier.h src/eval/metrics.h src/train/summaries.h \
 src/train/step.h src/parallel/dist.h
src/train/eval_hook.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/io/tb_events.h:
src/io/protobuf.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/train/options.h:
src/core/log.h:
src/eval/evaluate.h:
src/eval/classifier.h:
src/eval/metrics.h:
src/train/summaries.h:
src/train/step.h:
src/parallel/dist.h:
