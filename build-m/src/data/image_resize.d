build-m/src/data/image_resize.o: src/data/image_resize.c \
 src/data/image_resize.h src/data/image_spec.h src/core/error.h
src/data/image_resize.h:
src/data/image_spec.h:
src/core/error.h:
