/* sbx-supervise: entry point. Maps sbx's own failures to exit status 125. */
#include <stdlib.h>

#include "audit.h"
#include "cli.h"
#include "log.h"
#include "run.h"

int main(int argc, char **argv)
{
	/* Static: notify workers read the policy until the process exits, so it must stay
	 * reachable after main's frame is gone (and LeakSanitizer sees it so). */
	static struct sbx_opts o;
	struct sbx_error err = { 0 };
	int r;

	r = sbx_cli_parse(argc, argv, &o, &err);
	if (r == SBX_CLI_EXIT)
		return 0;
	if (r < 0) {
		sbx_log_error(&err);
		sbx_pol_free(&o.pol); /* no worker uses it yet */
		return 125;
	}
	r = sbx_audit_open(&o.audit, &err);
	if (r < 0) {
		sbx_log_error(&err);
		return 125;
	}
	r = sbx_run(&o, &err);
	if (r < 0) {
		sbx_log_error(&err);
		r = 125;
	}
	/* The exit record, the learning summary and --suggest-policy, whatever happened. */
	return sbx_audit_finish(r);
}
