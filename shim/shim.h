/*
 * shim: the child side, from clone to execve. The child is started with
 * CLONE_VM | CLONE_VFORK | CLONE_FILES: it runs on a stack of its own in the supervisor's
 * memory and fd table while the supervisor waits, sets PR_SET_PDEATHSIG and NO_NEW_PRIVS,
 * enters the planned Landlock domain, drops capabilities (confine.h), installs the seccomp
 * program the supervisor built with a new listener, which lands in the shared fd table, and
 * executes the command. execve gives the child its own memory and its own copy of the fd
 * table, in which every O_CLOEXEC fd (the listener among them) is closed; that releases the
 * supervisor, which then owns the listener. Sharing instead of forking saves the fork's page
 * table copy and the copy-on-write faults that followed it on both sides (doc/performance.md).
 *
 * Because the memory is shared, the child's code must not leave state the supervisor would
 * trip on: it runs while the supervisor is suspended and has no other thread, with every
 * signal blocked until just before execve, and reports through struct sbx_shim_result.
 * Only this code and main() may exit on error.
 */
#ifndef SBX_SHIM_H
#define SBX_SHIM_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../filters/filter.h"
#include "../supervisor/policy/llplan.h"
#include "netns.h"

/* Where the child stopped before execve: what the supervisor's message explains. */
enum sbx_shim_step {
	SBX_STEP_NONE,	    /* it did not stop */
	SBX_STEP_PROCESS,   /* prctl: parent-death signal, non-dumpable, no_new_privs */
	SBX_STEP_NAMESPACE, /* creating the network namespace (and a user namespace for it) */
	SBX_STEP_NETWORK,   /* setting up the new namespace: lo */
	SBX_STEP_LANDLOCK,  /* entering the Landlock domain */
	SBX_STEP_CAPS,	    /* dropping capabilities */
	SBX_STEP_SECCOMP,   /* installing the filter */
};

/* What the child leaves in the supervisor's memory before execve or exit. */
struct sbx_shim_result {
	int listener;		 /* the listener's number in the shared fd table, or -1 */
	int dns_fd;		 /* sbx's DNS responder's socket in the new namespace, or -1 */
	bool killable;		 /* the filter has SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV */
	int err;		 /* errno of the failure when it stopped before execve, or 0 */
	enum sbx_shim_step step; /* where it stopped */
	char what[96];		 /* the call or action that failed, for the message */
};

struct sbx_shim_args {
	pid_t parent;
	char *const *argv;    /* the command */
	const sigset_t *mask; /* the signal mask to restore before execve */
	bool chld_ignored;    /* sbx was started with SIGCHLD ignored: so is the command */
	bool private_net;     /* --net isolated or none: a new network namespace */
	const struct sbx_netns_dns *dns; /* with private_net: sbx answers its DNS (netns.h) */
	const struct sbx_ll_plan *ll;	 /* the Landlock domain to enter */
	bool keep_caps;			 /* --keep-caps */
	const struct sbx_bpf *bpf;	 /* the seccomp program to install */
	struct sbx_shim_result *res;	 /* written by the child */
};

/*
 * sbx_shim_start() - start the command's process and return once it has executed the command
 * or died trying. Must be called by the thread that will outlive the command (PDEATHSIG is tied
 * to it) while no other thread exists. @a->res->listener >= 0 means the filter is in place and
 * the listener is the caller's; otherwise @a->res->err says why not (0: killed, see its status).
 * Return: the pid, with its pidfd in *@pidfd; or -errno if clone itself failed.
 */
pid_t sbx_shim_start(const struct sbx_shim_args *a, int *pidfd);

#endif
