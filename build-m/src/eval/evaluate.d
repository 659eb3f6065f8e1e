build-m/src/eval/evaluate.o: src/eval/evaluate.c src/eval/evaluate.h \
 src/core/error.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/eval/classifier.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/eval/metrics.h src/model/dcgan.h src/model/zdist.h \
 /usr/include/cjson/cJSON.h src/core/clock.h src/core/log.h \
 src/data/take.h src/eval/nearest.h
src/eval/evaluate.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/eval/classifier.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/eval/metrics.h:
src/model/dcgan.h:
src/model/zdist.h:
/usr/include/cjson/cJSON.h:
src/core/clock.h:
src/core/log.h:
src/data/take.h:
src/eval/nearest.h:
