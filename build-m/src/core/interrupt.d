build-m/src/core/interrupt.o: src/core/interrupt.c src/core/interrupt.h
src/core/interrupt.h:
