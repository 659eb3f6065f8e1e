build-m/tests/test_interrupt.o: tests/test_interrupt.c \
 src/core/interrupt.h tests/testutil.h
src/core/interrupt.h:
tests/testutil.h:
