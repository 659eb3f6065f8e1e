build-m/tests/test_labels_file.o: tests/test_labels_file.c src/cli/cli.h \
 src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/model/zdist.h src/model/checkpoint.h \
 src/io/safetensors.h src/model/run_config.h src/data/labels_file.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/data/loader.h src/data/source.h tests/testdata.h tests/testutil.h \
 tests/tinyrun.h
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
src/data/labels_file.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/loader.h:
src/data/source.h:
tests/testdata.h:
tests/testutil.h:
tests/tinyrun.h:
