/*
 * netns: the private network namespace of --net isolated and --net none, made by the shim
 * before the filter: a new namespace whose only interface is lo, brought up with
 * libnl-route. Unprivileged, a user namespace mapping only the caller's own ids comes with it.
 */
#ifndef SBX_NETNS_H
#define SBX_NETNS_H

/* sbx_netns_enter() - unshare the network namespace and bring lo up. On failure return
 * -errno and point *what at the step that failed. */
int sbx_netns_enter(const char **what);

#endif
