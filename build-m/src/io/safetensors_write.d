build-m/src/io/safetensors_write.o: src/io/safetensors_write.c \
 src/io/safetensors.h src/core/error.h src/io/safetensors_internal.h \
 /usr/include/cjson/cJSON.h src/core/atomic_file.h
src/io/safetensors.h:
src/core/error.h:
src/io/safetensors_internal.h:
/usr/include/cjson/cJSON.h:
src/core/atomic_file.h:
