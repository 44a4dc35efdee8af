/*
 * policy: what the sandbox may reach, as parsed from the command line. Pure data plus
 * matching; canonicalisation touches the filesystem only at start.
 *
 * Lifecycle: a zeroed struct sbx_policy is empty (everything denied); add rules with
 * sbx_pol_add_unix(); match with sbx_pol_match_*(); release with sbx_pol_free().
 */
#ifndef SBX_POLICY_H
#define SBX_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "endpoint.h"
#include "hostname.h"
#include "../base/error.h"
#include "llplan.h"

#define SBX_UNIX_NAME_MAX 107 /* sun_path minus the leading NUL of an abstract name */

enum sbx_unix_kind {
	SBX_UNIX_PATH,	   /* one socket file, by canonical path */
	SBX_UNIX_DIR,	   /* any socket below a directory; path ends with '/' */
	SBX_UNIX_ABSTRACT, /* an abstract name, bytes after '@' */
};

struct sbx_unix_rule {
	enum sbx_unix_kind kind;
	char *arg;  /* as the user wrote it, for messages */
	char *path; /* canonical absolute path (SBX_UNIX_DIR: with trailing '/') */
	size_t path_len;
	unsigned char name[SBX_UNIX_NAME_MAX];
	size_t name_len;
	/* SBX_UNIX_PATH in a directory the sandbox can write: only this inode matches, since
	 * otherwise a hard link or rename could put any other socket at the allowed path. */
	bool pinned;
	dev_t dev;
	ino_t ino;
	char *origin; /* what added it: "--allow-unix-socket ARG" or "FILE:LINE", for the audit */
};

/* --allow-unix-socket-re: a PCRE2 pattern matched in full against a canonical path. */
struct sbx_unix_re {
	char *pattern;
	char *origin;
	void *code; /* pcre2_code_8, compiled (and JIT-compiled where available) once */
};

enum sbx_net_mode {
	SBX_NET_FILTERED = 0, /* same namespace; every inet destination judged (the default) */
	SBX_NET_ISOLATED,     /* new namespace with only lo; endpoints reached via the supervisor */
	SBX_NET_NONE,	      /* new namespace with only lo; no endpoints */
	SBX_NET_HOST,	      /* no network restriction; the AF_UNIX policy still applies */
};

enum sbx_fs_kind {
	SBX_FS_RW,   /* --rw, --rw-cwd: a writable tree */
	SBX_FS_RO,   /* --ro: a read-only tree, even inside a writable one */
	SBX_FS_DENY, /* --deny-read: an unreadable tree */
};

struct sbx_fs_path {
	enum sbx_fs_kind kind;
	char *path; /* canonical, absolute */
};

enum sbx_ll_mode {
	SBX_LL_AUTO = 0, /* the best the kernel has; warn for each protection it lacks */
	SBX_LL_REQUIRE,	 /* exit 125 unless every protection is enforced */
	SBX_LL_OFF,	 /* no Landlock at all: seccomp (and the capability drop) only */
};

struct sbx_policy {
	struct sbx_unix_rule *unix_rules;
	size_t n_unix;

	struct sbx_fs_path *fs_paths;
	size_t n_fs;
	enum sbx_ll_mode landlock;
	bool keep_caps;	       /* --keep-caps: root keeps its capabilities but CAP_SYS_PTRACE */
	struct sbx_ll_plan ll; /* what Landlock enforces: computed by sbx_ll_plan() at start */
	/* --explain=off: calls that write to the filesystem are not notified, so a refusal of
	 * the Landlock rules is not explained (filters/filter.h, perform/fswrite.c) */
	bool explain_off;

	enum sbx_net_mode net;
	bool net_given; /* --net was on the command line */
	struct sbx_endpoint *endpoints;
	size_t n_endpoints;
	struct sbx_hostpat *hosts; /* --allow-connect NAME:PORTS and *.DOMAIN:PORTS */
	size_t n_hosts;
	/* --deny-connect: exceptions, which win over every allow rule */
	struct sbx_endpoint *deny_endpoints;
	size_t n_deny_endpoints;
	struct sbx_hostpat *deny_hosts;
	size_t n_deny_hosts;
	uint16_t *bind_ports; /* --allow-bind */
	size_t n_bind_ports;
	char *proxy_url; /* --proxy, exported to the command's environment */

	struct sbx_unix_re *unix_res;
	size_t n_unix_res;

	/* While a policy file is applied: "FILE:LINE" of the current line and the 1-based
	 * column of its argument, so rules remember where they came from and errors point
	 * there. NULL on the command line. Not owned. */
	const char *where;
	unsigned int where_col;
};

/*
 * sbx_pol_add_unix() - parse one --allow-unix-socket argument and add it.
 * "PATH": must exist and be a socket; canonicalised with symlinks resolved.
 * "DIR/": canonicalised if it exists, else made absolute and normalised lexically.
 * "@NAME": an abstract name of 1..107 bytes.
 * Return: 0, or -errno with @err set (message and hint).
 */
int sbx_pol_add_unix(struct sbx_policy *pol, const char *arg, struct sbx_error *err);

/* sbx_pol_match_path() - the rule allowing canonical path @canon, or NULL. */
const struct sbx_unix_rule *sbx_pol_match_path(const struct sbx_policy *pol, const char *canon);

/* sbx_pol_match_abstract() - the rule allowing abstract name @name of @len bytes, or NULL. */
const struct sbx_unix_rule *sbx_pol_match_abstract(const struct sbx_policy *pol, const void *name,
						   size_t len);

/*
 * sbx_pol_add_unix_re() - compile one --allow-unix-socket-re PATTERN (anchored at both ends)
 * and add it. A pattern that does not compile is -EINVAL with @err "WHERE:COL: PCRE2's
 * message", WHERE being pol->where or "--allow-unix-socket-re".
 */
int sbx_pol_add_unix_re(struct sbx_policy *pol, const char *pattern, struct sbx_error *err);

/* sbx_pol_match_path_re() - the pattern rule matching canonical path @canon, or NULL. Safe
 * from many threads; allocates only once per thread. */
const struct sbx_unix_re *sbx_pol_match_path_re(const struct sbx_policy *pol, const char *canon);

/* sbx_pol_free_re() - release the pattern rules (called by sbx_pol_free()). */
void sbx_pol_free_re(struct sbx_policy *pol);

/* sbx_pol_origin() - a new string naming where a rule came from: pol->where, or
 * "--FLAG ARG" on the command line. NULL when out of memory. */
char *sbx_pol_origin(const struct sbx_policy *pol, const char *flag, const char *arg);

/* sbx_pol_add_connect() - parse one --allow-connect ENDPOINT and add it. */
int sbx_pol_add_connect(struct sbx_policy *pol, const char *text, struct sbx_error *err);

/* sbx_pol_add_deny_connect() - parse one --deny-connect ENDPOINT (an address, a name or a
 * wildcard, as --allow-connect) and add it as an exception. */
int sbx_pol_add_deny_connect(struct sbx_policy *pol, const char *text, struct sbx_error *err);

/* sbx_pol_add_bind() - parse one --allow-bind PORT (1..65535) and add it. */
int sbx_pol_add_bind(struct sbx_policy *pol, const char *text, struct sbx_error *err);

/* sbx_pol_set_proxy() - parse --proxy URL (http, https, socks4, socks4a, socks5, socks5h
 * with an IP address or localhost and a port), add its endpoint and remember the URL. */
int sbx_pol_set_proxy(struct sbx_policy *pol, const char *url, struct sbx_error *err);

/* sbx_pol_set_net() - parse --net filtered|isolated|none|host. */
int sbx_pol_set_net(struct sbx_policy *pol, const char *mode, struct sbx_error *err);

/* sbx_pol_finish() - check the combination once every flag is in (e.g. --net none with
 * endpoints is a contradiction). Return 0 or -EINVAL with @err set. */
int sbx_pol_finish(struct sbx_policy *pol, struct sbx_error *err);

/*
 * sbx_pol_add_fs() - add --rw, --ro or --deny-read PATH: PATH must exist (ENOENT otherwise,
 * with a hint) and is canonicalised with symlinks resolved. @flag names the option in messages.
 */
int sbx_pol_add_fs(struct sbx_policy *pol, enum sbx_fs_kind kind, const char *flag,
		   const char *path, struct sbx_error *err);

/* sbx_pol_set_landlock() - parse --landlock=auto|require|off. */
int sbx_pol_set_landlock(struct sbx_policy *pol, const char *mode, struct sbx_error *err);

/* sbx_pol_has_proto() - whether any endpoint uses @proto (decides socket() in BPF). */
bool sbx_pol_has_proto(const struct sbx_policy *pol, enum sbx_proto proto);

/* sbx_pol_match_endpoint() - the endpoint allowing this destination, or NULL. */
const struct sbx_endpoint *sbx_pol_match_endpoint(const struct sbx_policy *pol,
						  enum sbx_proto proto, int family,
						  const unsigned char *addr, uint16_t port);

/* sbx_pol_match_deny_endpoint() - the --deny-connect address rule refusing this, or NULL. */
const struct sbx_endpoint *sbx_pol_match_deny_endpoint(const struct sbx_policy *pol,
						       enum sbx_proto proto, int family,
						       const unsigned char *addr, uint16_t port);

/* sbx_pol_match_host() - the --allow-connect name rule allowing @name (normalised) on
 * @proto/@port, or NULL; sbx_pol_match_deny_host() the --deny-connect one refusing it. */
const struct sbx_hostpat *sbx_pol_match_host(const struct sbx_policy *pol, enum sbx_proto proto,
					     const char *name, uint16_t port);
const struct sbx_hostpat *sbx_pol_match_deny_host(const struct sbx_policy *pol,
						  enum sbx_proto proto, const char *name,
						  uint16_t port);

/* sbx_pol_hosts_cover() - whether some exact --allow-connect name rule covers @proto/@port
 * (a destination that matched nothing may then be an address the name moved to). */
bool sbx_pol_hosts_cover(const struct sbx_policy *pol, enum sbx_proto proto, uint16_t port);

/* sbx_pol_bind_allowed() - whether --allow-bind names @port. */
bool sbx_pol_bind_allowed(const struct sbx_policy *pol, uint16_t port);

/* sbx_net_mode_name() - "filtered", "isolated", … */
const char *sbx_net_mode_name(enum sbx_net_mode mode);

/* sbx_pol_free() - release everything @pol owns and zero it. */
void sbx_pol_free(struct sbx_policy *pol);

#endif
