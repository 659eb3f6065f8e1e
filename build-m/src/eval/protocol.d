build-m/src/eval/protocol.o: src/eval/protocol.c src/eval/protocol.h \
 src/core/error.h src/eval/linear_svm.h src/core/rng.h
src/eval/protocol.h:
src/core/error.h:
src/eval/linear_svm.h:
src/core/rng.h:
