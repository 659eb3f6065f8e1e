/* dcgan bench: how fast this machine trains and samples the reference's models, on synthetic
 * data, with the FLOP rate against the machine's own measured sgemm peak. */
#include <ctype.h>
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli/bench_layers.h"
#include "cli/cli.h"
#include "cli/option_error.h"
#include "model/dcgan.h"
#include "core/rng.h"
#include "train/step.h"
#include "core/log.h"
#include "core/threads.h"
#include "core/clock.h"

#define BENCH_MAX_PEAKS 4

enum { OPT_MODEL = 1000, OPT_ITERS, OPT_WARMUP, OPT_BATCH, OPT_THREADS, OPT_JSON, OPT_OUT_H, OPT_CONV, OPT_DEVICE, OPT_PRECISION, OPT_LAYERS, OPT_HELP };

static const struct option bench_options_table[] = {
    {"model", required_argument, 0, OPT_MODEL},
    {"iters", required_argument, 0, OPT_ITERS},
    {"warmup", required_argument, 0, OPT_WARMUP},
    {"batch-size", required_argument, 0, OPT_BATCH},
    {"batch_size", required_argument, 0, OPT_BATCH},
    {"output-height", required_argument, 0, OPT_OUT_H},
    {"output_height", required_argument, 0, OPT_OUT_H},
    {"threads", required_argument, 0, OPT_THREADS},
    {"json", no_argument, 0, OPT_JSON},
    {"layers", no_argument, 0, OPT_LAYERS},
    {"device", required_argument, 0, OPT_DEVICE},
    {"conv-backend", required_argument, 0, OPT_CONV},
    {"conv_backend", required_argument, 0, OPT_CONV},
    {"precision", required_argument, 0, OPT_PRECISION},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void bench_help(void)
{
    printf("usage: dcgan bench [options]\n"
           "\n"
           "Times training iterations (one D update + two G updates) and generator inference on\n"
           "synthetic data, and the machine's sgemm peak, and prints the FLOP rate.\n"
           "\n"
           "  --model celeba64|mnist   64x64 colour unconditional model (default), or the\n"
           "                           conditional 28x28 MNIST model\n"
           "  --output-height N        image size for celeba64 (default 64)\n"
           "  --batch-size N           default 64\n"
           "  --iters N                timed training iterations (default 5)\n"
           "  --warmup N               untimed iterations first (default 1)\n"
           "  --threads N              compute threads (default: all cores)\n"
           "  --device D               cpu (default), cuda or cuda:N (a build with CUDA)\n"
           "  --conv-backend B         CPU convolutions: auto (default: oneDNN where it can),\n"
           "                           onednn or im2col\n"
           "  --precision P            fp32 (default) or bf16 (convolutions and linear layers in\n"
           "                           bf16, fp32 accumulation, the image-end layers fp32; CPUs\n"
           "                           with AVX512_BF16)\n"
           "  --layers                 then a per-layer table: --iters more iterations with a\n"
           "                           clock around every layer (forward, backward-data,\n"
           "                           backward-weights), batch norm, activations, loss and Adam:\n"
           "                           ms, GFLOP/s and %% of a measured convolution peak, and where\n"
           "                           the time goes against 90%% of the sgemm peak\n"
           "  --json                   also print one JSON line with every figure (and the table)\n"
           "\n"
           "examples:\n"
           "  dcgan bench\n"
           "  dcgan bench --model mnist --batch-size 64 --iters 10\n"
           "  dcgan bench --layers --iters 3\n"
           "  dcgan bench --output-height 128 --iters 2\n");
}

static int model_build(dcgan_model *m, dcgan_config cfg, dc_err *e)
{
    if (dcgan_model_init(m, &cfg, e) != 0) return -1;
    rng_state r;
    rng_init(&r, 1);
    dcgan_model_init_weights(m, &r);
    return 0;
}

typedef struct {
    int iters, warmup, batch, threads, json, out_h, mnist, layers;
    conv_backend backend;
    char device[16];
    ops_precision precision;
} bench_options;

/* Returns -1 to go on, else the exit code (0 after --help, 2 on a usage error). */
static int bench_parse(int argc, char **argv, bench_options *o)
{
    const char *C = "bench";
    *o = (bench_options){5, 1, 64, 0, 0, 64, 0, 0, CONV_BACKEND_AUTO, "cpu", OPS_PRECISION_FP32};
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", bench_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        if (cli_empty_value(C, argv)) return EXIT_USAGE;
        int bad = 0;
        switch (opt) {
        case OPT_MODEL:
            if (strcmp(optarg, "celeba64") == 0) o->mnist = 0;
            else if (strcmp(optarg, "mnist") == 0) o->mnist = 1;
            else return cli_usage_error(C, "--model: bad value '%s' (expected celeba64 or mnist)", optarg);
            break;
        case OPT_ITERS: bad = cli_parse_int(C, "--iters", optarg, 1, 100000, &o->iters); break;
        case OPT_WARMUP: bad = cli_parse_int(C, "--warmup", optarg, 0, 100000, &o->warmup); break;
        case OPT_BATCH: bad = cli_parse_int(C, "--batch-size", optarg, 1, 4096, &o->batch); break;
        case OPT_OUT_H: bad = cli_parse_int(C, "--output-height", optarg, 16, 1024, &o->out_h); break;
        case OPT_THREADS: bad = cli_parse_int(C, "--threads", optarg, 1, 1024, &o->threads); break;
        case OPT_JSON: o->json = 1; break;
        case OPT_LAYERS: o->layers = 1; break;
        case OPT_CONV: bad = cli_parse_conv_backend(C, optarg, &o->backend); break;
        case OPT_DEVICE: bad = cli_parse_device(C, optarg, o->device, sizeof o->device); break;
        case OPT_PRECISION: bad = cli_parse_precision(C, optarg, &o->precision); break;
        case 'h':
        case OPT_HELP: bench_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return option_error_report(C, flag, bench_options_table);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    ops_options oo = {o->device, o->backend, o->precision};
    dc_err e;
    if (ops_precision_check(&oo, &e) != 0) return cli_usage_error(C, "%s", e.msg);
    return -1;
}

typedef struct {
    double train_s, flops, flops_exec; /* median iteration, its FLOPs */
    double gen_s, lat_s;               /* generator: batch, batch-1 latency */
    double rss_mb;
    double gpu_peak_mb, gpu_used_mb; /* device memory: held at most by us; in use on the device */
    bench_layers *layers;            /* --layers, else NULL */
} bench_result;

/* Median time of a training iteration on synthetic data. */
static double bench_train(dcgan_model *m, const bench_options *o, const float *x, const float *y,
                          float *z, rng_state *r)
{
    const dcgan_config *cfg = &m->cfg;
    trainer t;
    trainer_init(&t, m, adam_config_default());
    double *times = calloc((size_t)o->iters, sizeof *times);
    step_stats s;
    for (int i = 0; i < o->warmup + o->iters; i++) {
        rng_uniform(r, z, (size_t)o->batch * cfg->z_dim, -1, 1);
        ops_synchronize(m->be);
        double t0 = clock_seconds();
        train_step(&t, m, x, y, z, &s);
        ops_synchronize(m->be); /* a GPU may still be running the last Adam step */
        if (i >= o->warmup) times[i - o->warmup] = clock_seconds() - t0;
    }
    double train_s = bench_median(times, o->iters);
    free(times);
    trainer_free(&t);
    return train_s;
}

/* Generator inference: a batch, then batch-1 latency on a second model. */
static void bench_generate(dcgan_model *m, const bench_options *o, const float *y, const float *z,
                           bench_result *res)
{
    const dcgan_config *cfg = &m->cfg;
    float *out = dc_alloc_floats((size_t)o->batch * dcgan_config_image_floats(cfg));
    enum { REPS = 5 };
    double gt[REPS];
    for (int i = 0; i < REPS + 1; i++) {
        double t0 = clock_seconds();
        dcgan_model_generate(m, z, y, o->batch, out);
        if (i) gt[i - 1] = clock_seconds() - t0;
    }
    res->gen_s = bench_median(gt, REPS);
    dcgan_model m1;
    dcgan_config c1 = *cfg;
    c1.batch = 1;
    dc_err e;
    res->lat_s = 0;
    if (model_build(&m1, c1, &e) == 0) {
        for (int i = 0; i < REPS + 1; i++) {
            double t0 = clock_seconds();
            dcgan_model_generate(&m1, z, y, 1, out);
            if (i) gt[i - 1] = clock_seconds() - t0;
        }
        res->lat_s = bench_median(gt, REPS);
        dcgan_model_free(&m1);
    }
    free(out);
}

static void bench_report(dcgan_model *m, const bench_options *o, const bench_result *res)
{
    const dcgan_config *cfg = &m->cfg;
    /* the sgemm peak is the best of the GEMM libraries the backend uses (on the CPU, OpenBLAS
     * may be held to older kernels by OPENBLAS_CORETYPE; oneDNN picks its own) */
    ops_gemm_peak peaks[BENCH_MAX_PEAKS];
    int npeaks = ops_gemm_peaks(m->be, peaks, BENCH_MAX_PEAKS);
    double peak = 0;
    char peak_list[256] = "", peak_json[512] = "";
    for (int i = 0; i < npeaks; i++) {
        if (peaks[i].gflops > peak) peak = peaks[i].gflops;
        size_t l = strlen(peak_list), lj = strlen(peak_json);
        snprintf(peak_list + l, sizeof peak_list - l, "%s%s %.1f", i ? ", " : "", peaks[i].name,
                 peaks[i].gflops);
        char key[64];
        snprintf(key, sizeof key, "%s", peaks[i].name);
        for (char *k = key; *k; k++) *k = (char)tolower((unsigned char)*k);
        snprintf(peak_json + lj, sizeof peak_json - lj, "\"sgemm_peak_%s_gflops\":%.2f,", key,
                 peaks[i].gflops);
    }
    double train_s = res->train_s, flops = res->flops, flops_exec = res->flops_exec;
    double gflops = flops / train_s / 1e9;
    int batch = o->batch, nthreads = threads_compute_count();
    const char *name = o->mnist ? "mnist-cond-28x28x1" : "uncond";
    const char *conv_g = net_conv_engine(&m->G), *conv_d = net_conv_engine(&m->D);
    const char *conv = strcmp(conv_g, conv_d) == 0 ? conv_g : "mixed";
    printf("model %s %dx%dx%d batch %d, %d threads, convolutions: %s, precision %s\n", name,
           cfg->output_h, cfg->output_w, cfg->c_dim, batch, nthreads, conv,
           ops_precision_name(cfg->precision));
    printf("sgemm peak       %8.1f GFLOP/s (%s)\n", peak, peak_list);
    printf("train iteration  %8.3f s (median of %d)  %.1f img/s  %.1f GFLOP/iter  %.1f GFLOP/s  %.0f%% of sgemm peak\n",
           train_s, o->iters, batch / train_s, flops / 1e9, gflops, 100.0 * gflops / peak);
    printf("                 (computed: %.1f GFLOP/iter without the repeated G forward and the label planes, %.1f GFLOP/s, %.0f%% of peak)\n",
           flops_exec / 1e9, flops_exec / train_s / 1e9, 100.0 * flops_exec / train_s / 1e9 / peak);
    printf("generate         %8.3f s per batch of %d (%.1f img/s), batch-1 latency %.1f ms\n", res->gen_s,
           batch, batch / res->gen_s, res->lat_s * 1e3);
    printf("peak RSS         %8.1f MB\n", res->rss_mb);
    if (strcmp(o->device, "cpu") != 0)
        printf("GPU memory       %8.1f MB held at most by dcgan, %.1f MB in use on the device\n"
               "device           %s\n",
               res->gpu_peak_mb, res->gpu_used_mb, ops_device_description(m->be));
    if (res->layers) bench_layers_print(res->layers, m, peak, train_s, stdout);
    if (o->json) {
        printf("{\"model\":\"%s\",\"height\":%d,\"width\":%d,\"channels\":%d,\"batch\":%d,\"threads\":%d,"
               "\"sgemm_peak_gflops\":%.2f,%s\"train_s_per_iter\":%.5f,\"train_img_per_s\":%.3f,"
               "\"gflop_per_iter\":%.3f,\"train_gflops\":%.2f,\"peak_fraction\":%.4f,"
               "\"gflop_per_iter_computed\":%.3f,\"train_gflops_computed\":%.2f,"
               "\"generate_s_per_batch\":%.5f,\"generate_batch1_ms\":%.3f,\"peak_rss_mb\":%.1f,"
               "\"conv_backend\":\"%s\",\"precision\":\"%s\",\"device\":\"%s\",\"gpu_alloc_peak_mb\":%.1f,"
               "\"gpu_used_mb\":%.1f",
               name, cfg->output_h, cfg->output_w, cfg->c_dim, batch, nthreads, peak, peak_json,
               train_s, batch / train_s, flops / 1e9, gflops, gflops / peak, flops_exec / 1e9,
               flops_exec / train_s / 1e9, res->gen_s, res->lat_s * 1e3, res->rss_mb, conv,
               ops_precision_name(cfg->precision), ops_device_name(m->be), res->gpu_peak_mb, res->gpu_used_mb);
        if (res->layers) bench_layers_json(res->layers, m, peak, stdout);
        printf("}\n");
    }
}

int cmd_bench(int argc, char **argv)
{
    bench_options o;
    int rc = bench_parse(argc, argv, &o);
    if (rc >= 0) return rc;
    threads_set_compute(o.threads);

    dcgan_config cfg = dcgan_config_default();
    cfg.batch = o.batch;
    cfg.conv_backend = o.backend;
    cfg.precision = o.precision;
    snprintf(cfg.device, sizeof cfg.device, "%s", o.device);
    if (o.mnist) {
        cfg.output_h = cfg.output_w = 28;
        cfg.c_dim = 1;
        cfg.y_dim = 10;
    } else {
        cfg.output_h = cfg.output_w = o.out_h;
    }
    dc_err e;
    dcgan_model m;
    if (model_build(&m, cfg, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    size_t B = (size_t)o.batch, imf = dcgan_config_image_floats(&cfg);
    float *x = dc_alloc_floats(B * imf), *z = dc_alloc_floats(B * cfg.z_dim);
    float *y = cfg.y_dim ? dc_alloc_floats(B * cfg.y_dim) : NULL;
    rng_state r;
    rng_init(&r, 3);
    float lo, hi;
    dcgan_model_range(&cfg, &lo, &hi);
    rng_uniform(&r, x, B * imf, lo, hi);
    for (size_t i = 0; y && i < B; i++) y[i * cfg.y_dim + rng_below(&r, (uint64_t)cfg.y_dim)] = 1.0f;

    bench_result res;
    res.train_s = bench_train(&m, &o, x, y, z, &r);
    res.flops = train_step_flops(&m);
    res.flops_exec = train_step_flops_executed(&m);
    bench_generate(&m, &o, y, z, &res);
    /* peak RSS of training and inference, read before the sgemm peak allocates its matrices */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    res.rss_mb = ru.ru_maxrss / 1024.0;
    size_t held, peak, used;
    ops_memory_stats(m.be, &held, &peak, &used);
    res.gpu_peak_mb = peak / 1048576.0;
    res.gpu_used_mb = used / 1048576.0;
    res.layers = NULL;
    if (o.layers) {
        res.layers = bench_layers_measure(&m, o.iters, x, y, z, &r);
        if (!res.layers) log_error("bench --layers: out of memory for the profile");
    }
    bench_report(&m, &o, &res);
    bench_layers_free(res.layers);
    free(x);
    free(y);
    free(z);
    dcgan_model_free(&m);
    return 0;
}
