/* Owns the naming of where a rule came from, below every kind of rule that records it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

char *sbx_pol_origin(const struct sbx_policy *pol, const char *flag, const char *arg)
{
	char *s = NULL;

	if (pol->where)
		return strdup(pol->where);
	return asprintf(&s, "--%s %s", flag, arg) < 0 ? NULL : s;
}
