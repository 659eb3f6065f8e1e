build-m/tests/tools/testtool.o: tests/tools/testtool.c \
 tests/tools/../testdata.h src/io/safetensors.h src/core/error.h
tests/tools/../testdata.h:
src/io/safetensors.h:
src/core/error.h:
