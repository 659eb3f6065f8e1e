/* libdcgan's public interface (include/dcgan.h): shapes, class names in any case, the three
 * ways to generate agreeing, status codes with messages, and handles used from two threads at
 * once giving what one thread gives (the library keeps no state outside its handles). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dcgan.h"
#include "testutil.h"
#include "tinyrun.h"

#define N_IMG 9

typedef struct {
    dcgan_generator *g;
    float *out;
    int ok;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    j->ok = 1;
    for (int rep = 0; rep < 3 && j->ok; rep++)
        j->ok = dcgan_sample(j->g, N_IMG, 11, NULL, 0, j->out) == DCGAN_OK;
    return NULL;
}

static void check_threads(const char *ckpt, const float *want, size_t floats)
{
    job jobs[2];
    pthread_t t[2];
    for (int k = 0; k < 2; k++) {
        TEST_CHECK(dcgan_open(ckpt, NULL, &jobs[k].g, NULL) == DCGAN_OK, "open %d", k);
        jobs[k].out = calloc(floats, sizeof(float));
        pthread_create(&t[k], NULL, run_job, &jobs[k]);
    }
    for (int k = 0; k < 2; k++) {
        pthread_join(t[k], NULL);
        TEST_CHECK(jobs[k].ok, "thread %d: %s", k, dcgan_last_error(jobs[k].g));
        TEST_CHECK(memcmp(jobs[k].out, want, floats * sizeof(float)) == 0,
                   "thread %d's images differ from one thread's", k);
        free(jobs[k].out);
        dcgan_close(jobs[k].g);
    }
}

static void check_errors(const char *root, dcgan_generator *g)
{
    dcgan_generator *h = (dcgan_generator *)1;
    dcgan_error err;
    char path[1024];
    snprintf(path, sizeof path, "%s/missing.safetensors", root);
    TEST_CHECK(dcgan_open(path, NULL, &h, &err) == DCGAN_ERR_IO && h == NULL, "missing");
    TEST_CHECK(err.status == DCGAN_ERR_IO && strstr(err.message, path), "%s", err.message);
    snprintf(path, sizeof path, "%s/junk.safetensors", root);
    FILE *f = fopen(path, "wb");
    fputs("junk", f);
    fclose(f);
    TEST_CHECK(dcgan_open(path, NULL, &h, &err) == DCGAN_ERR_FORMAT, "%s", err.message);
    TEST_CHECK(strstr(err.message, path) != NULL, "%s", err.message);
    dcgan_open_options o = {"tpu"};
    TEST_CHECK(dcgan_open(path, &o, &h, &err) == DCGAN_ERR_ARGUMENT, "%s", err.message);
    TEST_CHECK(dcgan_open(NULL, NULL, &h, NULL) == DCGAN_ERR_ARGUMENT, "NULL path");
    float z[64] = {0}, out[28 * 28];
    int bad = 10;
    TEST_CHECK(dcgan_generate(g, z, &bad, 1, out) == DCGAN_ERR_ARGUMENT, "label 10");
    TEST_CHECK(strstr(dcgan_last_error(g), "label 10") != NULL, "%s", dcgan_last_error(g));
    TEST_CHECK(dcgan_generate(g, z, NULL, 0, out) == DCGAN_ERR_ARGUMENT, "n = 0");
    TEST_CHECK(dcgan_generate(g, z, NULL, (size_t)1 << 40, out) == DCGAN_ERR_ARGUMENT, "huge n");
    TEST_CHECK(dcgan_sample(g, 1, 1, &bad, 0, out) == DCGAN_ERR_ARGUMENT, "nlabels 0");
    TEST_CHECK(dcgan_generate(NULL, z, NULL, 1, out) == DCGAN_ERR_ARGUMENT, "NULL handle");
    TEST_CHECK(strcmp(dcgan_status_string(DCGAN_ERR_IO), "I/O error") == 0, "status string");
    dcgan_close(NULL);
}

static void check_names_and_ways(dcgan_generator *g)
{
    int h, w, c;
    dcgan_image_shape(g, &h, &w, &c);
    TEST_CHECK(h == 28 && w == 28 && c == 1 && dcgan_z_dim(g) == TINY_Z_DIM, "shape");
    TEST_CHECK(dcgan_num_classes(g) == 10 && !dcgan_has_attributes(g), "classes");
    TEST_CHECK(dcgan_iteration(g) == 3, "iteration %ld", dcgan_iteration(g));
    float lo, hi;
    dcgan_output_range(g, &lo, &hi);
    TEST_CHECK(lo == 0.0f && hi == 1.0f, "range [%g, %g]", lo, hi);
    const char *name = dcgan_class_name(g, 3);
    if (name) {
        char upper[64];
        snprintf(upper, sizeof upper, "%s", name);
        for (char *p = upper; *p; p++) *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
        TEST_CHECK(dcgan_class_index(g, upper) == 3, "'%s' in capitals", upper);
    }
    TEST_CHECK(dcgan_class_index(g, "7") == 7 && dcgan_class_index(g, "nope") == -1, "index");
    TEST_CHECK(dcgan_class_name(g, 10) == NULL && dcgan_class_name(g, -1) == NULL, "range");
    /* sample = draw_z + generate = draw_z + generate_y with one-hot y */
    size_t per = dcgan_image_floats(g);
    float *a = calloc(N_IMG * per, sizeof(float)), *b = calloc(N_IMG * per, sizeof(float));
    float *cc = calloc(N_IMG * per, sizeof(float)), z[N_IMG * TINY_Z_DIM], y[N_IMG * 10] = {0};
    int labels[2] = {4, 1}, lab[N_IMG];
    for (int i = 0; i < N_IMG; i++) lab[i] = labels[i % 2], y[i * 10 + lab[i]] = 1.0f;
    TEST_CHECK(dcgan_sample(g, N_IMG, 5, labels, 2, a) == DCGAN_OK, "sample");
    TEST_CHECK(dcgan_draw_z(g, 5, N_IMG, z) == DCGAN_OK, "draw_z");
    TEST_CHECK(dcgan_generate(g, z, lab, N_IMG, b) == DCGAN_OK, "generate");
    TEST_CHECK(dcgan_generate_y(g, z, y, N_IMG, cc) == DCGAN_OK, "generate_y");
    TEST_CHECK(memcmp(a, b, N_IMG * per * sizeof(float)) == 0, "sample = draw_z + generate");
    TEST_CHECK(memcmp(a, cc, N_IMG * per * sizeof(float)) == 0, "generate = generate_y");
    uint8_t *px = malloc(per);
    TEST_CHECK(dcgan_to_u8(g, a, 1, px) == DCGAN_OK, "to_u8");
    int in_range = 1;
    for (size_t i = 0; i < per; i++) {
        int want = (int)(a[i] * 255.0f + 0.5f);
        if (px[i] != (want > 255 ? 255 : want)) in_range = 0;
    }
    TEST_CHECK(in_range, "to_u8 rounds as the PNG writer");
    free(px);
    free(a);
    free(b);
    free(cc);
}

int main(void)
{
    test_begin("api");
    char root[] = "/tmp/dcgan-api-XXXXXX", run[1024], ckpt[1200];
    if (!mkdtemp(root) || tiny_idx_run(root, "cond", run, sizeof run) != 0) {
        fprintf(stderr, "cannot make a tiny run\n");
        return 1;
    }
    TEST_CHECK(strcmp(dcgan_version(), DCGAN_VERSION_STRING) == 0, "version");
    dcgan_generator *g = NULL;
    dcgan_error err;
    TEST_CHECK(dcgan_open(run, NULL, &g, &err) == DCGAN_OK, "%s", err.message);
    if (g) {
        snprintf(ckpt, sizeof ckpt, "%s", dcgan_checkpoint_path(g));
        check_names_and_ways(g);
        check_errors(root, g);
        size_t floats = N_IMG * dcgan_image_floats(g);
        float *want = calloc(floats, sizeof(float));
        TEST_CHECK(dcgan_sample(g, N_IMG, 11, NULL, 0, want) == DCGAN_OK, "sample");
        check_threads(ckpt, want, floats);
        free(want);
        dcgan_close(g);
    }
    tiny_rmtree(root);
    return test_finish();
}
