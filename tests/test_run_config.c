/* The run-settings reader (config.json, a checkpoint's "run" metadata) and the resume check:
 * fields read with their types and ranges, bad values named, settings that define the data or
 * the latent vectors must match on resume, the learning rate and beta1 may change. */
#include <stdlib.h>
#include <string.h>

#include "model/run_config.h"
#include "train/resume_check.h"
#include "core/log.h"
#include "testutil.h"

static const char *GOOD =
    "{\"dataset\":\"faces\",\"input_fname_pattern\":\"*.png\",\"crop\":true,"
    "\"input_height\":108,\"input_width\":96,\"train_size\":0,\"seed\":7,"
    "\"z_dist\":\"normal01\",\"learning_rate\":0.00019999999494757503,\"beta1\":0.5,"
    "\"batch_size\":64,\"unknown_key\":[1,2,{}]}";

static void test_parse(void)
{
    run_config c;
    dc_err e;
    TEST_CHECK(run_config_parse(GOOD, strlen(GOOD), "cfg", &c, &e) == 0, "%s", e.msg);
    TEST_CHECK(strcmp(c.dataset, "faces") == 0 && strcmp(c.input_fname_pattern, "*.png") == 0 &&
                   c.crop == 1 && c.input_h == 108 && c.input_w == 96 && c.train_size == 0 &&
                   c.seed == 7 && c.zdist == Z_DIST_NORMAL01 && (float)c.learning_rate == 0.0002f &&
                   c.beta1 == 0.5 && c.batch_size == 64,
               "fields");
    TEST_CHECK(c.have == (RUN_CONFIG_DATASET | RUN_CONFIG_PATTERN | RUN_CONFIG_CROP |
                          RUN_CONFIG_INPUT_SIZE | RUN_CONFIG_TRAIN_SIZE | RUN_CONFIG_SEED |
                          RUN_CONFIG_Z_DIST | RUN_CONFIG_LEARNING_RATE | RUN_CONFIG_BETA1 |
                          RUN_CONFIG_BATCH_SIZE),
               "have %#x", c.have);
    /* length-bounded: the same text followed by garbage that is not passed */
    char buf[1024];
    snprintf(buf, sizeof buf, "%s}}}garbage", GOOD);
    TEST_CHECK(run_config_parse(buf, strlen(GOOD), "cfg", &c, &e) == 0, "bounded: %s", e.msg);
    TEST_CHECK(run_config_parse("{}", 2, "cfg", &c, &e) == 0 && c.have == 0, "empty object");

    struct {
        const char *json, *want;
    } bad[] = {
        {"", "not valid JSON"},
        {"{\"seed\":", "not valid JSON"},
        {"[1,2]", "not a JSON object"},
        {"\"x\"", "not a JSON object"},
        {"{\"seed\":-1}", "'seed'"},
        {"{\"seed\":1.5}", "'seed'"},
        {"{\"seed\":\"7\"}", "'seed'"},
        {"{\"seed\":1e300}", "'seed'"},
        {"{\"dataset\":3}", "'dataset'"},
        {"{\"crop\":1}", "'crop'"},
        {"{\"z_dist\":\"gauss\"}", "'z_dist'"},
        {"{\"learning_rate\":-0.1}", "'learning_rate'"},
        {"{\"beta1\":2}", "'beta1'"},
        {"{\"batch_size\":0}", "'batch_size'"},
        {"{\"input_height\":0,\"input_width\":5}", "'input_height'"},
        {"{\"train_size\":null}", "'train_size'"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        e.msg[0] = 0;
        int rc = run_config_parse(bad[i].json, strlen(bad[i].json), "cfg", &c, &e);
        TEST_CHECK(rc != 0 && strncmp(e.msg, "cfg: ", 5) == 0 && strstr(e.msg, bad[i].want),
                   "'%s' -> %s", bad[i].json, rc ? e.msg : "accepted");
    }
    /* a long string does not overflow the field */
    char longj[1200];
    snprintf(longj, sizeof longj, "{\"dataset\":\"%0600d\"}", 0);
    TEST_CHECK(run_config_parse(longj, strlen(longj), "cfg", &c, &e) != 0, "600-char dataset");
}

static void test_resume_check(void)
{
    run_config c;
    dc_err e;
    TEST_CHECK(run_config_parse(GOOD, strlen(GOOD), "ckpt", &c, &e) == 0, "%s", e.msg);
    train_options o;
    train_options_default(&o);
    snprintf(o.dataset, sizeof o.dataset, "faces");
    snprintf(o.input_fname_pattern, sizeof o.input_fname_pattern, "*.png");
    o.crop = 1;
    o.input_h = 108;
    o.input_w = 96;
    o.seed = 7;
    o.zdist = Z_DIST_NORMAL01;
    TEST_CHECK(run_config_check_resume(&c, &o, "ckpt", &e) == 0, "same settings: %s", e.msg);
    o.learning_rate = 1e-5f;
    o.beta1 = 0.9f;
    TEST_CHECK(run_config_check_resume(&c, &o, "ckpt", &e) == 0, "lr and beta1 may change");

    train_options p = o;
    p.seed = 8;
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 &&
                   strstr(e.msg, "trained with --seed 7, this command has --seed 8"), "%s", e.msg);
    printf("  %s\n", e.msg);
    p = o;
    p.zdist = Z_DIST_UNIFORM_SIGNED;
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 && strstr(e.msg, "--z-dist normal01"), "%s", e.msg);
    p = o;
    snprintf(p.dataset, sizeof p.dataset, "cars");
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 && strstr(e.msg, "--dataset faces"), "%s", e.msg);
    p = o;
    snprintf(p.input_fname_pattern, sizeof p.input_fname_pattern, "*.jpg");
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 && strstr(e.msg, "--input-fname-pattern"), "%s", e.msg);
    p = o;
    p.crop = 0;
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 && strstr(e.msg, "--crop on"), "%s", e.msg);
    p = o;
    p.input_h = 100;
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 && strstr(e.msg, "108x96"), "%s", e.msg);
    p = o;
    p.train_size = 1000;
    TEST_CHECK(run_config_check_resume(&c, &p, "ckpt", &e) != 0 && strstr(e.msg, "--train-size inf"), "%s", e.msg);
    /* without crop the crop size does not matter */
    run_config nocrop = c;
    nocrop.crop = 0;
    p = o;
    p.crop = 0;
    p.input_h = 50;
    TEST_CHECK(run_config_check_resume(&nocrop, &p, "ckpt", &e) == 0, "crop size without crop: %s", e.msg);
    /* settings an older run did not record are not checked */
    run_config old = c;
    old.have = 0;
    p = o;
    p.seed = 99;
    TEST_CHECK(run_config_check_resume(&old, &p, "ckpt", &e) == 0, "nothing recorded");
}

/* What config.json holds for each kind of data, and the compute settings round trip. */
static void test_written(void)
{
    run_config r;
    memset(&r, 0, sizeof r);
    snprintf(r.dataset, sizeof r.dataset, "fashion-mnist");
    snprintf(r.data_format, sizeof r.data_format, "idx");
    snprintf(r.input_fname_pattern, sizeof r.input_fname_pattern, "*.jpg");
    r.input_h = r.input_w = 108;
    r.learning_rate = 0.0002f;
    r.batch_size = 64;
    r.threads = 3;
    snprintf(r.conv_backend, sizeof r.conv_backend, "im2col");
    snprintf(r.device, sizeof r.device, "cpu");
    char *json = run_config_to_json(&r);
    TEST_CHECK(json && strstr(json, "\"data_format\":\t\"idx\"") && !strstr(json, "input_fname_pattern") &&
                   !strstr(json, "input_height") && !strstr(json, "\"crop\"") &&
                   !strstr(json, "background") && !strstr(json, "on_bad_image") &&
                   !strstr(json, "labels_file") && strstr(json, "\"learning_rate\":\t0.0002,"),
               "IDX data: no image-folder settings, 0.0002 as written: %s", json);
    run_config c;
    dc_err e;
    TEST_CHECK(run_config_parse(json, strlen(json), "cfg", &c, &e) == 0 && (c.have & RUN_CONFIG_COMPUTE) &&
                   c.threads == 3 && strcmp(c.conv_backend, "im2col") == 0 && strcmp(c.device, "cpu") == 0 &&
                   !(c.have & (RUN_CONFIG_PATTERN | RUN_CONFIG_CROP | RUN_CONFIG_INPUT_SIZE)),
               "round trip: %s", e.msg);
    free(json);
    /* an image folder without --crop: the pattern and crop, no crop size */
    snprintf(r.data_format, sizeof r.data_format, "images");
    json = run_config_to_json(&r);
    TEST_CHECK(json && strstr(json, "input_fname_pattern") && strstr(json, "\"crop\":\tfalse") &&
                   !strstr(json, "input_height") && strstr(json, "labels_file"), "folder: %s", json);
    free(json);
    /* an LMDB database: crop and background, no pattern or labels file */
    snprintf(r.data_format, sizeof r.data_format, "lmdb");
    r.crop = 1;
    json = run_config_to_json(&r);
    TEST_CHECK(json && !strstr(json, "input_fname_pattern") && strstr(json, "\"input_height\":\t108") &&
                   strstr(json, "background") && !strstr(json, "labels_file"), "lmdb: %s", json);
    free(json);
    const char *bad = "{\"threads\":0,\"conv_backend\":\"auto\",\"device\":\"cpu\"}";
    TEST_CHECK(run_config_parse(bad, strlen(bad), "cfg", &c, &e) != 0 && strstr(e.msg, "'threads'"),
               "threads 0: %s", e.msg);
    /* another thread count resumes (a warning), an older run without them too */
    train_options o;
    train_options_default(&o);
    c.have = RUN_CONFIG_COMPUTE;
    c.threads = 977;
    snprintf(c.conv_backend, sizeof c.conv_backend, "auto");
    snprintf(c.device, sizeof c.device, "cpu");
    TEST_CHECK(run_config_check_resume(&c, &o, "ckpt", &e) == 0, "other threads resume: %s", e.msg);
}

int main(void)
{
    test_begin("test_run_config");
    log_set_level(LOG_LEVEL_ERROR);
    test_parse();
    test_resume_check();
    test_written();
    return test_finish();
}
