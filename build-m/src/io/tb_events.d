build-m/src/io/tb_events.o: src/io/tb_events.c src/io/tb_events.h \
 src/io/protobuf.h src/core/error.h src/io/png_write.h src/core/crc32c.h
src/io/tb_events.h:
src/io/protobuf.h:
src/core/error.h:
src/io/png_write.h:
src/core/crc32c.h:
