build-m/src/train/resume_check.o: src/train/resume_check.c \
 src/train/resume_check.h src/core/error.h src/model/run_config.h \
 src/model/zdist.h src/core/rng.h src/train/options.h src/model/dcgan.h \
 src/nn/net.h src/nn/param_store.h src/ops/ops.h src/ops/conv_geom.h \
 src/core/log.h
src/train/resume_check.h:
src/core/error.h:
src/model/run_config.h:
src/model/zdist.h:
src/core/rng.h:
src/train/options.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/core/log.h:
