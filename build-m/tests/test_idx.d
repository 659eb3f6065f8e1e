build-m/tests/test_idx.o: tests/test_idx.c src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/core/error.h src/data/idx.h \
 tests/testutil.h
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/data/idx.h:
tests/testutil.h:
