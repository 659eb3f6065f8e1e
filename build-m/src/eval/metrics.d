build-m/src/eval/metrics.o: src/eval/metrics.c src/eval/metrics.h \
 src/core/error.h src/core/rng.h \
 /usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h \
 /usr/include/x86_64-linux-gnu/openblas-openmp/openblas_config.h
src/eval/metrics.h:
src/core/error.h:
src/core/rng.h:
/usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h:
/usr/include/x86_64-linux-gnu/openblas-openmp/openblas_config.h:
