build-m/tests/test_nearest.o: tests/test_nearest.c src/cli/cli.h \
 src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/core/error.h \
 src/ops/conv_geom.h src/model/zdist.h src/model/checkpoint.h \
 src/io/safetensors.h src/model/run_config.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/io/png_write.h \
 tests/tinyrun.h src/core/log.h tests/testutil.h
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
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/io/png_write.h:
tests/tinyrun.h:
src/core/log.h:
tests/testutil.h:
