/* Unit tests: --allow-unix-socket parsing, canonicalisation and matching. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "../../lib/tap.h"
#include "../../../supervisor/policy/policy.h"

static char dir[] = "/tmp/sbx-t-policy-XXXXXX";

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

static void cleanup(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
}

int main(void)
{
	struct sbx_policy pol = { 0 };
	struct sbx_error err = { 0 };
	char p[256], q[256], rel[256];
	const struct sbx_unix_rule *r;

	if (!mkdtemp(dir))
		bail_out("mkdtemp: %s", strerror(errno));
	atexit(cleanup);
	snprintf(p, sizeof(p), "%s/s.sock", dir);
	make_socket(p);
	snprintf(q, sizeof(q), "%s/link.sock", dir);
	if (symlink(p, q) < 0)
		bail_out("symlink");
	snprintf(rel, sizeof(rel), "%s/sub", dir);
	mkdir(rel, 0700);

	/* A symlink is canonicalised to its target at start. */
	is(sbx_pol_add_unix(&pol, q, &err), 0, "symlink to a socket is accepted");
	ok(pol.n_unix == 1 && !strcmp(pol.unix_rules[0].path, p),
	   "stored as the canonical target %s", pol.n_unix ? pol.unix_rules[0].path : "");
	ok(sbx_pol_match_path(&pol, p) != NULL, "the canonical path matches");
	ok(sbx_pol_match_path(&pol, q) == NULL,
	   "the link's own path does not (paths are canonical)");
	ok(sbx_pol_match_path(&pol, "/tmp") == NULL, "a prefix of it does not");

	/* Relative paths resolve against the cwd at start. */
	if (chdir(dir) < 0)
		bail_out("chdir");
	is(sbx_pol_add_unix(&pol, "./sub/../s.sock", &err), 0, "relative path with .. accepted");
	is(strcmp(pol.unix_rules[1].path, p), 0, "relative path canonicalised");

	/* Errors: missing, directory, not a socket, empty, bad abstract. */
	is(sbx_pol_add_unix(&pol, "missing.sock", &err), -ENOENT, "missing path is ENOENT");
	ok(strstr(err.msg, "missing.sock") && strstr(err.hint, "DIR/"),
	   "message names the path and hints DIR/: %s / %s", err.msg, err.hint);
	is(sbx_pol_add_unix(&pol, dir, &err), -EISDIR, "directory without / is refused");
	ok(strstr(err.hint, "/") != NULL, "with a hint to add the slash: %s", err.hint);
	is(sbx_pol_add_unix(&pol, "/etc/passwd", &err), -ENOTSOCK, "a regular file is refused");
	is(sbx_pol_add_unix(&pol, "", &err), -EINVAL, "empty argument refused");
	is(sbx_pol_add_unix(&pol, "@", &err), -EINVAL, "empty abstract name refused");
	memset(rel, 'a', sizeof(rel));
	rel[0] = '@';
	rel[SBX_UNIX_NAME_MAX + 2] = '\0';
	is(sbx_pol_add_unix(&pol, rel, &err), -EINVAL, "abstract name of 108 bytes refused");
	rel[SBX_UNIX_NAME_MAX + 1] = '\0';
	is(sbx_pol_add_unix(&pol, rel, &err), 0, "abstract name of 107 bytes accepted");
	is(pol.n_unix, 3, "failed additions left no rule behind");

	/* DIR/ prefixes: existing (canonicalised) and missing (normalised lexically). */
	is(sbx_pol_add_unix(&pol, "sub/", &err), 0, "existing DIR/ accepted");
	snprintf(q, sizeof(q), "%s/sub/x.sock", dir);
	ok(sbx_pol_match_path(&pol, q) != NULL, "a socket below DIR/ matches");
	snprintf(q, sizeof(q), "%s/sub", dir);
	ok(sbx_pol_match_path(&pol, q) == NULL, "DIR itself does not");
	snprintf(q, sizeof(q), "%s/subx/x.sock", dir);
	ok(sbx_pol_match_path(&pol, q) == NULL, "a sibling sharing the prefix does not");
	is(sbx_pol_add_unix(&pol, "/nonexistent/./a/../run//", &err), 0, "missing DIR/ accepted");
	r = &pol.unix_rules[pol.n_unix - 1];
	is(strcmp(r->path, "/nonexistent/run/"), 0, "normalised to %s", r->path);
	ok(sbx_pol_match_path(&pol, "/nonexistent/run/deep/s") != NULL, "deep path below matches");
	is(sbx_pol_add_unix(&pol, "/etc/passwd/", &err), -ENOTDIR, "a file as DIR/ is refused");

	/* Abstract names: exact bytes, no prefix matching. */
	is(sbx_pol_add_unix(&pol, "@agent", &err), 0, "abstract name accepted");
	ok(sbx_pol_match_abstract(&pol, "agent", 5) != NULL, "exact abstract name matches");
	ok(sbx_pol_match_abstract(&pol, "agent2", 6) == NULL, "longer name does not");
	ok(sbx_pol_match_abstract(&pol, "agen", 4) == NULL, "shorter name does not");
	ok(sbx_pol_match_abstract(&pol, "agent\0", 6) == NULL, "name plus NUL does not");
	ok(sbx_pol_match_path(&pol, "agent") == NULL, "an abstract rule never matches a path");

	sbx_pol_free(&pol);
	is(pol.n_unix, 0, "free empties the policy");
	return done_testing();
}
