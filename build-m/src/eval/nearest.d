build-m/src/eval/nearest.o: src/eval/nearest.c src/eval/nearest.h \
 src/data/dataset.h src/data/image.h src/data/image_spec.h \
 src/core/error.h
src/eval/nearest.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
src/core/error.h:
