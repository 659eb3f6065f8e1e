build-m/src/viz/gif_write.o: src/viz/gif_write.c src/viz/gif_write.h \
 src/core/error.h src/io/palette.h src/core/atomic_file.h
src/viz/gif_write.h:
src/core/error.h:
src/io/palette.h:
src/core/atomic_file.h:
