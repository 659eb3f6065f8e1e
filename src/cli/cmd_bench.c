/* dcgan bench: how fast this machine trains and samples the reference's models, on synthetic
 * data, with the FLOP rate against the machine's own measured sgemm peak. */
#include <cblas.h>
#include <dnnl.h>
#include <getopt.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "cli/cli.h"
#include "model/dcgan.h"
#include "core/rng.h"
#include "train/step.h"
#include "core/log.h"
#include "core/threads.h"

enum { OPT_MODEL = 1000, OPT_ITERS, OPT_WARMUP, OPT_BATCH, OPT_THREADS, OPT_JSON, OPT_OUT_H, OPT_CONV, OPT_HELP };

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
    {"conv-backend", required_argument, 0, OPT_CONV},
    {"conv_backend", required_argument, 0, OPT_CONV},
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
           "  --conv-backend B         auto (default: oneDNN where it can), onednn or im2col\n"
           "  --json                   also print one JSON line with every figure\n");
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* Best of a few 1536^3 sgemms on `lib`, in GFLOP/s. */
static double sgemm_peak(gemm_lib lib)
{
    const int n = 1536;
    float *a = dc_alloc_floats((size_t)n * n), *b = dc_alloc_floats((size_t)n * n),
          *c = dc_alloc_floats((size_t)n * n);
    rng_state r;
    rng_init(&r, 7);
    rng_uniform(&r, a, (size_t)n * n, -1, 1);
    rng_uniform(&r, b, (size_t)n * n, -1, 1);
    double best = 0;
    for (int rep = 0; rep < 5; rep++) {
        double t = now();
        if (lib == GEMM_ONEDNN)
            dnnl_sgemm('N', 'N', n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        else
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, n, n, 1.0f, a, n, b, n, 0.0f, c, n);
        double g = 2.0 * n * n * (double)n / (now() - t) / 1e9;
        if (rep > 0 && g > best) best = g;
    }
    free(a);
    free(b);
    free(c);
    return best;
}

static int model_build(dcgan_model *m, dcgan_config cfg, dc_err *e)
{
    if (dcgan_model_init(m, &cfg, e) != 0) return -1;
    rng_state r;
    rng_init(&r, 1);
    dcgan_model_init_weights(m, &r);
    return 0;
}

int cmd_bench(int argc, char **argv)
{
    const char *C = "bench";
    int iters = 5, warmup = 1, batch = 64, threads = 0, json = 0, out_h = 64, mnist = 0;
    conv_backend backend = CONV_BACKEND_AUTO;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":h", bench_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        int bad = 0;
        switch (opt) {
        case OPT_MODEL:
            if (strcmp(optarg, "celeba64") == 0) mnist = 0;
            else if (strcmp(optarg, "mnist") == 0) mnist = 1;
            else return cli_usage_error(C, "--model: bad value '%s' (expected celeba64 or mnist)", optarg);
            break;
        case OPT_ITERS: bad = cli_parse_int(C, "--iters", optarg, 1, 100000, &iters); break;
        case OPT_WARMUP: bad = cli_parse_int(C, "--warmup", optarg, 0, 100000, &warmup); break;
        case OPT_BATCH: bad = cli_parse_int(C, "--batch-size", optarg, 1, 4096, &batch); break;
        case OPT_OUT_H: bad = cli_parse_int(C, "--output-height", optarg, 16, 1024, &out_h); break;
        case OPT_THREADS: bad = cli_parse_int(C, "--threads", optarg, 1, 1024, &threads); break;
        case OPT_JSON: json = 1; break;
        case OPT_CONV: bad = cli_parse_conv_backend(C, optarg, &backend); break;
        case 'h':
        case OPT_HELP: bench_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return cli_usage_error(C, "unknown option '%s'", flag);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    threads_set_compute(threads);
    int nthreads = threads_compute_count();

    dcgan_config cfg = dcgan_config_default();
    cfg.batch = batch;
    cfg.conv_backend = backend;
    if (mnist) {
        cfg.output_h = cfg.output_w = 28;
        cfg.c_dim = 1;
        cfg.y_dim = 10;
    } else {
        cfg.output_h = cfg.output_w = out_h;
    }
    dc_err e;
    dcgan_model m;
    if (model_build(&m, cfg, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }

    size_t B = (size_t)batch, imf = (size_t)cfg.c_dim * cfg.output_h * cfg.output_w;
    float *x = dc_alloc_floats(B * imf), *z = dc_alloc_floats(B * cfg.z_dim);
    float *y = cfg.y_dim ? dc_alloc_floats(B * cfg.y_dim) : NULL;
    rng_state r;
    rng_init(&r, 3);
    float lo, hi;
    dcgan_model_range(&cfg, &lo, &hi);
    rng_uniform(&r, x, B * imf, lo, hi);
    for (size_t i = 0; y && i < B; i++) y[i * cfg.y_dim + rng_below(&r, (uint64_t)cfg.y_dim)] = 1.0f;

    trainer t;
    trainer_init(&t, &m, adam_config_default());
    double *times = calloc((size_t)iters, sizeof *times);
    step_stats s;
    for (int i = 0; i < warmup + iters; i++) {
        rng_uniform(&r, z, B * cfg.z_dim, -1, 1);
        double t0 = now();
        train_step(&t, &m, x, y, z, &s);
        if (i >= warmup) times[i - warmup] = now() - t0;
    }
    double train_s = median(times, iters);
    double flops = train_step_flops(&m), flops_exec = train_step_flops_executed(&m);

    /* generator inference: batch B, then batch 1 latency */
    float *out = dc_alloc_floats(B * imf);
    int reps = 5;
    double *gt = calloc((size_t)reps, sizeof *gt);
    for (int i = 0; i < reps + 1; i++) {
        double t0 = now();
        dcgan_generate(&m, z, y, batch, out);
        if (i) gt[i - 1] = now() - t0;
    }
    double gen_s = median(gt, reps);
    dcgan_model m1;
    dcgan_config c1 = cfg;
    c1.batch = 1;
    double lat_s = 0;
    if (model_build(&m1, c1, &e) == 0) {
        for (int i = 0; i < reps + 1; i++) {
            double t0 = now();
            dcgan_generate(&m1, z, y, 1, out);
            if (i) gt[i - 1] = now() - t0;
        }
        lat_s = median(gt, reps);
        dcgan_model_free(&m1);
    }
    /* peak RSS of training and inference, read before the sgemm peak allocates its matrices */
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss_mb = ru.ru_maxrss / 1024.0;
    /* the sgemm peak is the better of the two GEMM libraries linked (OpenBLAS may be held to older
     * kernels by OPENBLAS_CORETYPE; oneDNN picks its own) */
    double peak_openblas = sgemm_peak(GEMM_OPENBLAS), peak_onednn = sgemm_peak(GEMM_ONEDNN);
    double peak = peak_openblas > peak_onednn ? peak_openblas : peak_onednn;
    double gflops = flops / train_s / 1e9;
    const char *name = mnist ? "mnist-cond-28x28x1" : "uncond";
    conv_backend used_g = net_conv_backend_used(&m.G), used_d = net_conv_backend_used(&m.D);
    const char *conv = used_g == used_d && used_g != CONV_BACKEND_AUTO ? conv_backend_name(used_g) : "mixed";
    printf("model %s %dx%dx%d batch %d, %d threads, convolutions: %s\n", name, cfg.output_h,
           cfg.output_w, cfg.c_dim, batch, nthreads, conv);
    printf("sgemm peak       %8.1f GFLOP/s (OpenBLAS %.1f, oneDNN %.1f)\n", peak, peak_openblas,
           peak_onednn);
    printf("train iteration  %8.3f s (median of %d)  %.1f img/s  %.1f GFLOP/iter  %.1f GFLOP/s  %.0f%% of sgemm peak\n",
           train_s, iters, batch / train_s, flops / 1e9, gflops, 100.0 * gflops / peak);
    printf("                 (computed: %.1f GFLOP/iter without the repeated G forward, %.1f GFLOP/s, %.0f%% of peak)\n",
           flops_exec / 1e9, flops_exec / train_s / 1e9, 100.0 * flops_exec / train_s / 1e9 / peak);
    printf("generate         %8.3f s per batch of %d (%.1f img/s), batch-1 latency %.1f ms\n", gen_s,
           batch, batch / gen_s, lat_s * 1e3);
    printf("peak RSS         %8.1f MB\n", rss_mb);
    if (json)
        printf("{\"model\":\"%s\",\"height\":%d,\"width\":%d,\"channels\":%d,\"batch\":%d,\"threads\":%d,"
               "\"sgemm_peak_gflops\":%.2f,\"sgemm_peak_openblas_gflops\":%.2f,"
               "\"sgemm_peak_onednn_gflops\":%.2f,\"train_s_per_iter\":%.5f,\"train_img_per_s\":%.3f,"
               "\"gflop_per_iter\":%.3f,\"train_gflops\":%.2f,\"peak_fraction\":%.4f,"
               "\"gflop_per_iter_computed\":%.3f,\"train_gflops_computed\":%.2f,"
               "\"generate_s_per_batch\":%.5f,\"generate_batch1_ms\":%.3f,\"peak_rss_mb\":%.1f,"
               "\"conv_backend\":\"%s\"}\n",
               name, cfg.output_h, cfg.output_w, cfg.c_dim, batch, nthreads, peak, peak_openblas,
               peak_onednn, train_s, batch / train_s,
               flops / 1e9, gflops, gflops / peak, flops_exec / 1e9, flops_exec / train_s / 1e9,
               gen_s, lat_s * 1e3, rss_mb, conv);
    free(times);
    free(gt);
    free(x);
    free(y);
    free(z);
    free(out);
    trainer_free(&t);
    dcgan_model_free(&m);
    return 0;
}
