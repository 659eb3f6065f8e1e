/* A program of your own that uses libdcgan: N images from a trained generator into a .npy file
 * (float32 [N, H, W, C], what `dcgan sample -n N --seed SEED --npy FILE` writes) and, with
 * --pgm, the first image as a PGM/PPM picture.
 *
 *   cc $(pkg-config --cflags dcgan) generate.c $(pkg-config --libs dcgan) -o generate
 *   ./generate run/checkpoints/ckpt-00001000.safetensors 16 1 out.npy [LABEL ...]
 *
 * LABELs (conditional models) are class numbers or names, cycled over the images. */
#include <dcgan.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The .npy header: magic, version 1.0, a dict padded with spaces to a multiple of 64 bytes. */
static int write_npy(const char *path, const float *x, int n, int h, int w, int c)
{
    char dict[128];
    int len = snprintf(dict, sizeof dict,
                       "{'descr': '<f4', 'fortran_order': False, 'shape': (%d, %d, %d, %d), }", n,
                       h, w, c);
    int total = 10 + len + 1, pad = (64 - total % 64) % 64;
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    uint16_t hlen = (uint16_t)(len + pad + 1);
    fwrite("\x93NUMPY\x01\x00", 1, 8, f);
    fputc(hlen & 0xff, f);
    fputc(hlen >> 8, f);
    fwrite(dict, 1, (size_t)len, f);
    for (int i = 0; i < pad; i++) fputc(' ', f);
    fputc('\n', f);
    size_t count = (size_t)n * h * w * c;
    int ok = fwrite(x, sizeof(float), count, f) == count;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static int write_pnm(const char *path, const uint8_t *px, int h, int w, int c)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    fprintf(f, "P%d\n%d %d\n255\n", c == 3 ? 6 : 5, w, h);
    size_t count = (size_t)h * w * c;
    int ok = fwrite(px, 1, count, f) == count;
    return fclose(f) == 0 && ok ? 0 : -1;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: generate CHECKPOINT N SEED OUT.npy [--pgm FILE] [LABEL ...]\n");
        return 2;
    }
    int n = atoi(argv[2]);
    uint64_t seed = strtoull(argv[3], NULL, 10);
    const char *pgm = NULL;
    int first_label = 5;
    if (argc > 6 && strcmp(argv[5], "--pgm") == 0) {
        pgm = argv[6];
        first_label = 7;
    }
    dcgan_generator *g;
    dcgan_error err;
    if (dcgan_open(argv[1], NULL, &g, &err) != DCGAN_OK) {
        fprintf(stderr, "generate: %s (%s)\n", err.message, dcgan_status_string(err.status));
        return 1;
    }
    int h, w, c, nlabels = argc - first_label;
    dcgan_image_shape(g, &h, &w, &c);
    int *labels = nlabels > 0 ? malloc(sizeof(int) * (size_t)nlabels) : NULL;
    for (int i = 0; i < nlabels; i++) {
        labels[i] = dcgan_class_index(g, argv[first_label + i]);
        if (labels[i] < 0) {
            fprintf(stderr, "generate: '%s' is not a class of this model\n", argv[first_label + i]);
            free(labels);
            dcgan_close(g);
            return 2;
        }
    }
    size_t per = dcgan_image_floats(g);
    float *images = malloc(sizeof(float) * per * (size_t)(n > 0 ? n : 1));
    uint8_t *px = malloc(per);
    int rc = 0;
    if (dcgan_sample(g, (size_t)n, seed, labels, (size_t)nlabels, images) != DCGAN_OK) {
        fprintf(stderr, "generate: %s\n", dcgan_last_error(g));
        rc = 1;
    } else if (write_npy(argv[4], images, n, h, w, c) != 0) {
        fprintf(stderr, "generate: %s: cannot write\n", argv[4]);
        rc = 1;
    } else if (pgm && (dcgan_to_u8(g, images, 1, px) != DCGAN_OK ||
                       write_pnm(pgm, px, h, w, c) != 0)) {
        fprintf(stderr, "generate: %s: cannot write\n", pgm);
        rc = 1;
    }
    if (rc == 0)
        printf("libdcgan %s: %d images from %s (iteration %ld): %dx%dx%d, z %d, %d classes\n",
               dcgan_version(), n, dcgan_checkpoint_path(g), dcgan_iteration(g), h, w, c,
               dcgan_z_dim(g), dcgan_num_classes(g));
    free(px);
    free(images);
    free(labels);
    dcgan_close(g);
    return rc;
}
