/* ONNX model files: a builder for one graph of float and int64 tensors (inputs and outputs
 * whose first dimension may be the symbolic batch "N", initializers, nodes of the default
 * domain with int, ints and float attributes) and its atomic writer. The messages are
 * protobuf-c's, from ONNX's own schema (third_party/onnx/onnx.proto, compiled by protoc-c);
 * nothing of the wire format is written by hand. Running out of memory aborts. */
#ifndef DCGAN_IO_ONNX_H
#define DCGAN_IO_ONNX_H

#include <stddef.h>
#include <stdint.h>
#include "core/error.h"

/* In a shape: the symbolic batch dimension, named "N" in the file. */
#define ONNX_DIM_BATCH (-1)
#define ONNX_MAX_DIMS 8

typedef struct onnx_model onnx_model; /* owns every string and tensor it was given */

/* ir_version and opset: the ONNX IR version and the default domain's operator set. */
onnx_model *onnx_model_new(const char *graph_name, int64_t ir_version, int64_t opset,
                           const char *producer, const char *producer_version);
void onnx_model_free(onnx_model *m);

void onnx_model_set_doc(onnx_model *m, const char *doc);
/* A metadata_props entry (key, value). */
void onnx_model_add_metadata(onnx_model *m, const char *key, const char *value);
/* Float graph inputs and outputs of ndim dims (ONNX_DIM_BATCH allowed), with a doc string
 * (may be NULL). */
void onnx_model_add_input(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                          const char *doc);
void onnx_model_add_output(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           const char *doc);
/* Constant tensors, copied (stored little-endian as raw_data). */
void onnx_model_add_floats(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           const float *data);
void onnx_model_add_int64s(onnx_model *m, const char *name, int ndim, const int64_t *dims,
                           const int64_t *data);
/* A node of the default domain: op_type (e.g. "Gemm") on n_in named inputs, giving one output.
 * Returns its index for the attribute setters. */
int onnx_model_add_node(onnx_model *m, const char *op_type, const char *name,
                        const char *const *inputs, int n_in, const char *output);
void onnx_model_node_int(onnx_model *m, int node, const char *attr, int64_t v);
void onnx_model_node_ints(onnx_model *m, int node, const char *attr, const int64_t *v, int n);
void onnx_model_node_float(onnx_model *m, int node, const char *attr, float v);

/* The serialised size in bytes. */
size_t onnx_model_size(const onnx_model *m);
/* Serialises and writes atomically; -1 with "path: ..." in e if the model is over protobuf's
 * 2 GiB or the file cannot be written. */
int onnx_model_write(const onnx_model *m, const char *path, dc_err *e);

#endif
