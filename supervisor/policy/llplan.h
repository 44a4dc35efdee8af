/*
 * llplan: what Landlock will enforce for this run, decided once before the command starts:
 * the kernel's ABI (probed, or capped by the test-only SBX_TEST_LANDLOCK_ABI_MAX), the rights
 * the ruleset handles, the filesystem rules (fsrules.h), the TCP ports and the scopes. Missing
 * protections are warned about (--landlock=auto) or refused (--landlock=require). The shim
 * applies the plan (confine.h); the supervisor's bind process applies its MAKE_SOCK part
 * (binder.h).
 *
 * Lifecycle: zeroed inside struct sbx_policy; sbx_ll_plan(); sbx_ll_plan_free().
 */
#ifndef SBX_LLPLAN_H
#define SBX_LLPLAN_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/error.h"
#include "fsrules.h"

/* More ports than this in --allow-connect ranges: no TCP connect lock (one rule per port). */
#define SBX_LL_PORTS_MAX 1024

/* The rights that let the sandbox put a new entry in a directory, or take one away: where it
 * has one of them, it can put another socket at an allowlisted path. */
#define SBX_LL_ENTRY_RIGHTS \
	(SBX_FS_WRITE & ~(LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE))

struct sbx_policy;

struct sbx_ll_plan {
	bool use;	/* create a Landlock domain at all */
	int abi;	/* 0: no Landlock */
	bool fs_kernel; /* the kernel enforces the filesystem rules */
	uint64_t handled_fs, handled_net, scoped;
	struct sbx_fsr_list fs;
	uint16_t *connect_ports, *bind_ports;
	size_t n_connect, n_bind;
	/* A directory the command's domain holds a rule of its own on, with the rights the
	 * rules above already give it, even where a covering rule makes it redundant: the
	 * sandbox's TMPDIR (or NULL). Landlock keeps a ruled inode until the domain is freed,
	 * by a kernel worker after the command is gone; so sbx's rmdir at exit, which the
	 * caller waits for, does not drop the directory's last reference itself (on ext4
	 * mounted with discard, a synchronous discard of its block: ~0.25 ms per run). */
	const char *hold;
};

/* The real filesystem for sbx_fsr_build(): readdir() and lstat(); ctx is unused. */
extern const struct sbx_fsr_ops sbx_ll_fs_ops;

/* sbx_ll_abi() - the kernel's Landlock ABI (0 when unavailable), lowered to
 * SBX_TEST_LANDLOCK_ABI_MAX when that variable is set (tests simulate older kernels). */
int sbx_ll_abi(void);

/*
 * sbx_ll_plan() - fill @pol->ll from @pol: probe the ABI, pick the handled rights with a
 * fallthrough over ABI versions, build the rules, warn or fail for missing protections,
 * print the plan on stderr when @verbose, and re-decide which PATH socket rules are pinned
 * (sandbox-writable directories). Return 0, or -errno with @err set (exit 125).
 */
int sbx_ll_plan(struct sbx_policy *pol, bool verbose, struct sbx_error *err);

/*
 * sbx_ll_sandbox_writes() - whether the sandbox can create or remove entries in directory
 * @canon_dir: the user's write permission and, where Landlock enforces the rules, a rule
 * granting one of @rights there.
 */
bool sbx_ll_sandbox_writes(const struct sbx_ll_plan *ll, const char *canon_dir, uint64_t rights);

/* sbx_ll_sandbox_writes_below() - as sbx_ll_sandbox_writes() for @canon_dir or any directory
 * below it (a DIR/ rule covers the whole tree). */
bool sbx_ll_sandbox_writes_below(const struct sbx_ll_plan *ll, const char *canon_dir,
				 uint64_t rights);

/* sbx_ll_plan_free() - release what @ll owns and zero it. */
void sbx_ll_plan_free(struct sbx_ll_plan *ll);

#endif
