build-m/src/eval/run_data.o: src/eval/run_data.c src/eval/run_data.h \
 src/core/error.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/data/source.h src/model/generator.h \
 src/model/dcgan.h src/nn/net.h src/nn/param_store.h src/core/rng.h \
 src/ops/ops.h src/ops/conv_geom.h src/model/zdist.h \
 src/model/checkpoint.h src/io/safetensors.h src/model/run_config.h
src/eval/run_data.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/source.h:
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
