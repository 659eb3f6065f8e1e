/* G's layer list walked once, each layer becoming one ONNX node (and the reshapes ONNX needs
 * around it). The tensor between layers is (N, C) after linear layers and on the way into
 * them, (N, C, H, W) on maps; our net keeps (C, 1, 1) for both, so the walk tracks the rank. */
#include "model/onnx_export.h"

#include <stdio.h>
#include <string.h>

#include "io/onnx.h"

#define NAME_MAX_LEN 160

typedef struct {
    onnx_model *om;
    const net *G;
    char cur[NAME_MAX_LEN];  /* the tensor the next layer reads */
    int rank;                /* of cur: 2 or 4 */
    char named[NAME_MAX_LEN];/* the last named layer, for naming the unnamed ones after it */
    int y_planes_made;       /* "y/planes", y as (N, y_dim, 1, 1), exists */
} graph;

/* A parameter of layer l as an initializer named as in checkpoints; its name into out. */
static void add_param(graph *g, const layer *l, const char *suffix, char *out, size_t n)
{
    snprintf(out, n, "%s/%s/%s", g->G->prefix, l->name, suffix);
    const param_spec *s = param_store_find(&g->G->ps, out);
    DC_ASSERT(s != NULL, "%s: no such parameter", out);
    onnx_model_add_floats(g->om, out, s->ndim, s->shape, param_store_host_values(&g->G->ps, s));
}

/* One node on cur (and more inputs), its output `out` becoming cur. */
static int add_node(graph *g, const char *op, const char *name, const char *const *more,
                    int n_more, const char *out, int rank)
{
    const char *in[6] = {g->cur};
    DC_ASSERT(n_more < 6, "too many inputs");
    for (int i = 0; i < n_more; i++) in[1 + i] = more[i];
    int node = onnx_model_add_node(g->om, op, name, in, 1 + n_more, out);
    snprintf(g->cur, sizeof g->cur, "%s", out);
    g->rank = rank;
    return node;
}

/* cur as (N, features): a flatten of maps. */
static void to_rank2(graph *g)
{
    if (g->rank == 2) return;
    char out[NAME_MAX_LEN];
    snprintf(out, sizeof out, "%.120s/flatten", g->cur);
    int node = add_node(g, "Flatten", out, NULL, 0, out, 2);
    onnx_model_node_int(g->om, node, "axis", 1);
}

/* cur reshaped to (N, C, H, W) with a shape initializer named after the node. */
static void reshape4(graph *g, const char *name, int C, int H, int W, const char *out)
{
    char shape[NAME_MAX_LEN];
    snprintf(shape, sizeof shape, "%.120s/shape", name);
    const int64_t dims[1] = {4}, to[4] = {0, C, H, W}; /* 0: the batch as it is */
    onnx_model_add_int64s(g->om, shape, 1, dims, to);
    const char *more[1] = {shape};
    add_node(g, "Reshape", name, more, 1, out, 4);
}

static void emit_linear(graph *g, const layer *l, const char *out)
{
    to_rank2(g);
    char w[NAME_MAX_LEN], b[NAME_MAX_LEN];
    add_param(g, l, "Matrix", w, sizeof w);
    add_param(g, l, "bias", b, sizeof b);
    const char *more[2] = {w, b};
    int node = add_node(g, "Gemm", l->name, more, 2, out, 2); /* x W^T + b: W is (out, in) */
    onnx_model_node_int(g->om, node, "transB", 1);
}

/* TensorFlow's SAME padding of the convolution this deconvolution is the adjoint of: its
 * explicit pads reproduce the output size exactly (no output_padding needed). */
static void emit_deconv(graph *g, const layer *l, const char *out)
{
    if (g->rank == 2) {
        char maps[NAME_MAX_LEN];
        snprintf(maps, sizeof maps, "%s/maps", l->name);
        reshape4(g, maps, l->in_C, l->in_H, l->in_W, maps);
    }
    const conv_geom *c = &l->geom;
    int pad_bottom = (c->H_map - 1) * c->stride_h + c->K_h - c->H_img - c->pad_top;
    int pad_right = (c->W_map - 1) * c->stride_w + c->K_w - c->W_img - c->pad_left;
    char w[NAME_MAX_LEN], b[NAME_MAX_LEN];
    add_param(g, l, "w", w, sizeof w);
    add_param(g, l, "biases", b, sizeof b);
    const char *more[2] = {w, b};
    int node = add_node(g, "ConvTranspose", l->name, more, 2, out, 4);
    const int64_t kernel[2] = {c->K_h, c->K_w}, strides[2] = {c->stride_h, c->stride_w};
    const int64_t pads[4] = {c->pad_top, c->pad_left, pad_bottom, pad_right};
    onnx_model_node_ints(g->om, node, "kernel_shape", kernel, 2);
    onnx_model_node_ints(g->om, node, "strides", strides, 2);
    onnx_model_node_ints(g->om, node, "pads", pads, 4);
}

/* Inference-mode batch norm on the moving statistics, per feature on (N, C) and per channel
 * on maps, with our epsilon. */
static void emit_batchnorm(graph *g, const layer *l, const char *out)
{
    char p[4][NAME_MAX_LEN];
    add_param(g, l, "gamma", p[0], sizeof p[0]);
    add_param(g, l, "beta", p[1], sizeof p[1]);
    add_param(g, l, "moving_mean", p[2], sizeof p[2]);
    add_param(g, l, "moving_variance", p[3], sizeof p[3]);
    const char *more[4] = {p[0], p[1], p[2], p[3]};
    int node = add_node(g, "BatchNormalization", l->name, more, 4, out, g->rank);
    onnx_model_node_float(g->om, node, "epsilon", BATCHNORM_EPS);
}

/* y appended as features, or as constant planes on maps: (N, y_dim, 1, 1) broadcast to the
 * map's size, as ops_cond_concat_forward does. */
static void emit_concat_y(graph *g, const layer *l, const char *out)
{
    const char *y = "y";
    char planes[NAME_MAX_LEN];
    if (g->rank == 4) {
        if (!g->y_planes_made) {
            const int64_t dims[1] = {4}, to[4] = {0, g->G->y_dim, 1, 1};
            onnx_model_add_int64s(g->om, "y/planes/shape", 1, dims, to);
            const char *in[2] = {"y", "y/planes/shape"};
            onnx_model_add_node(g->om, "Reshape", "y/planes", in, 2, "y/planes");
            g->y_planes_made = 1;
        }
        y = "y/planes";
        if (l->H * l->W > 1) {
            char shape[NAME_MAX_LEN];
            snprintf(planes, sizeof planes, "%.120s/y_planes", out);
            snprintf(shape, sizeof shape, "%.140s/shape", planes);
            const int64_t dims[1] = {4}, to[4] = {1, g->G->y_dim, l->H, l->W};
            onnx_model_add_int64s(g->om, shape, 1, dims, to);
            const char *in[2] = {"y/planes", shape};
            onnx_model_add_node(g->om, "Expand", planes, in, 2, planes);
            y = planes;
        }
    }
    const char *more[1] = {y};
    int node = add_node(g, "Concat", out, more, 1, out, g->rank);
    onnx_model_node_int(g->om, node, "axis", 1);
}

static int emit_layer(graph *g, const layer *l, const char *out, dc_err *e)
{
    if (l->sn) return dc_fail(e, "layer %s: spectral normalisation is not exported", l->name);
    switch (l->kind) {
    case LAYER_LINEAR: emit_linear(g, l, out); return 0;
    case LAYER_DECONV: emit_deconv(g, l, out); return 0;
    case LAYER_BATCHNORM: emit_batchnorm(g, l, out); return 0;
    case LAYER_CONCAT_Y: emit_concat_y(g, l, out); return 0;
    case LAYER_RELU: add_node(g, "Relu", out, NULL, 0, out, g->rank); return 0;
    case LAYER_TANH: add_node(g, "Tanh", out, NULL, 0, out, g->rank); return 0;
    case LAYER_SIGMOID: add_node(g, "Sigmoid", out, NULL, 0, out, g->rank); return 0;
    case LAYER_LRELU: {
        int node = add_node(g, "LeakyRelu", out, NULL, 0, out, g->rank);
        onnx_model_node_float(g->om, node, "alpha", LRELU_SLOPE);
        return 0;
    }
    case LAYER_RESHAPE:
        if (l->H == 1 && l->W == 1) { /* (N, C): a flatten, or nothing */
            if (g->rank == 4) add_node(g, "Flatten", out, NULL, 0, out, 2);
            return 0;
        }
        reshape4(g, out, l->C, l->H, l->W, out);
        return 0;
    case LAYER_CONV: break;
    }
    return dc_fail(e, "layer %s: a %s layer is not exported", l->name, layer_kind_name(l->kind));
}

/* The model's doc_string, inputs and output. */
static void add_interface(onnx_model *om, const dcgan_model *m)
{
    const dcgan_config *c = &m->cfg;
    float lo, hi;
    dcgan_model_range(c, &lo, &hi);
    char doc[512];
    snprintf(doc, sizeof doc,
             "DCGAN generator (dcgan.c): z (N, %d)%s -> image (N, %d, %d, %d), NCHW, in "
             "[%g, %g]; batch norm uses the moving statistics, as dcgan sample does.",
             c->z_dim, c->y_dim ? " and y (N, y_dim)" : "", c->c_dim, c->output_h, c->output_w,
             (double)lo, (double)hi);
    onnx_model_set_doc(om, doc);
    const int64_t zd[2] = {ONNX_DIM_BATCH, c->z_dim}, yd[2] = {ONNX_DIM_BATCH, c->y_dim};
    onnx_model_add_input(om, "z", 2, zd, "latent vectors, one row per image (metadata z_dist: "
                                          "the distribution the run trained with)");
    if (c->y_dim > 0)
        onnx_model_add_input(om, "y", 2, yd, "the condition, one row per image: one-hot over "
                                              "the classes (metadata class_names), or 0/1 per "
                                              "attribute (metadata attribute_names)");
    const int64_t od[4] = {ONNX_DIM_BATCH, c->c_dim, c->output_h, c->output_w};
    snprintf(doc, sizeof doc, "images, NCHW, in [%g, %g] (tanh; sigmoid for conditional models)",
             (double)lo, (double)hi);
    onnx_model_add_output(om, "image", 4, od, doc);
}

static void add_model_metadata(onnx_model *om, const dcgan_config *c)
{
    float lo, hi;
    dcgan_model_range(c, &lo, &hi);
    char v[32];
    snprintf(v, sizeof v, "%g", (double)lo);
    onnx_model_add_metadata(om, "image_lo", v);
    snprintf(v, sizeof v, "%g", (double)hi);
    onnx_model_add_metadata(om, "image_hi", v);
    onnx_model_add_metadata(om, "layout", "NCHW");
    snprintf(v, sizeof v, "%d", c->z_dim);
    onnx_model_add_metadata(om, "z_dim", v);
    snprintf(v, sizeof v, "%d", c->y_dim);
    onnx_model_add_metadata(om, "y_dim", v);
}

static int build_graph(graph *g, dc_err *e)
{
    const net *G = g->G;
    DC_ASSERT(G->in_H == 1 && G->in_W == 1, "G's input is a vector");
    snprintf(g->cur, sizeof g->cur, "z");
    g->rank = 2;
    for (int i = 0; i < G->n_layers; i++) {
        const layer *l = &G->layers[i];
        char out[NAME_MAX_LEN];
        if (l->name[0]) snprintf(g->named, sizeof g->named, "%s", l->name);
        if (i == G->n_layers - 1) snprintf(out, sizeof out, "image");
        else if (l->name[0]) snprintf(out, sizeof out, "%s", l->name);
        else snprintf(out, sizeof out, "%.100s/%s", g->named[0] ? g->named : "z", layer_kind_name(l->kind));
        if (emit_layer(g, l, out, e) != 0) return -1;
        if (i == G->n_layers - 1 && (strcmp(g->cur, "image") != 0 || g->rank != 4))
            return dc_fail(e, "G's last layer (%s) does not make the image", layer_kind_name(l->kind));
    }
    return 0;
}

int onnx_export_generator(const char *path, const dcgan_model *m, const char *const *keys,
                          const char *const *values, size_t n_meta, dc_err *e)
{
    graph g;
    memset(&g, 0, sizeof g);
    g.G = &m->G;
    param_store_download(&m->G.ps);
    g.om = onnx_model_new("dcgan_generator", ONNX_EXPORT_IR_VERSION, ONNX_EXPORT_OPSET,
                          "dcgan.c", "");
    add_interface(g.om, m);
    add_model_metadata(g.om, &m->cfg);
    for (size_t i = 0; i < n_meta; i++) onnx_model_add_metadata(g.om, keys[i], values[i]);
    dc_err inner;
    int rc = build_graph(&g, &inner);
    if (rc != 0) dc_fail(e, "%s: %s", path, inner.msg);
    else rc = onnx_model_write(g.om, path, e);
    onnx_model_free(g.om);
    return rc;
}
