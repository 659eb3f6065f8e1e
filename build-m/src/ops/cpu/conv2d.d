build-m/src/ops/cpu/conv2d.o: src/ops/cpu/conv2d.c src/ops/cpu/conv2d.h \
 src/ops/conv_geom.h \
 /usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h \
 /usr/include/x86_64-linux-gnu/openblas-openmp/openblas_config.h \
 src/core/error.h
src/ops/cpu/conv2d.h:
src/ops/conv_geom.h:
/usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h:
/usr/include/x86_64-linux-gnu/openblas-openmp/openblas_config.h:
src/core/error.h:
