/* One line for an option getopt_long refused, saying what was meant where that can be told. */
#ifndef DCGAN_CLI_OPTION_ERROR_H
#define DCGAN_CLI_OPTION_ERROR_H

#include <getopt.h>

/* flag: the word as typed, "--name[=value]". The line names it and adds what can be told: a
 * flag that takes no value, an abbreviation that fits several flags, the reference's flag of
 * that name (reference_args.h), or the nearest of table's long options ("unknown option
 * '--epochs'; did you mean '--epoch'?"). Returns EXIT_USAGE. */
int option_error_report(const char *cmd, const char *flag, const struct option *table);

#endif
