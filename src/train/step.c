#include "train/step.h"

#include <math.h>
#include <string.h>
#include "core/clock.h"
#include "core/error.h"
#include "train/replicas.h"

static const char *const loss_names[] = {"bce", "hinge"};

const char *train_loss_name(train_loss l)
{
    return (unsigned)l < 2 ? loss_names[l] : "?";
}

int train_loss_parse(const char *s, train_loss *out)
{
    for (int i = 0; i < 2; i++)
        if (strcmp(s, loss_names[i]) == 0) {
            *out = (train_loss)i;
            return 0;
        }
    return -1;
}

void trainer_init(trainer *t, const dcgan_model *m, adam_config adam)
{
    memset(t, 0, sizeof *t);
    t->adam = adam;
    t->adam_g = adam;
    t->loss = TRAIN_LOSS_BCE;
    t->real_target = 1.0f;
    t->be = m->be;
    t->dlogits = ops_alloc(t->be, (size_t)m->cfg.batch);
    t->logits = dc_alloc_floats((size_t)m->cfg.batch);
    t->d_real_prob = dc_alloc_floats((size_t)m->cfg.batch);
    t->d_fake_prob = dc_alloc_floats((size_t)m->cfg.batch);
}

void trainer_free(trainer *t)
{
    if (t->be) ops_free(t->be, t->dlogits);
    free(t->logits);
    free(t->d_real_prob);
    free(t->d_fake_prob);
    t->dlogits = t->logits = t->d_real_prob = t->d_fake_prob = NULL;
}

/* Profile timers: free without a profile. */
static double part_start(const trainer *t)
{
    if (!t->profile) return 0;
    ops_synchronize(t->be);
    return clock_seconds();
}

static void part_stop(trainer *t, train_part p, double t0)
{
    if (!t->profile) return;
    ops_synchronize(t->be);
    t->profile->seconds[p] += clock_seconds() - t0;
}

/* Mean of sigmoid(logits); each item's value goes to probs if not NULL. */
static float mean_sigmoid(const float *logits, int n, float *probs)
{
    double s = 0;
    for (int i = 0; i < n; i++) {
        double p = 1.0 / (1.0 + exp(-(double)logits[i]));
        if (probs) probs[i] = (float)p;
        s += p;
    }
    return (float)(s / n);
}

static void run_generator(dcgan_model *m, const float *z, const float *y, int train)
{
    net_set_input(&m->G, z, 0, y);
    net_forward(&m->G, train);
}

/* Whose loss a D pass computes. */
typedef enum { PASS_D_REAL, PASS_D_FAKE, PASS_G } pass_role;

/* The loss of the trainer's kind for `role` on n logits; its gradient into t->dlogits. */
static float loss_forward_backward(trainer *t, const float *logits, pass_role role, size_t n)
{
    ops_zero(t->be, t->dlogits, n);
    if (t->loss == TRAIN_LOSS_HINGE) {
        if (role == PASS_G) {
            ops_linear_loss_backward(t->be, t->dlogits, 1.0f, 1.0f, n);
            return ops_linear_loss_forward(t->be, logits, 1.0f, n);
        }
        float sign = role == PASS_D_REAL ? 1.0f : -1.0f;
        ops_hinge_backward(t->be, t->dlogits, logits, sign, 1.0f, n);
        return ops_hinge_forward(t->be, logits, sign, n);
    }
    float target = role == PASS_D_REAL ? t->real_target : role == PASS_D_FAKE ? 0.0f : 1.0f;
    ops_sigmoid_xent_backward(t->be, t->dlogits, logits, target, 1.0f, n);
    return ops_sigmoid_xent_forward(t->be, logits, target, n);
}

/* D forward on `images` (host memory, or backend memory when images_on_backend) in training
 * mode, then backward of role's loss into D's gradients (and, if want_input_grad, into
 * D.dinput). Returns the loss. */
static float discriminator_pass(trainer *t, dcgan_model *m, const float *images,
                                int images_on_backend, const float *y, pass_role role,
                                int want_param_grads, int want_input_grad, float *mean_out,
                                float *probs_out)
{
    int B = m->cfg.batch;
    net *D = &m->D;
    net_set_input(D, images, images_on_backend, y);
    net_forward(D, 1);
    const float *logits = net_output(D)->out;
    if (mean_out) {
        net_read_output(D, t->logits, B);
        *mean_out = mean_sigmoid(t->logits, B, probs_out);
    }
    double t0 = part_start(t);
    float loss = loss_forward_backward(t, logits, role, (size_t)B);
    part_stop(t, TRAIN_PART_LOSS, t0);
    net_backward(D, t->dlogits, want_param_grads, want_input_grad);
    return loss;
}

void train_step_d(trainer *t, dcgan_model *m, const float *x, const float *y, const float *z,
                  step_stats *s)
{
    run_generator(m, z, y, 1);
    param_store_zero_grads(&m->D.ps);
    /* real and fake go through D as separate batches (each with its own batch statistics);
     * the gradient of d_loss = real + fake accumulates */
    s->d_loss_real = discriminator_pass(t, m, x, 0, y, PASS_D_REAL, 1, 0, &s->d_real_mean,
                                        t->d_real_prob);
    /* the fake pass completes D's gradients: the ranks' sums start as its layers finish */
    grad_sync gs;
    grad_sync_begin(&gs, t->dist, &m->D, t->grad_bucket);
    s->d_loss_fake = discriminator_pass(t, m, net_output(&m->G)->out, 1, y, PASS_D_FAKE, 1, 0,
                                        &s->d_fake_mean, t->d_fake_prob);
    grad_sync_end(&gs);
    s->d_loss = s->d_loss_real + s->d_loss_fake;
    t->d_steps++;
    param_store *ps = &m->D.ps;
    double t0 = part_start(t);
    ops_adam_update(t->be, ps->params, ps->grads, ps->adam_m, ps->adam_v, ps->n_params,
                    t->d_steps, &t->adam);
    part_stop(t, TRAIN_PART_ADAM_D, t0);
    param_store_touch(ps);
}

/* One G update. forward_done: G's activations are those of G(z) with G's current weights and
 * the same z and y (true for the first G update of an iteration: the D update ran that pass
 * and only D's weights changed since), so the pass is not run again; only the moving-average
 * update a second pass would make is repeated. The gradients are the same either way. */
static float generator_update(trainer *t, dcgan_model *m, const float *y, const float *z,
                              int forward_done)
{
    if (forward_done)
        net_repeat_moving_update(&m->G);
    else
        run_generator(m, z, y, 1);
    /* D's weights are not trained here: only the gradient w.r.t. its input is needed */
    float loss = discriminator_pass(t, m, net_output(&m->G)->out, 1, y, PASS_G, 0, 1, NULL, NULL);
    param_store_zero_grads(&m->G.ps);
    grad_sync gs;
    grad_sync_begin(&gs, t->dist, &m->G, t->grad_bucket);
    net_backward(&m->G, m->D.dinput, 1, 0);
    grad_sync_end(&gs);
    t->g_steps++;
    param_store *ps = &m->G.ps;
    double t0 = part_start(t);
    ops_adam_update(t->be, ps->params, ps->grads, ps->adam_m, ps->adam_v, ps->n_params,
                    t->g_steps, &t->adam_g);
    part_stop(t, TRAIN_PART_ADAM_G, t0);
    param_store_touch(ps);
    return loss;
}

float train_step_g(trainer *t, dcgan_model *m, const float *y, const float *z)
{
    return generator_update(t, m, y, z, 0);
}

void train_step(trainer *t, dcgan_model *m, const float *x, const float *y, const float *z,
                step_stats *s)
{
    train_step_d(t, m, x, y, z, s);
    s->g_loss_first = generator_update(t, m, y, z, 1);
    s->g_loss = generator_update(t, m, y, z, 0);
    dcgan_model_update_ema(m);
}

/* The schedule's FLOPs, counting each net's forward as net_forward_macs(executed) does. */
static double step_flops(const dcgan_model *m, int executed)
{
    double g0, d0;
    double gf = net_forward_macs(&m->G, &g0, executed), df = net_forward_macs(&m->D, &d0, executed);
    double d_update = gf + 2.0 * (df + df + (df - d0));
    double g_update = gf + df + df + gf + (gf - g0);
    return 2.0 * (d_update + 2.0 * g_update);
}

double train_step_flops(const dcgan_model *m) { return step_flops(m, 0); }

double train_step_flops_executed(const dcgan_model *m)
{
    double g0;
    return step_flops(m, 1) - 2.0 * net_forward_macs(&m->G, &g0, 1);
}
