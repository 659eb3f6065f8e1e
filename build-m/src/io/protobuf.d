build-m/src/io/protobuf.o: src/io/protobuf.c src/io/protobuf.h \
 src/core/error.h
src/io/protobuf.h:
src/core/error.h:
