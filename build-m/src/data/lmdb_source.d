build-m/src/data/lmdb_source.o: src/data/lmdb_source.c \
 src/data/lmdb_source.h src/core/error.h src/data/image_spec.h \
 src/data/image.h
src/data/lmdb_source.h:
src/core/error.h:
src/data/image_spec.h:
src/data/image.h:
