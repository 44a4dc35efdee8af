/* cli: the command line of sbx-supervise, parsed into struct sbx_opts. */
#ifndef SBX_CLI_H
#define SBX_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "../base/error.h"
#include "opts.h"

/* Every option, ending with a row whose name is NULL. */
extern const struct sbx_cli_option sbx_cli_options[];

/* sbx_cli_find() - the option called @name, or NULL. */
const struct sbx_cli_option *sbx_cli_find(const char *name);

/*
 * sbx_cli_parse() - parse @argv into @o (zeroed by the caller).
 * Return SBX_CLI_RUN, SBX_CLI_EXIT, or -errno with @err set (exit 125).
 */
int sbx_cli_parse(int argc, char **argv, struct sbx_opts *o, struct sbx_error *err);

/* sbx_cli_usage() - print the --help text to stdout. */
void sbx_cli_usage(void);

#endif
