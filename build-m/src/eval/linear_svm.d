build-m/src/eval/linear_svm.o: src/eval/linear_svm.c \
 src/eval/linear_svm.h src/core/error.h src/core/clock.h src/core/rng.h
src/eval/linear_svm.h:
src/core/error.h:
src/core/clock.h:
src/core/rng.h:
