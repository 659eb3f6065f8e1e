build-m/src/cli/cmd_features.o: src/cli/cmd_features.c \
 /usr/include/cjson/cJSON.h src/cli/cli.h src/model/generator.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/core/rng.h \
 src/ops/ops.h src/core/error.h src/ops/conv_geom.h src/model/zdist.h \
 src/model/checkpoint.h src/io/safetensors.h src/model/run_config.h \
 src/core/clock.h src/core/log.h src/core/threads.h src/data/cifar.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/eval/d_model.h src/eval/features.h src/eval/protocol.h \
 src/eval/linear_svm.h
/usr/include/cjson/cJSON.h:
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
src/core/clock.h:
src/core/log.h:
src/core/threads.h:
src/data/cifar.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/eval/d_model.h:
src/eval/features.h:
src/eval/protocol.h:
src/eval/linear_svm.h:
