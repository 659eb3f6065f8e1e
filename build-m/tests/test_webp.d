build-m/tests/test_webp.o: tests/test_webp.c src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/core/error.h tests/testutil.h
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
tests/testutil.h:
