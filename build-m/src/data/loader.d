build-m/src/data/loader.o: src/data/loader.c src/data/loader.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/core/error.h src/core/rng.h src/core/log.h
src/data/loader.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/core/rng.h:
src/core/log.h:
