/* dcgan nearest: generated samples beside their nearest training images, the paper's check
 * that the generator does not just memorise its data. */
#include <cJSON.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "data/image.h"
#include "core/atomic_file.h"
#include "core/log.h"
#include "viz/canvas.h"
#include "train/run.h"
#include "viz/output.h"
#include "viz/nearest.h"

#define NEAREST_MAX_QUERIES 256
#define NEAREST_MAX_LABELS 1024

enum { OPT_RUN = 1000, OPT_CKPT, OPT_N, OPT_K, OPT_SEED, OPT_LABELS, OPT_QUERY, OPT_DATA_DIR,
       OPT_OUT, OPT_SCALE, OPT_HELP };

static const struct option nearest_options_table[] = {
    {"run", required_argument, 0, OPT_RUN},
    {"checkpoint", required_argument, 0, OPT_CKPT},
    {"num", required_argument, 0, OPT_N},
    {"neighbours", required_argument, 0, OPT_K},
    {"seed", required_argument, 0, OPT_SEED},
    {"labels", required_argument, 0, OPT_LABELS},
    {"query", required_argument, 0, OPT_QUERY},
    {"data-dir", required_argument, 0, OPT_DATA_DIR},
    {"out", required_argument, 0, OPT_OUT},
    {"scale", required_argument, 0, OPT_SCALE},
    {"help", no_argument, 0, OPT_HELP},
    {0, 0, 0, 0},
};

static void nearest_help(void)
{
    printf(
        "usage: dcgan nearest (--run DIR | --checkpoint FILE) [-n N] [-k K] [options]\n"
        "\n"
        "The memorisation check: for N generated samples, the K nearest training images by L2\n"
        "distance in pixel space, over the run's whole data set as config.json records it (the\n"
        "same folder, crop, size and channels). Writes OUT/nearest.png (a row per sample: the\n"
        "sample, then its neighbours, closest first, each with its RMSE in [0, 1] pixel units)\n"
        "and OUT/nearest.csv (query, rank, index, rmse, source). OUT is RUN/visualize unless\n"
        "--out DIR.\n"
        "\n"
        "  -n, --num N        samples (8)\n"
        "  -k, --neighbours K nearest training images per sample (5)\n"
        "  --seed N           latent vectors (1), from the run's latent distribution\n"
        "  --labels L         conditional models: classes cycled over the samples (default: in\n"
        "                     turn); indices or names\n"
        "  --query FILE       search for this image instead of samples (repeatable; prepared\n"
        "                     like the training images)\n"
        "  --data-dir DIR     where the data set is now, if it moved (DIR/DATASET)\n"
        "  --scale K          enlarge the sheet K times (default: cells >= 64 pixels)\n"
        "  --out DIR          output folder\n");
}

/* The run's data settings as train_options. */
static int options_from_run(const generator *g, const char *data_dir, train_options *o, dc_err *e)
{
    const run_config *run = &g->run;
    if (!g->have_run) return dc_fail(e, "%s: no run settings in the checkpoint (needed to find the data)", g->path);
    train_options_default(o);
    if (!(run->have & RUN_CONFIG_DATASET)) return dc_fail(e, "%s: the run settings name no dataset", g->path);
    if (data_dir) {
        snprintf(o->data_dir, sizeof o->data_dir, "%s", data_dir);
        snprintf(o->dataset, sizeof o->dataset, "%s", run->dataset);
    } else if (run->have & RUN_CONFIG_DATA_SOURCE) {
        /* the folder training used: DATA_DIR = its parent */
        char buf[4096];
        snprintf(buf, sizeof buf, "%s", run->data_source);
        char *slash = strrchr(buf, '/');
        if (slash && slash[1]) {
            *slash = 0;
            if (dc_path(e, o->data_dir, sizeof o->data_dir, "%s", slash == buf ? "/" : buf) ||
                dc_path(e, o->dataset, sizeof o->dataset, "%s", slash + 1))
                return -1;
        } else {
            snprintf(o->data_dir, sizeof o->data_dir, ".");
            if (dc_path(e, o->dataset, sizeof o->dataset, "%s", buf)) return -1;
        }
    } else {
        snprintf(o->dataset, sizeof o->dataset, "%s", run->dataset);
    }
    if (run->have & RUN_CONFIG_PATTERN)
        snprintf(o->input_fname_pattern, sizeof o->input_fname_pattern, "%s", run->input_fname_pattern);
    if (run->have & RUN_CONFIG_INPUT_SIZE) {
        o->input_h = run->input_h;
        o->input_w = run->input_w;
    }
    if (run->have & RUN_CONFIG_CROP) o->crop = run->crop;
    if (run->have & RUN_CONFIG_BACKGROUND) memcpy(o->background, run->background, 3);
    const dcgan_config *mc = generator_config(g);
    o->output_h = mc->output_h;
    o->output_w = mc->output_w;
    o->c_dim = mc->c_dim;
    return 0;
}

static void copy_item(const dataset *ds, int i, float *out, dc_err *e)
{
    size_t per = (size_t)ds->C * ds->H * ds->W;
    if (ds->images) {
        float s = 1.0f / (ds->hi - ds->lo);
        for (size_t p = 0; p < per; p++) out[p] = (ds->images[(size_t)i * per + p] - ds->lo) * s;
    } else if (image_load(ds->paths[i], &ds->spec, out, e) != 0) {
        memset(out, 0, per * sizeof *out);
    }
}

int cmd_nearest(int argc, char **argv)
{
    const char *C = "nearest";
    const char *run = NULL, *ckpt = NULL, *labels_s = NULL, *data_dir = NULL, *out = NULL;
    const char *queries[NEAREST_MAX_QUERIES];
    int nqf = 0, n = 8, k = 5, scale = 0;
    uint64_t seed = 1;
    optind = 1;
    opterr = 0;
    int opt, idx;
    while ((opt = getopt_long(argc, argv, ":hn:k:", nearest_options_table, &idx)) != -1) {
        const char *flag = argv[optind - 1];
        int bad = 0;
        switch (opt) {
        case OPT_RUN: run = optarg; break;
        case OPT_CKPT: ckpt = optarg; break;
        case 'n':
        case OPT_N: bad = cli_parse_int(C, "-n", optarg, 1, NEAREST_MAX_QUERIES, &n); break;
        case 'k':
        case OPT_K: bad = cli_parse_int(C, "-k", optarg, 1, 100, &k); break;
        case OPT_SEED: bad = cli_parse_u64(C, "--seed", optarg, &seed); break;
        case OPT_LABELS: labels_s = optarg; break;
        case OPT_QUERY:
            if (nqf == NEAREST_MAX_QUERIES) return cli_usage_error(C, "--query: at most %d", NEAREST_MAX_QUERIES);
            queries[nqf++] = optarg;
            break;
        case OPT_DATA_DIR: data_dir = optarg; break;
        case OPT_OUT: out = optarg; break;
        case OPT_SCALE: bad = cli_parse_int(C, "--scale", optarg, 1, 16, &scale); break;
        case 'h':
        case OPT_HELP: nearest_help(); return 0;
        case ':': return cli_usage_error(C, "%s needs a value", flag);
        default: return cli_usage_error(C, "unknown option '%s'", flag);
        }
        if (bad) return EXIT_USAGE;
    }
    if (optind < argc) return cli_usage_error(C, "unexpected argument '%s'", argv[optind]);
    if (!run == !ckpt) return cli_usage_error(C, "give exactly one of --run DIR and --checkpoint FILE");
    if (nqf && labels_s) return cli_usage_error(C, "--labels is for generated samples, not --query images");

    dc_err e;
    generator g;
    if (generator_open(&g, run, ckpt, &e) != 0) {
        log_error("%s", e.msg);
        return 1;
    }
    const dcgan_config *mc = generator_config(&g);
    int rc = 1, ds_open = 0, nq = nqf ? nqf : n;
    size_t per = generator_image_floats(&g);
    float *q = NULL, *z = NULL, *nb = NULL;
    int *lab = NULL;
    nearest_hit *hits = NULL;
    dataset ds;
    memset(&ds, 0, sizeof ds);
    int list[NEAREST_MAX_LABELS], nl = 0, all = 0;
    if (labels_s) {
        nl = generator_parse_labels(&g, "--labels", labels_s, list, NEAREST_MAX_LABELS, &all, &e);
        if (nl < 0) {
            rc = cli_usage_error(C, "%s", e.msg);
            goto done;
        }
    }
    train_options o;
    char src[4096];
    if (options_from_run(&g, data_dir, &o, &e) != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    if (train_open_dataset(&o, &ds, src, sizeof src, &e) != 0) {
        log_error("%s%s", e.msg, data_dir ? "" : " (the run's data; --data-dir DIR if it moved)");
        goto done;
    }
    ds_open = 1;
    if (ds.C != mc->c_dim || ds.H != mc->output_h || ds.W != mc->output_w) {
        log_error("%s: items are %dx%dx%d, the model makes %dx%dx%d", src, ds.H, ds.W, ds.C,
                  mc->output_h, mc->output_w, mc->c_dim);
        goto done;
    }
    if (!ds.images) {
        ds.spec.lo = 0.0f;
        ds.spec.hi = 1.0f;
    }
    log_info("searching %d images of %s", ds.count, src);
    /* the queries, in [0, 1] */
    q = dc_alloc_floats((size_t)nq * per);
    if (nqf) {
        image_spec spec;
        memset(&spec, 0, sizeof spec);
        spec.out_h = mc->output_h;
        spec.out_w = mc->output_w;
        spec.channels = mc->c_dim;
        spec.crop = o.crop;
        spec.crop_h = o.input_h;
        spec.crop_w = o.input_w > 0 ? o.input_w : o.input_h;
        memcpy(spec.background, o.background, 3);
        spec.lo = 0.0f;
        spec.hi = 1.0f;
        for (int i = 0; i < nqf; i++)
            if (image_load(queries[i], &spec, q + (size_t)i * per, &e) != 0) {
                log_error("%s", e.msg);
                goto done;
            }
    } else {
        z = dc_alloc_floats((size_t)n * mc->z_dim);
        lab = dc_calloc((size_t)n, sizeof *lab);
        for (int i = 0; i < n; i++) lab[i] = mc->y_dim == 0 ? 0 : nl ? list[i % nl] : i % mc->y_dim;
        rng_state r;
        rng_init(&r, seed);
        generator_draw_z(&g, &r, z, (size_t)n * mc->z_dim);
        generator_generate(&g, z, lab, n, q);
        float s = 1.0f / (g.hi - g.lo);
        for (size_t i = 0; i < (size_t)n * per; i++) {
            float v = (q[i] - g.lo) * s;
            q[i] = v < 0 ? 0 : v > 1 ? 1 : v;
        }
    }
    if (k > ds.count) k = ds.count;
    hits = dc_calloc((size_t)nq * k, sizeof *hits);
    if (nearest_search(&ds, q, nq, k, hits, &e) != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    char dir[GENERATOR_PATH_MAX], path[GENERATOR_PATH_MAX + 64];
    if (generator_out_dir(&g, out, dir, sizeof dir, &e) != 0) {
        log_error("%s", e.msg);
        goto done;
    }
    /* the CSV */
    {
        size_t cap = 4096 + (size_t)nq * k * 600, len = 0;
        char *csv = dc_calloc(cap, 1);
        len += (size_t)snprintf(csv + len, cap - len, "query,rank,index,rmse,source,label\n");
        for (int i = 0; i < nq; i++)
            for (int j = 0; j < k; j++) {
                const nearest_hit *h = &hits[(size_t)i * k + j];
                const char *label = ds.labels && ds.class_names ? ds.class_names[ds.labels[h->index]] : "";
                char source[600];
                if (ds.paths) dc_path(NULL, source, sizeof source, "%s", ds.paths[h->index]);
                else dc_path(NULL, source, sizeof source, "%s#%d", src, h->index);
                len += (size_t)snprintf(csv + len, cap - len, "%d,%d,%d,%.6f,\"%s\",%s\n", i, j, h->index,
                                        sqrt(h->dist2 / per), source, label);
            }
        snprintf(path, sizeof path, "%s/nearest.csv", dir);
        int r2 = atomic_file_write(path, csv, len, &e);
        free(csv);
        if (r2 != 0) {
            log_error("%s", e.msg);
            goto done;
        }
    }
    /* the sheet: sample | gap | neighbours */
    if (!scale) scale = generator_auto_scale(&g, 64);
    {
        int h = mc->output_h * scale, w = mc->output_w * scale, gap = 2 * scale, sep = 10 * scale;
        int W = w + sep + k * (w + gap), H = nq * (h + gap) - gap;
        canvas c, tile;
        canvas_init(&c, W, H, mc->c_dim, 255);
        nb = dc_alloc_floats(per);
        static const uint8_t WHITE[3] = {255, 255, 255}, BLACK[3] = {0, 0, 0};
        double fs = fmax(9.0, fmin(13.0, w / 5.0));
        double sum_nearest = 0;
        for (int i = 0; i < nq; i++) {
            int y = i * (h + gap);
            canvas_init(&tile, mc->output_w, mc->output_h, mc->c_dim, 0);
            canvas_put_float(&tile, 0, 0, q + (size_t)i * per, mc->c_dim, mc->output_h, mc->output_w, 0, 1);
            canvas_scale(&tile, scale);
            canvas_put(&c, 0, y, tile.px, tile.W, tile.H, mc->c_dim);
            canvas_free(&tile);
            for (int j = 0; j < k; j++) {
                const nearest_hit *hh = &hits[(size_t)i * k + j];
                copy_item(&ds, hh->index, nb, &e);
                canvas_init(&tile, mc->output_w, mc->output_h, mc->c_dim, 0);
                canvas_put_float(&tile, 0, 0, nb, mc->c_dim, mc->output_h, mc->output_w, 0, 1);
                canvas_scale(&tile, scale);
                int x = w + sep + j * (w + gap);
                canvas_put(&c, x, y, tile.px, tile.W, tile.H, mc->c_dim);
                canvas_free(&tile);
                char txt[32];
                double rmse = sqrt(hh->dist2 / per);
                snprintf(txt, sizeof txt, "%.3f", rmse);
                canvas_text(&c, x + 2, y + h - 3, txt, fs, WHITE, BLACK);
                if (j == 0) sum_nearest += rmse;
            }
        }
        snprintf(path, sizeof path, "%s/nearest.png", dir);
        int r2 = canvas_write_png(&c, path, &e);
        canvas_free(&c);
        if (r2 != 0) {
            log_error("%s", e.msg);
            goto done;
        }
        log_info("wrote %s and nearest.csv: %d %s, %d neighbours each; mean RMSE to the nearest %.4f",
                 path, nq, nqf ? "queries" : "samples", k, sum_nearest / nq);
    }
    rc = 0;
done:
    if (ds_open) dataset_free(&ds);
    free(q);
    free(z);
    free(lab);
    free(nb);
    free(hits);
    generator_close(&g);
    return rc;
}
