build-m/src/data/dataset.o: src/data/dataset.c src/data/dataset.h \
 src/data/image.h src/data/image_spec.h src/core/error.h src/data/idx.h \
 src/data/lmdb_source.h src/core/rng.h src/core/log.h
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/data/idx.h:
src/data/lmdb_source.h:
src/core/rng.h:
src/core/log.h:
