build-m/src/data/labels_file.o: src/data/labels_file.c \
 src/data/labels_file.h src/core/error.h src/data/dataset.h \
 src/data/image.h src/data/image_spec.h
src/data/labels_file.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
