build-m/src/data/image.o: src/data/image.c src/data/image.h \
 src/data/image_spec.h src/core/error.h src/data/image_resize.h \
 src/data/image_webp.h /usr/include/libpng16/png.h \
 /usr/include/libpng16/pnglibconf.h /usr/include/libpng16/pngconf.h
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/data/image_resize.h:
src/data/image_webp.h:
/usr/include/libpng16/png.h:
/usr/include/libpng16/pnglibconf.h:
/usr/include/libpng16/pngconf.h:
