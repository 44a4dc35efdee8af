/*
 * opts: what the command line and policy files make (struct sbx_opts), and the shape of one
 * option (struct sbx_cli_option). Types only, below both the command line (cli.c), which owns
 * the table of options, and the policy-file parser (policy_file.c), which is handed it.
 */
#ifndef SBX_OPTS_H
#define SBX_OPTS_H

#include <stdbool.h>
#include <stdio.h>

#include "../record/audit.h"
#include "../base/error.h"
#include "../policy/policy.h"

struct sbx_opts {
	struct sbx_policy pol;
	bool quiet;
	bool leave_running; /* --leave-running: what the command leaves behind keeps running */
	bool keep_tmp;	    /* --keep-tmp: the sandbox's TMPDIR stays after the run */
	char *tmpdir;	    /* the sandbox's TMPDIR (tmpdir.h), NULL until made */
	bool verbose;	    /* --verbose: say what this sbx cannot do, and the Landlock plan */
	bool print_policy;  /* --print-policy: print the effective policy and exit */
	bool check, json;   /* --check [--json]: say what this system allows sbx, and exit */
	struct sbx_audit_cfg audit; /* --audit-log, --audit, --audit-fail, --learn, … */
	char **argv; /* the command, NULL-terminated, pointing into the caller's argv */
};

enum sbx_cli_result {
	SBX_CLI_RUN = 0,   /* run opts->argv */
	SBX_CLI_EXIT = 1,  /* --help or --version was printed: exit 0 */
	SBX_CLI_CHECK = 2, /* --check: probe, print, exit with its status (check.h) */
};

/*
 * One option. @name is the long option and also the directive of a policy file; @apply turns
 * its argument (NULL without one) into policy or options and returns 0, SBX_CLI_EXIT, or
 * -errno with @err set. @in_policy: whether policy files may use it. @print (rows with
 * in_policy only; NULL prints nothing): write the lines of this directive that reproduce the
 * effective policy, with sbx_polfile_line(), so that --print-policy round-trips.
 */
struct sbx_cli_option {
	const char *name;
	char short_name;
	bool has_arg;
	bool in_policy;
	int (*apply)(struct sbx_opts *o, const char *arg, struct sbx_error *err);
	void (*print)(const struct sbx_opts *o, FILE *f);
};

#endif
