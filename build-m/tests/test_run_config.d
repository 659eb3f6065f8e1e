build-m/tests/test_run_config.o: tests/test_run_config.c \
 src/model/run_config.h src/core/error.h src/model/zdist.h src/core/rng.h \
 src/train/resume_check.h src/train/options.h src/model/dcgan.h \
 src/nn/net.h src/nn/param_store.h src/ops/ops.h src/ops/conv_geom.h \
 src/core/log.h tests/testutil.h
src/model/run_config.h:
src/core/error.h:
src/model/zdist.h:
src/core/rng.h:
src/train/resume_check.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/core/log.h:
tests/testutil.h:
