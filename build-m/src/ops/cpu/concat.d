build-m/src/ops/cpu/concat.o: src/ops/cpu/concat.c src/ops/cpu/concat.h
src/ops/cpu/concat.h:
