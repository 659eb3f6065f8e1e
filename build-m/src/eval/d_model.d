build-m/src/eval/d_model.o: src/eval/d_model.c src/eval/d_model.h \
 src/core/error.h src/model/dcgan.h src/nn/net.h src/nn/param_store.h \
 src/core/rng.h src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h \
 src/model/checkpoint.h src/io/safetensors.h src/model/generator.h \
 src/model/run_config.h
src/eval/d_model.h:
src/core/error.h:
src/model/dcgan.h:
src/nn/net.h:
src/nn/param_store.h:
src/core/rng.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/model/zdist.h:
src/model/checkpoint.h:
src/io/safetensors.h:
src/model/generator.h:
src/model/run_config.h:
