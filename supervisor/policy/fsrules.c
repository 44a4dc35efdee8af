/* Owns the computation of Landlock path rules from the filesystem policy (pure). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fsrules.h"
#include "../base/util.h"

/* A tree with the rights it should have; the most specific one containing a path decides. */
struct sbx_fsr_region {
	const char *path;
	uint64_t access;
	bool dir;
	int rank; /* for one path: the lowest (most restrictive) wins */
};

struct sbx_fsr_builder {
	const struct sbx_fsr_ops *ops;
	void *ctx;
	struct sbx_fsr_region *r;
	size_t nr;
	struct sbx_fsr_list *out;
};

/* Whether @path lies strictly below directory @dir. */
static bool sbx_fsr_below(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	if (n == 1 && dir[0] == '/')
		return path[0] == '/' && path[1] != '\0';
	return !strncmp(path, dir, n) && path[n] == '/';
}

/* "@dir/@name" (@name_len bytes of it); by hand, not asprintf: this runs at every start,
 * where printf's first use costs the start-up its pages. */
static char *sbx_fsr_join(const char *dir, const char *name, size_t name_len)
{
	size_t d = strcmp(dir, "/") ? strlen(dir) : 0;
	char *p = malloc(d + 1 + name_len + 1);

	if (!p)
		return NULL;
	memcpy(p, dir, d);
	p[d] = '/';
	memcpy(p + d + 1, name, name_len);
	p[d + 1 + name_len] = '\0';
	return p;
}

static int sbx_fsr_add(struct sbx_fsr_list *out, const char *path, uint64_t access, bool dir)
{
	struct sbx_fsr_rule *grown;
	char *copy;

	if (!access)
		return 0;
	copy = strdup(path);
	grown = copy ? realloc(out->v, (out->n + 1) * sizeof(*grown)) : NULL;
	if (!grown) {
		free(copy);
		return -ENOMEM;
	}
	out->v = grown;
	out->v[out->n++] = (struct sbx_fsr_rule){ .path = copy, .access = access, .dir = dir };
	return 0;
}

static struct sbx_fsr_region *sbx_fsr_region_at(struct sbx_fsr_builder *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (!strcmp(b->r[i].path, path))
			return &b->r[i];
	return NULL;
}

/* Whether @path is a region or lies on the way to one. */
static bool sbx_fsr_on_way(struct sbx_fsr_builder *b, const char *path)
{
	size_t i;

	for (i = 0; i < b->nr; i++)
		if (!strcmp(b->r[i].path, path) || sbx_fsr_below(b->r[i].path, path))
			return true;
	return false;
}

struct sbx_fsr_sib {
	struct sbx_fsr_builder *b;
	const char *dir;
	uint64_t access; /* what every sibling gets */
};

static int sbx_fsr_sibling(void *arg, const char *name, enum sbx_fsr_type type)
{
	struct sbx_fsr_sib *s = arg;
	_cleanup_free_ char *child = sbx_fsr_join(s->dir, name, strlen(name));

	if (!child)
		return -ENOMEM;
	/* A rule on a symlink would be a rule on its target, wherever that is. */
	if (type == SBX_FSR_SYMLINK || sbx_fsr_on_way(s->b, child))
		return 0;
	return sbx_fsr_add(s->b->out, child,
			   type == SBX_FSR_DIR ? s->access : s->access & SBX_FS_FILE,
			   type == SBX_FSR_DIR);
}

/*
 * Grant @path what every region at or below it wants and the ancestors' rules (@granted) do
 * not already give; then, if regions lie below, give each other entry of @path the rest of
 * @access and descend towards those regions.
 */
static int sbx_fsr_emit(struct sbx_fsr_builder *b, const char *path, uint64_t access, bool dir,
			uint64_t granted)
{
	uint64_t want = access, grant;
	bool below = false;
	size_t i, j;
	int r;

	for (i = 0; i < b->nr; i++) {
		if (!sbx_fsr_below(b->r[i].path, path))
			continue;
		below = true;
		/* A file's rule never needs directory rights: those bits do not constrain. */
		want &= b->r[i].dir ? b->r[i].access : (b->r[i].access | ~SBX_FS_FILE);
	}
	if (!dir)
		want &= SBX_FS_FILE;
	grant = want & ~granted;
	r = sbx_fsr_add(b->out, path, grant, dir);
	if (r < 0 || !below)
		return r;
	granted |= grant;

	if (access & ~granted) {
		struct sbx_fsr_sib s = { b, path, access & ~granted };

		r = b->ops->list(b->ctx, path, sbx_fsr_sibling, &s);
		if (r == -ENOMEM)
			return r;
		if (r < 0 && !b->out->unlisted) {
			b->out->unlisted = strdup(path);
			b->out->unlisted_err = -r;
		}
	}

	/* Descend once into each entry that leads to a region. */
	for (i = 0; i < b->nr; i++) {
		const char *rest, *slash;
		_cleanup_free_ char *child = NULL;
		struct sbx_fsr_region *at;
		bool seen = false;

		if (!sbx_fsr_below(b->r[i].path, path))
			continue;
		rest = b->r[i].path + (strcmp(path, "/") ? strlen(path) + 1 : 1);
		slash = strchr(rest, '/');
		child = sbx_fsr_join(path, rest, slash ? (size_t)(slash - rest) : strlen(rest));
		if (!child)
			return -ENOMEM;
		for (j = 0; j < i && !seen; j++)
			seen = sbx_fsr_below(b->r[j].path, path) &&
			       (!strcmp(b->r[j].path, child) || sbx_fsr_below(b->r[j].path, child));
		if (seen)
			continue;
		at = sbx_fsr_region_at(b, child);
		r = sbx_fsr_emit(b, child, at ? at->access : access, at ? at->dir : true, granted);
		if (r < 0)
			return r;
	}
	return 0;
}

/* The rights of the most specific region containing @path (the root region always does). */
static uint64_t sbx_fsr_enclosing(struct sbx_fsr_builder *b, const char *path)
{
	size_t i, best = 0, best_len = 0;

	for (i = 0; i < b->nr; i++) {
		size_t len = strlen(b->r[i].path);

		if ((!strcmp(b->r[i].path, path) || sbx_fsr_below(path, b->r[i].path)) &&
		    len >= best_len) {
			best = i;
			best_len = len;
		}
	}
	return b->r[best].access;
}

static void sbx_fsr_region_add(struct sbx_fsr_builder *b, const char *path, uint64_t access,
			       int rank)
{
	struct sbx_fsr_region *at = sbx_fsr_region_at(b, path);
	int type = b->ops->type(b->ctx, path);

	if (type < 0 || type == SBX_FSR_SYMLINK)
		return; /* gone since the flags were parsed: nothing to grant or take */
	if (at) {
		if (rank < at->rank) {
			at->access = access;
			at->rank = rank;
		}
		return;
	}
	b->r[b->nr++] = (struct sbx_fsr_region){ path, access, type == SBX_FSR_DIR, rank };
}

static int sbx_fsr_resolve_unix(struct sbx_fsr_builder *b, const struct sbx_fsr_input *in)
{
	size_t i;
	int r;

	for (i = 0; i < in->n_unix_allow; i++) {
		_cleanup_free_ char *p = strdup(in->unix_allow[i]);
		size_t len = p ? strlen(p) : 0;
		int type;

		if (!p)
			return -ENOMEM;
		if (len > 1 && p[len - 1] == '/')
			p[len - 1] = '\0';
		type = b->ops->type(b->ctx, p);
		if (type < 0 || type == SBX_FSR_SYMLINK)
			continue; /* a DIR/ that does not exist yet: the supervisor still decides */
		r = sbx_fsr_add(b->out, p, LANDLOCK_ACCESS_FS_RESOLVE_UNIX, type == SBX_FSR_DIR);
		if (r < 0)
			return r;
	}
	return 0;
}

int sbx_fsr_build(const struct sbx_fsr_input *in, const struct sbx_fsr_ops *ops, void *ctx,
		  struct sbx_fsr_list *out)
{
	const uint64_t h = in->handled;
	struct sbx_fsr_builder b = { .ops = ops, .ctx = ctx, .out = out };
	_cleanup_free_ struct sbx_fsr_region *r = NULL;
	size_t i, n = 1 + in->n_rw + in->n_ro + in->n_deny + in->n_dev;
	int ret;

	r = calloc(n, sizeof(*r));
	if (!r)
		return -ENOMEM;
	b.r = r;
	r[b.nr++] = (struct sbx_fsr_region){ "/", SBX_FS_READ & h, true, 3 };
	for (i = 0; i < in->n_deny; i++)
		sbx_fsr_region_add(&b, in->deny[i], 0, 0);
	for (i = 0; i < in->n_ro; i++)
		sbx_fsr_region_add(&b, in->ro[i], SBX_FS_READ & h, 1);
	for (i = 0; i < in->n_rw; i++)
		sbx_fsr_region_add(&b, in->rw[i], (SBX_FS_READ | SBX_FS_WRITE) & h, 2);
	/* Written to where they are: rights on the file only, whatever tree holds it. */
	for (i = 0; i < in->n_dev; i++) {
		uint64_t acc = sbx_fsr_enclosing(&b, in->dev[i]);

		if (ops->type(ctx, in->dev[i]) == SBX_FSR_FILE &&
		    !sbx_fsr_region_at(&b, in->dev[i]))
			r[b.nr++] =
				(struct sbx_fsr_region){ in->dev[i], (acc | SBX_FS_DEV_WRITE) & h,
							 false, 4 };
	}
	ret = sbx_fsr_emit(&b, "/", r[0].access, true, 0);
	if (ret == 0 && (h & LANDLOCK_ACCESS_FS_RESOLVE_UNIX))
		ret = sbx_fsr_resolve_unix(&b, in);
	return ret;
}

uint64_t sbx_fsr_access(const struct sbx_fsr_list *l, const char *path)
{
	uint64_t acc = 0;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->v[i].path, path) || sbx_fsr_below(path, l->v[i].path))
			acc |= l->v[i].access;
	return acc;
}

const char *sbx_fsr_describe(uint64_t access, char *buf, size_t n)
{
	static const struct {
		uint64_t bits;
		const char *name;
	} names[] = {
		{ LANDLOCK_ACCESS_FS_READ_FILE, "read" },
		{ LANDLOCK_ACCESS_FS_READ_DIR, "readdir" },
		{ LANDLOCK_ACCESS_FS_EXECUTE, "exec" },
		{ LANDLOCK_ACCESS_FS_WRITE_FILE, "write" },
		{ LANDLOCK_ACCESS_FS_TRUNCATE, "truncate" },
		{ LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_DIR |
			  LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_MAKE_SOCK |
			  LANDLOCK_ACCESS_FS_MAKE_FIFO | LANDLOCK_ACCESS_FS_MAKE_CHAR |
			  LANDLOCK_ACCESS_FS_MAKE_BLOCK,
		  "create" },
		{ LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR, "remove" },
		{ LANDLOCK_ACCESS_FS_REFER, "refer" },
		{ LANDLOCK_ACCESS_FS_RESOLVE_UNIX, "resolve-unix" },
	};
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < ARRAY_SIZE(names) && len < n; i++)
		if (access & names[i].bits)
			len += snprintf(buf + len, n - len, "%s%s", len ? "," : "", names[i].name);
	if (!len)
		snprintf(buf, n, "nothing");
	return buf;
}

void sbx_fsr_free(struct sbx_fsr_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	free(l->unlisted);
	memset(l, 0, sizeof(*l));
}
