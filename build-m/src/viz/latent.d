build-m/src/viz/latent.o: src/viz/latent.c src/viz/latent.h
src/viz/latent.h:
