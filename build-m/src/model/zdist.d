build-m/src/model/zdist.o: src/model/zdist.c src/model/zdist.h \
 src/core/rng.h
src/model/zdist.h:
src/core/rng.h:
