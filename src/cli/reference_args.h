/* The reference's command line (python main.py --dataset mnist --input_height=28 --train) as
 * dcgan's commands: its flags, TensorFlow's boolean spellings (--crop=True, --nocrop) and its
 * modes (--train, else load the newest checkpoint and --visualize, --export, --freeze). */
#ifndef DCGAN_CLI_REFERENCE_ARGS_H
#define DCGAN_CLI_REFERENCE_ARGS_H

#include <getopt.h>

/* 1 when dcgan's first word begins the reference's command line rather than naming a command:
 * a flag of the reference's (--dataset, -train, --input_height=28, --nocrop, ...), main.py, or
 * python (python main.py ...). */
int reference_is_invocation(const char *word);

/* The commands the reference's command line runs, given by main.c: train also uses this
 * module (reference_args_rewrite), so it names no command itself. */
typedef struct {
    int (*train)(int argc, char **argv);
    const struct option *(*train_options)(void);
    int (*visualize)(int argc, char **argv);
    int (*export_model)(int argc, char **argv);
} reference_commands;

/* Runs the reference's command line argv[1..argc) as dcgan's commands, each first printed as
 * it would be typed ("dcgan: the reference's command line; running: dcgan train ..."). Returns
 * the exit code (2 with one line for a flag that has no equivalent here, saying what to run). */
int reference_main(int argc, char **argv, const reference_commands *cmds);

/* What to run here for a flag of the reference (name without dashes, e.g. "visualize") that
 * command cmd does not take, as one line; NULL if name is not such a flag. */
const char *reference_flag_hint(const char *cmd, const char *name);

/* An argument vector this module made, and owns: every string in it is its own. */
typedef struct {
    int argc;
    char **argv; /* argc + 1 entries, NULL-terminated */
} cli_argv;

void cli_argv_free(cli_argv *a);

/* The reference's spellings in argv[0..argc) (argv[0] the command's name) rewritten into out
 * for a command whose long options are table: --X=True/False (also t/f, 1/0, yes/no, any case)
 * and --noX for a flag X that takes no value (--X, --no-X where the table has it, else left
 * out), --train_size=np.inf, and the reference's --checkpoint_dir, --sample_dir and --G_img_sum,
 * left out with a line saying where their outputs go. Returns 0, or EXIT_USAGE with a line
 * printed (a boolean with another value). */
int reference_args_rewrite(const char *cmd, int argc, char **argv, const struct option *table,
                           cli_argv *out);

#endif
