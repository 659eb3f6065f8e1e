build-m/tests/test_gif.o: tests/test_gif.c tests/gifread.h \
 src/viz/gif_write.h src/core/error.h src/core/rng.h tests/testutil.h
tests/gifread.h:
src/viz/gif_write.h:
src/core/error.h:
src/core/rng.h:
tests/testutil.h:
