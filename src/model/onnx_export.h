/* The generator as an ONNX model (docs/export.md): G's layers as ONNX operators, its
 * parameters as initializers under their checkpoint names, batch norm on the moving
 * statistics as dcgan_generate runs it, the batch dimension left free.
 *   inputs:  "z" (N, z_dim) float; conditional models also "y" (N, y_dim) float
 *   output:  "image" (N, c_dim, H, W) float in G's range (dcgan_model_range)
 * Operator set ONNX_EXPORT_OPSET of the default domain, IR version ONNX_EXPORT_IR_VERSION. */
#ifndef DCGAN_MODEL_ONNX_EXPORT_H
#define DCGAN_MODEL_ONNX_EXPORT_H

#include <stddef.h>

#include "core/error.h"
#include "model/dcgan.h"

#define ONNX_EXPORT_OPSET 13
#define ONNX_EXPORT_IR_VERSION 7

/* Writes m's G as it is (the caller swaps an average in first, as generator_open does), with
 * n_meta more metadata_props entries (keys[i], values[i]) after the model's own (image_lo,
 * image_hi, layout, z_dim, y_dim). Atomic; -1 with "path: ..." in e on failure. */
int onnx_export_generator(const char *path, const dcgan_model *m, const char *const *keys,
                          const char *const *values, size_t n_meta, dc_err *e);

#endif
