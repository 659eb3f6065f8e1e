#include "viz/output.h"

#include <math.h>

#include <string.h>

#include "core/dirs.h"
#include "io/npy.h"

int generator_out_dir(const generator *g, const char *out, char *buf, size_t n, dc_err *e)
{
    if (dc_path(e, buf, n, "%s", out ? out : g->default_out)) return -1;
    const char *inputs[1] = {g->path};
    if (out && output_check_path("--out", out, inputs, 1, e) != 0) return -1;
    return dirs_make(buf, e);
}

int generator_check_latents(const char *path, const float *z, long n, int z_dim, dc_err *e)
{
    for (long i = 0; i < n; i++)
        for (int j = 0; j < z_dim; j++)
            if (!isfinite(z[(size_t)i * (size_t)z_dim + (size_t)j]))
                return dc_fail(e, "%s: latent vector %ld has a non-finite value (NaN or Inf) at %d; "
                                  "G would make nothing of it",
                               path, i, j);
    return 0;
}

int generator_write_npy(const generator *g, const char *path, const float *images, int n, dc_err *e)
{
    const dcgan_config *c = &g->model.cfg;
    int H = c->output_h, W = c->output_w, C = c->c_dim;
    size_t per = generator_image_floats(g);
    float *nhwc = dc_alloc_floats((size_t)n * per);
    for (int i = 0; i < n; i++)
        for (int ch = 0; ch < C; ch++)
            for (int p = 0; p < H * W; p++)
                nhwc[(size_t)i * per + (size_t)p * C + ch] = images[(size_t)i * per + (size_t)ch * H * W + p];
    int64_t shape[4] = {n, H, W, C};
    int rc = npy_write_f32(path, nhwc, 4, shape, e);
    free(nhwc);
    return rc;
}

int generator_auto_scale(const generator *g, int min_px)
{
    const dcgan_config *c = &g->model.cfg;
    int side = c->output_h < c->output_w ? c->output_h : c->output_w;
    int k = (min_px + side - 1) / side;
    return k < 1 ? 1 : k > 4 ? 4 : k;
}
