/* Owns the judgement of inet destinations by host name (--allow-connect NAME:PORTS) and the
 * --deny-connect exceptions. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "hosts.h"

/* A worker waits this long at most for a name to be resolved again (names.h). */
#define SBX_HOSTS_WAIT_MS 1000
#define SBX_HOSTS_KNOWN	  8 /* names one address may be known under, as far as judged */

/* A rule as the user would write it: tcp is the default. */
static const char *sbx_rule_text(const char *formatted)
{
	return strncmp(formatted, "tcp:", 4) ? formatted : formatted + 4;
}

/* Fill @v for a refusal by an exception: what, and which rule. */
static enum sbx_hosts_verdict sbx_hosts_refuse(struct sbx_verdict *v, const char *known, int proto,
					       int family, const unsigned char *ip, uint16_t port,
					       const char *rule)
{
	char hint[8];

	sbx_hosts_target(known, proto, family, ip, port, v->target, sizeof(v->target), hint,
			 sizeof(hint));
	v->hint[0] = '\0';
	snprintf(v->reason_buf, sizeof(v->reason_buf), "refused by --deny-connect %s",
		 sbx_rule_text(rule));
	v->reason = v->reason_buf;
	return SBX_HOSTS_DENY;
}

enum sbx_hosts_verdict sbx_judge_hosts(struct sbx_call *c, int proto, int family,
				       const unsigned char *ip, uint16_t port, bool endpoint_ok,
				       char known[SBX_HOSTNAME_MAX + 1], struct sbx_verdict *v)
{
	const struct sbx_policy *pol = c->sup->pol;
	char names[SBX_HOSTS_KNOWN][SBX_HOSTNAME_MAX + 1];
	struct sbx_ip key = { .family = family };
	const struct sbx_endpoint *de;
	const struct sbx_hostpat *h;
	bool waited = false;
	size_t n, i;

	known[0] = '\0';
	memcpy(key.addr, ip, family == AF_INET ? 4 : 16);
	de = sbx_pol_match_deny_endpoint(pol, proto, family, ip, port);
	if (de) {
		char rule[128];

		sbx_endpoint_format(de, rule, sizeof(rule));
		return sbx_hosts_refuse(v, "", proto, family, ip, port, rule);
	}
	if (!c->sup->names.n)
		return SBX_HOSTS_NONE;
again:
	n = sbx_names_of(&c->sup->names, &key, names, SBX_HOSTS_KNOWN);
	if (n)
		memcpy(known, names[0], SBX_HOSTNAME_MAX + 1);
	/* An exception wins even when the address is also another name's (a shared CDN
	 * address): sbx cannot tell which of them the command meant. */
	for (i = 0; i < n; i++) {
		h = sbx_pol_match_deny_host(pol, proto, names[i], port);
		if (h) {
			char rule[SBX_HOSTNAME_MAX + 32];

			sbx_hostpat_format(h, rule, sizeof(rule));
			return sbx_hosts_refuse(v, names[i], proto, family, ip, port, rule);
		}
	}
	if (endpoint_ok)
		return SBX_HOSTS_NONE;
	for (i = 0; i < n; i++)
		if (sbx_pol_match_host(pol, proto, names[i], port))
			return SBX_HOSTS_ALLOW;
	if (!waited && sbx_pol_hosts_cover(pol, proto, port)) {
		waited = true;
		sbx_names_refresh_wait(&c->sup->names, SBX_HOSTS_WAIT_MS);
		goto again;
	}
	return SBX_HOSTS_NONE;
}

void sbx_hosts_target(const char *known, int proto, int family, const unsigned char *ip,
		      uint16_t port, char *target, size_t tn, char *hint, size_t hn)
{
	char text[INET6_ADDRSTRLEN];
	const char *udp = proto == SBX_PROTO_UDP ? "udp:" : "";

	inet_ntop(family, ip, text, sizeof(text));
	if (known[0]) {
		snprintf(target, tn, "%s:%u (%s)", known, port, text);
		snprintf(hint, hn, "--allow-connect %s%s:%u", udp, known, port);
	} else if (family == AF_INET) {
		snprintf(target, tn, "%s:%u", text, port);
		snprintf(hint, hn, "--allow-connect %s%s:%u", udp, text, port);
	} else {
		snprintf(target, tn, "[%s]:%u", text, port);
		snprintf(hint, hn, "--allow-connect %s[%s]:%u", udp, text, port);
	}
}

long sbx_judge_synth(struct sbx_call *c, int proto, const unsigned char ip[4], uint16_t port,
		     struct sbx_verdict *v)
{
	const struct sbx_policy *pol = c->sup->pol;
	char name[SBX_HOSTNAME_MAX + 1];
	const struct sbx_hostpat *h;

	if (!sbx_synth_name(&c->sup->synth, ip, name)) {
		sbx_hosts_target("", proto, AF_INET, ip, port, v->target, sizeof(v->target),
				 v->hint, sizeof(v->hint));
		v->hint[0] = '\0';
		v->reason = "sbx's DNS gave no name this address";
		return SBX_JUDGE_DENY;
	}
	h = sbx_pol_match_deny_host(pol, proto, name, port);
	if (h) {
		char rule[SBX_HOSTNAME_MAX + 32];

		sbx_hostpat_format(h, rule, sizeof(rule));
		sbx_hosts_refuse(v, name, proto, AF_INET, ip, port, rule);
		return SBX_JUDGE_DENY;
	}
	if (sbx_pol_match_host(pol, proto, name, port))
		return SBX_JUDGE_OUTSIDE;
	sbx_hosts_target(name, proto, AF_INET, ip, port, v->target, sizeof(v->target), v->hint,
			 sizeof(v->hint));
	v->reason = NULL;
	return SBX_JUDGE_DENY;
}
