build-m/src/viz/canvas.o: src/viz/canvas.c src/viz/canvas.h \
 src/core/error.h /usr/include/cairo/cairo.h \
 /usr/include/cairo/cairo-version.h /usr/include/cairo/cairo-features.h \
 /usr/include/cairo/cairo-deprecated.h src/io/png_write.h
src/viz/canvas.h:
src/core/error.h:
/usr/include/cairo/cairo.h:
/usr/include/cairo/cairo-version.h:
/usr/include/cairo/cairo-features.h:
/usr/include/cairo/cairo-deprecated.h:
src/io/png_write.h:
