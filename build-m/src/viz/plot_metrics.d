build-m/src/viz/plot_metrics.o: src/viz/plot_metrics.c \
 /usr/include/cjson/cJSON.h src/viz/chart.h /usr/include/cairo/cairo.h \
 /usr/include/cairo/cairo-version.h /usr/include/cairo/cairo-features.h \
 /usr/include/cairo/cairo-deprecated.h src/core/error.h src/viz/plot.h
/usr/include/cjson/cJSON.h:
src/viz/chart.h:
/usr/include/cairo/cairo.h:
/usr/include/cairo/cairo-version.h:
/usr/include/cairo/cairo-features.h:
/usr/include/cairo/cairo-deprecated.h:
src/core/error.h:
src/viz/plot.h:
