build-m/tests/test_dist_stand_in.o: tests/test_dist_stand_in.c \
 src/parallel/dist.h src/core/error.h tests/testutil.h
src/parallel/dist.h:
src/core/error.h:
tests/testutil.h:
