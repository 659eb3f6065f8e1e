build-m/src/eval/classifier_file.o: src/eval/classifier_file.c \
 src/eval/classifier.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 /usr/include/cjson/cJSON.h src/io/safetensors.h
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
/usr/include/cjson/cJSON.h:
src/io/safetensors.h:
