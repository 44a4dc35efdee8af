/* Owns the policy file format: reading, includes, line diagnostics, and printing. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_file.h"
#include "../base/util.h"

/* The files being read, outermost first: an include of any of them is a cycle. */
struct sbx_polfile_stack {
	dev_t dev[SBX_POLFILE_DEPTH_MAX + 1];
	ino_t ino[SBX_POLFILE_DEPTH_MAX + 1];
	int depth;
};

static int sbx_polfile_parse_at(struct sbx_opts *o, const char *name, const char *text, size_t len,
				struct sbx_polfile_stack *st, struct sbx_error *err);

/* Re-set @err's message as "@where: message" unless it already points there. */
static int sbx_polfile_where(struct sbx_error *err, const char *where, int code)
{
	char msg[2 * SBX_ERROR_MSG_MAX + PATH_MAX];
	size_t wl = strlen(where);

	if (!err)
		return -code;
	if (strncmp(err->msg, where, wl) || err->msg[wl] != ':') {
		size_t n;

		snprintf(msg, sizeof(msg), "%s: %s", where, err->msg);
		n = strnlen(msg, sizeof(err->msg) - 1); /* cut long messages, never overrun */
		memcpy(err->msg, msg, n);
		err->msg[n] = '\0';
	}
	err->code = code;
	return -code;
}

static int sbx_polfile_read(const char *path, struct sbx_polfile_stack *st, char **out, size_t *len,
			    struct sbx_error *err)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *buf = NULL;
	struct stat sb;
	size_t got = 0;
	ssize_t r;
	int i;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1 || fstat(fd, &sb) == -1)
		return sbx_error_set(err, errno, "policy file %s", path);
	if (!S_ISREG(sb.st_mode)) {
		sbx_error_set(err, 0, "policy file %s: not a regular file", path);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	for (i = 0; i < st->depth; i++) {
		if (st->dev[i] == sb.st_dev && st->ino[i] == sb.st_ino) {
			sbx_error_set(err, 0, "policy file %s includes itself (a cycle)", path);
			return -(err ? err->code = ELOOP : ELOOP);
		}
	}
	if (st->depth > SBX_POLFILE_DEPTH_MAX) {
		sbx_error_set(err, 0, "policy file %s: includes nest deeper than %d", path,
			      SBX_POLFILE_DEPTH_MAX);
		return -(err ? err->code = ELOOP : ELOOP);
	}
	if (sb.st_size > SBX_POLFILE_SIZE_MAX) {
		sbx_error_set(err, 0, "policy file %s: larger than %d bytes", path,
			      SBX_POLFILE_SIZE_MAX);
		return -(err ? err->code = EFBIG : EFBIG);
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (!buf)
		return sbx_error_set(err, ENOMEM, "policy file %s", path);
	while (got < (size_t)sb.st_size &&
	       (r = read(fd, buf + got, (size_t)sb.st_size - got)) != 0) {
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return sbx_error_set(err, errno, "policy file %s", path);
		}
		got += (size_t)r;
	}
	st->dev[st->depth] = sb.st_dev;
	st->ino[st->depth] = sb.st_ino;
	*len = got;
	*out = steal_ptr(buf);
	return 0;
}

static int sbx_polfile_load_at(struct sbx_opts *o, const char *path, struct sbx_polfile_stack *st,
			       struct sbx_error *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = sbx_polfile_read(path, st, &text, &len, err);
	if (r < 0)
		return r;
	st->depth++;
	r = sbx_polfile_parse_at(o, path, text, len, st, err);
	st->depth--;
	return r;
}

static const struct sbx_cli_option *sbx_polfile_opts;

void sbx_polfile_set_options(const struct sbx_cli_option *table)
{
	sbx_polfile_opts = table;
}

static const struct sbx_cli_option *sbx_polfile_find(const char *name)
{
	const struct sbx_cli_option *opt;

	for (opt = sbx_polfile_opts; opt && opt->name; opt++)
		if (!strcmp(opt->name, name))
			return opt;
	return NULL;
}

int sbx_polfile_load(struct sbx_opts *o, const char *path, struct sbx_error *err)
{
	struct sbx_polfile_stack st = { .depth = 0 };

	return sbx_polfile_load_at(o, path, &st, err);
}

static int sbx_hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Unquote "..." at @s (@n bytes, starting at the quote) into @out (room for @n bytes).
 * Return NULL or what is wrong. */
static const char *sbx_polfile_unquote(const char *s, size_t n, char *out)
{
	size_t i = 1, o = 0;

	while (i < n && s[i] != '"') {
		if (s[i] != '\\') {
			out[o++] = s[i++];
			continue;
		}
		if (++i >= n)
			break;
		switch (s[i]) {
		case '\\':
		case '"':
			out[o++] = s[i++];
			break;
		case 'n':
			out[o++] = '\n', i++;
			break;
		case 't':
			out[o++] = '\t', i++;
			break;
		case 'x': {
			int hi = i + 2 < n ? sbx_hexval(s[i + 1]) : -1;
			int lo = i + 2 < n ? sbx_hexval(s[i + 2]) : -1;

			if (hi < 0 || lo < 0)
				return "\\x needs two hex digits";
			if (hi == 0 && lo == 0)
				return "\\x00: an argument cannot hold a NUL byte";
			out[o++] = (char)(hi << 4 | lo);
			i += 3;
			break;
		}
		default:
			return "unknown escape (use \\\\ \\\" \\n \\t or \\xNN)";
		}
	}
	if (i >= n)
		return "missing closing quote";
	for (i++; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return "text after the closing quote";
	out[o] = '\0';
	return NULL;
}

static bool sbx_polfile_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* One line (without its '\n'). @where is "NAME:LINE". */
static int sbx_polfile_line_apply(struct sbx_opts *o, const char *name, const char *where,
				  const char *line, size_t n, bool *header,
				  struct sbx_polfile_stack *st, struct sbx_error *err)
{
	_cleanup_free_ char *arg = NULL;
	const struct sbx_cli_option *opt;
	char directive[64];
	size_t i = 0, d, a;
	const char *why;
	int r;

	while (i < n && sbx_polfile_space(line[i]))
		i++;
	while (n > i && sbx_polfile_space(line[n - 1]))
		n--;
	if (i == n || line[i] == '#')
		return 0;
	if (memchr(line, '\0', n)) {
		sbx_error_set(err, 0, "%s: NUL byte in the line", where);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	for (d = i; d < n && !sbx_polfile_space(line[d]); d++)
		;
	if (d - i >= sizeof(directive)) {
		sbx_error_set(err, 0, "%s: unknown directive `%.*s…`", where, 32, line + i);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	memcpy(directive, line + i, d - i);
	directive[d - i] = '\0';
	for (a = d; a < n && sbx_polfile_space(line[a]); a++)
		;
	if (a < n) {
		arg = malloc(n - a + 1);
		if (!arg)
			return sbx_error_set(err, ENOMEM, "%s", where);
		if (line[a] == '"') {
			why = sbx_polfile_unquote(line + a, n - a, arg);
			if (why) {
				sbx_error_set(err, 0, "%s:%zu: %s", where, a + 1, why);
				return -(err ? err->code = EINVAL : EINVAL);
			}
		} else {
			memcpy(arg, line + a, n - a);
			arg[n - a] = '\0';
		}
	}

	if (!*header) {
		if (strcmp(directive, "sbx-policy")) {
			sbx_error_set(err, 0, "%s: expected the header `sbx-policy %d` first",
				      where, SBX_POLFILE_VERSION);
			return -(err ? err->code = EINVAL : EINVAL);
		}
		if (!arg || strcmp(arg, "1")) {
			sbx_error_set(err, 0,
				      "%s: unsupported policy version `%s` (this sbx reads %d)",
				      where, arg ? arg : "", SBX_POLFILE_VERSION);
			return -(err ? err->code = EINVAL : EINVAL);
		}
		*header = true;
		return 0;
	}
	if (!strcmp(directive, "include")) {
		_cleanup_free_ char *path = NULL;
		const char *slash = strrchr(name, '/');

		if (!arg) {
			sbx_error_set(err, 0, "%s: include needs a file name", where);
			return -(err ? err->code = EINVAL : EINVAL);
		}
		if (arg[0] == '/' || !slash)
			path = strdup(arg);
		else if (asprintf(&path, "%.*s/%s", (int)(slash - name), name, arg) < 0)
			path = NULL;
		if (!path)
			return sbx_error_set(err, ENOMEM, "%s", where);
		r = sbx_polfile_load_at(o, path, st, err);
		return r < 0 ? sbx_polfile_where(err, where, err ? err->code : -r) : 0;
	}
	opt = sbx_polfile_find(directive);
	if (!opt || !opt->in_policy) {
		sbx_error_set(err, 0, "%s: %s `%s`", where,
			      opt ? "not allowed in a policy file:" : "unknown directive",
			      directive);
		if (opt)
			sbx_error_hint(err, "give --%s on the command line", directive);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	if (opt->has_arg != !!arg) {
		sbx_error_set(err, 0, "%s: `%s` %s", where, directive,
			      opt->has_arg ? "needs an argument" : "takes no argument");
		return -(err ? err->code = EINVAL : EINVAL);
	}
	o->pol.where = where;
	o->pol.where_col = (unsigned int)a + 1 + (arg && line[a] == '"' ? 1 : 0);
	r = opt->apply(o, arg, err);
	o->pol.where = NULL;
	if (r < 0)
		return sbx_polfile_where(err, where, err ? err->code : -r);
	if (r != 0) {
		sbx_error_set(err, 0, "%s: `%s` cannot be used here", where, directive);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	return 0;
}

static int sbx_polfile_parse_at(struct sbx_opts *o, const char *name, const char *text, size_t len,
				struct sbx_polfile_stack *st, struct sbx_error *err)
{
	char where[PATH_MAX + 32];
	size_t pos = 0, lineno = 0;
	bool header = false;
	int r;

	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		snprintf(where, sizeof(where), "%s:%zu", name, lineno);
		r = sbx_polfile_line_apply(o, name, where, text + pos, n, &header, st, err);
		if (r < 0)
			return r;
		pos += n + 1;
	}
	if (!header) {
		sbx_error_set(err, 0, "%s: empty policy file (no `sbx-policy %d` header)", name,
			      SBX_POLFILE_VERSION);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	return 0;
}

int sbx_polfile_parse(struct sbx_opts *o, const char *name, const char *text, size_t len,
		      struct sbx_error *err)
{
	struct sbx_polfile_stack st = { .depth = 1 };

	return sbx_polfile_parse_at(o, name, text, len, &st, err);
}

void sbx_polfile_line(FILE *f, const char *directive, const char *arg, size_t len)
{
	bool quote = false;
	size_t i;

	fputs(directive, f);
	if (!arg) {
		fputc('\n', f);
		return;
	}
	quote = len == 0 || arg[0] == '"' || sbx_polfile_space(arg[0]) ||
		sbx_polfile_space(arg[len - 1]);
	for (i = 0; i < len && !quote; i++)
		quote = (unsigned char)arg[i] < 0x20 || arg[i] == 0x7f;
	fputc(' ', f);
	if (!quote) {
		fwrite(arg, 1, len, f);
		fputc('\n', f);
		return;
	}
	fputc('"', f);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)arg[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputs("\"\n", f);
}

void sbx_polfile_print(const struct sbx_opts *o, FILE *f)
{
	const struct sbx_cli_option *opt;

	fprintf(f, "sbx-policy %d\n", SBX_POLFILE_VERSION);
	for (opt = sbx_polfile_opts; opt && opt->name; opt++)
		if (opt->in_policy && opt->print)
			opt->print(o, f);
}
