/* Owns entering the private network namespace (--net isolated|none). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/route/link.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/syscall.h>

#ifndef OPEN_TREE_CLONE
#define OPEN_TREE_CLONE 1
#endif
#ifndef OPEN_TREE_CLOEXEC
#define OPEN_TREE_CLOEXEC O_CLOEXEC
#endif
#ifndef MOVE_MOUNT_F_EMPTY_PATH
#define MOVE_MOUNT_F_EMPTY_PATH 0x00000004
#endif
#ifndef AT_RECURSIVE
#define AT_RECURSIVE 0x8000
#endif
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "netns.h"
#include "../supervisor/base/util.h"

static int sbx_write_file(const char *path, const char *text)
{
	_cleanup_close_ int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, text, strlen(text));
	return n == (ssize_t)strlen(text) ? 0 : -(n < 0 ? errno : EIO);
}

/* Unprivileged: a user namespace in which we hold CAP_NET_ADMIN over the new network
 * namespace, mapping only our own uid and gid (setgroups denied, as the kernel requires). */
static int sbx_userns_enter(const char **what)
{
	char map[64];
	uid_t uid = geteuid();
	gid_t gid = getegid();
	int r;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) == -1) {
		*what = "unshare(CLONE_NEWUSER | CLONE_NEWNET)";
		return -errno;
	}
	snprintf(map, sizeof(map), "%u %u 1\n", uid, uid);
	r = sbx_write_file("/proc/self/uid_map", map);
	if (r == 0)
		r = sbx_write_file("/proc/self/setgroups", "deny");
	snprintf(map, sizeof(map), "%u %u 1\n", gid, gid);
	if (r == 0)
		r = sbx_write_file("/proc/self/gid_map", map);
	if (r < 0)
		*what = "write the user namespace's id maps";
	return r;
}

static int sbx_lo_up(const char **what)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct rtnl_link *lo = NULL, *change = NULL;
	int r = -ENOMEM;

	*what = "bring up lo";
	if (!sk)
		return r;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		r = -EPROTONOSUPPORT;
		goto out;
	}
	if (rtnl_link_get_kernel(sk, 0, "lo", &lo) < 0) {
		r = -ENODEV;
		goto out;
	}
	change = rtnl_link_alloc();
	if (!change)
		goto out;
	rtnl_link_set_flags(change, IFF_UP);
	r = rtnl_link_change(sk, lo, change, 0) < 0 ? -EPERM : 0;
out:
	if (change)
		rtnl_link_put(change);
	if (lo)
		rtnl_link_put(lo);
	nl_socket_free(sk);
	return r;
}

/*
 * sysfs shows the interfaces of the namespace that mounted it: remount it in a private mount
 * namespace so /sys/class/net lists only lo, and bind the host's cgroup tree back (runtimes
 * read their limits there). Mount events do not propagate back to the host (MS_SLAVE).
 */
static int sbx_mntns_private(const char **what)
{
	*what = "a private mount namespace";
	if (unshare(CLONE_NEWNS) == -1 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) == -1)
		return -errno;
	return 0;
}

static int sbx_sysfs_remount(const char **what)
{
	_cleanup_close_ int cg = -1;

	*what = "remount /sys for the new namespace";
	/* A detached copy of the cgroup tree, taken in the new namespace (where we may), to
	 * put back once sysfs covers /sys. */
	cg = (int)syscall(SYS_open_tree, AT_FDCWD, "/sys/fs/cgroup",
			  OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (mount("sysfs", "/sys", "sysfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return -errno;
	if (cg >= 0 && syscall(SYS_move_mount, cg, "", AT_FDCWD, "/sys/fs/cgroup",
			       MOVE_MOUNT_F_EMPTY_PATH) == -1)
		return *what = "put /sys/fs/cgroup back", -errno;
	return 0;
}

int sbx_netns_create(const char **what)
{
	/* Root (or CAP_SYS_ADMIN) needs no user namespace; fall back to one when refused. */
	if (unshare(CLONE_NEWNET) == -1) {
		if (errno != EPERM)
			return *what = "unshare(CLONE_NEWNET)", -errno;
		return sbx_userns_enter(what);
	}
	return 0;
}

/* Read-only, so the command reads what sbx wrote; in the private mount namespace only. */
static int sbx_bind_ro(const char *src, const char *dst)
{
	if (mount(src, dst, NULL, MS_BIND, NULL) == -1 ||
	    mount(NULL, dst, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, NULL) == -1)
		return -errno;
	return 0;
}

static int sbx_dns_setup(const struct sbx_netns_dns *dns, int *dns_fd, const char **what)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(53),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	_cleanup_close_ int fd = -1;
	int r;

	/* Port 53 needs CAP_NET_BIND_SERVICE in the namespace's owner: held until the
	 * capabilities are dropped, later (and in a user namespace of our own, unprivileged). */
	*what = "bind 127.0.0.1:53 in the new namespace for sbx's DNS responder";
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == -1)
		return -errno;
	*what = "bind-mount sbx's resolv.conf over /etc/resolv.conf";
	r = sbx_bind_ro(dns->resolv_conf, "/etc/resolv.conf");
	if (r == 0) {
		*what = "bind-mount sbx's hosts over /etc/hosts";
		r = sbx_bind_ro(dns->hosts, "/etc/hosts");
	}
	if (r < 0)
		return r;
	*dns_fd = steal_fd(&fd);
	return 0;
}

int sbx_netns_setup(const struct sbx_netns_dns *dns, int *dns_fd, const char **what)
{
	int r, m;

	r = sbx_lo_up(what);
	if (r < 0)
		return r;
	m = sbx_mntns_private(what);
	/* Never mounted over the host's files: without a private mount namespace, stop. */
	if (m < 0 && dns)
		return m;
	if (dns) {
		r = sbx_dns_setup(dns, dns_fd, what);
		if (r < 0)
			return r;
	}
	/* Cosmetic next to the namespace itself: say so and go on. */
	r = m < 0 ? m : sbx_sysfs_remount(what);
	if (r < 0)
		dprintf(STDERR_FILENO,
			"sbx-supervise: warning: /sys/class/net still lists the host's interfaces "
			"(%s: %s); the network namespace itself has only lo\n",
			*what, strerror(-r));
	return 0;
}
