#include "model/generator.h"

#include <cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "core/log.h"


int generator_find_checkpoint(const char *run_dir, char *out, size_t n,
                              safetensors_file **opened, dc_err *e)
{
    char dir[GENERATOR_PATH_MAX];
    if (dc_path(e, dir, sizeof dir, "%s/checkpoints", run_dir)) return -1;
    struct stat st;
    if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
        return dc_fail(e, "%s: no checkpoints folder (is this a training run folder?)", run_dir);
    long it;
    dc_err why[1];
    int skipped = 0;
    int rc = checkpoint_find_newest(dir, out, n, &it, why, 1, &skipped, opened, e);
    if (rc == 0) return dc_fail(e, "%s: no checkpoint yet (train first)", dir);
    if (rc < 0) return -1;
    if (skipped > 0)
        log_warn("%s; using the previous checkpoint %s", why[0].msg, out);
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

int generator_open(generator *g, const char *run_dir, const char *ckpt, const char *device,
                   dc_err *e)
{
    if (!device) device = "cpu";
    memset(g, 0, sizeof *g);
    safetensors_file *f = NULL; /* read once: for the model's shape and for its tensors */
    if (run_dir) {
        if (generator_find_checkpoint(run_dir, g->path, sizeof g->path, &f, e)) return -1;
    } else {
        if (dc_path(e, g->path, sizeof g->path, "%s", ckpt)) return -1;
        if (!(f = checkpoint_open(g->path, e))) return -1;
    }
    dcgan_config cfg = dcgan_config_default();
    int rc = checkpoint_parse_config(f, g->path, &cfg, e);
    cfg.batch = GENERATOR_CHUNK;
    if (rc == 0 && strlen(device) >= sizeof cfg.device)
        rc = dc_fail(e, "device '%.40s...': name too long", device);
    if (rc == 0) snprintf(cfg.device, sizeof cfg.device, "%s", device);
    if (rc == 0 && (rc = dcgan_model_init(&g->model, &cfg, e)) != 0) {
        dc_err inner = *e;
        dc_fail(e, "%s: %s", g->path, inner.msg);
    }
    g->model_open = rc == 0;
    if (rc == 0) rc = checkpoint_load_from(f, g->path, &g->model, 0, &g->st, e);
    /* a run with an average of G samples from the average */
    if (rc == 0) dcgan_model_swap_ema(&g->model);
    safetensors_free(f);
    if (rc != 0) {
        generator_close(g);
        return -1;
    }
    dcgan_model_range(&cfg, &g->lo, &g->hi);
    if (g->st.class_names_json) g->class_names = cJSON_Parse(g->st.class_names_json);
    if (g->st.attribute_names_json) {
        g->attribute_names = cJSON_Parse(g->st.attribute_names_json);
        if (!cJSON_IsArray((cJSON *)g->attribute_names) ||
            cJSON_GetArraySize(g->attribute_names) != cfg.y_dim) {
            cJSON_Delete(g->attribute_names);
            g->attribute_names = NULL;
            generator_close(g);
            return dc_fail(e, "%s: metadata 'attribute_names' is not a list of %d names", g->path,
                           cfg.y_dim);
        }
    }
    g->zdist = Z_DIST_UNIFORM_SIGNED;
    if (g->st.run_json) {
        dc_err ignored; /* settings this file cannot read leave the defaults */
        g->have_run = run_config_parse(g->st.run_json, strlen(g->st.run_json), g->path, &g->run,
                                       &ignored) == 0;
        if (g->have_run && (g->run.have & RUN_CONFIG_Z_DIST)) g->zdist = g->run.zdist;
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
    g->class_names = NULL;
    cJSON_Delete(g->attribute_names);
    g->attribute_names = NULL;
    free(g->conds);
    g->conds = NULL;
    g->n_conds = 0;
    g->have_run = 0;
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
            DC_ASSERT(k >= 0 && k < c->y_dim + g->n_conds, "label %d of %d classes", k, c->y_dim);
            if (k < c->y_dim)
                y[(size_t)i * c->y_dim + k] = 1.0f;
            else
                memcpy(y + (size_t)i * c->y_dim, g->conds + (size_t)(k - c->y_dim) * c->y_dim,
                       sizeof(float) * (size_t)c->y_dim);
        }
    }
    dcgan_model_generate(&g->model, z, y, n, out);
    free(y);
}

/* Entry i of a cJSON array of strings, or NULL. */
static const char *name_at(const void *names, int i)
{
    const cJSON *it = cJSON_GetArrayItem(names, i);
    return cJSON_IsString(it) ? it->valuestring : NULL;
}

void generator_label_name(const generator *g, int k, char *buf, size_t n)
{
    int y_dim = g->model.cfg.y_dim;
    buf[0] = 0;
    if (!generator_has_attributes(g)) {
        const char *name = name_at(g->class_names, k);
        if (name) snprintf(buf, n, "%s", name);
        else snprintf(buf, n, "%d", k);
        return;
    }
    const float *y = k >= y_dim && k - y_dim < g->n_conds ? g->conds + (size_t)(k - y_dim) * y_dim : NULL;
    size_t len = 0;
    for (int i = 0; i < y_dim && len + 1 < n; i++) {
        if (y ? y[i] < 0.5f : i != k) continue;
        const char *name = name_at(g->attribute_names, i);
        char idx[16];
        snprintf(idx, sizeof idx, "%d", i);
        snprintf(buf + len, n - len, "%s%s", len ? "+" : "", name ? name : idx);
        len = strlen(buf);
    }
    if (!buf[0]) snprintf(buf, n, "none");
}

void generator_draw_z(const generator *g, rng_state *r, float *z, size_t count)
{
    z_dist_draw(g->zdist, r, z, count);
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
            if (cJSON_IsString(it) && strcasecmp(it->valuestring, tok) == 0) return i;
            i++;
        }
    }
    return -1;
}

/* Appends s to buf (size n > 0, k bytes used), cutting what does not fit. */
static void append(char *buf, size_t n, size_t *k, const char *s)
{
    size_t len = strlen(s);
    if (*k + len >= n) len = n - 1 - *k;
    memcpy(buf + *k, s, len);
    *k += len;
    buf[*k] = 0;
}

/* " (did you mean 'ankle-boot'?)" when tok is part of exactly one name (any case), then
 * "; classes: a, b, ... (or 0..N-1)" into buf. kind: "classes" or "attributes". */
static void describe_names(char *buf, size_t n, const char *tok, int y_dim, const void *names,
                           const char *kind)
{
    const cJSON *arr = names, *it;
    const char *only = NULL;
    int hits = 0;
    size_t tl = strlen(tok), k = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsString(it)) continue;
        for (const char *p = it->valuestring; tl && *p && hits < 2; p++)
            if (strncasecmp(p, tok, tl) == 0) {
                only = it->valuestring;
                hits++;
                break;
            }
    }
    char part[300];
    buf[0] = 0;
    if (hits == 1) {
        snprintf(part, sizeof part, " (did you mean '%.200s'?)", only);
        append(buf, n, &k, part);
    }
    if (!cJSON_IsArray(arr)) {
        snprintf(part, sizeof part, " (0..%d)", y_dim - 1);
        append(buf, n, &k, part);
        return;
    }
    snprintf(part, sizeof part, "; %s: ", kind);
    append(buf, n, &k, part);
    int i = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (k + 40 >= n) { /* a long list: its start and the count */
            snprintf(part, sizeof part, "... (%d in all)", cJSON_GetArraySize(arr));
            append(buf, n, &k, part);
            return;
        }
        if (i++) append(buf, n, &k, ", ");
        append(buf, n, &k, cJSON_IsString(it) ? it->valuestring : "?");
    }
    snprintf(part, sizeof part, " (or 0..%d)", y_dim - 1);
    append(buf, n, &k, part);
}

/* One attribute condition "A=1,B=0,C" into y (y_dim). */
static int parse_condition(const generator *g, const char *flag, char *cond, float *y, dc_err *e)
{
    int y_dim = g->model.cfg.y_dim, n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(cond, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(tok, '=');
        float v = 1.0f;
        if (eq) {
            *eq = 0;
            if (strcmp(eq + 1, "1") != 0 && strcmp(eq + 1, "0") != 0)
                return dc_fail(e, "%s: '%s=%s': an attribute is 1 or 0", flag, tok, eq + 1);
            v = eq[1] == '1' ? 1.0f : 0.0f;
        }
        int c = generator_class_index(tok, y_dim, g->attribute_names);
        if (c < 0) {
            char names[600];
            describe_names(names, sizeof names, tok, y_dim, g->attribute_names, "attributes");
            return dc_fail(e, "%s: '%s' is not an attribute of %s%s", flag, tok, g->path, names);
        }
        y[c] = v;
        n++;
    }
    if (n == 0) return dc_fail(e, "%s: an empty condition", flag);
    return 0;
}

/* ';'-separated attribute conditions, stored in g->conds; labels y_dim + j. */
static int parse_conditions(generator *g, const char *flag, char *buf, int *out, int max,
                            dc_err *e)
{
    int y_dim = g->model.cfg.y_dim, n = 0;
    char *save = NULL;
    for (char *cond = strtok_r(buf, ";", &save); cond; cond = strtok_r(NULL, ";", &save)) {
        if (n == max) return dc_fail(e, "%s: more than %d conditions", flag, max);
        float *nc = realloc(g->conds, sizeof(float) * (size_t)(g->n_conds + 1) * y_dim);
        if (!nc) return dc_fail(e, "%s: out of memory", flag);
        g->conds = nc;
        float *y = g->conds + (size_t)g->n_conds * y_dim;
        memset(y, 0, sizeof(float) * (size_t)y_dim);
        if (parse_condition(g, flag, cond, y, e) != 0) return -1;
        out[n++] = y_dim + g->n_conds++;
    }
    if (n == 0) return dc_fail(e, "%s: no condition given", flag);
    return n;
}

int generator_parse_labels(generator *g, const char *flag, const char *spec, int *out,
                           int max, int *all, dc_err *e)
{
    int y_dim = g->model.cfg.y_dim;
    *all = 0;
    if (y_dim <= 0) return dc_fail(e, "%s: %s is not a conditional model", flag, g->path);
    if (strcasecmp(spec, "all") == 0) {
        *all = 1;
        int n = y_dim < max ? y_dim : max;
        for (int i = 0; i < n; i++) out[i] = i;
        return n;
    }
    char buf[8192];
    if (strlen(spec) >= sizeof buf) return dc_fail(e, "%s: value too long", flag);
    snprintf(buf, sizeof buf, "%s", spec);
    if (generator_has_attributes(g)) return parse_conditions(g, flag, buf, out, max, e);
    int n = 0;
    char *save = NULL;
    for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int c = generator_class_index(tok, y_dim, g->class_names);
        if (c < 0) {
            char names[600];
            describe_names(names, sizeof names, tok, y_dim, g->class_names, "classes");
            return dc_fail(e, "%s: '%s' is not a class of %s%s", flag, tok, g->path, names);
        }
        if (n == max) return dc_fail(e, "%s: more than %d labels", flag, max);
        out[n++] = c;
    }
    if (n == 0) return dc_fail(e, "%s: no class given", flag);
    return n;
}

