/*
 * confine: what the shim does to the child, besides seccomp. A Landlock domain with the
 * planned filesystem rules, TCP ports and scopes (llplan.h); any domain at all also keeps
 * ptrace-style access (ptrace, /proc/<pid>/mem and fd, pidfd_getfd, process_vm_readv) from
 * reaching the supervisor, which is outside it. And the capabilities: none at all for the
 * command unless --keep-caps, and never CAP_SYS_PTRACE (which would override the supervisor's
 * non-dumpable flag where no Landlock domain exists).
 */
#ifndef SBX_CONFINE_H
#define SBX_CONFINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../supervisor/policy/llplan.h"

/*
 * sbx_confine_landlock() - create the ruleset @ll describes, add its rules and restrict the
 * calling thread. Requires no_new_privs. Nothing to do when @ll says not to use Landlock or
 * the kernel has none. A rule whose path vanished or became a symlink since it was planned
 * is skipped (fewer rights, never more). Return 0, or -errno with @what naming the step.
 */
int sbx_confine_landlock(const struct sbx_ll_plan *ll, char *what, size_t n);

/*
 * sbx_confine_ruleset_only() - the ruleset sbx_confine_landlock() would enter, but handling
 * only @fs_rights (no TCP rules, no scopes): for a supervisor thread that must do no more
 * than the child could (binder.h). Built now, entered later with sbx_confine_enter(), so its
 * rules see the filesystem the child's saw. Return 0 with the ruleset fd in *@ruleset (-1
 * when there is nothing to enforce), or -errno with @what naming the step.
 */
int sbx_confine_ruleset_only(const struct sbx_ll_plan *ll, uint64_t fs_rights, int *ruleset,
			     char *what, size_t n);

/*
 * sbx_confine_enter() - restrict the calling thread with @ruleset from
 * sbx_confine_ruleset_only() (nothing when it is -1). Requires no_new_privs on the calling
 * thread. Return 0 or -errno.
 */
int sbx_confine_enter(const struct sbx_ll_plan *ll, int ruleset, char *what, size_t n);

/*
 * sbx_confine_caps() - empty the bounding, effective, permitted, inheritable and ambient
 * capability sets; with @keep, remove only CAP_SYS_PTRACE from them. Without CAP_SETPCAP
 * (not root) the bounding set stays, which no_new_privs makes harmless. Return 0 or -errno.
 */
int sbx_confine_caps(bool keep);

#endif
