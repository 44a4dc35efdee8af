/*
 * Owns the command-line interface. Every option is one row of sbx_cli_options: its name is
 * also its directive in policy files, and its apply function is the only place that turns
 * its argument into policy.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "../base/log.h"
#include "policy_file.h"
#include "tmpdir.h"
#include "../base/util.h"

#ifndef SBX_VERSION
#define SBX_VERSION "unknown"
#endif

static int sbx_opt_allow_unix(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_unix(&o->pol, arg, err);
}

static int sbx_opt_allow_connect(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_connect(&o->pol, arg, err);
}

static int sbx_opt_deny_connect(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_deny_connect(&o->pol, arg, err);
}

static int sbx_opt_allow_bind(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_bind(&o->pol, arg, err);
}

static int sbx_opt_proxy(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_set_proxy(&o->pol, arg, err);
}

static int sbx_opt_net(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_set_net(&o->pol, arg, err);
}

static int sbx_opt_allow_unix_re(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_unix_re(&o->pol, arg, err);
}

static int sbx_opt_policy(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_polfile_load(o, arg, err);
}

static int sbx_opt_check(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->check = true;
	return 0;
}

static int sbx_opt_json(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->json = true;
	return 0;
}

static int sbx_opt_print_policy(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->print_policy = true;
	return 0;
}

static int sbx_opt_audit_log(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)err;
	o->audit.log = arg;
	return 0;
}

static int sbx_opt_audit(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	if (strcmp(arg, "deny") && strcmp(arg, "all")) {
		sbx_error_set(err, 0, "--audit %s: expected deny or all", arg);
		return -(err->code = EINVAL);
	}
	o->audit.mode = strcmp(arg, "all") ? SBX_AUDIT_DENY : SBX_AUDIT_ALL;
	return 0;
}

static int sbx_opt_audit_fail(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	if (strcmp(arg, "stop") && strcmp(arg, "ignore")) {
		sbx_error_set(err, 0, "--audit-fail %s: expected stop or ignore", arg);
		return -(err->code = EINVAL);
	}
	o->audit.fail_ignore = !strcmp(arg, "ignore");
	return 0;
}

static int sbx_opt_learn(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->audit.learn = true;
	return 0;
}

static int sbx_opt_suggest(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)err;
	o->audit.suggest = arg;
	return 0;
}

static int sbx_opt_rw(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_fs(&o->pol, SBX_FS_RW, "--rw", arg, err);
}

static int sbx_opt_ro(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_fs(&o->pol, SBX_FS_RO, "--ro", arg, err);
}

static int sbx_opt_deny_read(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_add_fs(&o->pol, SBX_FS_DENY, "--deny-read", arg, err);
}

static int sbx_opt_rw_cwd(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	return sbx_pol_add_fs(&o->pol, SBX_FS_RW, "--rw-cwd", ".", err);
}

static int sbx_opt_landlock(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	return sbx_pol_set_landlock(&o->pol, arg, err);
}

static int sbx_opt_explain(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	if (strcmp(arg, "on") && strcmp(arg, "off")) {
		sbx_error_set(err, 0, "--explain %s: expected on or off", arg);
		return -(err->code = EINVAL);
	}
	o->pol.explain_off = !strcmp(arg, "off");
	return 0;
}

static int sbx_opt_keep_caps(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->pol.keep_caps = true;
	return 0;
}

static int sbx_opt_verbose(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->verbose = o->audit.verbose = true;
	return 0;
}

static void sbx_print_unix(const struct sbx_opts *o, FILE *f)
{
	size_t i;

	for (i = 0; i < o->pol.n_unix; i++) {
		const struct sbx_unix_rule *r = &o->pol.unix_rules[i];
		char at[SBX_UNIX_NAME_MAX + 2];

		if (r->kind != SBX_UNIX_ABSTRACT) {
			sbx_polfile_line(f, "allow-unix-socket", r->path, r->path_len);
		} else if (memchr(r->name, '\0', r->name_len)) {
			fputs("# an abstract name with a NUL byte cannot be written here\n", f);
		} else {
			at[0] = '@';
			memcpy(at + 1, r->name, r->name_len);
			sbx_polfile_line(f, "allow-unix-socket", at, r->name_len + 1);
		}
	}
}

static void sbx_print_unix_re(const struct sbx_opts *o, FILE *f)
{
	size_t i;

	for (i = 0; i < o->pol.n_unix_res; i++)
		sbx_polfile_line(f, "allow-unix-socket-re", o->pol.unix_res[i].pattern,
				 strlen(o->pol.unix_res[i].pattern));
}

/* Endpoints, except those the proxy line adds back when read. */
static void sbx_print_connect(const struct sbx_opts *o, FILE *f)
{
	struct sbx_endpoint px[2];
	int npx = 0;
	size_t i;

	if (o->pol.proxy_url) {
		struct sbx_policy tmp = { 0 };

		if (sbx_pol_set_proxy(&tmp, o->pol.proxy_url, NULL) == 0) {
			npx = (int)tmp.n_endpoints;
			memcpy(px, tmp.endpoints, npx * sizeof(*px));
		}
		sbx_pol_free(&tmp);
	}
	for (i = 0; i < o->pol.n_endpoints; i++) {
		const struct sbx_endpoint *e = &o->pol.endpoints[i];
		char text[128];
		int k, skip = 0;

		for (k = 0; k < npx && !skip; k++)
			skip = !memcmp(e, &px[k], sizeof(*e));
		if (skip)
			continue;
		sbx_endpoint_format(e, text, sizeof(text));
		sbx_polfile_line(f, "allow-connect", text, strlen(text));
	}
	for (i = 0; i < o->pol.n_hosts; i++) {
		char text[SBX_HOSTNAME_MAX + 32];

		sbx_hostpat_format(&o->pol.hosts[i], text, sizeof(text));
		sbx_polfile_line(f, "allow-connect", text, strlen(text));
	}
}

static void sbx_print_deny_connect(const struct sbx_opts *o, FILE *f)
{
	char text[SBX_HOSTNAME_MAX + 32];
	size_t i;

	for (i = 0; i < o->pol.n_deny_endpoints; i++) {
		sbx_endpoint_format(&o->pol.deny_endpoints[i], text, sizeof(text));
		sbx_polfile_line(f, "deny-connect", text, strlen(text));
	}
	for (i = 0; i < o->pol.n_deny_hosts; i++) {
		sbx_hostpat_format(&o->pol.deny_hosts[i], text, sizeof(text));
		sbx_polfile_line(f, "deny-connect", text, strlen(text));
	}
}

static void sbx_print_proxy(const struct sbx_opts *o, FILE *f)
{
	if (o->pol.proxy_url)
		sbx_polfile_line(f, "proxy", o->pol.proxy_url, strlen(o->pol.proxy_url));
}

static void sbx_print_net(const struct sbx_opts *o, FILE *f)
{
	const char *m = sbx_net_mode_name(o->pol.net);

	if (o->pol.net_given)
		sbx_polfile_line(f, "net", m, strlen(m));
}

static void sbx_print_bind(const struct sbx_opts *o, FILE *f)
{
	size_t i;

	for (i = 0; i < o->pol.n_bind_ports; i++)
		fprintf(f, "allow-bind %u\n", o->pol.bind_ports[i]);
}

/* The canonical paths, as --rw (which --rw-cwd became), --ro and --deny-read. */
static void sbx_print_fs(const struct sbx_opts *o, FILE *f)
{
	static const char *const names[] = {
		[SBX_FS_RW] = "rw", [SBX_FS_RO] = "ro", [SBX_FS_DENY] = "deny-read"
	};
	size_t i;

	for (i = 0; i < o->pol.n_fs; i++)
		sbx_polfile_line(f, names[o->pol.fs_paths[i].kind], o->pol.fs_paths[i].path,
				 strlen(o->pol.fs_paths[i].path));
}

static void sbx_print_landlock(const struct sbx_opts *o, FILE *f)
{
	if (o->pol.landlock == SBX_LL_REQUIRE)
		fputs("landlock require\n", f);
	else if (o->pol.landlock == SBX_LL_OFF)
		fputs("landlock off\n", f);
}

static void sbx_print_keep_caps(const struct sbx_opts *o, FILE *f)
{
	if (o->pol.keep_caps)
		fputs("keep-caps\n", f);
}

static int sbx_opt_quiet(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->quiet = true;
	return 0;
}

static int sbx_opt_leave_running(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->leave_running = true;
	return 0;
}

static int sbx_opt_keep_tmp(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)arg;
	(void)err;
	o->keep_tmp = true;
	return 0;
}

static int sbx_opt_help(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)o;
	(void)arg;
	(void)err;
	sbx_cli_usage();
	return SBX_CLI_EXIT;
}

static int sbx_opt_version(struct sbx_opts *o, const char *arg, struct sbx_error *err)
{
	(void)o;
	(void)arg;
	(void)err;
	printf("sbx-supervise %s\n", SBX_VERSION);
	return SBX_CLI_EXIT;
}

/*
 * The one table of options. Columns: name (the long option and the policy-file directive),
 * short name, has_arg, in_policy, apply, print. A row with in_policy true works in policy
 * files with no other change; give it a print callback (sbx_polfile_line() per line) that
 * writes back what its apply added to the policy, so --print-policy stays complete and
 * round-trips (tests/unit/t-policy-file.c checks parse(print(p)) prints the same).
 */
const struct sbx_cli_option sbx_cli_options[] = {
	{ "allow-unix-socket", 0, true, true, sbx_opt_allow_unix, sbx_print_unix },
	{ "allow-unix-socket-re", 0, true, true, sbx_opt_allow_unix_re, sbx_print_unix_re },
	{ "allow-connect", 0, true, true, sbx_opt_allow_connect, sbx_print_connect },
	{ "deny-connect", 0, true, true, sbx_opt_deny_connect, sbx_print_deny_connect },
	{ "proxy", 0, true, true, sbx_opt_proxy, sbx_print_proxy },
	{ "net", 0, true, true, sbx_opt_net, sbx_print_net },
	{ "allow-bind", 0, true, true, sbx_opt_allow_bind, sbx_print_bind },
	{ "rw", 0, true, true, sbx_opt_rw, sbx_print_fs },
	{ "ro", 0, true, true, sbx_opt_ro, NULL },		 /* printed by the rw row */
	{ "deny-read", 0, true, true, sbx_opt_deny_read, NULL }, /* printed by the rw row */
	{ "rw-cwd", 0, false, true, sbx_opt_rw_cwd, NULL },	 /* printed as rw */
	{ "landlock", 0, true, true, sbx_opt_landlock, sbx_print_landlock },
	{ "keep-caps", 0, false, true, sbx_opt_keep_caps, sbx_print_keep_caps },
	{ "explain", 0, true, false, sbx_opt_explain, NULL },
	{ "policy", 0, true, false, sbx_opt_policy, NULL },
	{ "print-policy", 0, false, false, sbx_opt_print_policy, NULL },
	{ "audit-log", 0, true, false, sbx_opt_audit_log, NULL },
	{ "audit", 0, true, false, sbx_opt_audit, NULL },
	{ "audit-fail", 0, true, false, sbx_opt_audit_fail, NULL },
	{ "learn", 0, false, false, sbx_opt_learn, NULL },
	{ "permissive", 0, false, false, sbx_opt_learn, NULL },
	{ "suggest-policy", 0, true, false, sbx_opt_suggest, NULL },
	{ "verbose", 'v', false, false, sbx_opt_verbose, NULL },
	{ "quiet", 'q', false, true, sbx_opt_quiet, NULL },
	{ "leave-running", 0, false, false, sbx_opt_leave_running, NULL },
	{ "keep-tmp", 0, false, false, sbx_opt_keep_tmp, NULL },
	{ "check", 0, false, false, sbx_opt_check, NULL },
	{ "json", 0, false, false, sbx_opt_json, NULL },
	{ "help", 'h', false, false, sbx_opt_help, NULL },
	{ "version", 'V', false, false, sbx_opt_version, NULL },
	{ NULL, 0, false, false, NULL, NULL },
};

void sbx_cli_usage(void)
{
	fputs("Usage: sbx-supervise [OPTIONS] [--] CMD [ARG...]\n"
	      "Run CMD so that it reaches only the UNIX sockets and network endpoints you\n"
	      "allow.\n"
	      "\n"
	      "UNIX sockets:\n"
	      "  --allow-unix-socket PATH   allow the socket at PATH (it must exist; symlinks\n"
	      "                             are resolved when sbx starts)\n"
	      "  --allow-unix-socket DIR/   allow every socket below DIR (may not exist yet)\n"
	      "  --allow-unix-socket @NAME  allow the abstract socket NAME\n"
	      "  --allow-unix-socket-re RE  allow every socket whose canonical path matches the\n"
	      "                             PCRE2 pattern RE in full (e.g. "
	      "'/run/user/[0-9]+/bus')\n"
	      "\n"
	      "Policy files (see sbx-supervise(1), doc/policy.md):\n"
	      "  --policy FILE              read options from FILE: one per line, as here without\n"
	      "                             the dashes, after a `sbx-policy 1` line; flags and\n"
	      "                             files apply in command-line order and add up\n"
	      "  --print-policy             print the effective policy in that format and exit\n"
	      "\n"
	      "Audit and learning (see doc/audit.md):\n"
	      "  --audit-log PATH|-|fd:N    append one JSON object per line to PATH, stderr (-)\n"
	      "                             or file descriptor N\n"
	      "  --audit=deny|all           log denials only (default), or every judged call\n"
	      "  --audit-fail=stop|ignore   if the log cannot be written: kill the command and\n"
	      "                             exit 125 (default), or go on without the log\n"
	      "  --learn, --permissive      allow what the policy would deny, log it as\n"
	      "                             would-deny and print a summary at exit\n"
	      "  --suggest-policy FILE      with --learn: write a policy file that would let\n"
	      "                             the same run pass\n"
	      "\n"
	      "Network:\n"
	      "  --allow-connect ENDPOINT   allow connecting/sending to ENDPOINT:\n"
	      "                             [tcp:|udp:]ADDR:PORT, [V6ADDR]:PORT, "
	      "ADDR/PREFIX:PORT,\n"
	      "                             ADDR:LO-HI or localhost:PORT (tcp is the default),\n"
	      "                             NAME:PORT (the addresses NAME resolves to, kept\n"
	      "                             fresh), *.DOMAIN:PORT (names below DOMAIN, not\n"
	      "                             DOMAIN itself; --net isolated only)\n"
	      "  --deny-connect ENDPOINT    refuse ENDPOINT (an address, NAME or *.DOMAIN, as\n"
	      "                             above) even where an --allow-connect allows it\n"
	      "  --proxy URL                allow the proxy at URL (http://, https://, socks4://,\n"
	      "                             socks5://, with an IP address or localhost) and set\n"
	      "                             HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY\n"
	      "  --net MODE                 filtered (default): this host's network, every\n"
	      "                             destination judged; isolated: a private network with\n"
	      "                             only loopback, endpoints still reachable; none: a\n"
	      "                             private network and no endpoints; host: no network\n"
	      "                             restriction (UNIX sockets are still judged)\n"
	      "  --allow-bind PORT          allow binding inet sockets to PORT (port 0 on\n"
	      "                             loopback is always allowed)\n"
	      "\n"
	      "Filesystem (Landlock; by default everything is readable and nothing is\n"
	      "writable but /dev/null, /dev/zero, /dev/full, /dev/tty and CMD's terminal):\n"
	      "  --rw PATH                  make the tree at PATH writable (PATH must exist)\n"
	      "  --rw-cwd                   make the current directory writable\n"
	      "  --ro PATH                  keep the tree at PATH read-only, even inside --rw\n"
	      "  --deny-read PATH           make the tree at PATH unreadable (~/.ssh, ~/.aws)\n"
	      "  --landlock=MODE            auto (default): use what the kernel has and warn\n"
	      "                             about what it lacks; require: exit 125 instead of\n"
	      "                             warning; off: no Landlock (seccomp only)\n"
	      "  --explain=on|off           on (default): a write the filesystem rules refuse\n"
	      "                             prints a line naming the --rw that allows it, is\n"
	      "                             logged and learned; off: refused without a word\n"
	      "  --keep-caps                as root, keep capabilities (but CAP_SYS_PTRACE);\n"
	      "                             by default CMD has none\n"
	      "  --leave-running            let processes CMD started keep running after it\n"
	      "                             exits; by default they get SIGTERM, then SIGKILL\n"
	      "  --keep-tmp                 keep the sandbox's own TMPDIR (made writable and\n"
	      "                             exported to CMD) after the run; removed by default\n"
	      "\n"
	      "Output:\n"
	      "  -v, --verbose              print the Landlock ABI, the rules applied and the\n"
	      "                             mode, and say what this sbx cannot do here\n"
	      "  --check                    say what this system (or container) lets sbx do,\n"
	      "                             the mode sbx runs in and what each missing piece\n"
	      "                             costs; exit 0 if the default policy can be\n"
	      "                             enforced here, 1 if not\n"
	      "  --json                     with --check: print one JSON object\n"
	      "  -q, --quiet                do not print a line for each denied call\n"
	      "  -h, --help                 show this help and exit\n"
	      "  -V, --version              show the version and exit\n"
	      "\n"
	      "Options that take a value may be repeated where that makes sense\n"
	      "(--allow-unix-socket, --allow-connect, --allow-bind, --rw, --ro,\n"
	      "--deny-read).\n"
	      "Always allowed: creating AF_UNIX sockets and socketpairs, netlink route\n"
	      "queries, and the sockets CMD binds itself. Denied: every other socket family,\n"
	      "every other UNIX socket, io_uring (ENOSYS), TIOCSTI/TIOCLINUX.\n"
	      "\n"
	      "Exit status: CMD's; 128+N if CMD died of signal N; 125 if sbx-supervise failed;\n"
	      "126 if CMD cannot be executed; 127 if CMD was not found.\n"
	      "See sbx-supervise(1).\n",
	      stdout);
}

const struct sbx_cli_option *sbx_cli_find(const char *name)
{
	const struct sbx_cli_option *opt;

	for (opt = sbx_cli_options; opt->name; opt++)
		if (!strcmp(opt->name, name))
			return opt;
	return NULL;
}

/* Rules the command itself could subvert by writing to the filesystem deserve a word. With
 * Landlock, "can write" means what the sandbox's rules let it write, not what the user can. */
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
		else if (r->kind == SBX_UNIX_DIR &&
			 sbx_ll_sandbox_writes_below(&pol->ll, r->path, SBX_LL_ENTRY_RIGHTS))
			sbx_log_warn("the command can write to %s, so any socket it links or moves "
				     "there becomes reachable",
				     r->path);
	}
	if (pol->keep_caps && geteuid() == 0)
		sbx_log_warn("--keep-caps: the command runs as root with root's capabilities "
			     "(all but CAP_SYS_PTRACE): it can reconfigure the host's network "
			     "through netlink, load modules, mount, and more. Hint: drop "
			     "--keep-caps unless the command truly needs them");
}

int sbx_cli_parse(int argc, char **argv, struct sbx_opts *o, struct sbx_error *err)
{
	sbx_polfile_set_options(sbx_cli_options);
	const size_t n = ARRAY_SIZE(sbx_cli_options);
	_cleanup_free_ struct option *longopts = calloc(n, sizeof(*longopts));
	char shortopts[2 * ARRAY_SIZE(sbx_cli_options) + 3] = "+:";
	size_t i, s = 2;
	int c, idx, r;

	if (!longopts)
		return sbx_error_set(err, ENOMEM, "options");
	for (i = 0; sbx_cli_options[i].name; i++) {
		const struct sbx_cli_option *opt = &sbx_cli_options[i];

		longopts[i] =
			(struct option){ opt->name, opt->has_arg ? required_argument : no_argument,
					 NULL, 256 + (int)i };
		if (opt->short_name) {
			shortopts[s++] = opt->short_name;
			if (opt->has_arg)
				shortopts[s++] = ':';
		}
	}

	opterr = 0; /* our messages, with a hint, instead of getopt's */
	optind = 1;
	/* '+': stop at the first non-option, which is CMD; its own flags are its own. */
	while ((c = getopt_long(argc, argv, shortopts, longopts, &idx)) != -1) {
		const struct sbx_cli_option *opt = NULL;

		if (c >= 256) {
			opt = &sbx_cli_options[c - 256];
		} else if (c != ':' && c != '?') {
			for (i = 0; sbx_cli_options[i].name && !opt; i++)
				if (sbx_cli_options[i].short_name == c)
					opt = &sbx_cli_options[i];
		}
		if (c == ':') {
			sbx_error_set(err, 0, "option '%s' needs an argument", argv[optind - 1]);
			sbx_error_hint(err, "try 'sbx-supervise --help'");
			return -(err->code = EINVAL);
		}
		if (!opt) {
			if (optopt)
				sbx_error_set(err, 0, "unknown option '-%c'", optopt);
			else
				sbx_error_set(err, 0, "unknown option '%s'", argv[optind - 1]);
			sbx_error_hint(err, "try 'sbx-supervise --help'");
			return -(err->code = EINVAL);
		}
		r = opt->apply(o, opt->has_arg ? optarg : NULL, err);
		if (r != 0)
			return r;
	}
	if (o->json && !o->check) {
		sbx_error_set(err, 0, "--json goes with --check");
		return -(err->code = EINVAL);
	}
	if (o->check) {
		if (optind < argc) {
			sbx_error_set(err, 0, "--check runs no command");
			sbx_error_hint(err, "sbx-supervise --check [--json]");
			return -(err->code = EINVAL);
		}
		return SBX_CLI_CHECK;
	}
	r = sbx_pol_finish(&o->pol, err);
	if (r < 0)
		return r;
	if (o->print_policy) {
		sbx_polfile_print(o, stdout);
		return SBX_CLI_EXIT;
	}
	if (optind >= argc) {
		sbx_error_set(err, 0, "no command given");
		sbx_error_hint(err, "sbx-supervise [OPTIONS] -- CMD [ARG...]");
		return -(err->code = EINVAL);
	}
	/* The command's own TMPDIR, writable: a rule like --rw, planned with the others. */
	o->tmpdir = sbx_tmpdir_make(err);
	if (!o->tmpdir)
		return -(err ? err->code : EIO);
	r = sbx_pol_add_fs(&o->pol, SBX_FS_RW, "--rw (the sandbox's TMPDIR)", o->tmpdir, err);
	if (r < 0)
		return r;
	r = sbx_ll_plan(&o->pol, o->verbose, err);
	if (r < 0)
		return r;
	o->pol.ll.hold = o->tmpdir;
	sbx_cli_warn_rules(&o->pol);
	o->argv = argv + optind;
	return SBX_CLI_RUN;
}
