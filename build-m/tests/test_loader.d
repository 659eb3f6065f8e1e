build-m/tests/test_loader.o: tests/test_loader.c src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/core/error.h \
 src/data/loader.h src/io/png_write.h tests/testutil.h
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/data/loader.h:
src/io/png_write.h:
tests/testutil.h:
