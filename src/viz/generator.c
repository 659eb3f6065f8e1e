#include "viz/generator.h"

#include <cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "io/npy.h"
#include "train/step.h"

int run_newest_checkpoint(const char *run_dir, char *out, size_t n, dc_err *e)
{
    char dir[GENERATOR_PATH_MAX];
    if (dc_path(e, dir, sizeof dir, "%s/checkpoints", run_dir)) return -1;
    DIR *d = opendir(dir);
    if (!d) return dc_fail(e, "%s: no checkpoints folder (is this a training run folder?)", run_dir);
    long best = -1;
    struct dirent *de;
    while ((de = readdir(d))) {
        long it;
        char tail[32];
        if (sscanf(de->d_name, "ckpt-%ld.%31s", &it, tail) == 2 &&
            strcmp(tail, "safetensors") == 0 && it > best)
            best = it;
    }
    closedir(d);
    if (best < 0) return dc_fail(e, "%s: no checkpoint yet (train first)", dir);
    return dc_path(e, out, n, "%s/ckpt-%08ld.safetensors", dir, best);
}

int make_dirs(const char *path, dc_err *e)
{
    char buf[GENERATOR_PATH_MAX];
    if (dc_path(e, buf, sizeof buf, "%s", path)) return -1;
    for (char *p = buf + 1;; p++) {
        if (*p == '/' || *p == 0) {
            char c = *p;
            *p = 0;
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return dc_fail(e, "%s: cannot create folder: %s", buf, strerror(errno));
            *p = c;
            if (!c) break;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
        return dc_fail(e, "%s: exists and is not a folder", path);
    return 0;
}

static void default_out_dir(generator *g, const char *run_dir)
{
    if (run_dir) {
        snprintf(g->default_out, sizeof g->default_out, "%s/visualize", run_dir);
        return;
    }
    /* RUN/checkpoints/ckpt-N.safetensors -> RUN/visualize; other files: a visualize folder
     * beside them */
    char dir[GENERATOR_PATH_MAX];
    snprintf(dir, sizeof dir, "%s", g->path);
    char *slash = strrchr(dir, '/');
    if (!slash) snprintf(dir, sizeof dir, ".");
    else if (slash == dir) dir[1] = 0;
    else *slash = 0;
    size_t l = strlen(dir);
    if (l >= 12 && strcmp(dir + l - 12, "/checkpoints") == 0) dir[l - 12] = 0;
    else if (strcmp(dir, "checkpoints") == 0) snprintf(dir, sizeof dir, ".");
    snprintf(g->default_out, sizeof g->default_out, "%.4000s/visualize", dir);
}

int generator_open(generator *g, const char *run_dir, const char *ckpt, dc_err *e)
{
    memset(g, 0, sizeof *g);
    if (run_dir) {
        if (run_newest_checkpoint(run_dir, g->path, sizeof g->path, e)) return -1;
    } else if (dc_path(e, g->path, sizeof g->path, "%s", ckpt)) {
        return -1;
    }
    dcgan_config cfg = dcgan_config_default();
    if (checkpoint_read_config(g->path, &cfg, e) != 0) return -1;
    cfg.batch = GENERATOR_CHUNK;
    if (dcgan_model_init(&g->model, &cfg, e) != 0) return -1;
    g->model_open = 1;
    if (checkpoint_load(g->path, &g->model, NULL, &g->st, e) != 0) {
        generator_close(g);
        return -1;
    }
    dcgan_model_range(&cfg, &g->lo, &g->hi);
    if (g->st.class_names_json) g->class_names = cJSON_Parse(g->st.class_names_json);
    g->zdist = Z_DIST_UNIFORM_SIGNED;
    if (g->st.run_json) {
        g->run = cJSON_Parse(g->st.run_json);
        const cJSON *zs = cJSON_GetObjectItemCaseSensitive(g->run, "z_dist");
        if (cJSON_IsString(zs)) z_dist_parse(zs->valuestring, &g->zdist);
    }
    default_out_dir(g, run_dir);
    return 0;
}

void generator_close(generator *g)
{
    if (g->model_open) dcgan_model_free(&g->model);
    g->model_open = 0;
    checkpoint_state_free(&g->st);
    cJSON_Delete(g->class_names);
    cJSON_Delete(g->run);
    g->class_names = g->run = NULL;
}

size_t generator_image_floats(const generator *g)
{
    const dcgan_config *c = &g->model.cfg;
    return (size_t)c->c_dim * c->output_h * c->output_w;
}

void generator_generate(generator *g, const float *z, const int *labels, int n, float *out)
{
    const dcgan_config *c = &g->model.cfg;
    float *y = NULL;
    if (c->y_dim > 0) {
        y = dc_alloc_floats((size_t)n * c->y_dim);
        for (int i = 0; i < n; i++) {
            int k = labels ? labels[i] : 0;
            DC_ASSERT(k >= 0 && k < c->y_dim, "label %d of %d classes", k, c->y_dim);
            y[(size_t)i * c->y_dim + k] = 1.0f;
        }
    }
    generate_images(&g->model, z, y, n, out);
    free(y);
}

void generator_draw_z(const generator *g, rng_state *r, float *z, size_t count)
{
    switch (g->zdist) {
    case Z_DIST_UNIFORM_SIGNED: rng_uniform(r, z, count, -1.0f, 1.0f); break;
    case Z_DIST_UNIFORM_UNSIGNED: rng_uniform(r, z, count, 0.0f, 1.0f); break;
    case Z_DIST_NORMAL01: rng_normal(r, z, count, 0.0f, 1.0f); break;
    }
}

int generator_class_index(const char *tok, int y_dim, const void *class_names)
{
    char *end;
    long v = strtol(tok, &end, 10);
    if (*tok && !*end && v >= 0 && v < y_dim) return (int)v;
    const cJSON *names = class_names;
    if (cJSON_IsArray(names)) {
        int i = 0;
        const cJSON *it;
        cJSON_ArrayForEach(it, names)
        {
            if (cJSON_IsString(it) && strcmp(it->valuestring, tok) == 0) return i;
            i++;
        }
    }
    return -1;
}

int generator_parse_labels(const generator *g, const char *flag, const char *spec, int *out,
                           int max, int *all, dc_err *e)
{
    int y_dim = g->model.cfg.y_dim;
    *all = 0;
    if (y_dim <= 0) return dc_fail(e, "%s: %s is not a conditional model", flag, g->path);
    if (strcmp(spec, "all") == 0) {
        *all = 1;
        int n = y_dim < max ? y_dim : max;
        for (int i = 0; i < n; i++) out[i] = i;
        return n;
    }
    char buf[8192];
    if (strlen(spec) >= sizeof buf) return dc_fail(e, "%s: value too long", flag);
    snprintf(buf, sizeof buf, "%s", spec);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int c = generator_class_index(tok, y_dim, g->class_names);
        if (c < 0)
            return dc_fail(e, "%s: '%s' is not a class of %s (0..%d or a class name)", flag, tok,
                           g->path, y_dim - 1);
        if (n == max) return dc_fail(e, "%s: more than %d labels", flag, max);
        out[n++] = c;
    }
    if (n == 0) return dc_fail(e, "%s: no class given", flag);
    return n;
}

int generator_out_dir(const generator *g, const char *out, char *buf, size_t n, dc_err *e)
{
    if (dc_path(e, buf, n, "%s", out ? out : g->default_out)) return -1;
    return make_dirs(buf, e);
}

int generator_write_npy(const generator *g, const char *path, const float *images, int n, dc_err *e)
{
    const dcgan_config *c = &g->model.cfg;
    int H = c->output_h, W = c->output_w, C = c->c_dim;
    size_t per = generator_image_floats(g);
    float *nhwc = dc_alloc_floats((size_t)n * per);
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < C; ch++)
            for (int p = 0; p < H * W; p++)
                nhwc[(size_t)i * per + (size_t)p * C + ch] = images[(size_t)i * per + (size_t)ch * H * W + p];
    int64_t shape[4] = {n, H, W, C};
    int rc = npy_write_f32(path, nhwc, 4, shape, e);
    free(nhwc);
    return rc;
}

int generator_auto_scale(const generator *g, int min_px)
{
    const dcgan_config *c = &g->model.cfg;
    int side = c->output_h < c->output_w ? c->output_h : c->output_w;
    int k = (min_px + side - 1) / side;
    return k < 1 ? 1 : k > 4 ? 4 : k;
}
