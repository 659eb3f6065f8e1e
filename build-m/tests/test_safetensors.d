build-m/tests/test_safetensors.o: tests/test_safetensors.c \
 src/io/safetensors.h src/core/error.h tests/testutil.h
src/io/safetensors.h:
src/core/error.h:
tests/testutil.h:
