/* cli: the command line of sbx-supervise, parsed into struct sbx_opts. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include <stdbool.h>

#include "error.h"
#include "policy.h"

struct sbx_opts {
	struct sbx_policy pol;
	bool quiet;
	char **argv; /* the command, NULL-terminated, pointing into the caller's argv */
};

enum sbx_cli_result {
	SBX_CLI_RUN = 0,  /* run opts->argv */
	SBX_CLI_EXIT = 1, /* --help or --version was printed: exit 0 */
};

/*
 * sbx_cli_parse() - parse @argv into @o (zeroed by the caller).
 * Return SBX_CLI_RUN, SBX_CLI_EXIT, or -errno with @err set (exit 125).
 */
int sbx_cli_parse(int argc, char **argv, struct sbx_opts *o, struct sbx_error *err);

/* sbx_cli_usage() - print the --help text to stdout. */
void sbx_cli_usage(void);

#endif
