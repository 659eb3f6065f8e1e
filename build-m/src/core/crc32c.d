build-m/src/core/crc32c.o: src/core/crc32c.c src/core/crc32c.h
src/core/crc32c.h:
