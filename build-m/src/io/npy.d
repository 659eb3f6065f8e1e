build-m/src/io/npy.o: src/io/npy.c src/io/npy.h src/core/error.h \
 src/core/atomic_file.h
src/io/npy.h:
src/core/error.h:
src/core/atomic_file.h:
