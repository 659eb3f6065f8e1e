build-m/src/io/palette.o: src/io/palette.c src/io/palette.h \
 src/core/error.h
src/io/palette.h:
src/core/error.h:
