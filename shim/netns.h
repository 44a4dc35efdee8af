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
 * sbx_netns_setup() - bring lo up in the namespace just entered, and remount /sys for it (a
 * warning only, when that fails). On failure return -errno and point *what at the step.
 */
int sbx_netns_setup(const char **what);

#endif
