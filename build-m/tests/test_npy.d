build-m/tests/test_npy.o: tests/test_npy.c src/io/npy.h src/core/error.h \
 tests/testutil.h
src/io/npy.h:
src/core/error.h:
tests/testutil.h:
