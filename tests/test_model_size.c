/* Model sizes counted before anything is built (dcgan_config_check_sizes,
 * dcgan_config_memory): sizes the flags allow but the layers cannot hold are refused, naming
 * the layer, and the memory estimate is a lower bound of what a built model really takes,
 * close enough to refuse absurd models without refusing real ones. */
#include <string.h>

#include "model/dcgan.h"
#include "testutil.h"

/* Floats a built model holds: both parameter stores four times (values, gradients, Adam's
 * moments) and their buffers, both arenas, the average of G when there is one. */
static double built_bytes(const dcgan_model *m)
{
    const net *n[2] = {&m->G, &m->D};
    double f = 0;
    for (int k = 0; k < 2; k++)
        f += 4.0 * (double)n[k]->ps.n_params + (double)n[k]->ps.n_buffers + (double)n[k]->arena_floats;
    if (m->ema_params) f += (double)m->G.ps.n_params + (double)m->G.ps.n_buffers;
    return 4.0 * f;
}

static void check_estimate(const char *what, dcgan_config c)
{
    dc_err e;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, &c, &e) == 0, "%s: %s", what, e.msg);
    if (!m.be) return;
    double est = dcgan_config_memory(&c, NULL, NULL), real = built_bytes(&m);
    printf("  %-34s estimate %9.0f bytes, built %9.0f (%.2f)\n", what, est, real, est / real);
    TEST_CHECK(est <= real, "%s: the estimate %.0f exceeds what is built, %.0f", what, est, real);
    TEST_CHECK(est >= real / 2, "%s: the estimate %.0f is under half of %.0f", what, est, real);
    dcgan_model_free(&m);
}

static void expect_refused(const char *what, dcgan_config c, const char *want)
{
    dc_err e = {{0}};
    TEST_CHECK(dcgan_config_validate(&c, &e) == 0, "%s: %s", what, e.msg);
    TEST_CHECK(dcgan_config_check_sizes(&c, &e) != 0 && strstr(e.msg, want) &&
                   strstr(e.msg, "GiB of memory"),
               "%s: '%s' lacks '%s'", what, e.msg, want);
    printf("  %s -> %s\n", what, e.msg);
}

int main(void)
{
    test_begin("test_model_size");
    dcgan_config c = dcgan_config_default();
    c.output_h = c.output_w = 32;
    c.z_dim = 8;
    c.gf_dim = c.df_dim = 8;
    c.batch = 4;
    check_estimate("unconditional 32x32x3", c);
    c.g_ema = 0.99f;
    check_estimate("unconditional with --g-ema", c);
    c.g_ema = 0;
    c.output_h = c.output_w = 28;
    c.c_dim = 1;
    c.y_dim = 10;
    c.gfc_dim = c.dfc_dim = 64;
    check_estimate("conditional 28x28x1", c);
    c.cond_concat = DCGAN_COND_CONCAT_INPUT;
    c.spectral_norm = 1;
    check_estimate("conditional, input only, SN", c);

    /* within every flag's range, but not within an int */
    dcgan_config big = dcgan_config_default();
    big.output_h = big.output_w = 8192;
    big.gf_dim = 4096;
    expect_refused("8192x8192 --gf-dim 4096", big, "g_h0_lin's weight would have");
    big.gf_dim = 512;
    expect_refused("8192x8192 --gf-dim 512", big, "g_h0_lin's weight would have");
    big.gf_dim = 64;
    big.df_dim = 4096;
    big.output_h = big.output_w = 2048;
    expect_refused("2048x2048 --df-dim 4096", big, "d_h3_conv's weight would have");
    big.df_dim = 1024;
    big.output_h = big.output_w = 4096;
    big.gf_dim = 1;
    expect_refused("4096x4096 --df-dim 1024", big, "d_h0_conv's output per image would have");
    big.gf_dim = 64;
    big.y_dim = 10;
    big.df_dim = 64;
    big.output_h = big.output_w = 512;
    big.gf_dim = 1024;
    expect_refused("conditional 512x512 --gf-dim 1024", big, "g_h1_lin's weight");
    dcgan_config ok = dcgan_config_default();
    ok.output_h = ok.output_w = 1024;
    dc_err e;
    TEST_CHECK(dcgan_config_check_sizes(&ok, &e) == 0, "1024x1024 refused: %s", e.msg);
    return test_finish();
}
