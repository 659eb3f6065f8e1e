/* libFuzzer target: the checkpoint reader. safetensors parsing (header JSON, tensor table,
 * offsets; with the checksum verified, and without it so that the fuzzer gets past it), then
 * the checkpoint's metadata (format, 'model' JSON, run state) and loading the tensors into a
 * model built from the stored shape, when that shape is small enough to build quickly. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/safetensors.h"
#include "model/checkpoint.h"

/* reads land here, so they are not optimised away */
static volatile unsigned char g_sink;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    dc_err e;
    safetensors_file *f = safetensors_parse(data, size, "fuzz", 0, &e);
    safetensors_free(f);
    f = safetensors_parse(data, size, "fuzz", SAFETENSORS_SKIP_CHECKSUM, &e);
    if (!f) return 0;
    for (size_t i = 0; i < safetensors_count(f); i++) { /* every tensor's bytes are readable */
        const safetensors_tensor *t = safetensors_at(f, i);
        size_t bytes = t->numel * (t->dtype == SAFETENSORS_I64 ? 8 : 4);
        for (size_t b = 0; b < bytes; b += 61) g_sink ^= ((const unsigned char *)t->data)[b];
        if (bytes) g_sink ^= ((const unsigned char *)t->data)[bytes - 1];
    }
    dcgan_config cfg = dcgan_config_default();
    cfg.batch = 1;
    if (checkpoint_parse_config(f, "fuzz", &cfg, &e) == 0 && cfg.output_h <= 64 &&
        cfg.output_w <= 64 && cfg.z_dim <= 64 && cfg.gf_dim <= 8 && cfg.df_dim <= 8 &&
        cfg.gfc_dim <= 64 && cfg.dfc_dim <= 64 && cfg.y_dim <= 16) {
        dcgan_model m;
        if (dcgan_model_init(&m, &cfg, &e) == 0) {
            checkpoint_state st;
            if (checkpoint_load_from(f, "fuzz", &m, 1, &st, &e) == 0) checkpoint_state_free(&st);
            dcgan_model_free(&m);
        }
    }
    safetensors_free(f);
    return 0;
}
