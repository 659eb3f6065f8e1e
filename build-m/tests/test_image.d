build-m/tests/test_image.o: tests/test_image.c \
 /usr/include/libpng16/png.h /usr/include/libpng16/pnglibconf.h \
 /usr/include/libpng16/pngconf.h src/data/image.h src/data/image_spec.h \
 src/core/error.h src/io/png_write.h tests/testutil.h
/usr/include/libpng16/png.h:
/usr/include/libpng16/pnglibconf.h:
/usr/include/libpng16/pngconf.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
src/io/png_write.h:
tests/testutil.h:
