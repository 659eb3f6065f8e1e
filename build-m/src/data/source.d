build-m/src/data/source.o: src/data/source.c src/data/source.h \
 src/core/error.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h src/data/labels_file.h src/data/lmdb_source.h
src/data/source.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/data/labels_file.h:
src/data/lmdb_source.h:
