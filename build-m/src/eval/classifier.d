build-m/src/eval/classifier.o: src/eval/classifier.c \
 src/eval/classifier.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/ops/conv_geom.h src/core/clock.h \
 src/core/log.h src/data/loader.h src/data/take.h src/eval/metrics.h
src/eval/classifier.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/core/clock.h:
src/core/log.h:
src/data/loader.h:
src/data/take.h:
src/eval/metrics.h:
