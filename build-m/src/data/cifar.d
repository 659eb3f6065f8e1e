build-m/src/data/cifar.o: src/data/cifar.c src/data/cifar.h \
 src/core/error.h src/data/dataset.h src/data/image.h \
 src/data/image_spec.h
src/data/cifar.h:
src/core/error.h:
src/data/dataset.h:
src/data/image.h:
src/data/image_spec.h:
