/* The ONNX export read back with protobuf-c (the file's own schema): IR version and opset,
 * the inputs and output with the symbolic batch "N", every parameter of G stored bit for bit
 * under its checkpoint name, the operators in G's order for each placement of y, the
 * transposed convolutions' pads for TensorFlow's SAME padding at odd and even sizes, the
 * metadata, and a write to a folder that does not exist failing with the path named and
 * nothing left behind. Running the model is tests/test_onnx.sh's (ONNX Runtime). */
#include <dirent.h>
#include <string.h>

#include "core/rng.h"
#include "model/dcgan.h"
#include "model/onnx_export.h"
#include "onnx/onnx.pb-c.h"
#include "testutil.h"

static dcgan_config small_config(int y_dim, int h, int w, dcgan_cond_concat cc)
{
    dcgan_config c = dcgan_config_default();
    c.output_h = h;
    c.output_w = w;
    c.c_dim = y_dim ? 1 : 3;
    c.y_dim = y_dim;
    c.z_dim = 5;
    c.gf_dim = 2;
    c.df_dim = 2;
    c.gfc_dim = 8;
    c.dfc_dim = 8;
    c.batch = 2;
    c.cond_concat = cc;
    return c;
}

static Onnx__ModelProto *read_model(const char *path)
{
    size_t len = 0;
    uint8_t *buf = test_read_file(path, &len);
    TEST_CHECK(buf != NULL, "%s: cannot read", path);
    if (!buf) return NULL;
    Onnx__ModelProto *m = onnx__model_proto__unpack(NULL, len, buf);
    free(buf);
    TEST_CHECK(m != NULL, "%s: protobuf-c cannot parse it as a ModelProto", path);
    return m;
}

/* v has the shape want (0 = the symbolic "N"). */
static void check_value(const Onnx__ValueInfoProto *v, const char *name, int ndim,
                        const int64_t *want)
{
    TEST_CHECK(strcmp(v->name, name) == 0, "value %s, want %s", v->name, name);
    const Onnx__TypeProto *t = v->type;
    int ok = t && t->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE &&
             t->tensor_type->elem_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
             t->tensor_type->shape && (int)t->tensor_type->shape->n_dim == ndim;
    for (int i = 0; ok && i < ndim; i++) {
        const Onnx__TensorShapeProto__Dimension *d = t->tensor_type->shape->dim[i];
        ok = want[i] ? d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE &&
                           d->dim_value == want[i]
                     : d->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM &&
                           strcmp(d->dim_param, "N") == 0;
    }
    TEST_CHECK(ok, "%s: not a float tensor of the expected shape", name);
}

/* Every tensor of G is an initializer of the same name, shape and bits (little-endian). */
static void check_initializers(const Onnx__GraphProto *g, const dcgan_model *m)
{
    const param_store *ps = &m->G.ps;
    for (int i = 0; i < ps->count; i++) {
        const param_spec *s = &ps->specs[i];
        const Onnx__TensorProto *t = NULL;
        for (size_t k = 0; k < g->n_initializer && !t; k++)
            if (strcmp(g->initializer[k]->name, s->name) == 0) t = g->initializer[k];
        TEST_CHECK(t != NULL, "no initializer %s", s->name);
        if (!t) continue;
        int ok = t->data_type == ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT &&
                 (int)t->n_dims == s->ndim && t->has_raw_data && t->raw_data.len == 4 * s->numel;
        for (int d = 0; ok && d < s->ndim; d++) ok = t->dims[d] == s->shape[d];
        const float *v = param_store_host_values(ps, s);
        for (size_t j = 0; ok && j < s->numel; j++) {
            const uint8_t *p = t->raw_data.data + 4 * j;
            uint32_t bits = (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
                            (uint32_t)p[3] << 24, want;
            memcpy(&want, &v[j], 4);
            ok = bits == want;
        }
        TEST_CHECK(ok, "initializer %s differs from G's tensor", s->name);
    }
}

/* The node's op types joined by spaces. */
static void op_list(const Onnx__GraphProto *g, char *out, size_t n)
{
    out[0] = 0;
    for (size_t i = 0; i < g->n_node; i++) {
        size_t l = strlen(out);
        snprintf(out + l, n - l, "%s%s", i ? " " : "", g->node[i]->op_type);
    }
}

static const Onnx__AttributeProto *attribute(const Onnx__NodeProto *node, const char *name)
{
    for (size_t i = 0; i < node->n_attribute; i++)
        if (strcmp(node->attribute[i]->name, name) == 0) return node->attribute[i];
    return NULL;
}

/* TensorFlow's SAME padding of the 5x5 stride-2 convolution from `img` to ceil(img/2), worked
 * out here from its definition: the deconvolution must crop the same rows. */
static void same_pads(int img, int64_t *before, int64_t *after)
{
    int map = (img + 1) / 2, total = (map - 1) * 2 + 5 - img;
    *before = total / 2;
    *after = total - total / 2;
}

/* The ConvTranspose nodes' pads, each deconv making the next size up to (h, w). */
static void check_deconv_pads(const Onnx__GraphProto *g, int n_deconv, int h, int w)
{
    int hs[5] = {h}, ws[5] = {w}, seen = 0;
    for (int i = 1; i < 5; i++) hs[i] = (hs[i - 1] + 1) / 2, ws[i] = (ws[i - 1] + 1) / 2;
    for (size_t i = 0; i < g->n_node; i++) {
        if (strcmp(g->node[i]->op_type, "ConvTranspose") != 0) continue;
        int level = n_deconv - 1 - seen++; /* the first deconv makes hs[n_deconv - 1] */
        const Onnx__AttributeProto *p = attribute(g->node[i], "pads");
        int64_t want[4];
        same_pads(hs[level], &want[0], &want[2]);
        same_pads(ws[level], &want[1], &want[3]);
        int ok = p && p->n_ints == 4 && level >= 0;
        for (int k = 0; ok && k < 4; k++) ok = p->ints[k] == want[k];
        TEST_CHECK(ok, "%s: pads for %dx%d are not [%lld %lld %lld %lld]", g->node[i]->name,
                   hs[level], ws[level], (long long)want[0], (long long)want[1],
                   (long long)want[2], (long long)want[3]);
    }
    TEST_CHECK(seen == n_deconv, "%d ConvTranspose nodes, want %d", seen, n_deconv);
}

static const char *metadata(const Onnx__ModelProto *m, const char *key)
{
    for (size_t i = 0; i < m->n_metadata_props; i++)
        if (strcmp(m->metadata_props[i]->key, key) == 0) return m->metadata_props[i]->value;
    return NULL;
}

static void check_export(const dcgan_config *cfg, const char *want_ops, const char *label)
{
    dc_err e;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, cfg, &e) == 0, "%s: %s", label, e.msg);
    rng_state r;
    rng_init(&r, 7);
    dcgan_model_init_weights(&m, &r);
    const char *path = test_tmpdir_path("g.onnx");
    const char *keys[1] = {"z_dist"}, *values[1] = {"normal01"};
    TEST_CHECK(onnx_export_generator(path, &m, keys, values, 1, &e) == 0, "%s: %s", label, e.msg);
    Onnx__ModelProto *om = read_model(path);
    if (om) {
        TEST_CHECK(om->ir_version == ONNX_EXPORT_IR_VERSION, "%s: ir_version", label);
        TEST_CHECK(om->n_opset_import == 1 && om->opset_import[0]->version == ONNX_EXPORT_OPSET &&
                       strcmp(om->opset_import[0]->domain, "") == 0, "%s: opset", label);
        const Onnx__GraphProto *g = om->graph;
        TEST_CHECK(g->n_input == (cfg->y_dim ? 2u : 1u) && g->n_output == 1, "%s: interface", label);
        const int64_t zd[2] = {0, cfg->z_dim}, yd[2] = {0, cfg->y_dim};
        const int64_t od[4] = {0, cfg->c_dim, cfg->output_h, cfg->output_w};
        if (g->n_input >= 1) check_value(g->input[0], "z", 2, zd);
        if (g->n_input == 2) check_value(g->input[1], "y", 2, yd);
        if (g->n_output == 1) check_value(g->output[0], "image", 4, od);
        check_initializers(g, &m);
        char ops[1024];
        op_list(g, ops, sizeof ops);
        TEST_CHECK(strcmp(ops, want_ops) == 0, "%s: operators\n  %s\nwant\n  %s", label, ops, want_ops);
        check_deconv_pads(g, cfg->y_dim ? 2 : 4, cfg->output_h, cfg->output_w);
        const char *lo = metadata(om, "image_lo"), *zdist = metadata(om, "z_dist");
        TEST_CHECK(lo && strcmp(lo, cfg->y_dim ? "0" : "-1") == 0, "%s: image_lo %s", label, lo ? lo : "none");
        TEST_CHECK(zdist && strcmp(zdist, "normal01") == 0, "%s: the caller's metadata", label);
        onnx__model_proto__free_unpacked(om, NULL);
    }
    dcgan_model_free(&m);
}

static void check_write_failure(void)
{
    dcgan_config cfg = small_config(0, 16, 16, DCGAN_COND_CONCAT_ALL);
    dc_err e;
    dcgan_model m;
    TEST_CHECK(dcgan_model_init(&m, &cfg, &e) == 0, "%s", e.msg);
    rng_state r;
    rng_init(&r, 1);
    dcgan_model_init_weights(&m, &r);
    const char *path = test_tmpdir_path("none/g.onnx");
    e.msg[0] = 0;
    TEST_CHECK(onnx_export_generator(path, &m, NULL, NULL, 0, &e) != 0, "a write into a missing folder succeeded");
    TEST_CHECK(strstr(e.msg, path) != NULL, "the message does not name the file: %s", e.msg);
    DIR *d = opendir(test_tmpdir());
    struct dirent *de;
    int left = 0;
    while (d && (de = readdir(d)))
        left += strstr(de->d_name, ".tmp.") != NULL;
    if (d) closedir(d);
    TEST_CHECK(left == 0, "%d temporary files left", left);
    dcgan_model_free(&m);
}

int main(void)
{
    test_begin("onnx");
    if (test_tmpdir_create("onnx") != 0) return 1;
    const char *cond_all =
        "Concat Gemm BatchNormalization Relu Concat Gemm BatchNormalization Relu Reshape "
        "Reshape Expand Concat ConvTranspose BatchNormalization Relu Expand Concat "
        "ConvTranspose Sigmoid";
    const char *cond_input =
        "Concat Gemm BatchNormalization Relu Gemm BatchNormalization Relu Reshape "
        "ConvTranspose BatchNormalization Relu ConvTranspose Sigmoid";
    const char *uncond =
        "Gemm Reshape BatchNormalization Relu ConvTranspose BatchNormalization Relu "
        "ConvTranspose BatchNormalization Relu ConvTranspose BatchNormalization Relu "
        "ConvTranspose Tanh";
    dcgan_config c = small_config(3, 16, 16, DCGAN_COND_CONCAT_ALL);
    check_export(&c, cond_all, "conditional, y at every layer, 16x16");
    c = small_config(3, 14, 10, DCGAN_COND_CONCAT_ALL);
    check_export(&c, cond_all, "conditional, 14x10");
    c = small_config(3, 16, 16, DCGAN_COND_CONCAT_INPUT);
    check_export(&c, cond_input, "conditional, y at the input only");
    c = small_config(0, 20, 24, DCGAN_COND_CONCAT_ALL);
    check_export(&c, uncond, "unconditional colour, 20x24");
    c = small_config(0, 64, 64, DCGAN_COND_CONCAT_ALL);
    check_export(&c, uncond, "unconditional colour, 64x64");
    check_write_failure();
    test_tmpdir_remove();
    return test_finish();
}
