/* Owns the Landlock plan: ABI probe, handled rights, rules, ports, and missing protections. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "llplan.h"
#include "../base/log.h"
#include "policy.h"
#include "../base/util.h"

int sbx_ll_abi(void)
{
	int abi = sys_landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION);
	const char *cap = getenv("SBX_TEST_LANDLOCK_ABI_MAX");

	if (abi < 0)
		abi = 0;
	if (cap && *cap) {
		char *end;
		long max = strtol(cap, &end, 10);

		if (!*end && max >= 0 && max < abi)
			abi = (int)max;
	}
	return abi;
}

static int sbx_ll_type_of(mode_t m)
{
	if (S_ISDIR(m))
		return SBX_FSR_DIR;
	return S_ISLNK(m) ? SBX_FSR_SYMLINK : SBX_FSR_FILE;
}

static int sbx_ll_list(void *ctx, const char *dir, sbx_fsr_entry_fn fn, void *arg)
{
	_cleanup_close_ int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct dirent *de;
	DIR *d;
	int r = 0;

	(void)ctx;
	if (fd == -1 || !(d = fdopendir(fd)))
		return -errno;
	fd = -1; /* owned by d */
	while (r == 0 && (de = readdir(d))) {
		struct stat st;
		int type;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type == DT_DIR)
			type = SBX_FSR_DIR;
		else if (de->d_type == DT_LNK)
			type = SBX_FSR_SYMLINK;
		else if (de->d_type != DT_UNKNOWN)
			type = SBX_FSR_FILE;
		else if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			type = sbx_ll_type_of(st.st_mode);
		else
			continue; /* gone meanwhile */
		r = fn(arg, de->d_name, type);
	}
	closedir(d);
	return r;
}

static int sbx_ll_type(void *ctx, const char *path)
{
	struct stat st;

	(void)ctx;
	if (lstat(path, &st) == -1)
		return -errno;
	return sbx_ll_type_of(st.st_mode);
}

const struct sbx_fsr_ops sbx_ll_fs_ops = { sbx_ll_list, sbx_ll_type };

/* Four fixed devices and sbx's own stdin, stdout and stderr. */
#define SBX_LL_DEVS 7

/* The files written to without being created: the null devices, /dev/tty, the terminal, and
 * the files sbx's own stdin, stdout and stderr are (a command reopening /dev/stdout reopens
 * that file by path, which Landlock checks like any other open). Into @out, strdup'd (NULL
 * where memory ran out, skipped by the caller): not PATH_MAX slots, a fresh page each at
 * every start. */
static size_t sbx_ll_devices(char *out[], size_t max)
{
	static const char *const fixed[] = { "/dev/null", "/dev/zero", "/dev/full", "/dev/tty" };
	size_t i, n = 0;
	int fd;

	for (i = 0; i < ARRAY_SIZE(fixed) && n < max; i++)
		out[n++] = strdup(fixed[i]);
	for (fd = 0; fd <= 2 && n < max; fd++) {
		char name[PATH_MAX], link[32];
		struct stat st, now;
		ssize_t len;

		if (ttyname_r(fd, name, sizeof(name)) == 0) {
			out[n] = realpath(name, NULL);
			if (out[n])
				n++;
			continue;
		}
		if (fstat(fd, &st) == -1 || !(S_ISREG(st.st_mode) || S_ISCHR(st.st_mode)))
			continue; /* pipes and sockets are reopened without a path check */
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		len = readlink(link, name, sizeof(name) - 1);
		if (len <= 0 || name[0] != '/')
			continue;
		name[len] = '\0';
		/* The kernel's name of the file is canonical already (no symlink, no "..");
		 * the file it names now must be this one: a deleted file ("... (deleted)"), or
		 * one renamed over since, is skipped. */
		if (stat(name, &now) == 0 && now.st_dev == st.st_dev && now.st_ino == st.st_ino)
			out[n++] = strdup(name);
	}
	return n;
}

static int sbx_ll_build_fs(struct sbx_policy *pol, uint64_t handled)
{
	char *devs[SBX_LL_DEVS] = { 0 };
	const char *dev[SBX_LL_DEVS];
	size_t n_dev, i, k = 0;
	_cleanup_free_ const char **paths = calloc(pol->n_fs + pol->n_unix + 1, sizeof(*paths));
	const char **unix_allow;
	size_t n_rw = 0, n_ro = 0, n_deny = 0, n_unix = 0;
	struct sbx_fsr_input in = { .handled = handled };
	int r;

	if (!paths)
		return -ENOMEM;
	n_dev = sbx_ll_devices(devs, SBX_LL_DEVS);
	/* one array, three runs: rw, then ro, then deny */
	for (i = 0; i < pol->n_fs; i++)
		if (pol->fs_paths[i].kind == SBX_FS_RW)
			paths[n_rw++] = pol->fs_paths[i].path;
	for (i = 0; i < pol->n_fs; i++)
		if (pol->fs_paths[i].kind == SBX_FS_RO)
			paths[n_rw + n_ro++] = pol->fs_paths[i].path;
	for (i = 0; i < pol->n_fs; i++)
		if (pol->fs_paths[i].kind == SBX_FS_DENY)
			paths[n_rw + n_ro + n_deny++] = pol->fs_paths[i].path;
	unix_allow = paths + pol->n_fs;
	for (i = 0; i < pol->n_unix; i++)
		if (pol->unix_rules[i].kind != SBX_UNIX_ABSTRACT)
			unix_allow[n_unix++] = pol->unix_rules[i].path;
	for (i = 0; i < n_dev; i++)
		if (devs[i])
			dev[k++] = devs[i];
	in.rw = paths;
	in.n_rw = n_rw;
	in.ro = paths + n_rw;
	in.n_ro = n_ro;
	in.deny = paths + n_rw + n_ro;
	in.n_deny = n_deny;
	in.dev = dev;
	in.n_dev = k;
	in.unix_allow = unix_allow;
	in.n_unix_allow = n_unix;
	r = sbx_fsr_build(&in, &sbx_ll_fs_ops, NULL, &pol->ll.fs);
	for (i = 0; i < n_dev; i++)
		free(devs[i]);
	return r;
}

static int sbx_ll_push_port(uint16_t **v, size_t *n, uint16_t port)
{
	uint16_t *grown = realloc(*v, (*n + 1) * sizeof(**v));

	if (!grown)
		return -ENOMEM;
	*v = grown;
	(*v)[(*n)++] = port;
	return 0;
}

/* TCP connect ports of the endpoints (false when there are too many for one rule each),
 * and bind ports: --allow-bind plus 0, the ephemeral port. */
static int sbx_ll_ports(struct sbx_policy *pol, bool *connect_ok)
{
	struct sbx_ll_plan *ll = &pol->ll;
	size_t i, total = 0;
	unsigned int p;
	int r = 0;

	for (i = 0; i < pol->n_endpoints; i++)
		if (pol->endpoints[i].proto == SBX_PROTO_TCP)
			total += (size_t)pol->endpoints[i].port_hi - pol->endpoints[i].port_lo + 1;
	for (i = 0; i < pol->n_hosts; i++)
		if (pol->hosts[i].proto == SBX_PROTO_TCP)
			total += (size_t)pol->hosts[i].port_hi - pol->hosts[i].port_lo + 1;
	*connect_ok = total <= SBX_LL_PORTS_MAX;
	for (i = 0; *connect_ok && i < pol->n_endpoints && r == 0; i++) {
		const struct sbx_endpoint *e = &pol->endpoints[i];

		for (p = e->port_lo; e->proto == SBX_PROTO_TCP && p <= e->port_hi && r == 0; p++)
			r = sbx_ll_push_port(&ll->connect_ports, &ll->n_connect, (uint16_t)p);
	}
	for (i = 0; *connect_ok && i < pol->n_hosts && r == 0; i++) {
		const struct sbx_hostpat *h = &pol->hosts[i];

		for (p = h->port_lo; h->proto == SBX_PROTO_TCP && p <= h->port_hi && r == 0; p++)
			r = sbx_ll_push_port(&ll->connect_ports, &ll->n_connect, (uint16_t)p);
	}
	if (r == 0)
		r = sbx_ll_push_port(&ll->bind_ports, &ll->n_bind, 0);
	for (i = 0; i < pol->n_bind_ports && r == 0; i++)
		r = sbx_ll_push_port(&ll->bind_ports, &ll->n_bind, pol->bind_ports[i]);
	return r;
}

static void sbx_ll_print(const struct sbx_policy *pol)
{
	const struct sbx_ll_plan *ll = &pol->ll;
	char buf[256];
	size_t i, len;

	sbx_log_err("landlock: ABI %d, mode %s; handled fs=%#llx net=%#llx scoped=%#llx", ll->abi,
		    pol->landlock == SBX_LL_REQUIRE ? "require" : "auto",
		    (unsigned long long)ll->handled_fs, (unsigned long long)ll->handled_net,
		    (unsigned long long)ll->scoped);
	for (i = 0; i < ll->fs.n; i++)
		sbx_log_err(
			"landlock: %s%s: %s", ll->fs.v[i].path,
			ll->fs.v[i].dir && strcmp(ll->fs.v[i].path, "/") ? "/" : "",
			sbx_fsr_describe(ll->fs.v[i].access & (ll->abi ? ll->handled_fs : ~0ULL),
					 buf, sizeof(buf)));
	if (ll->handled_net & LANDLOCK_ACCESS_NET_CONNECT_TCP) {
		len = snprintf(buf, sizeof(buf), "%s", ll->n_connect ? "" : " none");
		for (i = 0; i < ll->n_connect && len < sizeof(buf); i++)
			len += snprintf(buf + len, sizeof(buf) - len, " %u", ll->connect_ports[i]);
		sbx_log_err("landlock: tcp connect ports:%s", buf);
	}
	if (ll->handled_net & LANDLOCK_ACCESS_NET_BIND_TCP) {
		for (i = 0, len = 0, buf[0] = '\0'; i < ll->n_bind && len < sizeof(buf); i++)
			len += snprintf(buf + len, sizeof(buf) - len, " %u", ll->bind_ports[i]);
		sbx_log_err("landlock: tcp bind ports:%s", buf);
	}
	if (ll->scoped)
		sbx_log_err("landlock: scoped: signals, abstract UNIX sockets");
}

/* The protections a kernel with Landlock @abi lacks; each one warned or refused. */
static size_t sbx_ll_missing(const struct sbx_policy *pol, bool connect_ok, char out[][200])
{
	const int abi = pol->ll.abi;
	size_t n = 0;

	if (abi < 1)
		snprintf(out[n++], 200,
			 "the kernel has no Landlock: the filesystem rules (read-only by default, "
			 "--rw, --ro, --deny-read) are not enforced");
	if (abi >= 1 && abi < 3)
		snprintf(out[n++], 200,
			 "Landlock ABI %d < 3: truncating files outside --rw is not prevented",
			 abi);
	if (pol->net != SBX_NET_HOST && abi < 4)
		snprintf(out[n++], 200,
			 "Landlock ABI %d < 4: no TCP port lock behind the supervisor's check",
			 abi);
	if (pol->net != SBX_NET_HOST && abi >= 4 && !connect_ok)
		snprintf(
			out[n++], 200,
			"more than %d TCP ports in --allow-connect ranges: no Landlock TCP connect "
			"lock (one rule per port)",
			SBX_LL_PORTS_MAX);
	if (abi < 6)
		snprintf(out[n++], 200,
			 "Landlock ABI %d < 6: signals and abstract UNIX sockets are not scoped "
			 "(the "
			 "command can signal processes outside the sandbox, sbx included)",
			 abi);
	return n;
}

static void sbx_ll_handled(struct sbx_policy *pol, bool connect_ok)
{
	struct sbx_ll_plan *ll = &pol->ll;
	uint64_t fs = 0, net = 0, scoped = 0;

	/* Newest first, each version adding to what the older ones handle (as in the kernel's
	 * samples/landlock/sandboxer.c). IOCTL_DEV (ABI 5) is left unhandled: the terminal
	 * needs its ioctls and the dangerous ones are refused by the seccomp filter. */
	switch (ll->abi) {
	default:
	case 9:
		fs |= LANDLOCK_ACCESS_FS_RESOLVE_UNIX;
		__attribute__((fallthrough));
	case 8:
	case 7:
	case 6:
		scoped |= LANDLOCK_SCOPE_SIGNAL | LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET;
		__attribute__((fallthrough));
	case 5:
	case 4:
		net |= LANDLOCK_ACCESS_NET_BIND_TCP;
		if (connect_ok)
			net |= LANDLOCK_ACCESS_NET_CONNECT_TCP;
		__attribute__((fallthrough));
	case 3:
		fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
		__attribute__((fallthrough));
	case 2:
		fs |= LANDLOCK_ACCESS_FS_REFER;
		__attribute__((fallthrough));
	case 1:
		fs |= SBX_FS_READ |
		      (SBX_FS_WRITE & ~(LANDLOCK_ACCESS_FS_REFER | LANDLOCK_ACCESS_FS_TRUNCATE));
		break;
	case 0:
		break;
	}
	ll->handled_fs = fs;
	ll->handled_net = pol->net == SBX_NET_HOST ? 0 : net;
	ll->scoped = scoped;
}

/* A PATH rule is pinned to its inode when the sandbox can replace what is at the path. */
static void sbx_ll_repin(struct sbx_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->n_unix; i++) {
		struct sbx_unix_rule *r = &pol->unix_rules[i];
		char dir[PATH_MAX], *slash;

		if (r->kind != SBX_UNIX_PATH)
			continue;
		snprintf(dir, sizeof(dir), "%s", r->path);
		slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		r->pinned = sbx_ll_sandbox_writes(&pol->ll, dir, SBX_LL_ENTRY_RIGHTS);
	}
}

int sbx_ll_plan(struct sbx_policy *pol, bool verbose, struct sbx_error *err)
{
	struct sbx_ll_plan *ll = &pol->ll;
	char missing[8][200];
	bool connect_ok = true;
	size_t i, n;
	int r;

	if (pol->landlock == SBX_LL_OFF) {
		for (i = 0; i < pol->n_fs; i++) {
			if (pol->fs_paths[i].kind == SBX_FS_RW)
				continue; /* without Landlock everything the user can write is */
			sbx_error_set(err, 0, "%s needs Landlock, but --landlock=off",
				      pol->fs_paths[i].kind == SBX_FS_RO ? "--ro" : "--deny-read");
			sbx_error_hint(err, "drop --landlock=off");
			return -(err ? err->code = EINVAL : EINVAL);
		}
		if (verbose)
			sbx_log_err("landlock: off: no filesystem rules, TCP lock or scopes");
		sbx_ll_repin(pol);
		return 0;
	}
	ll->use = true;
	ll->abi = sbx_ll_abi();
	if (getenv("SBX_TEST_LANDLOCK_ABI_MAX"))
		sbx_log_warn("SBX_TEST_LANDLOCK_ABI_MAX is set (a test setting): using Landlock "
			     "ABI %d",
			     ll->abi);
	r = sbx_ll_ports(pol, &connect_ok);
	if (r < 0)
		return sbx_error_set(err, -r, "landlock ports");
	sbx_ll_handled(pol, connect_ok);
	ll->fs_kernel = ll->abi >= 1;
	/* Computed even without Landlock, for --verbose: what would be enforced. */
	r = sbx_ll_build_fs(pol, ll->abi ? ll->handled_fs : SBX_FS_READ | SBX_FS_WRITE);
	if (r < 0)
		return sbx_error_set(err, -r, "landlock rules");
	if (ll->fs.unlisted)
		sbx_log_warn("cannot list %s (%s): its entries stay read-only or unreadable",
			     ll->fs.unlisted, strerror(ll->fs.unlisted_err));

	n = sbx_ll_missing(pol, connect_ok, missing);
	if (n && pol->landlock == SBX_LL_REQUIRE) {
		sbx_error_set(err, 0, "--landlock=require: %s", missing[0]);
		sbx_error_hint(err, "--landlock=auto runs with what the kernel has, and says what "
				    "is missing");
		return -(err ? err->code = EOPNOTSUPP : EOPNOTSUPP);
	}
	for (i = 0; i < n; i++)
		sbx_log_warn("%s", missing[i]);
	if (verbose)
		sbx_ll_print(pol);
	sbx_ll_repin(pol);
	return 0;
}

bool sbx_ll_sandbox_writes(const struct sbx_ll_plan *ll, const char *canon_dir, uint64_t rights)
{
	if (access(canon_dir, W_OK) == -1)
		return false; /* the user's own permissions still apply */
	return !ll->fs_kernel || (sbx_fsr_access(&ll->fs, canon_dir) & rights);
}

bool sbx_ll_sandbox_writes_below(const struct sbx_ll_plan *ll, const char *canon_dir,
				 uint64_t rights)
{
	size_t i, n = strlen(canon_dir);

	if (sbx_ll_sandbox_writes(ll, canon_dir, rights))
		return true;
	if (!ll->fs_kernel)
		return false;
	while (n > 1 && canon_dir[n - 1] == '/')
		n--; /* "DIR/" */
	for (i = 0; i < ll->fs.n; i++) {
		const struct sbx_fsr_rule *r = &ll->fs.v[i];

		if (r->dir && (r->access & rights) && !strncmp(r->path, canon_dir, n) &&
		    r->path[n] == '/' && access(r->path, W_OK) == 0)
			return true;
	}
	return false;
}

void sbx_ll_plan_free(struct sbx_ll_plan *ll)
{
	sbx_fsr_free(&ll->fs);
	free(ll->connect_ports);
	free(ll->bind_ports);
	memset(ll, 0, sizeof(*ll));
}
