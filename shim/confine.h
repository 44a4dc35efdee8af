/*
 * confine: what the shim does to the child, besides seccomp, so that nothing in the sandbox
 * can reach the supervisor: a Landlock domain (Landlock lets a process ptrace, read the /proc
 * fds of, or pidfd_getfd only processes in its own domain or below it; the supervisor is
 * outside) and, for root, no CAP_SYS_PTRACE (which would override the supervisor's
 * non-dumpable flag).
 */
#ifndef SBX_CONFINE_H
#define SBX_CONFINE_H

#include <stdbool.h>

/* sbx_ll_abi() - the kernel's Landlock ABI version, or 0 when Landlock is unavailable. */
int sbx_ll_abi(void);

/*
 * sbx_confine_domain() - enter a Landlock domain that restricts nothing the command needs
 * (it handles only the creation of block devices) but scopes ptrace-style access.
 * Requires no_new_privs. Return 0, or -errno (-EOPNOTSUPP when Landlock is unavailable).
 */
int sbx_confine_domain(void);

/* sbx_confine_drop_ptrace() - remove CAP_SYS_PTRACE from the bounding, effective, permitted,
 * inheritable and ambient sets. Return 0 or -errno. */
int sbx_confine_drop_ptrace(void);

#endif
