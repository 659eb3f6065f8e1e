build-m/src/core/dirs.o: src/core/dirs.c src/core/dirs.h src/core/error.h
src/core/dirs.h:
src/core/error.h:
