build-m/src/ops/cpu/loss.o: src/ops/cpu/loss.c src/ops/cpu/loss.h
src/ops/cpu/loss.h:
