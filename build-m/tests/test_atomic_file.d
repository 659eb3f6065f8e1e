build-m/tests/test_atomic_file.o: tests/test_atomic_file.c \
 src/core/atomic_file.h src/core/error.h tests/testutil.h
src/core/atomic_file.h:
src/core/error.h:
tests/testutil.h:
