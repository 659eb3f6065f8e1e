build-m/src/data/image_webp.o: src/data/image_webp.c \
 src/data/image_webp.h src/core/error.h src/data/image_resize.h \
 src/data/image_spec.h
src/data/image_webp.h:
src/core/error.h:
src/data/image_resize.h:
src/data/image_spec.h:
