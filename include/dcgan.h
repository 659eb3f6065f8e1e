/* libdcgan: generate images with a generator trained by dcgan.c, from your own program.
 *
 *   dcgan_generator *g;
 *   dcgan_error err;
 *   if (dcgan_open("run/checkpoints/ckpt-00001000.safetensors", NULL, &g, &err) != DCGAN_OK) {
 *       fprintf(stderr, "%s\n", err.message);
 *       return 1;
 *   }
 *   int h, w, c;
 *   dcgan_image_shape(g, &h, &w, &c);
 *   float *images = malloc(sizeof(float) * 16 * h * w * c);
 *   dcgan_sample(g, 16, 1, NULL, 0, images);   // = dcgan sample -n 16 --seed 1 --npy
 *   ...
 *   dcgan_close(g);
 *
 * A handle is what dcgan_open gives: a training checkpoint, a `dcgan export` file, or a run
 * folder (its newest sound checkpoint). The library keeps no state of its own outside handles:
 * different handles may be used from different threads at the same time; one handle is used by
 * one thread at a time. Images are float32, NHWC (image, row, column, channel), in the model's
 * output range (dcgan_output_range: [-1, 1] for the unconditional model's tanh, [0, 1] for the
 * conditional model's sigmoid), exactly what `dcgan sample --npy` writes.
 *
 * Link with `pkg-config --cflags --libs dcgan` (or `--static` for libdcgan.a). Warnings (a
 * damaged newer checkpoint skipped in a run folder) go to stderr as the program prints them.
 * Set OMP_WAIT_POLICY=PASSIVE before the library loads on a busy machine: OpenMP's default
 * spinning threads slow small batches down (the dcgan program does this for itself). */
#ifndef DCGAN_H
#define DCGAN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define DCGAN_VERSION_MAJOR 0
#define DCGAN_VERSION_MINOR 2
#define DCGAN_VERSION_PATCH 0
#define DCGAN_VERSION_STRING "0.2.0"

typedef struct dcgan_generator dcgan_generator;

typedef enum {
    DCGAN_OK = 0,
    DCGAN_ERR_ARGUMENT = 1, /* a NULL pointer, a count out of range, a label the model lacks */
    DCGAN_ERR_IO = 2,       /* the file or folder is missing or cannot be read */
    DCGAN_ERR_FORMAT = 3,   /* not a dcgan checkpoint, damaged, or a model this build refuses */
    DCGAN_ERR_DEVICE = 4,   /* the device asked for is unknown or cannot start */
    DCGAN_ERR_MEMORY = 5,   /* out of memory */
} dcgan_status;

/* What went wrong: the status and one line naming the file and the problem. */
typedef struct {
    dcgan_status status;
    char message[1024];
} dcgan_error;

typedef struct {
    const char *device; /* "cpu" (NULL means cpu), "cuda" or "cuda:N" in a build with CUDA */
} dcgan_open_options;

/* The library's version, "MAJOR.MINOR.PATCH" (the one it was built as, which may be newer
 * than the header a program was compiled with). */
const char *dcgan_version(void);
/* A constant name for a status: "ok", "bad argument", "I/O error", ... */
const char *dcgan_status_string(dcgan_status status);

/* Opens path: a checkpoint file, an exported generator or a run folder. options may be NULL.
 * On success *out is a handle for dcgan_close; on failure *out is NULL and err (may be NULL)
 * says why. */
dcgan_status dcgan_open(const char *path, const dcgan_open_options *options,
                        dcgan_generator **out, dcgan_error *err);
/* Frees the handle and everything it holds; NULL is a no-op. */
void dcgan_close(dcgan_generator *g);
/* The message of the handle's last failed call ("" if none). Valid until the next call on g. */
const char *dcgan_last_error(const dcgan_generator *g);

/* The checkpoint file the handle holds (in a run folder: the newest sound one). */
const char *dcgan_checkpoint_path(const dcgan_generator *g);
/* Training iterations completed when the checkpoint was written. */
long dcgan_iteration(const dcgan_generator *g);
/* Length of one latent vector z. */
int dcgan_z_dim(const dcgan_generator *g);
/* One image's size; any pointer may be NULL. */
void dcgan_image_shape(const dcgan_generator *g, int *height, int *width, int *channels);
/* Floats in one image: height * width * channels. */
size_t dcgan_image_floats(const dcgan_generator *g);
/* The range of the generator's output; any pointer may be NULL. */
void dcgan_output_range(const dcgan_generator *g, float *lo, float *hi);
/* Classes of a conditional model (the length of its y); 0 for an unconditional model. */
int dcgan_num_classes(const dcgan_generator *g);
/* 1 when the model's y is multi-hot over named attributes (a model trained with a labels
 * file, CelebA's attributes): label k then means attribute k alone, and dcgan_generate_y
 * takes any combination. */
int dcgan_has_attributes(const dcgan_generator *g);
/* The name of class (or attribute) i, or NULL when the run recorded none or i is out of range. */
const char *dcgan_class_name(const dcgan_generator *g, int i);
/* A class given by name (any case) or by number ("3"); -1 if the model has no such class. */
int dcgan_class_index(const dcgan_generator *g, const char *name);

/* n latent vectors (n * dcgan_z_dim floats into z) drawn as `dcgan sample --seed seed` draws
 * them, from the distribution the run trained with. */
dcgan_status dcgan_draw_z(dcgan_generator *g, uint64_t seed, size_t n, float *z);

/* n images from the latent vectors z (n * z_dim floats) into out (n * dcgan_image_floats).
 * labels: one class index per image (conditional models; ignored otherwise); NULL gives the
 * classes in turn, image i class i % num_classes, as `dcgan sample` does. */
dcgan_status dcgan_generate(dcgan_generator *g, const float *z, const int *labels, size_t n,
                            float *out);
/* As dcgan_generate with each image's condition given whole: y holds n * num_classes floats
 * (one-hot for classes, multi-hot for attributes). */
dcgan_status dcgan_generate_y(dcgan_generator *g, const float *z, const float *y, size_t n,
                              float *out);
/* `dcgan sample -n n --seed seed [--labels ...] --npy`: z drawn from seed, labels (nlabels
 * class indices) cycled over the images, or the classes in turn when labels is NULL. */
dcgan_status dcgan_sample(dcgan_generator *g, size_t n, uint64_t seed, const int *labels,
                          size_t nlabels, float *out);

/* Images from dcgan_generate (n of them) as 8-bit pixels, n * dcgan_image_floats bytes,
 * NHWC, rounded exactly as the PNGs `dcgan sample` writes. */
dcgan_status dcgan_to_u8(const dcgan_generator *g, const float *images, size_t n,
                         uint8_t *pixels);

#ifdef __cplusplus
}
#endif

#endif
