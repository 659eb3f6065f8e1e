/* --cond-concat: where the conditional model concatenates y. For each placement, the parameter
 * shapes that show where y enters (the inputs always; G's later layers in all/g-layers, D's in
 * all/d-layers), a training step that stays finite and whose generator still follows y, and
 * the checkpoint: it stores the placement, loads into a model built from its stored config,
 * and is refused (CHECKPOINT_MISMATCH) by a model with another placement, a generator-only file
 * included. A file without the key is read as `all`; config.json keeps the setting; unlabelled
 * data with --cond-concat is a usage error. The ops themselves are tested elsewhere. */
#include <math.h>
#include <string.h>
#include <sys/stat.h>

#include "core/log.h"
#include "io/safetensors.h"
#include "model/checkpoint.h"
#include "model/dcgan.h"
#include "model/run_config.h"
#include "testdata.h"
#include "testutil.h"
#include "train/session.h"
#include "train/step.h"

#define Y 3 /* classes */
#define S 16 /* image size: s4 = 4 */

static const dcgan_cond_concat modes[] = {DCGAN_COND_CONCAT_ALL, DCGAN_COND_CONCAT_INPUT,
                                          DCGAN_COND_CONCAT_G_LAYERS, DCGAN_COND_CONCAT_D_LAYERS};
#define N_MODES (int)(sizeof modes / sizeof *modes)

static dcgan_config small_config(dcgan_cond_concat cc)
{
    dcgan_config c = dcgan_config_default();
    c.output_h = c.output_w = S;
    c.c_dim = 1;
    c.y_dim = Y;
    c.z_dim = 5;
    c.gf_dim = 2;
    c.df_dim = 3;
    c.gfc_dim = 8;
    c.dfc_dim = 6;
    c.batch = 4;
    c.cond_concat = cc;
    return c;
}

/* The tensor's shape is want[0..ndim). */
static void expect_shape(const net *n, const char *name, int ndim, const int64_t *want,
                         const char *mode)
{
    const param_spec *s = param_store_find(&n->ps, name);
    TEST_CHECK(s != NULL, "%s: no tensor %s", mode, name);
    if (!s) return;
    int ok = s->ndim == ndim;
    for (int i = 0; ok && i < ndim; i++) ok = s->shape[i] == want[i];
    TEST_CHECK(ok, "%s: %s has the wrong shape (first dims %lld, %lld; want %lld, %lld)", mode,
               name, (long long)s->shape[0], (long long)s->shape[1], (long long)want[0],
               (long long)want[1]);
}

static void check_shapes(const dcgan_model *m, dcgan_cond_concat cc)
{
    const dcgan_config *c = &m->cfg;
    const char *mode = dcgan_cond_concat_name(cc);
    int gy = cc == DCGAN_COND_CONCAT_ALL || cc == DCGAN_COND_CONCAT_G_LAYERS ? Y : 0;
    int dy = cc == DCGAN_COND_CONCAT_ALL || cc == DCGAN_COND_CONCAT_D_LAYERS ? Y : 0;
    int s4 = S / 4, gf2 = c->gf_dim * 2, df = c->df_dim, C = c->c_dim;
    /* the inputs take y in every placement */
    expect_shape(&m->G, "generator/g_h0_lin/Matrix", 2, (int64_t[]){c->gfc_dim, c->z_dim + Y}, mode);
    expect_shape(&m->D, "discriminator/d_h0_conv/w", 4, (int64_t[]){C + Y, C + Y, 5, 5}, mode);
    /* G's later layers */
    expect_shape(&m->G, "generator/g_h1_lin/Matrix", 2,
                 (int64_t[]){gf2 * s4 * s4, c->gfc_dim + gy}, mode);
    expect_shape(&m->G, "generator/g_h2/w", 4, (int64_t[]){gf2 + gy, gf2, 5, 5}, mode);
    expect_shape(&m->G, "generator/g_h3/w", 4, (int64_t[]){gf2 + gy, C, 5, 5}, mode);
    /* D's later layers; their widths stay the reference's */
    expect_shape(&m->D, "discriminator/d_h1_conv/w", 4, (int64_t[]){df + Y, C + Y + dy, 5, 5}, mode);
    expect_shape(&m->D, "discriminator/d_h2_lin/Matrix", 2,
                 (int64_t[]){c->dfc_dim, (df + Y) * s4 * s4 + dy}, mode);
    expect_shape(&m->D, "discriminator/d_h3_lin/Matrix", 2, (int64_t[]){1, c->dfc_dim + dy}, mode);
}

/* One training step on random data: finite losses and tensors; then G in sampling mode makes
 * different images for different labels (y reaches G in every placement). */
static void check_step(dcgan_model *m)
{
    const dcgan_config *c = &m->cfg;
    const char *mode = dcgan_cond_concat_name(c->cond_concat);
    size_t B = (size_t)c->batch, imf = dcgan_config_image_floats(c);
    float *x = dc_alloc_floats(B * imf), *z = dc_alloc_floats(B * c->z_dim);
    float *y = dc_alloc_floats(B * Y), *out = dc_alloc_floats(2 * imf);
    float *z2 = dc_alloc_floats(2 * (size_t)c->z_dim);
    rng_state r;
    rng_init(&r, 3);
    rng_uniform(&r, x, B * imf, 0.0f, 1.0f);
    rng_uniform(&r, z, B * c->z_dim, -1.0f, 1.0f);
    for (size_t i = 0; i < B; i++) y[i * Y + i % Y] = 1.0f;
    trainer t;
    trainer_init(&t, m, adam_config_default());
    step_stats st;
    train_step(&t, m, x, y, z, &st);
    TEST_CHECK(isfinite(st.d_loss) && isfinite(st.g_loss), "%s: losses d %g g %g", mode,
               st.d_loss, st.g_loss);
    char where[160] = "";
    TEST_CHECK(dcgan_model_check_finite(m, 1, where, sizeof where) == 0, "%s: %s not finite", mode,
               where);
    /* the same z under two labels (y rows 0 and 1) */
    memcpy(z2, z, c->z_dim * sizeof(float));
    memcpy(z2 + c->z_dim, z, c->z_dim * sizeof(float));
    dcgan_model_generate(m, z2, y, 2, out);
    TEST_CHECK(memcmp(out, out + imf, imf * sizeof(float)) != 0, "%s: G ignores y", mode);
    printf("  %-8s d_loss %.4f g_loss %.4f\n", mode, st.d_loss, st.g_loss);
    trainer_free(&t);
    free(x);
    free(z);
    free(y);
    free(out);
    free(z2);
}

static checkpoint_state small_state(void)
{
    checkpoint_state st;
    memset(&st, 0, sizeof st);
    st.iteration = 1;
    st.batch_size = 4;
    st.ranks = 1;
    st.image_lo = 0.0f;
    st.image_hi = 1.0f;
    return st;
}

/* Every other placement refuses the file (a full checkpoint, or G alone). */
static void expect_refused(const char *path, dcgan_cond_concat stored, int with_optimizer)
{
    for (int k = 0; k < N_MODES; k++) {
        if (modes[k] == stored) continue;
        dcgan_config other = small_config(modes[k]);
        dcgan_model m;
        dc_err e;
        TEST_CHECK(dcgan_model_init(&m, &other, &e) == 0, "%s", e.msg);
        int rc = checkpoint_load(path, &m, with_optimizer, NULL, &e);
        TEST_CHECK(rc == CHECKPOINT_MISMATCH && strstr(e.msg, "--cond-concat"),
                   "%s loaded into %s: rc %d %s", dcgan_cond_concat_name(stored),
                   dcgan_cond_concat_name(modes[k]), rc, e.msg);
        dcgan_model_free(&m);
    }
}

static void check_checkpoint(const dcgan_model *m)
{
    dcgan_cond_concat cc = m->cfg.cond_concat;
    const char *mode = dcgan_cond_concat_name(cc);
    char name[32], path[4200], gpath[4200];
    snprintf(name, sizeof name, "%s.g", mode);
    snprintf(path, sizeof path, "%s", test_tmpdir_path(mode));
    snprintf(gpath, sizeof gpath, "%s", test_tmpdir_path(name));
    checkpoint_state st = small_state();
    dc_err e;
    TEST_CHECK(checkpoint_save(path, m, 1, &st, &e) == 0, "%s", e.msg);
    TEST_CHECK(checkpoint_export_generator(gpath, m, &st, &e) == 0, "%s", e.msg);

    /* round trip: the stored config builds the same network, which takes every tensor */
    dcgan_config cfg = dcgan_config_default();
    TEST_CHECK(checkpoint_read_config(path, &cfg, &e) == 0, "%s", e.msg);
    TEST_CHECK(cfg.cond_concat == cc, "%s: stored as %s", mode, dcgan_cond_concat_name(cfg.cond_concat));
    cfg.batch = m->cfg.batch;
    dcgan_model back;
    TEST_CHECK(dcgan_model_init(&back, &cfg, &e) == 0, "%s", e.msg);
    TEST_CHECK(checkpoint_load(path, &back, 1, NULL, &e) == 0, "%s: %s", mode, e.msg);
    const param_spec *s = param_store_find(&back.D.ps, "discriminator/d_h1_conv/w");
    const param_spec *t = param_store_find(&m->D.ps, "discriminator/d_h1_conv/w");
    TEST_CHECK(s && t && memcmp(param_store_values(&back.D.ps, s), param_store_values(&m->D.ps, t),
                                s->numel * sizeof(float)) == 0,
               "%s: d_h1_conv/w differs after the round trip", mode);
    dcgan_model_free(&back);

    expect_refused(path, cc, 1);
    expect_refused(gpath, cc, 0); /* input and d-layers have the same G: the key tells them apart */
}

/* A checkpoint written before the key existed: the model JSON without cond_concat is `all`. */
static void check_old_file(void)
{
    const char *path = test_tmpdir_path("old.safetensors");
    const char *keys[] = {"format", "model"};
    const char *vals[] = {CHECKPOINT_FORMAT,
                          "{\"output_height\":16,\"output_width\":16,\"c_dim\":1,\"y_dim\":3,"
                          "\"z_dim\":5,\"gf_dim\":2,\"df_dim\":3,\"gfc_dim\":8,\"dfc_dim\":6}"};
    dc_err e;
    TEST_CHECK(safetensors_write(path, NULL, 0, keys, vals, 2, &e) == 0, "%s", e.msg);
    dcgan_config cfg = dcgan_config_default();
    cfg.cond_concat = DCGAN_COND_CONCAT_INPUT; /* what the reader must replace */
    TEST_CHECK(checkpoint_read_config(path, &cfg, &e) == 0, "%s", e.msg);
    TEST_CHECK(cfg.cond_concat == DCGAN_COND_CONCAT_ALL, "a file without the key read as %s",
               dcgan_cond_concat_name(cfg.cond_concat));
}

/* config.json: written for a conditional run, read back; absent in older files (0: all). */
static void check_run_config(void)
{
    run_config r;
    memset(&r, 0, sizeof r);
    r.input_h = r.input_w = S;
    r.batch_size = 4;
    r.y_dim = Y;
    r.cond_concat = DCGAN_COND_CONCAT_D_LAYERS;
    char *json = run_config_to_json(&r);
    run_config back;
    dc_err e;
    TEST_CHECK(json && run_config_parse(json, strlen(json), "config.json", &back, &e) == 0, "%s",
               e.msg);
    TEST_CHECK((back.have & RUN_CONFIG_COND_CONCAT) && back.cond_concat == DCGAN_COND_CONCAT_D_LAYERS,
               "config.json lost cond_concat: %s", json ? json : "(null)");
    free(json);
    const char *old = "{\"dataset\":\"mnist\"}";
    TEST_CHECK(run_config_parse(old, strlen(old), "old", &back, &e) == 0, "%s", e.msg);
    TEST_CHECK(!(back.have & RUN_CONFIG_COND_CONCAT) && back.cond_concat == DCGAN_COND_CONCAT_ALL,
               "an old config.json has a cond_concat");
    const char *bad = "{\"cond_concat\":\"middle\"}";
    TEST_CHECK(run_config_parse(bad, strlen(bad), "bad", &back, &e) != 0 && strstr(e.msg, "cond_concat"),
               "a bad cond_concat was accepted");
}

/* Unlabelled data makes the unconditional model: --cond-concat is a usage error there, before
 * the run folder exists. */
static void check_unlabelled(void)
{
    const char *dir = test_tmpdir_path("pngs");
    mkdir(dir, 0755);
    TEST_CHECK(testdata_write_pngs(dir, 8, S, 7) == 0, "data");
    train_options o;
    train_options_default(&o);
    snprintf(o.data_dir, sizeof o.data_dir, "%s", test_tmpdir());
    snprintf(o.dataset, sizeof o.dataset, "pngs");
    snprintf(o.input_fname_pattern, sizeof o.input_fname_pattern, "*.png");
    snprintf(o.out_dir, sizeof o.out_dir, "%s/out", test_tmpdir());
    o.output_h = S;
    o.batch_size = 4;
    o.gf_dim = o.df_dim = 2;
    o.z_dim = 4;
    o.cond_concat = DCGAN_COND_CONCAT_INPUT;
    o.progress = 0;
    o.tensorboard = 0;
    o.threads = 1;
    o.loader_threads = 0;
    int status = 0;
    dc_err e;
    train_session *s = train_open_status(&o, &status, &e);
    TEST_CHECK(s == NULL && status == TRAIN_RUN_USAGE && strstr(e.msg, "--cond-concat"),
               "unlabelled data with --cond-concat: status %d %s", status, s ? "(opened)" : e.msg);
    if (s) train_close(s, &e);
    struct stat sb;
    TEST_CHECK(stat(o.out_dir, &sb) != 0, "the refused run made %s", o.out_dir);
}

int main(void)
{
    test_begin("test_cond_concat");
    log_set_level(LOG_LEVEL_ERROR);
    if (test_tmpdir_create("cond_concat") != 0) return 1;
    dcgan_cond_concat parsed;
    for (int k = 0; k < N_MODES; k++)
        TEST_CHECK(dcgan_cond_concat_parse(dcgan_cond_concat_name(modes[k]), &parsed) == 0 &&
                       parsed == modes[k],
                   "name %d", k);
    TEST_CHECK(dcgan_cond_concat_parse("layers", &parsed) != 0, "'layers' parsed");
    dcgan_config u = small_config(DCGAN_COND_CONCAT_INPUT);
    u.y_dim = 0;
    dc_err e;
    TEST_CHECK(dcgan_config_validate(&u, &e) != 0, "an unconditional model took --cond-concat input");

    for (int k = 0; k < N_MODES; k++) {
        dcgan_config c = small_config(modes[k]);
        dcgan_model m;
        int ok = dcgan_model_init(&m, &c, &e) == 0;
        TEST_CHECK(ok, "%s: %s", dcgan_cond_concat_name(modes[k]), e.msg);
        if (!ok) continue;
        rng_state r;
        rng_init(&r, 11);
        dcgan_model_init_weights(&m, &r);
        check_shapes(&m, modes[k]);
        check_step(&m);
        check_checkpoint(&m);
        dcgan_model_free(&m);
    }
    check_old_file();
    check_run_config();
    check_unlabelled();
    if (!g_test.failures) test_tmpdir_remove();
    return test_finish();
}
