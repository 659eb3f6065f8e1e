build-m/src/train/summaries.o: src/train/summaries.c \
 src/train/summaries.h src/core/error.h src/io/tb_events.h \
 src/io/protobuf.h src/train/step.h src/parallel/dist.h src/model/dcgan.h \
 src/nn/net.h src/nn/param_store.h src/core/rng.h src/ops/ops.h \
 src/ops/conv_geom.h src/model/zdist.h src/core/atomic_file.h
src/train/summaries.h:
src/core/error.h:
src/io/tb_events.h:
src/io/protobuf.h:
src/train/step.h:
src/parallel/dist.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/core/atomic_file.h:
