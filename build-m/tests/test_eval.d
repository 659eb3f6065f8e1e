build-m/tests/test_eval.o: tests/test_eval.c src/cli/cli.h \
 src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/model/zdist.h src/model/checkpoint.h \
 src/io/safetensors.h src/model/run_config.h src/core/log.h \
 src/data/source.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/data/take.h src/eval/classifier.h \
 src/eval/evaluate.h src/eval/metrics.h tests/testutil.h tests/tinyrun.h \
 src/train/options.h src/train/run.h src/train/data_open.h \
 src/train/session.h
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
src/core/log.h:
src/data/source.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/take.h:
src/eval/classifier.h:
src/eval/evaluate.h:
src/eval/metrics.h:
tests/testutil.h:
tests/tinyrun.h:
src/train/options.h:
src/train/run.h:
src/train/data_open.h:
src/train/session.h:
