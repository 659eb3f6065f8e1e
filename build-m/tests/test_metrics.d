build-m/tests/test_metrics.o: tests/test_metrics.c src/core/log.h \
 src/eval/classifier.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/ops/conv_geom.h src/eval/metrics.h \
 src/eval/nearest.h src/io/safetensors.h tests/testutil.h
src/core/log.h:
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
src/eval/metrics.h:
src/eval/nearest.h:
src/io/safetensors.h:
tests/testutil.h:
