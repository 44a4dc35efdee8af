/*
 * netns: the private network namespace of --net isolated and --net none, made by the shim
 * before the filter: a new namespace whose only interface is lo, brought up with
 * libnl-route. Unprivileged, a user namespace mapping only the caller's own ids comes with it.
 */
#ifndef SBX_NETNS_H
#define SBX_NETNS_H

/*
 * sbx_netns_create() - enter a new network namespace: directly with CAP_SYS_ADMIN, else
 * inside a new user namespace. On failure return -errno and point *what at the step.
 */
int sbx_netns_create(const char **what);

/*
 * What --net isolated needs for host-name rules: sbx's DNS responder inside the namespace (a
 * UDP socket on 127.0.0.1:53, which the supervisor serves from then on) and the command's
 * resolver pointed at it: @resolv_conf and @hosts (files sbx wrote) bind-mounted over
 * /etc/resolv.conf and /etc/hosts in the private mount namespace.
 */
struct sbx_netns_dns {
	const char *resolv_conf;
	const char *hosts;
};

/*
 * sbx_netns_setup() - bring lo up in the namespace just entered, and remount /sys for it (a
 * warning only, when that fails). With @dns, also its socket (its number in *@dns_fd, in the
 * fd table shared with the supervisor, O_CLOEXEC) and its mounts, which are not optional.
 * On failure return -errno and point *what at the step.
 */
int sbx_netns_setup(const struct sbx_netns_dns *dns, int *dns_fd, const char **what);

#endif
