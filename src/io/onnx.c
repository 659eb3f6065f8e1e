/* The ONNX builder over protobuf-c's messages. Every member is allocated with malloc, the
 * allocator protobuf-c frees with by default, so one onnx__model_proto__free_unpacked releases
 * the whole tree however it was built. */
#include "io/onnx.h"

#include <stdlib.h>
#include <string.h>

#include "core/atomic_file.h"
#include "onnx/onnx.pb-c.h"

struct onnx_model {
    Onnx__ModelProto *proto;
};

static void *onnx_alloc(size_t size)
{
    void *p = calloc(1, size ? size : 1);
    DC_ASSERT(p != NULL, "out of memory (%zu bytes)", size);
    return p;
}

static char *onnx_strdup(const char *s)
{
    char *d = strdup(s ? s : "");
    DC_ASSERT(d != NULL, "out of memory");
    return d;
}

/* Appends item to a protobuf-c repeated field (field, n_field), typed as it is declared. */
#define ONNX_APPEND(field, n_field, item)                                   \
    do {                                                                    \
        void *grown_ = realloc((field), ((n_field) + 1) * sizeof *(field)); \
        DC_ASSERT(grown_ != NULL, "out of memory");                         \
        (field) = grown_;                                                   \
        (field)[(n_field)++] = (item);                                      \
    } while (0)

onnx_model *onnx_model_new(const char *graph_name, int64_t ir_version, int64_t opset,
                           const char *producer, const char *producer_version)
{
    onnx_model *m = onnx_alloc(sizeof *m);
    Onnx__ModelProto *p = m->proto = onnx_alloc(sizeof *p);
    onnx__model_proto__init(p);
    p->has_ir_version = 1;
    p->ir_version = ir_version;
    p->producer_name = onnx_strdup(producer);
    p->producer_version = onnx_strdup(producer_version);
    Onnx__OperatorSetIdProto *os = onnx_alloc(sizeof *os);
    onnx__operator_set_id_proto__init(os);
    os->domain = onnx_strdup("");
    os->has_version = 1;
    os->version = opset;
    ONNX_APPEND(p->opset_import, p->n_opset_import, os);
    p->graph = onnx_alloc(sizeof *p->graph);
    onnx__graph_proto__init(p->graph);
    p->graph->name = onnx_strdup(graph_name);
    return m;
}

void onnx_model_free(onnx_model *m)
{
    if (!m) return;
    onnx__model_proto__free_unpacked(m->proto, NULL);
    free(m);
}

void onnx_model_set_doc(onnx_model *m, const char *doc)
{
    free(m->proto->doc_string);
    m->proto->doc_string = onnx_strdup(doc);
}

void onnx_model_add_metadata(onnx_model *m, const char *key, const char *value)
{
    Onnx__StringStringEntryProto *kv = onnx_alloc(sizeof *kv);
    onnx__string_string_entry_proto__init(kv);
    kv->key = onnx_strdup(key);
    kv->value = onnx_strdup(value);
    ONNX_APPEND(m->proto->metadata_props, m->proto->n_metadata_props, kv);
}

/* A float tensor's ValueInfo: name, elem_type FLOAT, the shape with "N" for the batch. */
static Onnx__ValueInfoProto *value_info(const char *name, int ndim, const int64_t *dims,
                                        const char *doc)
{
    DC_ASSERT(ndim >= 0 && ndim <= ONNX_MAX_DIMS, "%s: %d dimensions", name, ndim);
    Onnx__TensorShapeProto *shape = onnx_alloc(sizeof *shape);
    onnx__tensor_shape_proto__init(shape);
    for (int i = 0; i < ndim; i++) {
        Onnx__TensorShapeProto__Dimension *d = onnx_alloc(sizeof *d);
        onnx__tensor_shape_proto__dimension__init(d);
        if (dims[i] == ONNX_DIM_BATCH) {
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
            d->dim_param = onnx_strdup("N");
        } else {
            DC_ASSERT(dims[i] >= 0, "%s: dimension %d is %lld", name, i, (long long)dims[i]);
            d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
            d->dim_value = dims[i];
        }
        ONNX_APPEND(shape->dim, shape->n_dim, d);
    }
    Onnx__TypeProto__Tensor *tt = onnx_alloc(sizeof *tt);
    onnx__type_proto__tensor__init(tt);
    tt->has_elem_type = 1;
    tt->elem_type = ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
    tt->shape = shape;
    Onnx__TypeProto *type = onnx_alloc(sizeof *type);
    onnx__type_proto__init(type);
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    Onnx__ValueInfoProto *vi = onnx_alloc(sizeof *vi);
    onnx__value_info_proto__init(vi);
    vi->name = onnx_strdup(name);
    vi->type = type;
    if (doc) vi->doc_string = onnx_strdup(doc);
    return vi;
}

void onnx_model_add_input(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                          const char *doc)
{
    Onnx__GraphProto *g = m->proto->graph;
    ONNX_APPEND(g->input, g->n_input, value_info(name, ndim, dims, doc));
}

void onnx_model_add_output(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           const char *doc)
{
    Onnx__GraphProto *g = m->proto->graph;
    ONNX_APPEND(g->output, g->n_output, value_info(name, ndim, dims, doc));
}

/* An initializer of n elements of elem_size bytes each; the raw bytes are filled by the
 * caller (little-endian). */
static uint8_t *add_tensor(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           int32_t data_type, size_t elem_size)
{
    DC_ASSERT(ndim >= 0 && ndim <= ONNX_MAX_DIMS, "%s: %d dimensions", name, ndim);
    Onnx__TensorProto *t = onnx_alloc(sizeof *t);
    onnx__tensor_proto__init(t);
    t->name = onnx_strdup(name);
    t->has_data_type = 1;
    t->data_type = data_type;
    t->n_dims = (size_t)ndim;
    t->dims = onnx_alloc(sizeof *t->dims * (size_t)ndim);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        DC_ASSERT(dims[i] >= 0, "%s: dimension %d is %lld", name, i, (long long)dims[i]);
        t->dims[i] = dims[i];
        n *= (size_t)dims[i];
    }
    t->has_raw_data = 1;
    t->raw_data.len = n * elem_size;
    t->raw_data.data = onnx_alloc(t->raw_data.len);
    Onnx__GraphProto *g = m->proto->graph;
    ONNX_APPEND(g->initializer, g->n_initializer, t);
    return t->raw_data.data;
}

/* ONNX's raw_data is little-endian whatever the host. */
static void put_le(uint8_t *p, uint64_t bits, int bytes)
{
    for (int i = 0; i < bytes; i++) p[i] = (uint8_t)(bits >> (8 * i));
}

void onnx_model_add_floats(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           const float *data)
{
    uint8_t *raw = add_tensor(m, name, ndim, dims, ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT, 4);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)dims[i];
    for (size_t i = 0; i < n; i++) {
        uint32_t bits;
        memcpy(&bits, &data[i], sizeof bits);
        put_le(raw + 4 * i, bits, 4);
    }
}

void onnx_model_add_int64s(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           const int64_t *data)
{
    uint8_t *raw = add_tensor(m, name, ndim, dims, ONNX__TENSOR_PROTO__DATA_TYPE__INT64, 8);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) n *= (size_t)dims[i];
    for (size_t i = 0; i < n; i++) put_le(raw + 8 * i, (uint64_t)data[i], 8);
}

int onnx_model_add_node(onnx_model *m, const char *op_type, const char *name,
                        const char *const *inputs, int n_in, const char *output)
{
    Onnx__NodeProto *node = onnx_alloc(sizeof *node);
    onnx__node_proto__init(node);
    node->op_type = onnx_strdup(op_type);
    node->name = onnx_strdup(name);
    for (int i = 0; i < n_in; i++) ONNX_APPEND(node->input, node->n_input, onnx_strdup(inputs[i]));
    ONNX_APPEND(node->output, node->n_output, onnx_strdup(output));
    Onnx__GraphProto *g = m->proto->graph;
    ONNX_APPEND(g->node, g->n_node, node);
    return (int)g->n_node - 1;
}

static Onnx__AttributeProto *add_attribute(onnx_model *m, int node, const char *name,
                                           Onnx__AttributeProto__AttributeType type)
{
    Onnx__GraphProto *g = m->proto->graph;
    DC_ASSERT(node >= 0 && (size_t)node < g->n_node, "node %d of %zu", node, g->n_node);
    Onnx__AttributeProto *a = onnx_alloc(sizeof *a);
    onnx__attribute_proto__init(a);
    a->name = onnx_strdup(name);
    a->has_type = 1;
    a->type = type;
    ONNX_APPEND(g->node[node]->attribute, g->node[node]->n_attribute, a);
    return a;
}

void onnx_model_node_int(onnx_model *m, int node, const char *attr, int64_t v)
{
    Onnx__AttributeProto *a = add_attribute(m, node, attr, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
}

void onnx_model_node_ints(onnx_model *m, int node, const char *attr, const int64_t *v, int n)
{
    Onnx__AttributeProto *a = add_attribute(m, node, attr, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = (size_t)n;
    a->ints = onnx_alloc(sizeof *a->ints * (size_t)n);
    memcpy(a->ints, v, sizeof *a->ints * (size_t)n);
}

void onnx_model_node_float(onnx_model *m, int node, const char *attr, float v)
{
    Onnx__AttributeProto *a = add_attribute(m, node, attr, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
}

size_t onnx_model_size(const onnx_model *m)
{
    return onnx__model_proto__get_packed_size(m->proto);
}

/* protobuf's messages are limited to 2 GiB (its readers use 32-bit sizes). */
#define ONNX_MAX_BYTES ((size_t)0x7fffffff)

int onnx_model_write(const onnx_model *m, const char *path, dc_err *e)
{
    size_t n = onnx_model_size(m);
    if (n > ONNX_MAX_BYTES)
        return dc_fail(e, "%s: the model would take %zu bytes; an ONNX file holds at most 2 GiB "
                          "(protobuf's limit)", path, n);
    uint8_t *buf = malloc(n ? n : 1);
    if (!buf) return dc_fail(e, "%s: out of memory (%zu bytes)", path, n);
    size_t packed = onnx__model_proto__pack(m->proto, buf);
    DC_ASSERT(packed == n, "packed %zu bytes of %zu", packed, n);
    int rc = atomic_file_write(path, buf, n, e);
    free(buf);
    return rc;
}
