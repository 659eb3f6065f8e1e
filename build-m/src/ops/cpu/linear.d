build-m/src/ops/cpu/linear.o: src/ops/cpu/linear.c src/ops/cpu/linear.h \
 /usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h \
 /usr/include/x86_64-linux-gnu/openblas-openmp/openblas_config.h \
 src/core/error.h src/core/rng.h src/core/clock.h
src/ops/cpu/linear.h:
/usr/include/x86_64-linux-gnu/openblas-openmp/cblas.h:
/usr/include/x86_64-linux-gnu/openblas-openmp/openblas_config.h:
src/core/error.h:
src/core/rng.h:
src/core/clock.h:
