/*
 * Owns --allow-unix-socket-re: PCRE2 patterns compiled once at start (JIT where the library
 * and CPU allow) and matched, anchored at both ends, against canonical paths by the workers.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include <errno.h>
#include <pcre2.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "../base/util.h"

static pthread_key_t sbx_re_key;
static pthread_once_t sbx_re_once = PTHREAD_ONCE_INIT;

static void sbx_re_md_free(void *md)
{
	pcre2_match_data_free(md);
}

static void sbx_re_key_init(void)
{
	(void)pthread_key_create(&sbx_re_key, sbx_re_md_free);
}

int sbx_pol_add_unix_re(struct sbx_policy *pol, const char *pattern, struct sbx_error *err)
{
	struct sbx_unix_re r = { 0 }, *grown;
	PCRE2_UCHAR msg[256];
	PCRE2_SIZE off;
	pcre2_code *code;
	int ec;

	/* ANCHORED + ENDANCHORED: a full match, whatever ^ and $ the user wrote or left out. */
	code = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
			     PCRE2_ANCHORED | PCRE2_ENDANCHORED, &ec, &off, NULL);
	if (!code) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		sbx_error_set(err, 0, "%s:%zu: pattern `%s`: %s",
			      pol->where ? pol->where : "--allow-unix-socket-re",
			      (size_t)off + (pol->where ? pol->where_col : 1), pattern,
			      (const char *)msg);
		return -(err ? err->code = EINVAL : EINVAL);
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE); /* interpreted if JIT is missing */
	r.code = code;
	r.pattern = strdup(pattern);
	r.origin = sbx_pol_origin(pol, "allow-unix-socket-re", pattern);
	grown = realloc(pol->unix_res, (pol->n_unix_res + 1) * sizeof(*grown));
	if (!r.pattern || !r.origin || !grown) {
		free(r.pattern);
		free(r.origin);
		pcre2_code_free(code);
		if (grown)
			pol->unix_res = grown;
		return sbx_error_set(err, ENOMEM, "--allow-unix-socket-re");
	}
	pol->unix_res = grown;
	pol->unix_res[pol->n_unix_res++] = r;
	return 0;
}

const struct sbx_unix_re *sbx_pol_match_path_re(const struct sbx_policy *pol, const char *canon)
{
	pcre2_match_data *md;
	size_t i;

	if (!pol->n_unix_res)
		return NULL;
	pthread_once(&sbx_re_once, sbx_re_key_init);
	md = pthread_getspecific(sbx_re_key);
	if (!md) {
		/* Once per worker thread; freed when it exits. Fail closed without one. */
		md = pcre2_match_data_create(1, NULL);
		if (!md || pthread_setspecific(sbx_re_key, md) != 0) {
			pcre2_match_data_free(md);
			return NULL;
		}
	}
	for (i = 0; i < pol->n_unix_res; i++)
		if (pcre2_match(pol->unix_res[i].code, (PCRE2_SPTR)canon, strlen(canon), 0, 0, md,
				NULL) >= 0)
			return &pol->unix_res[i];
	return NULL;
}

void sbx_pol_free_re(struct sbx_policy *pol)
{
	size_t i;

	for (i = 0; i < pol->n_unix_res; i++) {
		free(pol->unix_res[i].pattern);
		free(pol->unix_res[i].origin);
		pcre2_code_free(pol->unix_res[i].code);
	}
	free(pol->unix_res);
	pol->unix_res = NULL;
	pol->n_unix_res = 0;
}
