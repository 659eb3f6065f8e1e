build-m/src/io/png_read.o: src/io/png_read.c src/io/png_read.h \
 src/core/error.h /usr/include/libpng16/png.h \
 /usr/include/libpng16/pnglibconf.h /usr/include/libpng16/pngconf.h
src/io/png_read.h:
src/core/error.h:
/usr/include/libpng16/png.h:
/usr/include/libpng16/pnglibconf.h:
/usr/include/libpng16/pngconf.h:
