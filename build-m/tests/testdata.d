build-m/tests/testdata.o: tests/testdata.c tests/testdata.h \
 src/io/png_write.h src/core/error.h src/io/safetensors.h src/core/rng.h
tests/testdata.h:
src/io/png_write.h:
src/core/error.h:
src/io/safetensors.h:
src/core/rng.h:
