build-m/src/io/png_write.o: src/io/png_write.c src/io/png_write.h \
 src/core/error.h /usr/include/libpng16/png.h \
 /usr/include/libpng16/pnglibconf.h /usr/include/libpng16/pngconf.h \
 src/core/atomic_file.h
src/io/png_write.h:
src/core/error.h:
/usr/include/libpng16/png.h:
/usr/include/libpng16/pnglibconf.h:
/usr/include/libpng16/pngconf.h:
src/core/atomic_file.h:
