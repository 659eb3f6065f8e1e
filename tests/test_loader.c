/* The batch loader (memory- and file-backed), image folders and class subfolders. */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "data/dataset.h"
#include "data/loader.h"
#include "io/png_write.h"
#include "testutil.h"

/* ---------------------------------------------------------------------- memory-backed */

/* count items of shape (1,1,2): item i = (i, -i); labels i % 3 */
static void make_mem(dataset *ds, int count)
{
    memset(ds, 0, sizeof *ds);
    ds->count = count;
    ds->C = 1;
    ds->H = 1;
    ds->W = 2;
    ds->lo = -1000;
    ds->hi = 1000;
    ds->images = malloc(sizeof(float) * 2 * (size_t)count);
    ds->labels = malloc(sizeof(int) * (size_t)count);
    ds->num_classes = 3;
    ds->class_names = calloc(3, sizeof(char *));
    for (int c = 0; c < 3; c++) {
        ds->class_names[c] = malloc(2);
        ds->class_names[c][0] = (char)('a' + c);
        ds->class_names[c][1] = 0;
    }
    for (int i = 0; i < count; i++) {
        ds->images[2 * i] = (float)i;
        ds->images[2 * i + 1] = (float)-i;
        ds->labels[i] = i % 3;
    }
}

/* Reads `nb` batches from l into ids (nb * B item ids, from the first pixel); checks the
 * (epoch, batch) reported and the one-hot labels. */
static int read_ids(loader *l, const dataset *ds, int B, long nb, int *ids, long e0, long b0)
{
    float *img = malloc(sizeof(float) * (size_t)B * 2);
    float *oh = malloc(sizeof(float) * (size_t)B * 3);
    long bpe = loader_batches_per_epoch(l);
    int ok = 1;
    for (long n = 0; n < nb; n++) {
        long ep = -1, bt = -1;
        dc_err e = {{0}};
        if (loader_next(l, img, oh, &ep, &bt, &e) != 0) {
            TEST_CHECK(0, "loader_next: %s", e.msg);
            ok = 0;
            break;
        }
        long want = e0 * bpe + b0 + n;
        if (ep != want / bpe || bt != want % bpe) {
            TEST_CHECK(0, "batch %ld reported as (%ld,%ld)", n, ep, bt);
            ok = 0;
        }
        for (int k = 0; k < B; k++) {
            int id = (int)img[2 * k];
            ids[n * B + k] = id;
            if (img[2 * k + 1] != -img[2 * k] || id < 0 || id >= ds->count) ok = 0;
            for (int c = 0; c < 3; c++)
                if (oh[k * 3 + c] != (ds->labels[id] == c ? 1.0f : 0.0f)) ok = 0;
        }
    }
    free(img);
    free(oh);
    return ok;
}

static int is_perm_of(const int *ids, int n, int count)
{
    int *seen = calloc((size_t)count, sizeof(int));
    int ok = 1;
    for (int i = 0; i < n; i++) {
        if (ids[i] < 0 || ids[i] >= count || seen[ids[i]]++) ok = 0;
    }
    free(seen);
    return ok;
}

static void test_memory(void)
{
    dataset ds;
    make_mem(&ds, 12);
    dc_err e = {{0}};
    int B = 3;
    loader *l = loader_create(&ds, B, 42, 0, 0, 1, 0, 0, &e);
    TEST_CHECK(l != NULL, "create: %s", e.msg);
    if (!l) return;
    TEST_CHECK(loader_batches_per_epoch(l) == 4, "bpe %ld", loader_batches_per_epoch(l));
    int ids[3][12];
    TEST_CHECK(read_ids(l, &ds, B, 12, &ids[0][0], 0, 0), "sequential read (labels, positions)");
    for (int ep = 0; ep < 3; ep++) TEST_CHECK(is_perm_of(ids[ep], 12, 12), "epoch %d is a permutation", ep);
    TEST_CHECK(memcmp(ids[0], ids[1], sizeof ids[0]) != 0, "epochs 0 and 1 differ");
    TEST_CHECK(memcmp(ids[1], ids[2], sizeof ids[0]) != 0, "epochs 1 and 2 differ");
    /* seek reproduces any batch */
    int one[3];
    const long spots[][2] = {{2, 3}, {0, 0}, {1, 2}, {0, 3}, {2, 0}};
    for (int s = 0; s < 5; s++) {
        loader_seek(l, spots[s][0], spots[s][1]);
        read_ids(l, &ds, B, 1, one, spots[s][0], spots[s][1]);
        TEST_CHECK(memcmp(one, &ids[spots[s][0]][spots[s][1] * B], sizeof one) == 0,
                   "seek (%ld,%ld)", spots[s][0], spots[s][1]);
    }
    loader_free(l);
    /* the same seed gives the same order in a new loader; another seed a different one */
    l = loader_create(&ds, B, 42, 0, 0, 1, 0, 0, &e);
    int again[12];
    loader_seek(l, 1, 0);
    read_ids(l, &ds, B, 4, again, 1, 0);
    TEST_CHECK(memcmp(again, ids[1], sizeof again) == 0, "resume at epoch 1 in a new loader");
    loader_free(l);
    l = loader_create(&ds, B, 43, 0, 0, 1, 0, 0, &e);
    read_ids(l, &ds, B, 4, again, 0, 0);
    TEST_CHECK(memcmp(again, ids[0], sizeof again) != 0, "another seed, another order");
    loader_free(l);

    /* shards: world 2 ranks get global batches r, r+2 of each epoch (4 batches -> 2 each) */
    int sh[2][2 * 6];
    for (int r = 0; r < 2; r++) {
        l = loader_create(&ds, B, 42, 0, r, 2, 0, 0, &e);
        TEST_CHECK(l && loader_batches_per_epoch(l) == 2, "rank %d bpe", r);
        if (!l) continue;
        read_ids(l, &ds, B, 4, sh[r], 0, 0); /* two epochs */
        loader_free(l);
    }
    for (int ep = 0; ep < 2; ep++)
        for (int b = 0; b < 2; b++)
            for (int r = 0; r < 2; r++)
                TEST_CHECK(memcmp(&sh[r][(ep * 2 + b) * B], &ids[ep][(b * 2 + r) * B],
                                  sizeof(int) * 3) == 0,
                           "epoch %d rank %d batch %d = global batch %d", ep, r, b, b * 2 + r);
    /* world 3: 4 batches -> 1 each, the 4th dropped */
    l = loader_create(&ds, B, 42, 0, 2, 3, 0, 0, &e);
    TEST_CHECK(l && loader_batches_per_epoch(l) == 1, "world 3 bpe");
    loader_free(l);

    /* items_per_epoch caps: 7 items -> 2 batches of 3 from the first 7 of the permutation */
    l = loader_create(&ds, B, 42, 7, 0, 1, 0, 0, &e);
    TEST_CHECK(l && loader_batches_per_epoch(l) == 2, "capped bpe");
    if (l) {
        int cap[6];
        read_ids(l, &ds, B, 2, cap, 0, 0);
        TEST_CHECK(is_perm_of(cap, 6, 12), "capped epoch has distinct items");
        TEST_CHECK(memcmp(cap, ids[0], sizeof cap) == 0, "capped epoch = prefix of the order");
        loader_free(l);
    }
    /* errors */
    l = loader_create(&ds, 13, 42, 0, 0, 1, 0, 0, &e);
    TEST_CHECK(l == NULL && strstr(e.msg, "fewer than one batch"), "batch > items: %s", e.msg);
    l = loader_create(&ds, 6, 42, 0, 0, 3, 0, 0, &e);
    TEST_CHECK(l == NULL, "2 batches for 3 ranks: %s", e.msg);
    l = loader_create(&ds, 2, 42, 0, 3, 3, 0, 0, &e);
    TEST_CHECK(l == NULL, "rank out of range: %s", e.msg);
    /* unlabelled: labels buffer untouched */
    free(ds.labels);
    ds.labels = NULL;
    l = loader_create(&ds, B, 1, 0, 0, 1, 0, 0, &e);
    float img[6], oh[9];
    for (int i = 0; i < 9; i++) oh[i] = 7;
    TEST_CHECK(l && loader_next(l, img, oh, NULL, NULL, &e) == 0 && oh[0] == 7 && oh[8] == 7,
               "unlabelled leaves labels alone");
    loader_free(l);
    dataset_free(&ds);
}

/* Positions in items (loader_seek_items, loader_tell_items, loader_steps_left): what a
 * checkpoint stores so that a run continues with another rank count or batch size. 12 items,
 * epoch orders as read by a world-1 loader of batch 1 (all items, in order). */
static void test_item_positions(void)
{
    dataset ds;
    make_mem(&ds, 12);
    dc_err e = {{0}};
    loader *one = loader_create(&ds, 1, 42, 0, 0, 1, 0, 0, &e);
    int order[3][12];
    read_ids(one, &ds, 1, 36, &order[0][0], 0, 0);
    loader_free(one);
    float img[8], oh[12];
    long ep, off;

    /* 2 ranks x 2: a step is 4 items; after 2 steps 8 items of epoch 0 are taken */
    loader *r1 = loader_create(&ds, 2, 42, 0, 1, 2, 0, 0, &e);
    TEST_CHECK(r1 && loader_batches_per_epoch(r1) == 3, "2 x 2 over 12 items: 3 steps");
    if (!r1) return;
    loader_tell_items(r1, &ep, &off);
    TEST_CHECK(ep == 0 && off == 0, "starts at (0, 0): (%ld, %ld)", ep, off);
    TEST_CHECK(loader_steps_left(r1, 2) == 6, "2 epochs: 6 steps left (%ld)", loader_steps_left(r1, 2));
    loader_next(r1, img, oh, NULL, NULL, &e);
    loader_next(r1, img, oh, NULL, NULL, &e);
    loader_tell_items(r1, &ep, &off);
    TEST_CHECK(ep == 0 && off == 8, "after 2 steps: (0, 8): (%ld, %ld)", ep, off);
    TEST_CHECK((int)img[0] == order[0][6] && (int)img[2] == order[0][7],
               "rank 1's 2nd batch is items 6, 7 of the order");
    TEST_CHECK(loader_steps_left(r1, 1) == 1 && loader_steps_left(r1, 3) == 7, "steps left");
    loader_next(r1, img, oh, NULL, NULL, &e);
    loader_tell_items(r1, &ep, &off);
    TEST_CHECK(ep == 1 && off == 0, "epoch ends after 3 steps: (%ld, %ld)", ep, off);
    loader_free(r1);

    /* continue that run, taken 5 items into epoch 0 (not a multiple of the new step), as 1
     * rank of batch 3: items 5-7, 8-10, then epoch 1 from its start (item 11 dropped) */
    loader *c = loader_create(&ds, 3, 42, 0, 0, 1, 0, 0, &e);
    loader_seek_items(c, 0, 5);
    TEST_CHECK(loader_steps_left(c, 1) == 2, "2 steps left in epoch 0 from item 5 (%ld)",
               loader_steps_left(c, 1));
    int got[9];
    for (int s = 0; s < 3; s++) {
        loader_next(c, img, oh, &ep, NULL, &e);
        for (int k = 0; k < 3; k++) got[s * 3 + k] = (int)img[2 * k];
    }
    TEST_CHECK(memcmp(got, &order[0][5], 6 * sizeof(int)) == 0, "items 5..10 of epoch 0");
    TEST_CHECK(memcmp(got + 6, &order[1][0], 3 * sizeof(int)) == 0 && ep == 1,
               "then epoch 1 from its first item");
    loader_tell_items(c, &ep, &off);
    TEST_CHECK(ep == 1 && off == 3, "position (1, 3): (%ld, %ld)", ep, off);
    loader_free(c);
    dataset_free(&ds);
}

/* ------------------------------------------------------------------------ file-backed */

/* an 8x8 gray PNG of constant value v (id = (v - 5) / 10) */
static void write_gray(const char *path, int v)
{
    uint8_t px[64];
    memset(px, v, sizeof px);
    dc_err e;
    if (png_write(path, px, 8, 8, 1, &e) != 0) fprintf(stderr, "%s\n", e.msg);
}

static int ids_from(const float *img, int B, int C, float lo, float hi, int *ids)
{
    int ok = 1;
    for (int k = 0; k < B; k++) {
        float v = (img[(size_t)k * C * 16] - lo) / (hi - lo) * 255.0f;
        ids[k] = (int)lroundf((v - 5) / 10);
        if (fabsf(v - (ids[k] * 10 + 5)) > 1e-3f) ok = 0;
    }
    return ok;
}

static void test_files(void)
{
    mkdir(test_tmpdir_path("flat"), 0755);
    int N = 14;
    for (int i = 0; i < N; i++) {
        char name[64];
        snprintf(name, sizeof name, "flat/img%02d.png", i);
        write_gray(test_tmpdir_path(name), 10 * i + 5);
    }
    /* not matched: other extension, hidden file */
    write_gray(test_tmpdir_path("flat/skip.jpeg"), 0);
    write_gray(test_tmpdir_path("flat/.hidden.png"), 0);
    image_spec spec;
    memset(&spec, 0, sizeof spec);
    spec.out_h = spec.out_w = 4;
    spec.lo = -1;
    spec.hi = 1;
    dataset ds;
    dc_err e = {{0}};
    int rc = dataset_open_folder(&ds, test_tmpdir_path("flat"), "*.png", &spec, &e);
    TEST_CHECK(rc == 0, "open folder: %s", e.msg);
    if (rc != 0) return;
    TEST_CHECK(ds.count == N && ds.C == 1 && ds.H == 4 && ds.W == 4 && ds.num_classes == 0 &&
                   !ds.labels && ds.paths && !ds.images,
               "folder set: count %d C %d", ds.count, ds.C);
    TEST_CHECK(strstr(ds.paths[0], "img00.png") && strstr(ds.paths[N - 1], "img13.png"),
               "sorted paths");
    int B = 4;
    long bpe = 3, E = 3;
    size_t bsz = (size_t)B * 16;
    float *seq = malloc(sizeof(float) * bsz * (size_t)(bpe * E));
    loader *l = loader_create(&ds, B, 9, 0, 0, 1, 0, 0, &e); /* synchronous */
    TEST_CHECK(l && loader_batches_per_epoch(l) == bpe, "file loader: %s", e.msg);
    if (!l) return;
    int ids[12], okv = 1;
    for (long n = 0; n < bpe * E; n++) {
        rc = loader_next(l, seq + bsz * (size_t)n, NULL, NULL, NULL, &e);
        TEST_CHECK(rc == 0, "sync next: %s", e.msg);
        if (!ids_from(seq + bsz * (size_t)n, B, 1, -1, 1, ids)) okv = 0;
    }
    TEST_CHECK(okv, "decoded values identify the files");
    for (long ep = 0; ep < E; ep++) {
        int all[12];
        for (int b = 0; b < bpe; b++) ids_from(seq + bsz * (size_t)(ep * bpe + b), B, 1, -1, 1, all + b * B);
        TEST_CHECK(is_perm_of(all, 12, N), "file epoch %ld: distinct items", ep);
    }
    loader_free(l);

    /* threaded, with prefetch: bit for bit the same, including across seeks */
    float *got = malloc(sizeof(float) * bsz);
    for (int threads = 1; threads <= 3; threads += 1) {
        l = loader_create(&ds, B, 9, 0, 0, 1, threads, threads == 2 ? 3 : 1, &e);
        TEST_CHECK(l != NULL, "threaded create: %s", e.msg);
        if (!l) continue;
        int same = 1;
        for (long n = 0; n < bpe * E; n++) {
            long ep, bt;
            if (loader_next(l, got, NULL, &ep, &bt, &e) != 0 || ep != n / bpe || bt != n % bpe ||
                memcmp(got, seq + bsz * (size_t)n, sizeof(float) * bsz) != 0)
                same = 0;
        }
        TEST_CHECK(same, "%d threads = synchronous, bit for bit", threads);
        /* seeks, including to the current position and backwards */
        const long spots[][2] = {{1, 2}, {1, 2}, {0, 0}, {2, 1}, {0, 1}, {2, 2}, {1, 0}};
        int seek_ok = 1;
        for (int s = 0; s < 7; s++) {
            loader_seek(l, spots[s][0], spots[s][1]);
            long ep, bt;
            if (loader_next(l, got, NULL, &ep, &bt, &e) != 0 || ep != spots[s][0] ||
                bt != spots[s][1] ||
                memcmp(got, seq + bsz * (size_t)(spots[s][0] * bpe + spots[s][1]),
                       sizeof(float) * bsz) != 0)
                seek_ok = 0;
            if (s == 3) { /* and keep going sequentially after a seek */
                if (loader_next(l, got, NULL, &ep, &bt, &e) != 0 || ep != 2 || bt != 2 ||
                    memcmp(got, seq + bsz * (size_t)(2 * bpe + 2), sizeof(float) * bsz) != 0)
                    seek_ok = 0;
            }
        }
        TEST_CHECK(seek_ok, "%d threads: seek reproduces sequential batches", threads);
        loader_free(l); /* with prefetch work outstanding */
    }
    /* many rapid seeks and frees (races, leaks) */
    for (int r = 0; r < 20; r++) {
        l = loader_create(&ds, B, 9, 0, 0, 1, 2, 2, &e);
        for (int s = 0; s < 5; s++) loader_seek(l, (r + s) % 3, (r * s) % 3);
        long ep, bt;
        if (r % 2 == 0) {
            loader_next(l, got, NULL, &ep, &bt, &e);
            long want = ((r + 4) % 3) * bpe + (r * 4) % 3;
            TEST_CHECK(memcmp(got, seq + bsz * (size_t)want, sizeof(float) * bsz) == 0,
                       "rapid seeks %d", r);
        }
        loader_free(l);
    }
    /* world 2 over files: rank batches are global batches r, r+2 */
    l = loader_create(&ds, 2, 9, 0, 1, 2, 2, 2, &e);
    loader *g = loader_create(&ds, 2, 9, 0, 0, 1, 0, 0, &e);
    if (l && g) {
        TEST_CHECK(loader_batches_per_epoch(l) == 3 && loader_batches_per_epoch(g) == 7, "bpe");
        float a[32], b[32];
        int ok = 1;
        for (int n = 0; n < 6; n++) {
            long ep = n / 3, bt = n % 3;
            loader_next(l, a, NULL, NULL, NULL, &e);
            loader_seek(g, ep, bt * 2 + 1);
            loader_next(g, b, NULL, NULL, NULL, &e);
            if (memcmp(a, b, sizeof a) != 0) ok = 0;
        }
        TEST_CHECK(ok, "file shard rank 1 = global batches 1, 3, 5");
    }
    loader_free(l);
    loader_free(g);

    /* a file that is not an image: found when the folder is opened; an error naming it with
     * skip_bad 0, dropped (and counted) with skip_bad 1 */
    FILE *f = fopen(test_tmpdir_path("flat/img99.png"), "wb");
    fputs("\x89PNG\r\n\x1a\n garbage", f);
    fclose(f);
    dataset_free(&ds);
    spec.channels = 1;
    rc = dataset_open_folder(&ds, test_tmpdir_path("flat"), "img*.png", &spec, &e);
    TEST_CHECK(rc != 0 && strstr(e.msg, "img99.png"), "open with a corrupt file, fail: %s", e.msg);
    printf("  corrupt header, fail -> %s\n", e.msg);
    spec.skip_bad = 1;
    rc = dataset_open_folder(&ds, test_tmpdir_path("flat"), "img*.png", &spec, &e);
    TEST_CHECK(rc == 0 && ds.count == N && ds.skipped == 1, "open with a corrupt file, skip: %s",
               e.msg);
    dataset_free(&ds);

    /* a file whose header is sound but whose pixels are cut short: only decoding finds it.
     * skip_bad 0: loader_next fails for its batch, naming it. skip_bad 1: it is replaced by
     * the next file (img00, id 0), the same with and without threads, counted once. */
    write_gray(test_tmpdir_path("flat/img99.png"), 255);
    size_t len = 0;
    char *raw = test_read_file(test_tmpdir_path("flat/img99.png"), &len);
    f = fopen(test_tmpdir_path("flat/img99.png"), "wb");
    if (raw && f) fwrite(raw, 1, len - 16, f); /* loses IEND and the end of IDAT */
    if (f) fclose(f);
    free(raw);
    for (int skip = 0; skip <= 1; skip++) {
        spec.skip_bad = skip;
        rc = dataset_open_folder(&ds, test_tmpdir_path("flat"), "img*.png", &spec, &e);
        TEST_CHECK(rc == 0 && ds.count == N + 1 && ds.skipped == 0, "open, truncated pixels: %s",
                   e.msg);
        if (rc != 0) continue;
        int ref[15];
        for (int threads = 0; threads <= 2; threads += 2) {
            l = loader_create(&ds, 5, 3, 0, 0, 1, threads, 2, &e);
            if (!l) continue;
            int fails = 0, named = 1, all[15], okv = 1;
            float *buf = malloc(sizeof(float) * 5 * 16);
            for (int n = 0; n < 3; n++) {
                if (loader_next(l, buf, NULL, NULL, NULL, &e) != 0) {
                    fails++;
                    if (!strstr(e.msg, "img99.png")) named = 0;
                    if (fails == 1) printf("  truncated pixels, fail (%d threads) -> %s\n", threads, e.msg);
                } else if (!ids_from(buf, 5, 1, -1, 1, all + 5 * n)) {
                    okv = 0;
                }
            }
            if (!skip) {
                TEST_CHECK(fails == 1 && named, "%d threads: one failing batch naming img99.png (%d)",
                           threads, fails);
            } else {
                int zeros = 0, has14 = 0;
                for (int i = 0; i < 15; i++) zeros += all[i] == 0, has14 |= all[i] == 14;
                TEST_CHECK(fails == 0 && okv && zeros == 2 && !has14 && loader_bad_count(l) == 1,
                           "%d threads: img99 replaced by img00 (fails %d, img00 %d times, bad %d)",
                           threads, fails, zeros, loader_bad_count(l));
                if (threads == 0) memcpy(ref, all, sizeof ref);
                else TEST_CHECK(memcmp(ref, all, sizeof ref) == 0, "threaded = synchronous");
            }
            free(buf);
            loader_free(l);
        }
        dataset_free(&ds);
    }
    unlink(test_tmpdir_path("flat/img99.png"));
    spec.skip_bad = 0;
    /* channel detection: a colour file among gray ones makes the set colour */
    dataset_free(&ds);
    uint8_t rgb[8 * 8 * 3];
    for (int i = 0; i < 64; i++) rgb[3 * i] = 200, rgb[3 * i + 1] = 10, rgb[3 * i + 2] = 10;
    png_write(test_tmpdir_path("flat/img50.png"), rgb, 8, 8, 3, &e);
    spec.channels = 0;
    rc = dataset_open_folder(&ds, test_tmpdir_path("flat"), "img[0-5]*.png", &spec, &e);
    TEST_CHECK(rc == 0 && ds.C == 3 && ds.count == N + 1, "one colour file -> C=3 (%d, %s)", ds.C,
               e.msg);
    dataset_free(&ds);
    rc = dataset_open_folder(&ds, test_tmpdir_path("flat"), "*.jpg", &spec, &e);
    char want[600];
    snprintf(want, sizeof want, "%s: no files match '*.jpg' among its", test_tmpdir_path("flat"));
    TEST_CHECK(rc == -1 && strncmp(e.msg, want, strlen(want)) == 0, "no match: %s", e.msg);
    rc = dataset_open_folder(&ds, test_tmpdir_path("nope"), "*.png", &spec, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, test_tmpdir_path("nope")), "missing folder: %s", e.msg);
    free(seq);
    free(got);
}

/* 4x4 images with channels from the data, pixels in [0, 1] */
static void unit_spec(image_spec *spec, int skip_bad)
{
    memset(spec, 0, sizeof *spec);
    spec->out_h = spec->out_w = 4;
    spec->lo = 0;
    spec->hi = 1;
    spec->skip_bad = skip_bad;
}

static void test_classes(void)
{
    const char *cls[3] = {"zebra", "cat", "dog"}; /* sorted: cat dog zebra */
    mkdir(test_tmpdir_path("cls"), 0755);
    int n = 0;
    for (int c = 0; c < 3; c++) {
        char d[64];
        snprintf(d, sizeof d, "cls/%s", cls[c]);
        mkdir(test_tmpdir_path(d), 0755);
        for (int i = 0; i < 3 + c; i++) {
            char name[96];
            snprintf(name, sizeof name, "cls/%s/%d.png", cls[c], i);
            write_gray(test_tmpdir_path(name), 10 * (c * 5 + i) + 5); /* id = 5c + i */
            n++;
        }
    }
    mkdir(test_tmpdir_path("cls/empty"), 0755);
    write_gray(test_tmpdir_path("cls/empty/x.gif"), 0);
    image_spec spec;
    unit_spec(&spec, 0);
    dataset ds;
    dc_err e = {{0}};
    int rc = dataset_open_folder(&ds, test_tmpdir_path("cls"), "*.png", &spec, &e);
    TEST_CHECK(rc == 0, "class folders: %s", e.msg);
    if (rc != 0) return;
    TEST_CHECK(ds.count == n && ds.num_classes == 3 && ds.labels, "count %d classes %d", ds.count,
               ds.num_classes);
    TEST_CHECK(strcmp(ds.class_names[0], "cat") == 0 && strcmp(ds.class_names[1], "dog") == 0 &&
                   strcmp(ds.class_names[2], "zebra") == 0,
               "class names sorted");
    /* folder c (in cls[] order) has sorted class index: zebra 2, cat 0, dog 1 */
    const int sorted_of[3] = {2, 0, 1};
    loader *l = loader_create(&ds, 3, 5, 0, 0, 1, 2, 2, &e);
    int ok = 1, seen = 0;
    if (l) {
        float img[3 * 16], oh[3 * 3];
        int ids[3];
        for (long b = 0; b < loader_batches_per_epoch(l); b++) {
            loader_next(l, img, oh, NULL, NULL, &e);
            ids_from(img, 3, 1, 0, 1, ids);
            for (int k = 0; k < 3; k++) {
                int c = ids[k] / 5, want = sorted_of[c];
                for (int j = 0; j < 3; j++)
                    if (oh[k * 3 + j] != (j == want ? 1.0f : 0.0f)) ok = 0;
                seen++;
            }
        }
        loader_free(l);
    }
    TEST_CHECK(ok && seen == 12, "one-hot labels follow the folders (%d seen)", seen);
    dataset_free(&ds);
    /* a single class folder is just an unlabelled set */
    mkdir(test_tmpdir_path("one"), 0755);
    mkdir(test_tmpdir_path("one/img"), 0755);
    write_gray(test_tmpdir_path("one/img/a.png"), 5);
    write_gray(test_tmpdir_path("one/img/b.png"), 15);
    rc = dataset_open_folder(&ds, test_tmpdir_path("one"), "*.png", &spec, &e);
    TEST_CHECK(rc == 0 && ds.count == 2 && ds.num_classes == 0 && !ds.labels,
               "single subfolder: %s", e.msg);
    dataset_free(&ds);
    rc = dataset_open_folder(&ds, test_tmpdir_path("cls"), "*.jpg", &spec, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, "no files match '*.jpg'"), "no match in classes: %s",
               e.msg);
    /* glob patterns may reach into subfolders (unlabelled then), like the reference's glob */
    rc = dataset_open_folder(&ds, test_tmpdir_path("cls"), "*/[01].png", &spec, &e);
    TEST_CHECK(rc == 0 && ds.count == 6 && ds.num_classes == 0, "pattern */[01].png: %d %s",
               ds.count, e.msg);
    dataset_free(&ds);
    /* the folder name is literal, even with glob characters in it */
    mkdir(test_tmpdir_path("we[ir]d *"), 0755);
    write_gray(test_tmpdir_path("we[ir]d */a.png"), 5);
    rc = dataset_open_folder(&ds, test_tmpdir_path("we[ir]d *"), "*.png", &spec, &e);
    TEST_CHECK(rc == 0 && ds.count == 1, "folder name with glob characters: %s", e.msg);
    dataset_free(&ds);
}

/* Labels stay with their images when files go bad (issue 20, points 3 and 4). Classes a, b, c;
 * image i of class c has grey level 10*(5c + i) + 5. a/1x.png is not an image: dropped when
 * the folder is opened, and the labels after it must move up with the paths. a/2.png has a
 * sound header but cut pixels: at load it is replaced by the next file, b/0.png, whose label
 * (b) must come with it, with and without loader threads. */
static void truncate_tail(const char *path, size_t cut)
{
    size_t len = 0;
    char *raw = test_read_file(path, &len);
    FILE *f = fopen(path, "wb");
    if (raw && f && len > cut) fwrite(raw, 1, len - cut, f);
    if (f) fclose(f);
    free(raw);
}

static void test_labels_with_bad_files(void)
{
    const char *cls[3] = {"a", "b", "c"};
    mkdir(test_tmpdir_path("lbad"), 0755);
    for (int c = 0; c < 3; c++) {
        char d[64];
        snprintf(d, sizeof d, "lbad/%s", cls[c]);
        mkdir(test_tmpdir_path(d), 0755);
        for (int i = 0; i < 3; i++) {
            char name[96];
            snprintf(name, sizeof name, "lbad/%s/%d.png", cls[c], i);
            write_gray(test_tmpdir_path(name), 10 * (c * 5 + i) + 5);
        }
    }
    FILE *f = fopen(test_tmpdir_path("lbad/a/1x.png"), "wb");
    if (f) {
        fputs("\x89PNG\r\n\x1a\n garbage", f);
        fclose(f);
    }
    truncate_tail(test_tmpdir_path("lbad/a/2.png"), 16); /* loses IEND and the end of IDAT */
    image_spec spec;
    unit_spec(&spec, 1);
    dataset ds;
    dc_err e = {{0}};
    int rc = dataset_open_folder(&ds, test_tmpdir_path("lbad"), "*.png", &spec, &e);
    TEST_CHECK(rc == 0 && ds.count == 9 && ds.skipped == 1 && ds.num_classes == 3,
               "labelled folder with a bad file: %s (count %d, skipped %d)", e.msg, ds.count,
               ds.skipped);
    if (rc != 0) return;
    for (int threads = 0; threads <= 2; threads += 2) {
        loader *l = loader_create(&ds, 3, 11, 0, 0, 1, threads, 2, &e);
        if (!l) continue;
        int ok = 1, seen = 0, b_twice = 0;
        float img[3 * 16], oh[3 * 3];
        int ids[3];
        for (long b = 0; b < loader_batches_per_epoch(l); b++) {
            if (loader_next(l, img, oh, NULL, NULL, &e) != 0) ok = 0;
            if (!ids_from(img, 3, 1, 0, 1, ids)) ok = 0;
            for (int k = 0; k < 3; k++, seen++) {
                int want = ids[k] / 5; /* the class of the image delivered */
                b_twice += ids[k] == 5;
                for (int j = 0; j < 3; j++)
                    if (oh[k * 3 + j] != (j == want ? 1.0f : 0.0f)) ok = 0;
            }
        }
        TEST_CHECK(ok && seen == 9, "%d threads: every label is its image's class", threads);
        TEST_CHECK(b_twice == 2, "%d threads: b/0 delivered twice (itself and for a/2): %d",
                   threads, b_twice);
        loader_free(l);
    }
    dataset_free(&ds);
}

int main(void)
{
    test_begin("test_loader");
    if (test_tmpdir_create("test_loader") != 0) return 1;
    test_memory();
    test_item_positions();
    test_files();
    test_classes();
    test_labels_with_bad_files();
    test_tmpdir_remove();
    return test_finish();
}
