build-m/src/cli/cmd_classifier.o: src/cli/cmd_classifier.c src/cli/cli.h \
 src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/model/zdist.h src/model/checkpoint.h \
 src/io/safetensors.h src/model/run_config.h src/core/clock.h \
 src/core/dirs.h src/core/log.h src/data/source.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/eval/classifier.h \
 src/eval/evaluate.h src/eval/metrics.h
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
src/core/dirs.h:
src/core/log.h:
src/data/source.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/eval/classifier.h:
src/eval/evaluate.h:
src/eval/metrics.h:
