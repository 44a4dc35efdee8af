/* Owns the command-line interface: options, --help, --version. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <unistd.h>

#include "cli.h"
#include "log.h"

#ifndef SBX_VERSION
#define SBX_VERSION "unknown"
#endif

enum { OPT_ALLOW_UNIX = 256 };

void sbx_cli_usage(void)
{
	fputs("Usage: sbx-supervise [OPTIONS] [--] CMD [ARG...]\n"
	      "Run CMD so that it reaches only the UNIX sockets you allow, and no network.\n"
	      "\n"
	      "  --allow-unix-socket PATH   allow the socket at PATH (it must exist; symlinks\n"
	      "                             are resolved when sbx starts)\n"
	      "  --allow-unix-socket DIR/   allow every socket below DIR (may not exist yet)\n"
	      "  --allow-unix-socket @NAME  allow the abstract socket NAME\n"
	      "                             (repeat the option to allow several)\n"
	      "  -q, --quiet                do not print a line for each denied call\n"
	      "  -h, --help                 show this help and exit\n"
	      "  -V, --version              show the version and exit\n"
	      "\n"
	      "Always allowed: creating AF_UNIX sockets and socketpairs, netlink route\n"
	      "queries, and the sockets CMD binds itself. Denied: every other socket family,\n"
	      "every other UNIX socket, io_uring (ENOSYS), TIOCSTI/TIOCLINUX.\n"
	      "\n"
	      "Exit status: CMD's; 128+N if CMD died of signal N; 125 if sbx-supervise failed;\n"
	      "126 if CMD cannot be executed; 127 if CMD was not found.\n"
	      "See sbx-supervise(1).\n",
	      stdout);
}

/* Rules the command itself could subvert by writing to the filesystem deserve a word. */
static void sbx_cli_warn_rules(const struct sbx_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->n_unix; i++) {
		const struct sbx_unix_rule *r = &pol->unix_rules[i];

		if (r->pinned)
			sbx_log_warn(
				"%s is in a directory the command can write to; only the socket "
				"there now is allowed (a restarted server needs a new sbx)",
				r->path);
		else if (r->kind == SBX_UNIX_DIR && access(r->path, W_OK) == 0)
			sbx_log_warn("the command can write to %s, so any socket it links or moves "
				     "there becomes reachable",
				     r->path);
	}
}

int sbx_cli_parse(int argc, char **argv, struct sbx_opts *o, struct sbx_error *err)
{
	static const struct option longopts[] = {
		{ "allow-unix-socket", required_argument, NULL, OPT_ALLOW_UNIX },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ 0 },
	};
	int c, r;

	opterr = 0; /* our messages, with a hint, instead of getopt's */
	optind = 1;
	/* '+': stop at the first non-option, which is CMD; its own flags are its own. */
	while ((c = getopt_long(argc, argv, "+:qhV", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_ALLOW_UNIX:
			r = sbx_pol_add_unix(&o->pol, optarg, err);
			if (r < 0)
				return r;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			sbx_cli_usage();
			return SBX_CLI_EXIT;
		case 'V':
			printf("sbx-supervise %s\n", SBX_VERSION);
			return SBX_CLI_EXIT;
		case ':':
			sbx_error_set(err, 0, "option '%s' needs an argument", argv[optind - 1]);
			sbx_error_hint(err, "try 'sbx-supervise --help'");
			return -(err->code = EINVAL);
		default:
			if (optopt)
				sbx_error_set(err, 0, "unknown option '-%c'", optopt);
			else
				sbx_error_set(err, 0, "unknown option '%s'", argv[optind - 1]);
			sbx_error_hint(err, "try 'sbx-supervise --help'");
			return -(err->code = EINVAL);
		}
	}
	sbx_cli_warn_rules(&o->pol);
	if (optind >= argc) {
		sbx_error_set(err, 0, "no command given");
		sbx_error_hint(err, "sbx-supervise [OPTIONS] -- CMD [ARG...]");
		return -(err->code = EINVAL);
	}
	o->argv = argv + optind;
	return SBX_CLI_RUN;
}
