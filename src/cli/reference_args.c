/* The reference's command line (carpedm20/DCGAN-tensorflow's main.py flags, TensorFlow's
 * boolean spellings) onto dcgan's commands. */
#include "cli/reference_args.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/cli.h"
#include "core/error.h"
#include "core/log.h"
#include "model/run_config.h"

#define REF_PATH_MAX 4096
#define REF_CONFIG_MAX (1 << 20) /* a config.json's size, class names and all */

/* main.py's flags: those with a value, and the booleans */
static const char *const ref_value_flags[] = {
    "epoch", "learning_rate", "beta1", "train_size", "batch_size", "input_height",
    "input_width", "output_height", "output_width", "dataset", "input_fname_pattern", "data_dir",
    "out_dir", "out_name", "checkpoint_dir", "sample_dir", "max_to_keep", "sample_freq",
    "ckpt_freq", "z_dim", "z_dist",
};
static const char *const ref_bool_flags[] = {"train", "crop", "visualize", "export", "freeze",
                                             "G_img_sum"};
#define COUNT(a) (int)(sizeof a / sizeof *a)

/* name equals flag, '_' and '-' alike, any case */
static int same(const char *name, const char *flag)
{
    return cli_edit_distance(name, flag) == 0;
}

static int in_list(const char *name, const char *const *list, int n)
{
    for (int i = 0; i < n; i++)
        if (same(name, list[i])) return 1;
    return 0;
}

/* The flag's name from a word ("--input_height=28" -> "input_height", "-train" -> "train")
 * into buf, and its value after '=' (NULL if none); NULL if the word is no flag. */
static const char *flag_name(const char *word, char *buf, size_t n, const char **value)
{
    *value = NULL;
    if (word[0] != '-' || !word[1] || strcmp(word, "--") == 0) return NULL;
    const char *s = word + (word[1] == '-' ? 2 : 1);
    snprintf(buf, n, "%s", s);
    char *eq = strchr(buf, '=');
    if (eq) {
        *eq = 0;
        *value = s + (eq - buf) + 1;
    }
    return buf;
}

/* 1 true, 0 false, -1 neither (absl's spellings) */
static int bool_value(const char *v)
{
    static const char *const t[] = {"true", "t", "1", "yes", "y"}, *const f[] = {"false", "f", "0", "no", "n"};
    for (int i = 0; i < COUNT(t); i++)
        if (strcasecmp(v, t[i]) == 0) return 1;
    for (int i = 0; i < COUNT(f); i++)
        if (strcasecmp(v, f[i]) == 0) return 0;
    return -1;
}

/* A reference boolean by name, "noNAME" too: its index in ref_bool_flags and *negated. */
static int ref_bool(const char *name, int *negated)
{
    *negated = 0;
    for (int i = 0; i < COUNT(ref_bool_flags); i++) {
        if (same(name, ref_bool_flags[i])) return i;
        if (strncmp(name, "no", 2) == 0 && same(name + 2 + (name[2] == '-' || name[2] == '_'), ref_bool_flags[i])) {
            *negated = 1;
            return i;
        }
    }
    return -1;
}

static int is_main_py(const char *word)
{
    size_t len = strlen(word);
    return len >= 7 && strcmp(word + len - 7, "main.py") == 0;
}

int reference_is_invocation(const char *word)
{
    if (is_main_py(word) || strcmp(word, "python") == 0 || strcmp(word, "python3") == 0) return 1;
    char buf[256];
    const char *v, *name = flag_name(word, buf, sizeof buf, &v);
    int neg;
    return name && (in_list(name, ref_value_flags, COUNT(ref_value_flags)) || ref_bool(name, &neg) >= 0);
}

const char *reference_flag_hint(const char *cmd, const char *name)
{
    int neg;
    int b = ref_bool(name, &neg);
    if (b == 2) /* visualize */
        return "--visualize is the reference's test mode: 'dcgan visualize --run OUT_DIR/RUN "
               "--option 1' (or 'dcgan --dataset NAME --visualize', the reference's way)";
    if (b == 3 || b == 4)
        return "--export/--freeze: 'dcgan export --run OUT_DIR/RUN --out G.safetensors' (or "
               "--onnx G.onnx, a standalone graph) writes the generator alone, for serving";
    if (b == 0 && strcmp(cmd, "train") != 0)
        return "--train: training is 'dcgan train' (or 'dcgan --dataset NAME --train', the "
               "reference's way)";
    return NULL;
}

void cli_argv_free(cli_argv *a)
{
    for (int i = 0; a->argv && i < a->argc; i++) free(a->argv[i]);
    free(a->argv);
    a->argv = NULL;
    a->argc = 0;
}

static void push(cli_argv *a, const char *s)
{
    char **nv = realloc(a->argv, sizeof *nv * (size_t)(a->argc + 2));
    size_t len = strlen(s) + 1;
    char *copy = malloc(len);
    DC_ASSERT(nv && copy, "out of memory");
    memcpy(copy, s, len);
    a->argv = nv;
    a->argv[a->argc++] = copy;
    a->argv[a->argc] = NULL;
}

static void push_flag(cli_argv *a, const char *name)
{
    char buf[300];
    snprintf(buf, sizeof buf, "--%s", name);
    push(a, buf);
}

/* The table's option named name ('_' and '-' alike, the kebab spelling preferred), or NULL. */
static const struct option *find_option(const struct option *table, const char *name)
{
    const struct option *hit = NULL;
    for (const struct option *o = table; o->name; o++)
        if (same(o->name, name) && (!hit || strchr(hit->name, '_'))) hit = o;
    return hit;
}

/* --checkpoint_dir, --sample_dir, --G_img_sum: said and left out. Returns the words used. */
static int dropped_flag(const char *name, const char *value, int i, int argc)
{
    int neg;
    if (ref_bool(name, &neg) == 5) {
        log_info("--G_img_sum: left out: TensorBoard gets the sample grid every --sample-freq "
                 "anyway (--no-tensorboard: none)");
        return 1;
    }
    if (!same(name, "checkpoint_dir") && !same(name, "sample_dir")) return 0;
    log_info("--%s: left out: a run keeps its %s in OUT_DIR/OUT_NAME/%s/ (choose the run folder "
             "with --out-dir and --out-name)", name, same(name, "sample_dir") ? "sample grids" : "checkpoints",
             same(name, "sample_dir") ? "samples" : "checkpoints");
    return value || i + 1 >= argc ? 1 : 2;
}

/* One flag word (and its value word) of argv at i into out. Returns the words used, or -1
 * after a usage error. */
static int rewrite_flag(const char *cmd, int argc, char **argv, int i, const struct option *table,
                        cli_argv *out)
{
    char buf[256];
    const char *value, *name = flag_name(argv[i], buf, sizeof buf, &value);
    int used = dropped_flag(name, value, i, argc);
    if (used) return used;
    const struct option *o = find_option(table, name);
    int negated = 0;
    if (!o && strncmp(name, "no", 2) == 0) { /* --nocrop, --no_crop */
        o = find_option(table, name + 2 + (name[2] == '-' || name[2] == '_'));
        negated = o && o->has_arg == no_argument && !value;
        if (!negated) o = NULL;
    }
    if (!o || (argv[i][1] != '-' && strlen(name) < 2)) { /* not ours: getopt says what it is */
        push(out, argv[i]);
        return 1;
    }
    if (o->has_arg == no_argument) {
        int b = negated ? 0 : value ? bool_value(value) : 1;
        if (b < 0) {
            cli_usage_error(cmd, "--%s: bad value '%s' (expected True or False)", o->name, value);
            return -1;
        }
        char no[300];
        snprintf(no, sizeof no, "no-%s", o->name);
        const struct option *neg = b ? o : find_option(table, no);
        if (neg) push_flag(out, neg->name); /* "not X" where X has no opposite is the default */
        return 1;
    }
    push_flag(out, o->name);
    if (!value) return 1; /* its value follows, a word of its own, as typed */
    push(out, same(o->name, "train-size") && strcmp(value, "np.inf") == 0 ? "inf" : value);
    return 1;
}

int reference_args_rewrite(const char *cmd, int argc, char **argv, const struct option *table,
                           cli_argv *out)
{
    memset(out, 0, sizeof *out);
    for (int i = 0; i < argc;) {
        char buf[256];
        const char *value;
        if (i > 0 && strcmp(argv[i], "--") == 0) { /* the end of the flags: the rest as it is */
            while (i < argc) push(out, argv[i++]);
            break;
        }
        if (i == 0 || !flag_name(argv[i], buf, sizeof buf, &value)) {
            push(out, argv[i++]);
            continue;
        }
        int used = rewrite_flag(cmd, argc, argv, i, table, out);
        if (used < 0) {
            cli_argv_free(out);
            return EXIT_USAGE;
        }
        /* a value word that follows its flag is copied as it is */
        const struct option *o = used == 1 && !value ? find_option(table, buf) : NULL;
        if (o && o->has_arg == required_argument && i + 1 < argc) {
            push(out, argv[i + 1]);
            used++;
        }
        i += used;
    }
    return 0;
}

/* ------------------------------------------------------------------ the reference's modes */

typedef struct {
    int train, visualize, export_, freeze; /* -1: not given */
    const char *dataset, *out_dir, *out_name, *batch_size, *output_h, *output_w;
    cli_argv rest;                 /* the other words, for dcgan train */
    const reference_commands *cmds; /* set by reference_main */
} ref_call;

/* A value flag's value: after '=' or the next word. */
static const char *value_of(int argc, char **argv, int *i, const char *value)
{
    if (value) return value;
    return *i + 1 < argc ? argv[++*i] : NULL;
}

/* Splits the words into the modes, the settings the run is found by, and the rest. */
static int ref_parse(int argc, char **argv, ref_call *r)
{
    memset(r, 0, sizeof *r);
    r->train = r->visualize = r->export_ = r->freeze = -1;
    r->dataset = "celebA";
    r->out_dir = "./out";
    push(&r->rest, "train");
    for (int i = 1; i < argc; i++) {
        char buf[256];
        const char *value, *name = flag_name(argv[i], buf, sizeof buf, &value);
        int neg, b = name ? ref_bool(name, &neg) : -1;
        if (b == 0 || b == 2 || b == 3 || b == 4) {
            int v = neg ? 0 : value ? bool_value(value) : 1;
            if (v < 0 || (neg && value))
                return cli_usage_error("train", "%s: bad value (expected True or False)", argv[i]);
            if (b == 0) r->train = v;
            else if (b == 2) r->visualize = v;
            else if (b == 3) r->export_ = v;
            else r->freeze = v;
            continue;
        }
        const char **keep = !name ? NULL
                            : same(name, "dataset") ? &r->dataset
                            : same(name, "out_dir") ? &r->out_dir
                            : same(name, "out_name") ? &r->out_name
                            : same(name, "batch_size") ? &r->batch_size
                            : same(name, "output_height") ? &r->output_h
                            : same(name, "output_width") ? &r->output_w : NULL;
        push(&r->rest, argv[i]);
        if (keep) {
            int at = i;
            *keep = value_of(argc, argv, &i, value);
            if (!*keep) return cli_usage_error("train", "%s needs a value", argv[at]);
            if (i > at) push(&r->rest, argv[i]);
        }
    }
    return 0;
}

/* "running: dcgan <words>", then the command itself. */
static int run_command(const cli_argv *a, int (*cmd)(int, char **))
{
    char line[4096] = "";
    size_t len = 0;
    for (int i = 0; i < a->argc && len + 2 < sizeof line; i++) {
        line[len++] = ' ';
        line[len] = 0;
        len = cli_append_quoted(line, sizeof line, len, a->argv[i]);
    }
    log_info("the reference's command line; running: dcgan%s", line);
    return cmd(a->argc, a->argv);
}

/* One run folder of OUT_DIR whose config.json names the dataset (and the output size, when
 * given) into run. 0, or 1 (runtime error) with the message printed. */
static int find_run(const ref_call *r, char *run, size_t n)
{
    if (r->out_name) return dc_path(NULL, run, n, "%s/%s", r->out_dir, r->out_name) ? 1 : 0;
    DIR *d = opendir(r->out_dir);
    int found = 0;
    char names[512] = "";
    int oh = r->output_h ? atoi(r->output_h) : 0, ow = r->output_w ? atoi(r->output_w) : oh;
    for (struct dirent *de; d && (de = readdir(d));) {
        char cfg[REF_PATH_MAX];
        if (de->d_name[0] == '.' || dc_path(NULL, cfg, sizeof cfg, "%s/%s/config.json", r->out_dir, de->d_name))
            continue;
        FILE *f = fopen(cfg, "rb");
        char *text = f ? malloc(REF_CONFIG_MAX) : NULL;
        size_t len = text ? fread(text, 1, REF_CONFIG_MAX, f) : 0;
        if (f) fclose(f);
        run_config c;
        dc_err e;
        int match = len && run_config_parse(text, len, cfg, &c, &e) == 0 &&
                    strcmp(c.dataset, r->dataset) == 0 && (!oh || c.output_h == oh) &&
                    (!ow || c.output_w == ow);
        free(text);
        if (!match) continue;
        if (found++ == 0) dc_path(NULL, run, n, "%s/%s", r->out_dir, de->d_name);
        if (found <= 3) snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s", found > 1 ? ", " : "", de->d_name);
    }
    if (d) closedir(d);
    if (found == 1) return 0;
    if (found == 0)
        log_error("%s: no trained run of --dataset %s%s (train one: dcgan --dataset %s ... --train)",
                  r->out_dir, r->dataset, oh ? " at that --output_height" : "", r->dataset);
    else
        log_error("%s: %d runs of --dataset %s (%s%s): choose one with --out_name NAME", r->out_dir,
                  found, r->dataset, names, found > 3 ? ", ..." : "");
    return 1;
}

/* Test mode reads no training flags, but a flag that is neither the reference's nor train's
 * is a typo to point out (--visualise): EXIT_USAGE with the line, else 0. */
static int ref_check_words(const ref_call *r)
{
    const struct option *table = r->cmds->train_options();
    const char *names[COUNT(ref_value_flags) + COUNT(ref_bool_flags) + 256];
    int n = 0;
    for (int i = 0; i < COUNT(ref_value_flags); i++) names[n++] = ref_value_flags[i];
    for (int i = 0; i < COUNT(ref_bool_flags); i++) names[n++] = ref_bool_flags[i];
    for (const struct option *o = table; o->name && n < COUNT(names); o++) names[n++] = o->name;
    for (int i = 1; i < r->rest.argc; i++) {
        char buf[256];
        const char *value, *name = flag_name(r->rest.argv[i], buf, sizeof buf, &value);
        int neg;
        if (!name || ref_bool(name, &neg) >= 0 || in_list(name, names, n) ||
            (strncmp(name, "no", 2) == 0 && in_list(name + 2 + (name[2] == '-' || name[2] == '_'), names, n)))
            continue;
        const char *near = cli_nearest_word(name, names, n);
        log_error("unknown option '%s'%s%s%s (see 'dcgan train --help')", r->rest.argv[i],
                  near ? "; did you mean '--" : "", near ? near : "", near ? "'?" : "");
        return EXIT_USAGE;
    }
    return 0;
}

/* dcgan export of the run: --out RUN/generator.safetensors (the reference's --export, a
 * checkpoint for serving) or --onnx RUN/generator.onnx (its --freeze, a standalone graph). */
static int ref_export(const ref_call *r, const char *run, const char *flag, const char *file)
{
    char out[REF_PATH_MAX + 32];
    snprintf(out, sizeof out, "%s/%s", run, file);
    cli_argv a = {0};
    const char *w[] = {"export", "--run", run, flag, out};
    for (int i = 0; i < 5; i++) push(&a, w[i]);
    int rc = run_command(&a, r->cmds->export_model);
    cli_argv_free(&a);
    return rc;
}

/* The reference's test mode on the run: --visualize (its option 1, the default when neither
 * --export nor --freeze is given), then --export and --freeze. */
static int ref_test_mode(const ref_call *r)
{
    char run[REF_PATH_MAX];
    if (find_run(r, run, sizeof run) != 0) return 1;
    int rc = 0;
    if (r->visualize == 1 || (r->visualize < 0 && r->export_ != 1 && r->freeze != 1)) {
        cli_argv a = {0};
        const char *w[] = {"visualize", "--run", run, "--option", "1", "--batch-size", r->batch_size};
        for (int i = 0; i < (r->batch_size ? 7 : 5); i++) push(&a, w[i]);
        rc = run_command(&a, r->cmds->visualize);
        cli_argv_free(&a);
    }
    if (rc == 0 && r->export_ == 1) rc = ref_export(r, run, "--out", "generator.safetensors");
    if (rc == 0 && r->freeze == 1) rc = ref_export(r, run, "--onnx", "generator.onnx");
    return rc;
}

int reference_main(int argc, char **argv, const reference_commands *cmds)
{
    /* [python] main.py --dataset ...: the words before the flags */
    if (argc > 2 && (strcmp(argv[1], "python") == 0 || strcmp(argv[1], "python3") == 0) && is_main_py(argv[2])) {
        argc--;
        argv++;
    }
    if (is_main_py(argv[1])) {
        argc--;
        argv++;
    } else if (strcmp(argv[1], "python") == 0 || strcmp(argv[1], "python3") == 0) {
        log_error("'%s': run 'dcgan --dataset NAME ...' (main.py's flags after dcgan)", argv[1]);
        return EXIT_USAGE;
    }
    ref_call r;
    int rc = ref_parse(argc, argv, &r);
    r.cmds = cmds;
    if (rc == 0 && r.train == 1) {
        cli_argv t;
        rc = reference_args_rewrite("train", r.rest.argc, r.rest.argv, cmds->train_options(), &t);
        if (rc == 0) {
            rc = run_command(&t, cmds->train);
            cli_argv_free(&t);
        }
        if (rc == 0 && (r.visualize == 1 || r.export_ == 1 || r.freeze == 1)) rc = ref_test_mode(&r);
    } else if (rc == 0) {
        rc = ref_check_words(&r);
        if (rc == 0) rc = ref_test_mode(&r);
    }
    cli_argv_free(&r.rest);
    return rc;
}
