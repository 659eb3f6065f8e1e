build-m/tests/test_ops_reference.o: tests/test_ops_reference.c \
 /usr/include/cjson/cJSON.h src/io/safetensors.h src/core/error.h \
 src/ops/cpu/activation.h src/ops/ops.h src/ops/conv_geom.h \
 src/ops/cpu/adam.h src/ops/cpu/batchnorm.h src/ops/cpu/concat.h \
 src/ops/cpu/conv2d.h src/ops/cpu/conv_plan.h src/ops/cpu/conv2d_onednn.h \
 src/ops/cpu/linear.h src/ops/cpu/loss.h src/ops/cpu/spectral_norm.h \
 tests/testutil.h
/usr/include/cjson/cJSON.h:
src/io/safetensors.h:
src/core/error.h:
src/ops/cpu/activation.h:
src/ops/ops.h:
src/ops/conv_geom.h:
src/ops/cpu/adam.h:
src/ops/cpu/batchnorm.h:
src/ops/cpu/concat.h:
src/ops/cpu/conv2d.h:
src/ops/cpu/conv_plan.h:
src/ops/cpu/conv2d_onednn.h:
src/ops/cpu/linear.h:
src/ops/cpu/loss.h:
src/ops/cpu/spectral_norm.h:
tests/testutil.h:
