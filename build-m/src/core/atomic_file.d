build-m/src/core/atomic_file.o: src/core/atomic_file.c \
 src/core/atomic_file.h src/core/error.h
src/core/atomic_file.h:
src/core/error.h:
