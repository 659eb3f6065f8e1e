/* libdcgan's public interface (include/dcgan.h) over the generator of src/model/generator.h.
 * Only the functions declared there leave libdcgan.so (src/api/libdcgan.map). */
#include "dcgan.h"

#include <cJSON.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "io/png_write.h"
#include "model/generator.h"
#include "ops/ops.h"

struct dcgan_generator {
    generator g;
    char last_error[1024];
};

const char *dcgan_version(void) { return DCGAN_VERSION_STRING; }

const char *dcgan_status_string(dcgan_status status)
{
    switch (status) {
    case DCGAN_OK: return "ok";
    case DCGAN_ERR_ARGUMENT: return "bad argument";
    case DCGAN_ERR_IO: return "I/O error";
    case DCGAN_ERR_FORMAT: return "bad or unsupported file";
    case DCGAN_ERR_DEVICE: return "device unavailable";
    case DCGAN_ERR_MEMORY: return "out of memory";
    }
    return "unknown status";
}

static dcgan_status set_error(dcgan_error *err, dcgan_status st, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static dcgan_status set_error(dcgan_error *err, dcgan_status st, const char *fmt, ...)
{
    if (err) {
        err->status = st;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return st;
}

/* A call's failure, kept in the handle for dcgan_last_error. */
static dcgan_status fail(dcgan_generator *h, dcgan_status st, const char *msg)
{
    if (h) snprintf(h->last_error, sizeof h->last_error, "%s", msg);
    return st;
}

static int device_name_valid(const char *s)
{
    if (strcmp(s, "cpu") == 0 || strcmp(s, "cuda") == 0) return 1;
    if (strncmp(s, "cuda:", 5) != 0 || !s[5] || strlen(s) > 12) return 0;
    for (const char *d = s + 5; *d; d++)
        if (*d < '0' || *d > '9') return 0;
    return 1;
}

/* Whether a failed open was the device's fault: the device alone cannot start. */
static int device_fails(const char *device)
{
    if (strcmp(device, "cpu") == 0) return 0;
    ops_options o = {0};
    o.device = device;
    dc_err e;
    ops_backend *be = ops_open(&o, &e);
    if (!be) return 1;
    ops_close(be);
    return 0;
}

dcgan_status dcgan_open(const char *path, const dcgan_open_options *options,
                        dcgan_generator **out, dcgan_error *err)
{
    if (!out) return set_error(err, DCGAN_ERR_ARGUMENT, "dcgan_open: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return set_error(err, DCGAN_ERR_ARGUMENT, "dcgan_open: no path given");
    const char *device = options && options->device ? options->device : "cpu";
    if (!device_name_valid(device))
        return set_error(err, DCGAN_ERR_ARGUMENT,
                         "device '%.40s': expected cpu, cuda or cuda:N", device);
    struct stat st;
    if (stat(path, &st) != 0)
        return set_error(err, DCGAN_ERR_IO, "%s: no such file or folder", path);
    if (access(path, R_OK) != 0)
        return set_error(err, DCGAN_ERR_IO, "%s: permission denied", path);
    dcgan_generator *h = calloc(1, sizeof *h);
    if (!h) return set_error(err, DCGAN_ERR_MEMORY, "%s: out of memory", path);
    dc_err e;
    int is_dir = S_ISDIR(st.st_mode);
    if (generator_open(&h->g, is_dir ? path : NULL, is_dir ? NULL : path, device, &e) != 0) {
        free(h);
        dcgan_status s = device_fails(device) ? DCGAN_ERR_DEVICE : DCGAN_ERR_FORMAT;
        return set_error(err, s, "%s", e.msg);
    }
    *out = h;
    if (err) set_error(err, DCGAN_OK, "%s", "");
    return DCGAN_OK;
}

void dcgan_close(dcgan_generator *g)
{
    if (!g) return;
    generator_close(&g->g);
    free(g);
}

const char *dcgan_last_error(const dcgan_generator *g) { return g ? g->last_error : ""; }

const char *dcgan_checkpoint_path(const dcgan_generator *g) { return g ? g->g.path : NULL; }

long dcgan_iteration(const dcgan_generator *g) { return g ? g->g.st.iteration : -1; }

int dcgan_z_dim(const dcgan_generator *g) { return g ? generator_config(&g->g)->z_dim : 0; }

void dcgan_image_shape(const dcgan_generator *g, int *height, int *width, int *channels)
{
    const dcgan_config *c = g ? generator_config(&g->g) : NULL;
    if (height) *height = c ? c->output_h : 0;
    if (width) *width = c ? c->output_w : 0;
    if (channels) *channels = c ? c->c_dim : 0;
}

size_t dcgan_image_floats(const dcgan_generator *g) { return g ? generator_image_floats(&g->g) : 0; }

void dcgan_output_range(const dcgan_generator *g, float *lo, float *hi)
{
    if (lo) *lo = g ? g->g.lo : 0.0f;
    if (hi) *hi = g ? g->g.hi : 0.0f;
}

int dcgan_num_classes(const dcgan_generator *g) { return g ? generator_config(&g->g)->y_dim : 0; }

int dcgan_has_attributes(const dcgan_generator *g) { return g && generator_has_attributes(&g->g); }

static const cJSON *names_of(const dcgan_generator *g)
{
    return generator_has_attributes(&g->g) ? g->g.attribute_names : g->g.class_names;
}

const char *dcgan_class_name(const dcgan_generator *g, int i)
{
    if (!g || i < 0 || i >= dcgan_num_classes(g)) return NULL;
    const cJSON *names = names_of(g);
    const cJSON *it = cJSON_IsArray(names) ? cJSON_GetArrayItem(names, i) : NULL;
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

int dcgan_class_index(const dcgan_generator *g, const char *name)
{
    if (!g || !name || dcgan_num_classes(g) == 0) return -1;
    int k = generator_class_index(name, dcgan_num_classes(g), names_of(g));
    for (int i = 0; k < 0 && i < dcgan_num_classes(g); i++) {
        const char *s = dcgan_class_name(g, i);
        if (s && strcasecmp(s, name) == 0) k = i;
    }
    return k;
}

/* n images of the handle's model fit the library's int counts and size_t buffers. */
static dcgan_status check_count(dcgan_generator *g, size_t n)
{
    size_t per = generator_image_floats(&g->g);
    if (n < 1 || n > INT32_MAX || n > SIZE_MAX / sizeof(float) / (per ? per : 1)) {
        char m[128];
        snprintf(m, sizeof m, "image count %zu out of range (1..%d)", n, INT32_MAX);
        return fail(g, DCGAN_ERR_ARGUMENT, m);
    }
    return DCGAN_OK;
}

/* A generating call's arguments: the handle and two buffers given, n in range. */
static dcgan_status check_call(dcgan_generator *g, const char *fn, const void *a, const void *b,
                               size_t n)
{
    if (!g || !a || !b) {
        char m[96];
        snprintf(m, sizeof m, "%s: NULL argument", fn);
        return fail(g, DCGAN_ERR_ARGUMENT, m);
    }
    return check_count(g, n);
}

dcgan_status dcgan_draw_z(dcgan_generator *g, uint64_t seed, size_t n, float *z)
{
    dcgan_status s = check_call(g, "dcgan_draw_z", z, z, n);
    if (s != DCGAN_OK) return s;
    rng_state r;
    rng_init(&r, seed);
    generator_draw_z(&g->g, &r, z, n * (size_t)dcgan_z_dim(g));
    return DCGAN_OK;
}

/* The model's NCHW images into the caller's NHWC buffer (what `dcgan sample --npy` writes). */
static void nchw_to_nhwc(const dcgan_config *c, const float *src, size_t n, float *dst)
{
    size_t plane = (size_t)c->output_h * c->output_w, per = plane * c->c_dim;
    for (size_t i = 0; i < n; i++)
        for (int ch = 0; ch < c->c_dim; ch++)
            for (size_t p = 0; p < plane; p++)
                dst[i * per + p * c->c_dim + ch] = src[i * per + ch * plane + p];
}

/* Generates into out (NHWC) through a temporary NCHW buffer: labels or y, not both. */
static dcgan_status generate_into(dcgan_generator *g, const float *z, const int *labels,
                                  const float *y, size_t n, float *out)
{
    const dcgan_config *c = generator_config(&g->g);
    float *nchw = malloc(sizeof(float) * n * generator_image_floats(&g->g));
    if (!nchw) return fail(g, DCGAN_ERR_MEMORY, "out of memory for the images");
    if (y) dcgan_model_generate(&g->g.model, z, y, (int)n, nchw);
    else generator_generate(&g->g, z, labels, (int)n, nchw);
    nchw_to_nhwc(c, nchw, n, out);
    free(nchw);
    g->last_error[0] = 0;
    return DCGAN_OK;
}

dcgan_status dcgan_generate(dcgan_generator *g, const float *z, const int *labels, size_t n,
                            float *out)
{
    dcgan_status s = check_call(g, "dcgan_generate", z, out, n);
    if (s != DCGAN_OK) return s;
    int y_dim = dcgan_num_classes(g);
    if (y_dim == 0) return generate_into(g, z, NULL, NULL, n, out);
    int *lab = malloc(sizeof(int) * n);
    if (!lab) return fail(g, DCGAN_ERR_MEMORY, "out of memory for the labels");
    for (size_t i = 0; i < n; i++) {
        lab[i] = labels ? labels[i] : (int)(i % (size_t)y_dim);
        if (lab[i] < 0 || lab[i] >= y_dim) {
            char m[160];
            snprintf(m, sizeof m, "label %d of image %zu: the model has classes 0..%d", lab[i], i,
                     y_dim - 1);
            free(lab);
            return fail(g, DCGAN_ERR_ARGUMENT, m);
        }
    }
    s = generate_into(g, z, lab, NULL, n, out);
    free(lab);
    return s;
}

dcgan_status dcgan_generate_y(dcgan_generator *g, const float *z, const float *y, size_t n,
                              float *out)
{
    dcgan_status s = check_call(g, "dcgan_generate_y", z, out, n);
    if (s != DCGAN_OK) return s;
    if (dcgan_num_classes(g) == 0) return generate_into(g, z, NULL, NULL, n, out);
    if (!y) return fail(g, DCGAN_ERR_ARGUMENT, "dcgan_generate_y: a conditional model needs y");
    return generate_into(g, z, NULL, y, n, out);
}

dcgan_status dcgan_sample(dcgan_generator *g, size_t n, uint64_t seed, const int *labels,
                          size_t nlabels, float *out)
{
    dcgan_status s = check_call(g, "dcgan_sample", out, out, n);
    if (s != DCGAN_OK) return s;
    if (labels && nlabels == 0)
        return fail(g, DCGAN_ERR_ARGUMENT, "dcgan_sample: labels given with nlabels 0");
    float *z = malloc(sizeof(float) * n * (size_t)dcgan_z_dim(g));
    int *lab = labels ? malloc(sizeof(int) * n) : NULL;
    if (!z || (labels && !lab)) {
        free(z);
        free(lab);
        return fail(g, DCGAN_ERR_MEMORY, "out of memory for the latent vectors");
    }
    for (size_t i = 0; lab && i < n; i++) lab[i] = labels[i % nlabels];
    s = dcgan_draw_z(g, seed, n, z);
    if (s == DCGAN_OK) s = dcgan_generate(g, z, lab, n, out);
    free(z);
    free(lab);
    return s;
}

dcgan_status dcgan_to_u8(const dcgan_generator *g, const float *images, size_t n,
                         uint8_t *pixels)
{
    if (!g || !images || !pixels) return DCGAN_ERR_ARGUMENT;
    size_t count = n * generator_image_floats(&g->g);
    float k = 255.0f / (g->g.hi - g->g.lo);
    for (size_t i = 0; i < count; i++) pixels[i] = image_value_to_u8(images[i], g->g.lo, k);
    return DCGAN_OK;
}
