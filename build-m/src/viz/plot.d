build-m/src/viz/plot.o: src/viz/plot.c src/viz/plot.h src/core/error.h \
 /usr/include/cairo/cairo.h /usr/include/cairo/cairo-version.h \
 /usr/include/cairo/cairo-features.h \
 /usr/include/cairo/cairo-deprecated.h src/core/dirs.h src/core/log.h \
 src/io/png_write.h src/viz/canvas.h src/viz/chart.h
src/viz/plot.h:
src/core/error.h:
/usr/include/cairo/cairo.h:
/usr/include/cairo/cairo-version.h:
/usr/include/cairo/cairo-features.h:
/usr/include/cairo/cairo-deprecated.h:
src/core/dirs.h:
src/core/log.h:
src/io/png_write.h:
src/viz/canvas.h:
src/viz/chart.h:
