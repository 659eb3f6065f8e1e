build-m/tests/test_cond_concat.o: tests/test_cond_concat.c src/core/log.h \
 src/io/safetensors.h src/core/error.h src/model/checkpoint.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/core/rng.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h \
 src/model/run_config.h tests/testdata.h tests/testutil.h \
 src/train/session.h src/train/options.h src/train/step.h \
 src/parallel/dist.h
src/core/log.h:
src/io/safetensors.h:
src/core/error.h:
src/model/checkpoint.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/model/run_config.h:
tests/testdata.h:
tests/testutil.h:
src/train/session.h:
src/train/options.h:
src/train/step.h:
src/parallel/dist.h:
