build-m/src/viz/visualize.o: src/viz/visualize.c src/viz/visualize.h \
 src/core/error.h src/model/generator.h src/model/dcgan.h src/nn/net.h \
 src/nn/param_store.h src/core/rng.h src/ops/ops.h src/ops/conv_geom.h \
 src/model/zdist.h src/model/checkpoint.h src/io/safetensors.h \
 src/model/run_config.h src/core/dirs.h src/core/log.h \
 src/viz/gif_write.h src/io/png_read.h src/viz/canvas.h src/viz/latent.h
src/viz/visualize.h:
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
src/core/dirs.h:
src/core/log.h:
src/viz/gif_write.h:
src/io/png_read.h:
src/viz/canvas.h:
src/viz/latent.h:
