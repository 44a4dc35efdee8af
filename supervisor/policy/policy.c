/* Owns the socket allowlist: parsing and canonicalising --allow-unix-socket, and matching. */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy.h"
#include "../base/util.h"

/* Lexical normalisation for a DIR/ that does not exist yet: absolute, no ".", "..", "//". */
static char *sbx_pol_normalise(const char *in)
{
	_cleanup_free_ char *abs = NULL;
	char *out, *seg, *save = NULL;
	size_t len = 0;

	if (in[0] == '/') {
		abs = strdup(in);
	} else {
		char cwd[PATH_MAX];

		if (!getcwd(cwd, sizeof(cwd)))
			return NULL;
		if (asprintf(&abs, "%s/%s", cwd, in) < 0)
			abs = NULL;
	}
	if (!abs)
		return NULL;
	out = malloc(strlen(abs) + 2);
	if (!out)
		return NULL;
	for (seg = strtok_r(abs, "/", &save); seg; seg = strtok_r(NULL, "/", &save)) {
		if (!strcmp(seg, "."))
			continue;
		if (!strcmp(seg, "..")) {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* drop the '/' before the removed segment */
			continue;
		}
		out[len++] = '/';
		memcpy(out + len, seg, strlen(seg));
		len += strlen(seg);
	}
	out[len++] = '/';
	out[len] = '\0';
	return out;
}

static int sbx_pol_dir(struct sbx_unix_rule *r, const char *arg, struct sbx_error *err)
{
	_cleanup_free_ char *real = realpath(arg, NULL);
	struct stat st;

	if (real) {
		if (stat(real, &st) == -1)
			return sbx_error_set(err, errno, "--allow-unix-socket %s", arg);
		if (!S_ISDIR(st.st_mode))
			return sbx_error_set(err, ENOTDIR, "--allow-unix-socket %s", arg);
		if (asprintf(&r->path, "%s%s", real, strcmp(real, "/") ? "/" : "") < 0)
			return sbx_error_set(err, ENOMEM, "--allow-unix-socket %s", arg);
	} else {
		/* A DIR/ prefix may name a directory a server creates later. */
		if (errno != ENOENT)
			return sbx_error_set(err, errno, "--allow-unix-socket %s", arg);
		r->path = sbx_pol_normalise(arg);
		if (!r->path)
			return sbx_error_set(err, errno ? errno : ENOMEM, "--allow-unix-socket %s",
					     arg);
	}
	r->kind = SBX_UNIX_DIR;
	r->path_len = strlen(r->path);
	return 0;
}

/* Whether the command (running as us) could replace the entry at @path: write access to its
 * directory. Root can always. */
static bool sbx_pol_dir_writable(const char *path)
{
	_cleanup_free_ char *dir = strdup(path);
	char *slash;

	if (!dir)
		return true;
	slash = strrchr(dir, '/');
	if (slash == dir)
		slash[1] = '\0';
	else if (slash)
		*slash = '\0';
	return access(dir, W_OK) == 0;
}

static int sbx_pol_path(struct sbx_unix_rule *r, const char *arg, struct sbx_error *err)
{
	_cleanup_free_ char *real = realpath(arg, NULL);
	struct stat st;

	if (!real || stat(real, &st) == -1) {
		sbx_error_set(err, errno, "--allow-unix-socket %s", arg);
		if (err && err->code == ENOENT)
			sbx_error_hint(err, "start the server first, or allow its directory with "
					    "--allow-unix-socket DIR/");
		return -errno;
	}
	if (S_ISDIR(st.st_mode)) {
		sbx_error_set(err, 0, "--allow-unix-socket %s: is a directory", arg);
		sbx_error_hint(err, "write --allow-unix-socket %s/ to allow every socket below it",
			       arg);
		return -(err ? err->code = EISDIR : EISDIR);
	}
	if (!S_ISSOCK(st.st_mode)) {
		sbx_error_set(err, 0, "--allow-unix-socket %s: not a socket", arg);
		return -(err ? err->code = ENOTSOCK : ENOTSOCK);
	}
	r->kind = SBX_UNIX_PATH;
	r->path = steal_ptr(real);
	r->path_len = strlen(r->path);
	r->pinned = sbx_pol_dir_writable(r->path);
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	return 0;
}

int sbx_pol_add_unix(struct sbx_policy *pol, const char *arg, struct sbx_error *err)
{
	struct sbx_unix_rule r = { 0 }, *grown;
	size_t len = strlen(arg);
	int ret;

	if (len == 0)
		return sbx_error_set(err, EINVAL,
				     "--allow-unix-socket needs a path, DIR/ or @name");
	if (arg[0] == '@') {
		if (len == 1 || len - 1 > SBX_UNIX_NAME_MAX) {
			sbx_error_set(err, 0,
				      "--allow-unix-socket %s: an abstract name has 1 to %d bytes",
				      arg, SBX_UNIX_NAME_MAX);
			return -(err ? err->code = EINVAL : EINVAL);
		}
		r.kind = SBX_UNIX_ABSTRACT;
		r.name_len = len - 1;
		memcpy(r.name, arg + 1, r.name_len);
	} else if (arg[len - 1] == '/') {
		ret = sbx_pol_dir(&r, arg, err);
		if (ret < 0)
			return ret;
	} else {
		ret = sbx_pol_path(&r, arg, err);
		if (ret < 0)
			return ret;
	}
	r.arg = strdup(arg);
	r.origin = sbx_pol_origin(pol, "allow-unix-socket", arg);
	grown = realloc(pol->unix_rules, (pol->n_unix + 1) * sizeof(*grown));
	if (!r.arg || !r.origin || !grown) {
		free(r.arg);
		free(r.origin);
		free(r.path);
		if (grown)
			pol->unix_rules = grown;
		return sbx_error_set(err, ENOMEM, "--allow-unix-socket %s", arg);
	}
	pol->unix_rules = grown;
	pol->unix_rules[pol->n_unix++] = r;
	return 0;
}

const struct sbx_unix_rule *sbx_pol_match_path(const struct sbx_policy *pol, const char *canon)
{
	size_t i, len = strlen(canon);

	for (i = 0; i < pol->n_unix; i++) {
		const struct sbx_unix_rule *r = &pol->unix_rules[i];

		if (r->kind == SBX_UNIX_PATH && r->path_len == len && !memcmp(r->path, canon, len))
			return r;
		/* DIR/ keeps its trailing '/', so /run/x/ never matches /run/xy/s. */
		if (r->kind == SBX_UNIX_DIR && len > r->path_len &&
		    !memcmp(r->path, canon, r->path_len))
			return r;
	}
	return NULL;
}

const struct sbx_unix_rule *sbx_pol_match_abstract(const struct sbx_policy *pol, const void *name,
						   size_t len)
{
	size_t i;

	for (i = 0; i < pol->n_unix; i++) {
		const struct sbx_unix_rule *r = &pol->unix_rules[i];

		if (r->kind == SBX_UNIX_ABSTRACT && r->name_len == len &&
		    !memcmp(r->name, name, len))
			return r;
	}
	return NULL;
}

void sbx_pol_free(struct sbx_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->n_unix; i++) {
		free(pol->unix_rules[i].arg);
		free(pol->unix_rules[i].path);
		free(pol->unix_rules[i].origin);
	}
	sbx_pol_free_re(pol);
	free(pol->unix_rules);
	for (i = 0; i < pol->n_fs; i++)
		free(pol->fs_paths[i].path);
	free(pol->fs_paths);
	sbx_ll_plan_free(&pol->ll);
	free(pol->endpoints);
	free(pol->hosts);
	free(pol->deny_endpoints);
	free(pol->deny_hosts);
	free(pol->bind_ports);
	free(pol->proxy_url);
	memset(pol, 0, sizeof(*pol));
}
