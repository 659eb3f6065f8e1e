build-m/tests/gifread.o: tests/gifread.c tests/gifread.h
tests/gifread.h:
