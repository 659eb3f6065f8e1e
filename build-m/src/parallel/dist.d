build-m/src/parallel/dist.o: src/parallel/dist.c src/parallel/dist.h \
 src/core/error.h src/core/clock.h src/parallel/transport.h
src/parallel/dist.h:
src/core/error.h:
src/core/clock.h:
src/parallel/transport.h:
