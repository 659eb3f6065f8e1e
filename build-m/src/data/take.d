build-m/src/data/take.o: src/data/take.c src/data/take.h src/core/error.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/data/loader.h
src/data/take.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/loader.h:
