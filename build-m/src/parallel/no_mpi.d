build-m/src/parallel/no_mpi.o: src/parallel/no_mpi.c \
 src/parallel/transport.h src/core/error.h
src/parallel/transport.h:
src/core/error.h:
