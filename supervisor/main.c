/* sbx-supervise: entry point. Maps sbx's own failures to exit status 125. */
#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "check.h"
#include "record/audit.h"
#include "options/cli.h"
#include "options/tmpdir.h"
#include "base/log.h"
#include "run.h"

/*
 * Map the heap's pages in one call before start-up writes to them. Where sbx often runs, in a
 * VM, a page fault is dear (~11 us on the 2-core guest of doc/performance.md, against ~0.6 us
 * a page here), and start-up took ~25 of them on the heap, nearly all while libseccomp built
 * the filter. Best effort: before Linux 5.14, or under a sanitizer's allocator, nothing.
 */
static void sbx_heap_prefault(void)
{
	struct mallinfo2 mi = mallinfo2();
	uintptr_t top = (uintptr_t)sbrk(0), page = (uintptr_t)sysconf(_SC_PAGESIZE), start;

	if (!mi.arena || top == (uintptr_t)-1 || mi.arena > top)
		return;
	start = (top - mi.arena + page - 1) & ~(page - 1);
	if (start < top)
		(void)madvise((void *)start, top - start, MADV_POPULATE_WRITE);
}

/* The sandbox's TMPDIR goes, unless kept (--keep-tmp) or still used (--leave-running). */
static void sbx_tmp_done(const struct sbx_opts *o)
{
	if (o->tmpdir && !o->keep_tmp && !o->leave_running)
		sbx_tmpdir_remove(o->tmpdir);
}

int main(int argc, char **argv)
{
	/* Static: notify workers read the policy until the process exits, so it must stay
	 * reachable after main's frame is gone (and LeakSanitizer sees it so). */
	static struct sbx_opts o;
	struct sbx_error err = { 0 };
	int r;

	sbx_heap_prefault();
	r = sbx_cli_parse(argc, argv, &o, &err);
	if (r == SBX_CLI_EXIT)
		return 0;
	if (r == SBX_CLI_CHECK)
		return sbx_check(o.json);
	if (r < 0) {
		sbx_log_error(&err);
		sbx_tmp_done(&o);
		sbx_pol_free(&o.pol); /* no worker uses it yet */
		return 125;
	}
	r = sbx_audit_open(&o.audit, &err);
	if (r < 0) {
		sbx_log_error(&err);
		sbx_tmp_done(&o);
		return 125;
	}
	r = sbx_run(&o, &err);
	if (r < 0) {
		sbx_log_error(&err);
		r = 125;
	}
	sbx_tmp_done(&o);
	/* The exit record, the learning summary and --suggest-policy, whatever happened. */
	return sbx_audit_finish(r);
}
