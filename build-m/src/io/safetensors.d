build-m/src/io/safetensors.o: src/io/safetensors.c src/io/safetensors.h \
 src/core/error.h src/io/safetensors_internal.h \
 /usr/include/cjson/cJSON.h
src/io/safetensors.h:
src/core/error.h:
src/io/safetensors_internal.h:
/usr/include/cjson/cJSON.h:
