/* Owns the choice of a performer and the steps every handler takes before performing. */
#include "../judge/decide.h"
#include "../judge/verdict.h"
#include "perform.h"

const struct sbx_performer *sbx_performer_for(const struct sbx_call *c, long judged)
{
	if (c->sup->replace)
		return &sbx_perform_replace;
	return judged == SBX_JUDGE_OUTSIDE ? &sbx_perform_addfd : &sbx_perform_dup;
}

long sbx_perform_getsock(struct sbx_call *c, int fd)
{
	if (c->sup->replace)
		return sbx_replace_getsock(c, fd);
	return sbx_task_getfd(&c->task, fd);
}

long sbx_perform_prepare(struct sbx_call *c, const struct sbx_dest *d, int *sock, bool connect,
			 const struct sbx_performer **p)
{
	struct sbx_verdict v;
	long r;

	sbx_dest_judge(c, d, *sock, &v);
	r = sbx_verdict_record(c, &v);
	if (r < 0)
		return r;
	*p = sbx_performer_for(c, r);
	return (*p)->socket(c, sock, connect);
}
