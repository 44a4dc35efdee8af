/* Unit tests: the policy file format (every directive, every error) and --print-policy's
 * round trip, parse(print(p)) == p. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../lib/tap.h"
#include "../../../supervisor/options/cli.h"
#include "../../../supervisor/options/policy_file.h"

static char dir[] = "/tmp/sbx-t-polfile-XXXXXX";

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

static void make_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	if (strlen(path) >= sizeof(sun.sun_path))
		bail_out("path too long: %s", path);
	memcpy(sun.sun_path, path, strlen(path) + 1);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		bail_out("bind %s: %s", path, strerror(errno));
	close(fd);
}

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) == EOF || fclose(f) == EOF)
		bail_out("write %s", path);
}

static void opts_free(struct sbx_opts *o)
{
	sbx_pol_free(&o->pol);
	memset(o, 0, sizeof(*o));
}

/* Parse @text as "t.policy" in dir; return the result, with the policy left in @o. */
static int parse(struct sbx_opts *o, const char *text, struct sbx_error *err)
{
	char name[128];

	memset(o, 0, sizeof(*o));
	memset(err, 0, sizeof(*err));
	snprintf(name, sizeof(name), "%s/t.policy", dir);
	return sbx_polfile_parse(o, name, text, strlen(text), err);
}

static void parses(const char *text, const char *what)
{
	struct sbx_opts o;
	struct sbx_error err;

	if (!ok(parse(&o, text, &err) == 0, "parses: %s", what))
		diag("error: %s", err.msg);
	opts_free(&o);
}

/* Fails with a message containing @want (after the directory prefix is cut). */
static void fails(const char *text, const char *want, const char *what)
{
	struct sbx_opts o;
	struct sbx_error err;
	int r = parse(&o, text, &err);
	const char *msg = err.msg;

	if (!strncmp(msg, dir, strlen(dir)))
		msg += strlen(dir) + 1;
	if (!ok(r < 0 && strstr(msg, want), "error: %s", what))
		diag("r %d, message `%s`, want `%s`", r, msg, want);
	opts_free(&o);
}

static char *print(const struct sbx_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		bail_out("open_memstream");
	sbx_polfile_print(o, f);
	fclose(f);
	return buf;
}

static void directives(void)
{
	char text[1024], sock[128];
	struct sbx_opts o;
	struct sbx_error err;

	snprintf(sock, sizeof(sock), "%s/s.sock", dir);
	make_socket(sock);
	snprintf(text, sizeof(text),
		 "# a comment\n\n  sbx-policy 1  \n"
		 "allow-unix-socket %s\n"
		 "allow-unix-socket %s/\n"
		 "allow-unix-socket @bus\n"
		 "allow-unix-socket \"@a b\\x01\\t\\\"\\\\\"\n"
		 "allow-unix-socket-re /run/user/[0-9]+/bus\n"
		 "allow-connect 127.0.0.1:3128\n"
		 "allow-connect udp:[::1]:53\n"
		 "proxy http://127.0.0.1:8080\n"
		 "net isolated\n"
		 "allow-bind 8000\r\n"
		 "quiet\n"
		 "   # indented comment\n",
		 sock, dir);
	if (!ok(parse(&o, text, &err) == 0, "every policy directive parses"))
		diag("%s", err.msg);
	ok(o.pol.n_unix == 4 && o.pol.unix_rules[0].kind == SBX_UNIX_PATH &&
		   o.pol.unix_rules[1].kind == SBX_UNIX_DIR &&
		   o.pol.unix_rules[2].kind == SBX_UNIX_ABSTRACT,
	   "allow-unix-socket: path, DIR/ and @name");
	ok(o.pol.unix_rules[3].name_len == 7 && !memcmp(o.pol.unix_rules[3].name, "a b\1\t\"\\", 7),
	   "a quoted argument with escapes");
	if (!ok(o.pol.unix_rules[0].origin && strstr(o.pol.unix_rules[0].origin, "t.policy:4"),
		"a rule remembers FILE:LINE"))
		diag("origin %s", o.pol.unix_rules[0].origin);
	ok(o.pol.n_unix_res == 1 && sbx_pol_match_path_re(&o.pol, "/run/user/1000/bus") &&
		   !sbx_pol_match_path_re(&o.pol, "/run/user/1000/bus2") &&
		   !sbx_pol_match_path_re(&o.pol, "/x/run/user/1/bus"),
	   "allow-unix-socket-re: anchored full match");
	ok(o.pol.n_endpoints == 3, "allow-connect and proxy add endpoints (%zu)",
	   o.pol.n_endpoints);
	ok(o.pol.proxy_url && !strcmp(o.pol.proxy_url, "http://127.0.0.1:8080"), "proxy");
	ok(o.pol.net == SBX_NET_ISOLATED && o.pol.net_given, "net");
	ok(o.pol.n_bind_ports == 1 && o.pol.bind_ports[0] == 8000, "allow-bind (CRLF line)");
	ok(o.quiet, "quiet");
	opts_free(&o);
}

static void errors(void)
{
	fails("", "empty policy file", "an empty file");
	fails("# only a comment\n", "no `sbx-policy 1` header", "no header");
	fails("allow-bind 80\n", "t.policy:1: expected the header",
	      "a directive before the header");
	fails("sbx-policy 2\n", "t.policy:1: unsupported policy version `2`", "a newer version");
	fails("sbx-policy\n", "unsupported policy version", "a header without version");
	fails("sbx-policy 1\nfrobnicate x\n", "t.policy:2: unknown directive `frobnicate`",
	      "an unknown directive");
	fails("sbx-policy 1\naudit-log /tmp/x\n", "t.policy:2: not allowed in a policy file",
	      "a command-line-only option");
	fails("sbx-policy 1\npolicy x\n", "not allowed in a policy file", "policy in a policy");
	fails("sbx-policy 1\nallow-bind\n", "t.policy:2: `allow-bind` needs an argument",
	      "a missing argument");
	fails("sbx-policy 1\nquiet loudly\n", "`quiet` takes no argument", "an extra argument");
	fails("sbx-policy 1\nallow-bind 0\n", "t.policy:2: --allow-bind 0", "apply's own error");
	fails("sbx-policy 1\nallow-connect bad_name.com:80\n", "t.policy:2:", "a bad endpoint");
	fails("sbx-policy 1\nnet sideways\n", "t.policy:2: --net sideways", "a bad --net mode");
	fails("sbx-policy 1\nallow-unix-socket /nonexistent/x.sock\n",
	      "t.policy:2:", "a missing socket");
	fails("sbx-policy 1\n\nallow-unix-socket-re /run/(x\n",
	      "t.policy:3:29: pattern `/run/(x`: missing closing parenthesis",
	      "a bad pattern: FILE:LINE:COL and PCRE2's message");
	fails("sbx-policy 1\nallow-unix-socket \"@x\n", "t.policy:2:19: missing closing quote",
	      "an unterminated quote");
	fails("sbx-policy 1\nallow-unix-socket \"@x\" y\n", "text after the closing quote",
	      "text after a quote");
	fails("sbx-policy 1\nallow-unix-socket \"@\\q\"\n", "unknown escape", "an unknown escape");
	fails("sbx-policy 1\nallow-unix-socket \"@\\x0\"\n", "two hex digits", "a short \\x");
	fails("sbx-policy 1\nallow-unix-socket \"@a\\x00\"\n", "NUL byte", "\\x00");
	{
		struct sbx_opts o;
		struct sbx_error err;
		static const char nul[] = "sbx-policy 1\nallow-bind 8\0\n";

		memset(&o, 0, sizeof(o));
		ok(sbx_polfile_parse(&o, "n.policy", nul, sizeof(nul) - 1, &err) < 0 &&
			   strstr(err.msg, "n.policy:2: NUL byte"),
		   "error: a NUL byte in a line");
		opts_free(&o);
	}
	fails("sbx-policy 1\ninclude\n", "include needs a file name", "include without a file");
	fails("sbx-policy 1\ninclude missing.policy\n", "t.policy:2: policy file",
	      "include of a missing file");
	write_file("self.policy", "sbx-policy 1\ninclude self.policy\n");
	fails("sbx-policy 1\ninclude self.policy\n", "includes itself (a cycle)",
	      "an include cycle");
	write_file("a.policy", "sbx-policy 1\ninclude b.policy\n");
	write_file("b.policy", "sbx-policy 1\ninclude a.policy\n");
	fails("sbx-policy 1\ninclude a.policy\n", "cycle", "a cycle through two files");
	write_file("d0.policy", "sbx-policy 1\ninclude d1.policy\n");
	write_file("d1.policy", "sbx-policy 1\ninclude d2.policy\n");
	write_file("d2.policy", "sbx-policy 1\ninclude d3.policy\n");
	write_file("d3.policy", "sbx-policy 1\ninclude d4.policy\n");
	write_file("d4.policy", "sbx-policy 1\ninclude d5.policy\n");
	write_file("d5.policy", "sbx-policy 1\ninclude d6.policy\n");
	write_file("d6.policy", "sbx-policy 1\ninclude d7.policy\n");
	write_file("d7.policy", "sbx-policy 1\ninclude d8.policy\n");
	write_file("d8.policy", "sbx-policy 1\ninclude d9.policy\n");
	write_file("d9.policy", "sbx-policy 1\nallow-bind 9\n");
	fails("sbx-policy 1\ninclude d0.policy\n", "includes nest deeper than 8", "include depth");
	parses("sbx-policy 1\ninclude d2.policy\n", "includes 8 deep");
	write_file("inc.policy", "sbx-policy 1\nallow-bind 7\nallow-bind x\n");
	fails("sbx-policy 1\ninclude inc.policy\n", "inc.policy:3: --allow-bind x",
	      "an error in an included file names that file and line");
	parses("sbx-policy 1\n# nothing\n", "a header and comments only");
}

static void round_trip(void)
{
	char text[1024];
	struct sbx_opts a, b;
	struct sbx_error err;
	char *pa, *pb;
	size_t i;

	snprintf(text, sizeof(text),
		 "sbx-policy 1\n"
		 "allow-unix-socket %s/s.sock\n"
		 "allow-unix-socket %s/later/\n"
		 "allow-unix-socket @bus\n"
		 "allow-unix-socket \"@ trail \"\n"
		 "allow-unix-socket \"@a\\nb\\\"\"\n"
		 "allow-unix-socket-re /run/user/[0-9]+/(bus|pulse/native)\n"
		 "proxy socks5://[::1]:1080\n"
		 "allow-connect 10.0.0.0/8:443\n"
		 "allow-connect udp:127.0.0.1:53-54\n"
		 "allow-connect localhost:9000\n"
		 "net isolated\n"
		 "allow-bind 8080\n"
		 "allow-bind 8081\n",
		 dir, dir);
	if (parse(&a, text, &err) < 0)
		bail_out("round trip policy: %s", err.msg);
	pa = print(&a);
	if (parse(&b, pa, &err) < 0) {
		if (!ok(false, "the printed policy parses"))
			diag("%s\n%s", err.msg, pa);
		free(pa);
		return;
	}
	pb = print(&b);
	if (!ok(!strcmp(pa, pb), "print(parse(print(p))) == print(p)"))
		diag("%s---\n%s", pa, pb);
	ok(a.pol.n_unix == b.pol.n_unix && a.pol.n_unix_res == b.pol.n_unix_res &&
		   a.pol.n_endpoints == b.pol.n_endpoints && a.pol.net == b.pol.net &&
		   a.pol.n_bind_ports == b.pol.n_bind_ports &&
		   !strcmp(a.pol.proxy_url, b.pol.proxy_url),
	   "parse(print(p)) has the same rules");
	for (i = 0; i < a.pol.n_unix && i < b.pol.n_unix; i++) {
		const struct sbx_unix_rule *x = &a.pol.unix_rules[i], *y = &b.pol.unix_rules[i];

		ok(x->kind == y->kind && x->name_len == y->name_len &&
			   !memcmp(x->name, y->name, x->name_len) &&
			   (!x->path || !strcmp(x->path, y->path)) && x->pinned == y->pinned,
		   "unix rule %zu is the same after the round trip", i);
	}
	if (!ok(strstr(pa, "allow-connect tcp:10.0.0.0/8:443") || strstr(pa, "10.0.0.0/8"),
		"endpoints are printed"))
		diag("%s", pa);
	if (!ok(!strstr(pa, "allow-connect tcp:[::1]:1080"),
		"the proxy's endpoint is not repeated"))
		diag("%s", pa);
	free(pa);
	free(pb);
	opts_free(&a);
	opts_free(&b);
}

int main(void)
{
	sbx_polfile_set_options(sbx_cli_options);
	if (!mkdtemp(dir))
		bail_out("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	directives();
	errors();
	round_trip();
	return done_testing();
}
