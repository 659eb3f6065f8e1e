#include "eval/d_model.h"

#include <string.h>

#include "core/rng.h"
#include "model/checkpoint.h"
#include "model/generator.h"

/* What every features model shares: the batch, where it runs, and convolutions that leave
 * the maps in NCHW (oneDNN's own layout between two convolutions would need its reorder). */
static int features_config(dcgan_config *cfg, const char *device, dc_err *e)
{
    if (!device) device = "cpu";
    if (strlen(device) >= sizeof cfg->device)
        return dc_fail(e, "device '%.40s': name too long", device);
    snprintf(cfg->device, sizeof cfg->device, "%s", device);
    cfg->batch = FEATURES_BATCH;
    cfg->conv_backend = CONV_BACKEND_IM2COL;
    return 0;
}

int d_model_open(dcgan_model *m, const char *run_dir, const char *ckpt, const char *device,
                 char *path, size_t n, dc_err *e)
{
    memset(m, 0, sizeof *m);
    safetensors_file *f = NULL; /* read once: for the model's shape and for its tensors */
    if (run_dir) {
        if (generator_find_checkpoint(run_dir, path, n, &f, e)) return -1;
    } else {
        if (dc_path(e, path, n, "%s", ckpt)) return -1;
        if (!(f = checkpoint_open(path, e))) return -1;
    }
    dcgan_config cfg = dcgan_config_default();
    /* the loaders' own codes (CHECKPOINT_DAMAGED...) all become -1 here */
    int rc = checkpoint_parse_config(f, path, &cfg, e) == 0 ? 0 : -1;
    if (rc == 0 && cfg.y_dim > 0) {
        dc_fail(e, "%s: a conditional model (%d classes): its D needs a label, which a "
                   "classifier does not have at test time (train with --no-conditional)",
                path, cfg.y_dim);
        rc = D_MODEL_UNUSABLE;
    }
    if (rc == 0) rc = features_config(&cfg, device, e);
    if (rc == 0) rc = dcgan_model_init(m, &cfg, e);
    int model_open = rc == 0;
    checkpoint_state st;
    memset(&st, 0, sizeof st);
    if (rc == 0) rc = checkpoint_load_from(f, path, m, 0, &st, e) == 0 ? 0 : -1;
    if (rc == 0 && st.generator_only) {
        dc_fail(e, "%s: holds the generator alone (an export); D's features need a training "
                   "checkpoint", path);
        rc = D_MODEL_UNUSABLE;
    }
    checkpoint_state_free(&st);
    safetensors_free(f);
    if (rc != 0 && model_open) dcgan_model_free(m);
    return rc;
}

int d_model_random(dcgan_model *m, const dcgan_config *cfg, uint64_t seed, dc_err *e)
{
    memset(m, 0, sizeof *m);
    dcgan_config c = *cfg;
    if (features_config(&c, cfg->device, e)) return -1;
    if (c.y_dim > 0) return dc_fail(e, "a random D for features must be unconditional");
    if (dcgan_model_init(m, &c, e)) return -1;
    rng_state r;
    rng_init(&r, seed);
    dcgan_model_init_weights(m, &r);
    return 0;
}
