/* The reference's two DCGANs (../shared/reference.md), built from src/nn layers:
 * the unconditional model for image folders (any output size that halves cleanly, tanh output
 * in [-1,1]) and the conditional model with the one-hot label concatenated at every layer of
 * G and D (sigmoid output in [0,1]), or only at some of them (dcgan_cond_concat). */
#ifndef DCGAN_MODEL_DCGAN_H
#define DCGAN_MODEL_DCGAN_H

#include "nn/net.h"
#include "core/rng.h"
#include "core/error.h"
#include "model/zdist.h"

/* Where the conditional model concatenates y. The networks' inputs always take it (z and y
 * into G's first layer, y as constant planes beside D's image); the other layers of G and D
 * take it too in ALL (the reference), G's in G_LAYERS, D's in D_LAYERS, none in INPUT. The
 * layers' widths stay the reference's; only their inputs narrow. */
typedef enum {
    DCGAN_COND_CONCAT_ALL = 0,
    DCGAN_COND_CONCAT_INPUT,
    DCGAN_COND_CONCAT_G_LAYERS,
    DCGAN_COND_CONCAT_D_LAYERS,
} dcgan_cond_concat;

/* "all", "input", "g-layers", "d-layers" (the --cond-concat values, and what checkpoints and
 * config.json store). */
const char *dcgan_cond_concat_name(dcgan_cond_concat c);
/* 0 and *out for one of those names, else -1. */
int dcgan_cond_concat_parse(const char *s, dcgan_cond_concat *out);

typedef struct {
    int output_h, output_w;
    int c_dim;   /* image channels: 1 or 3 */
    int y_dim;   /* classes; > 0 selects the conditional model */
    int z_dim;
    int gf_dim, df_dim;   /* 64 */
    int gfc_dim, dfc_dim; /* 1024, conditional model only */
    dcgan_cond_concat cond_concat; /* conditional model only: ALL (the default) otherwise */
    /* departures from the reference (docs/experiments.md), all off by default */
    int spectral_norm;    /* D's weights spectrally normalised (--spectral-norm) */
    int d_first_channels; /* conditional D's first conv: this many channels; 0: c_dim + y_dim */
    float g_ema;          /* > 0: the model keeps an exponential moving average of G with this
                           * decay (--g-ema), which sampling uses */
    int batch;
    /* where it runs (not part of the model) */
    char device[16];           /* the backend, ops_open's name: "cpu" */
    conv_backend conv_backend; /* how the CPU backend runs convolutions: AUTO */
    ops_precision precision;   /* what convolutions and linear layers compute in: FP32 */
} dcgan_config;

typedef struct {
    dcgan_config cfg;
    ops_backend *be; /* what G and D run on (owned) */
    net G; /* input z (z_dim,1,1) and y; output (c_dim, output_h, output_w) */
    net D; /* input image and y; output one logit */
    /* cfg.g_ema > 0: the average of G's parameters, and the batch-norm statistics that go with
     * it (dcgan_model_ema_refresh), laid out as G.ps.params and G.ps.buffers (backend memory);
     * NULL otherwise */
    float *ema_params, *ema_buffers;
} dcgan_model;

/* The reference's defaults for everything but sizes. */
dcgan_config dcgan_config_default(void);
/* Checks that the sizes make a model; the message names the offending setting. */
int dcgan_config_validate(const dcgan_config *cfg, dc_err *e);
/* How a trained model (was) differs from another (now), as dcgan train's flags: "--gfc-dim 512
 * (this command: 1024), ..." into what, and the flags that build `was` ("--gfc-dim 512
 * --dfc-dim 512") into fix; the sizes that decide the data (output size, channels, classes)
 * have no flag in fix but are named in what. Returns the number of differences (0: the same
 * model). */
int dcgan_config_diff(const dcgan_config *was, const dcgan_config *now, char *what, size_t wn,
                      char *fix, size_t fn);
/* Counts every size of the model in 64 bits: a layer whose output per image or weight would
 * not fit an int (what the layers keep them in) is refused, naming it and the memory the model
 * would need. dcgan_model_init and the checkpoint's reader call it after validating. */
int dcgan_config_check_sizes(const dcgan_config *cfg, dc_err *e);
/* A lower bound of the bytes the model needs at cfg->batch: the parameters with their
 * gradients and Adam's moments (*param_bytes), the layers' outputs with their gradients
 * (*act_bytes); either may be NULL. dcgan_model_init refuses a CPU model over the machine's
 * memory with it. */
double dcgan_config_memory(const dcgan_config *cfg, double *param_bytes, double *act_bytes);
/* Opens the backend and builds G and D on it for cfg->batch (weights uninitialised); on the
 * CPU a model larger than the machine's memory is refused first. */
int dcgan_model_init(dcgan_model *m, const dcgan_config *cfg, dc_err *e);
/* The reference's initialisation: conv weights truncated N(0,0.02), deconv and linear weights
 * N(0,0.02), biases 0, gamma 1, beta 0, moving mean 0, moving variance 1. */
void dcgan_model_init_weights(dcgan_model *m, rng_state *r);
void dcgan_model_free(dcgan_model *m);
/* Starts the average at G's current weights (dcgan_model_init_weights does). */
void dcgan_model_reset_ema(dcgan_model *m);
/* The average's step after an iteration: ema = g_ema*ema + (1 - g_ema)*G over G's parameters.
 * No-op without an average. */
void dcgan_model_update_ema(dcgan_model *m);
/* Batch-norm statistics for the average's weights (averaging G's own moving statistics would
 * not fit them: the averaged weights make activations of another scale): from the moving
 * statistics' initial values, DCGAN_EMA_STAT_BATCHES training-mode forward passes of the
 * average on fixed latent vectors drawn from zd (and labels in turn), as
 * torch.optim.swa_utils.update_bn does. Depends on the average's weights alone. No-op without
 * an average. */
#define DCGAN_EMA_STAT_BATCHES 50
void dcgan_model_ema_refresh(dcgan_model *m, z_dist zd);
/* Exchanges G's parameters and buffers with the average's (a second call undoes it), so that
 * the generator functions run the average. No-op without an average. */
void dcgan_model_swap_ema(dcgan_model *m);
/* Output range of G (and the range training images are scaled to). */
void dcgan_model_range(const dcgan_config *cfg, float *lo, float *hi);

/* Floats in one image of G's output, (c_dim, output_h, output_w). */
size_t dcgan_config_image_floats(const dcgan_config *cfg);
/* Generator in sampling mode (moving-average batch norm): z (n, z_dim), y (n, y_dim) or NULL,
 * out (n, c_dim, H, W); n may differ from the model's batch (processed in chunks). */
void dcgan_model_generate(dcgan_model *m, const float *z, const float *y, int n, float *out);

/* Divergence check after a training step: 0 if every parameter and moving statistic of both
 * networks is finite, else -1 with where = the first non-finite tensor, looking at D's
 * parameters (updated first in an iteration), then G's, then the outputs of the last forward
 * passes (G's, then D's), e.g. "discriminator/d_h1_conv/w" or "output of generator/g_bn0".
 * check_outputs also checks the outputs when all parameters are finite. */
int dcgan_model_check_finite(const dcgan_model *m, int check_outputs, char *where, size_t len);

#endif
