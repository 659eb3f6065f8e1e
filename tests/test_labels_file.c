/* Labels files: CelebA's list_attr_celeba.txt and CSV (file,class; file,attr1,...) read into a
 * folder's items; the errors name the file and line; a conditional run on attributes stores
 * their names, and sample selects them by name. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "data/labels_file.h"
#include "data/loader.h"
#include "data/source.h"
#include "model/generator.h"
#include "testdata.h"
#include "testutil.h"
#include "tinyrun.h"

#define PF(buf, ...) TEST_CHECK(snprintf(buf, sizeof buf, __VA_ARGS__) < (int)sizeof buf, "path too long")

static char g_root[1024];

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0) {
        fprintf(stderr, "test: cannot write %s\n", path);
        exit(1);
    }
    fclose(f);
}

/* The folder data/faces: 8 PNGs img000.png .. img007.png. */
static dataset open_faces(const char *labels, const char *attributes, int *rc, dc_err *e)
{
    char data[1200];
    PF(data, "%s/data", g_root);
    dataset_source s;
    memset(&s, 0, sizeof s);
    s.data_dir = data;
    s.dataset = "faces";
    s.input_fname_pattern = "*.png";
    s.output_h = s.output_w = 8;
    s.skip_bad_images = 1;
    s.labels_file = labels;
    s.attributes = attributes;
    dataset ds;
    char src[1300];
    *rc = dataset_open_source(&s, &ds, src, sizeof src, e);
    return ds;
}

static void test_celeba(void)
{
    char p[1200];
    PF(p, "%s/list_attr.txt", g_root);
    char text[2048] = "9\nSmiling Eyeglasses Male\n";
    for (int i = 0; i < 9; i++) /* one entry more than the folder has: ignored */
        snprintf(text + strlen(text), sizeof text - strlen(text), "img%03d.png %s %s %s\n", i,
                 i % 2 ? "1" : "-1", i == 3 ? "1" : "-1", i < 4 ? " 1" : "-1");
    write_text(p, text);
    int rc;
    dc_err e = {{0}};
    dataset ds = open_faces(p, "Male,Smiling", &rc, &e);
    TEST_CHECK(rc == 0, "CelebA format: %s", e.msg);
    if (rc != 0) return;
    TEST_CHECK(ds.num_attributes == 2 && ds.num_classes == 0 && dataset_y_dim(&ds) == 2,
               "two attributes: %d", ds.num_attributes);
    TEST_CHECK(strcmp(ds.attribute_names[0], "Male") == 0 && strcmp(ds.attribute_names[1], "Smiling") == 0,
               "in --attributes' order");
    int ok = 1;
    for (int i = 0; i < 8; i++)
        ok &= ds.attributes[i * 2] == (i < 4) && ds.attributes[i * 2 + 1] == (i % 2);
    TEST_CHECK(ok, "values +1 -> 1, -1 -> 0 per file");
    /* through the loader: multi-hot rows */
    loader *l = loader_create(&ds, 8, 3, 0, 0, 1, 0, 1, &e);
    float img[8 * 3 * 64], y[16];
    TEST_CHECK(l && loader_next(l, img, y, NULL, NULL, &e) == 0, "%s", e.msg);
    int sum = 0;
    for (int k = 0; k < 16; k++) sum += (int)y[k];
    TEST_CHECK(sum == 4 + 4, "multi-hot: 4 Male + 4 Smiling over the epoch's batch: %d", sum);
    loader_free(l);
    dataset_free(&ds);
    ds = open_faces(p, NULL, &rc, &e);
    TEST_CHECK(rc == 0 && ds.num_attributes == 3, "all attributes by default: %s", e.msg);
    dataset_free(&ds);
    ds = open_faces(p, "Smiling,Bald", &rc, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, "'Bald' is not a column of") && strstr(e.msg, "Eyeglasses"),
               "unknown attribute named, with the columns: %s", e.msg);
    printf("  -> %s\n", e.msg);
}

static void test_csv(void)
{
    char p[1200];
    PF(p, "%s/classes.csv", g_root);
    write_text(p, "file,class\nimg000.png,cat\nimg001.png,dog\nimg002.png,cat\nimg003.png,ant\n"
                  "img004.png,dog\nimg005.png,cat\nimg006.png,ant\nimg007.png,dog\n");
    int rc;
    dc_err e = {{0}};
    dataset ds = open_faces(p, NULL, &rc, &e);
    TEST_CHECK(rc == 0 && ds.num_classes == 3 && ds.num_attributes == 0, "classes: %s", e.msg);
    if (rc == 0) {
        TEST_CHECK(strcmp(ds.class_names[0], "ant") == 0 && strcmp(ds.class_names[2], "dog") == 0,
                   "sorted class names");
        TEST_CHECK(ds.labels[0] == 1 && ds.labels[1] == 2 && ds.labels[3] == 0, "labels by name");
        dataset_free(&ds);
    }
    ds = open_faces(p, "cat", &rc, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, "holds classes"), "--attributes on classes: %s", e.msg);
    PF(p, "%s/attrs.csv", g_root);
    write_text(p, "image_id,Smiling,Young\r\nimg000.png,1,-1\r\nimg001.png,0,1\r\nimg002.png,1,1\r\n"
                  "img003.png,1,0\r\nimg004.png,0,0\r\nimg005.png,1,1\r\nimg006.png,0,1\r\nimg007.png,1,0\r\n");
    ds = open_faces(p, "Young", &rc, &e);
    TEST_CHECK(rc == 0 && ds.num_attributes == 1 && ds.attributes[1] == 1 && ds.attributes[0] == 0,
               "CSV attributes (CRLF): %s", e.msg);
    if (rc == 0) dataset_free(&ds);
}

static void expect_bad(const char *name, const char *text, const char *needle)
{
    char p[1200];
    PF(p, "%s/%s", g_root, name);
    write_text(p, text);
    int rc;
    dc_err e = {{0}};
    dataset ds = open_faces(p, NULL, &rc, &e);
    if (rc == 0) dataset_free(&ds);
    TEST_CHECK(rc == -1 && strstr(e.msg, needle), "%s: want '%s' in: %s", name, needle, e.msg);
    printf("  -> %s\n", e.msg);
}

static void test_bad(void)
{
    expect_bad("missing.csv", "file,class\nimg000.png,a\nimg001.png,b\n", "img002.png: no entry in the labels file");
    expect_bad("short.txt", "8\nA B\nimg000.png 1\n", "short.txt:3: 1 values, the header names 2");
    expect_bad("value.txt", "1\nA\nimg000.png yes\n", "value.txt:3: 'yes' is not 1, -1 or 0 (attribute A)");
    expect_bad("count.txt", "3\nA\nimg000.png 1\n", "the first line says 3 images, but 1 lines");
    expect_bad("twice.csv", "file,A\nimg000.png,1\nimg000.png,0\n", "'img000.png' is listed twice");
    expect_bad("empty.csv", "", "empty labels file");
    expect_bad("nocols.csv", "file\nimg000.png\n", "no column after the file name");
    char p[1200];
    PF(p, "%s/none.csv", g_root);
    int rc;
    dc_err e = {{0}};
    dataset ds = open_faces(p, NULL, &rc, &e);
    TEST_CHECK(rc == -1 && strstr(e.msg, "none.csv: cannot open the labels file"), "%s", e.msg);
    (void)ds;
}

/* A conditional run on two attributes; sample by attribute name. */
static void test_run(void)
{
    char labels[1200], data[1200], out[1200], run[1400], grid[1400], real[1400];
    PF(labels, "%s/list_attr.txt", g_root);
    PF(data, "%s/data", g_root);
    PF(out, "%s/out", g_root);
    int rc = tiny_cmd(cmd_train, "train", "--data-dir", data, "--dataset", "faces",
                      "--input-fname-pattern", "*.png", "--labels-file", labels, "--attributes",
                      "Smiling,Male", "--output-height", "8", "--batch-size", "4", "--z-dim", "4",
                      "--gf-dim", "2", "--df-dim", "2", "--gfc-dim", "8", "--dfc-dim", "8",
                      "--max-steps", "2", "--sample-freq", "0", "--threads", "1", "--quiet",
                      "--no-tensorboard", "--out-dir", out, NULL);
    TEST_CHECK(rc == 0, "train with --labels-file: exit %d", rc);
    PF(run, "%s/faces_cond_b4_8x8x3_z4_gf2_df2_gfc8_dfc8_a-Smiling-Male", out);
    PF(real, "%s/samples/real.png", run);
    struct stat st;
    TEST_CHECK(stat(real, &st) == 0, "%s written", real);
    int W, H, C;
    /* 8x8 images enlarged 4 times (to 32 pixels: at most 4), 2 pixels apart */
    TEST_CHECK(tiny_png_size(real, &W, &H, &C) == 0 && W == 8 * 32 + 7 * 2 && H == 2 * 32 + 2,
               "real.png: a row of 8 per attribute: %dx%d", W, H);
    dc_err e = {{0}};
    generator g;
    TEST_CHECK(generator_open(&g, run, NULL, NULL, &e) == 0, "%s", e.msg);
    if (e.msg[0] == 0) {
        TEST_CHECK(generator_has_attributes(&g) && g.model.cfg.y_dim == 2, "attributes stored");
        int lab[4], all;
        int n = generator_parse_labels(&g, "--labels", "Male=1,Smiling=0;Smiling", lab, 4, &all, &e);
        TEST_CHECK(n == 2 && lab[0] == 2 && lab[1] == 3 && g.conds[0] == 0 && g.conds[1] == 1 &&
                       g.conds[2] == 1 && g.conds[3] == 0,
                   "conditions by name: %d (%s)", n, e.msg);
        n = generator_parse_labels(&g, "--labels", "Bald=1", lab, 4, &all, &e);
        TEST_CHECK(n == -1 && strstr(e.msg, "'Bald' is not an attribute"), "%s", e.msg);
        generator_close(&g);
    }
    PF(grid, "%s/grid.png", out);
    rc = tiny_cmd(cmd_sample, "sample", "--run", run, "--labels", "Smiling=1,Male=0", "-n", "6",
                  "--grid", grid, NULL);
    TEST_CHECK(rc == 0 && stat(grid, &st) == 0, "sample --labels Smiling=1,Male=0: exit %d", rc);
    rc = tiny_cmd(cmd_sample, "sample", "--run", run, "--labels", "Smiling=2", "--grid", grid, NULL);
    TEST_CHECK(rc == 2, "a bad value is a usage error: exit %d", rc);
    /* resuming with other attributes under the same name is refused */
    rc = tiny_cmd(cmd_train, "train", "--data-dir", data, "--dataset", "faces",
                  "--input-fname-pattern", "*.png", "--labels-file", labels, "--attributes",
                  "Male,Smiling", "--output-height", "8", "--batch-size", "4", "--z-dim", "4",
                  "--gf-dim", "2", "--df-dim", "2", "--gfc-dim", "8", "--dfc-dim", "8",
                  "--max-steps", "3", "--threads", "1", "--quiet", "--no-tensorboard",
                  "--out-dir", out, "--out-name",
                  "faces_cond_b4_8x8x3_z4_gf2_df2_gfc8_dfc8_a-Smiling-Male", NULL);
    TEST_CHECK(rc != 0, "other --attributes on the same run folder: refused (exit %d)", rc);
}

int main(void)
{
    test_begin("test_labels_file");
    if (test_tmpdir_create("test_labels_file") != 0) return 1;
    PF(g_root, "%s", test_tmpdir());
    char faces[1200];
    PF(faces, "%s/data/faces", g_root);
    char cmd[1300];
    PF(cmd, "mkdir -p '%s'", faces);
    TEST_CHECK(system(cmd) == 0, "mkdir");
    TEST_CHECK(testdata_write_pngs(faces, 8, 8, 5) == 0, "pngs");
    test_celeba();
    test_csv();
    test_bad();
    test_run();
    test_tmpdir_remove();
    return test_finish();
}
