/* Divergence checks: dcgan_model_check_finite names the first non-finite tensor (D's
 * parameters, then G's, then the outputs of the last forward passes), for both models. */
#include <math.h>
#include <string.h>

#include "model/dcgan.h"
#include "testutil.h"

static void poison_param(net *n, const char *name, float v)
{
    const param_spec *s = param_store_find(&n->ps, name);
    TEST_CHECK(s != NULL, "no tensor %s", name);
    if (s) param_store_values(&n->ps, s)[s->numel / 2] = v;
}

static void expect_where(const dcgan_model *m, int outputs, const char *want)
{
    char where[160] = "";
    int rc = dcgan_model_check_finite(m, outputs, where, sizeof where);
    if (!want) {
        TEST_CHECK(rc == 0, "reported '%s' in a finite model", where);
        return;
    }
    TEST_CHECK(rc != 0 && strcmp(where, want) == 0, "got '%s', want '%s'", rc ? where : "(finite)",
               want);
    printf("  %-40s -> %s\n", want, rc ? where : "(finite)");
}

static void check_model(int y_dim)
{
    dcgan_config c = dcgan_config_default();
    c.output_h = c.output_w = y_dim ? 28 : 32;
    c.c_dim = 1;
    c.y_dim = y_dim;
    c.z_dim = 4;
    c.gf_dim = c.df_dim = 2;
    c.gfc_dim = c.dfc_dim = 8;
    c.batch = 2;
    dc_err e;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, &c, &e) == 0, "%s", e.msg);
    rng_state r;
    rng_init(&r, 5);
    dcgan_model_init_weights(&m, &r);
    /* one forward pass of each net, so that every output buffer holds finite values */
    net_forward(&m.G, 1);
    memcpy(m.D.input, net_output(&m.G)->out, sizeof(float) * (size_t)c.batch * net_output_size(&m.G));
    net_forward(&m.D, 1);
    expect_where(&m, 1, NULL);

    const char *g_first = "generator/g_h0_lin/Matrix";
    const char *d_bn = y_dim ? "discriminator/d_bn1/moving_variance" : "discriminator/d_bn2/gamma";
    poison_param(&m.G, g_first, NAN);
    expect_where(&m, 0, g_first);
    poison_param(&m.D, d_bn, INFINITY); /* D is checked first: it is updated first */
    expect_where(&m, 0, d_bn);
    poison_param(&m.D, d_bn, 1.0f);
    poison_param(&m.G, g_first, 0.0f);
    expect_where(&m, 1, NULL);

    /* an output: the first layer of D whose buffer holds a NaN */
    /* a layer with a buffer of its own (in-place activations share their input's; a folded
     * concat_y computes none) */
    int k = 2;
    while ((m.D.layers[k].kind >= LAYER_RELU && m.D.layers[k].kind <= LAYER_SIGMOID) ||
           m.D.layers[k].folded)
        k++;
    const layer *l = &m.D.layers[k];
    l->out[3] = NAN;
    char label[96], want[128];
    net_layer_label(&m.D, k, label, sizeof label);
    snprintf(want, sizeof want, "output of %s", label);
    expect_where(&m, 0, NULL); /* parameters only */
    expect_where(&m, 1, want);
    l->out[3] = 0.0f;
    /* G's outputs are checked before D's */
    m.G.layers[0].out[1] = -INFINITY;
    net_layer_label(&m.G, 0, label, sizeof label);
    snprintf(want, sizeof want, "output of %s", label);
    expect_where(&m, 1, want);
    dcgan_model_free(&m);
}

int main(void)
{
    test_begin("test_finite");
    printf("unconditional model\n");
    check_model(0);
    printf("conditional model\n");
    check_model(10);
    return test_finish();
}
