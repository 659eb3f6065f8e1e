build-m/src/data/idx.o: src/data/idx.c src/data/idx.h src/core/error.h
src/data/idx.h:
src/core/error.h:
