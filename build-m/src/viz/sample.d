build-m/src/viz/sample.o: src/viz/sample.c src/viz/sample.h \
 src/core/error.h src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h src/model/checkpoint.h src/io/safetensors.h \
 src/model/run_config.h src/core/log.h src/io/npy.h src/io/png_write.h \
 src/viz/output.h src/core/dirs.h
src/viz/sample.h:
src/core/error.h:
src/model/generator.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/model/checkpoint.h:
src/io/safetensors.h:
src/model/run_config.h:
src/core/log.h:
src/io/npy.h:
src/io/png_write.h:
src/viz/output.h:
src/core/dirs.h:
