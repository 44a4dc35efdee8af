/*
 * shim: the child side, from fork to execve. Sets PR_SET_PDEATHSIG and NO_NEW_PRIVS, enters
 * the planned Landlock domain, drops capabilities (confine.h), receives the seccomp program
 * the parent built meanwhile, installs it with a new listener, tells the parent the
 * listener's fd number, waits for the parent's go, closes its copy and executes the command.
 *
 * On the sync socket: parent → child the program (one message of instructions), child →
 * parent a struct sbx_shim_msg, parent → child one byte, the go.
 *
 * Only this code and main() may exit on error; it runs single-threaded right after fork and
 * calls nothing that allocates after the filter is in place.
 */
#ifndef SBX_SHIM_H
#define SBX_SHIM_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "../filters/filter.h"
#include "../supervisor/llplan.h"

/* Messages on the sync socket, child → parent. */
struct sbx_shim_msg {
	int listener; /* fd number in the child, or -1 on failure */
	int err;      /* errno of the failure */
	char what[96];
};

struct sbx_shim_args {
	int sync_fd; /* SOCK_SEQPACKET to the parent */
	pid_t parent;
	char *const *argv;	      /* the command */
	const sigset_t *mask;	      /* the signal mask to restore before execve */
	bool private_net;	      /* --net isolated or none: a new network namespace */
	const struct sbx_ll_plan *ll; /* the Landlock domain to enter */
	bool keep_caps;		      /* --keep-caps */
};

/* sbx_shim_run() - never returns: execs the command or exits 125/126/127. */
void sbx_shim_run(const struct sbx_shim_args *a) __attribute__((noreturn));

#endif
