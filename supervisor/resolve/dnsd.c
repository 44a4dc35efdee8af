/* Owns answering the command's DNS queries under --net isolated. */
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "dnsd.h"
#include "dnsmsg.h"
#include "../base/log.h"
#include "../base/thread.h"
#include "../policy/policy.h"

#define SBX_DNSD_TTL	  60 /* what the command may cache; the mapping holds for the run */
#define SBX_DNSD_REPORTED 256

/* Names already reported as refused: one line each, as sbx_deny() does for calls. */
static char sbx_dnsd_reported[SBX_DNSD_REPORTED][SBX_HOSTNAME_MAX + 2];
static size_t sbx_dnsd_n_reported;

static bool sbx_dnsd_allowed(const struct sbx_policy *pol, const char *name)
{
	size_t i;

	for (i = 0; i < pol->n_hosts; i++)
		if (sbx_hostpat_match_name(&pol->hosts[i], name))
			return true;
	return false;
}

static void sbx_dnsd_report(const struct sbx_dnsd *d, const char *name, const char *why)
{
	size_t i;

	if (d->quiet)
		return;
	for (i = 0; i < sbx_dnsd_n_reported; i++)
		if (!strcmp(sbx_dnsd_reported[i], name))
			return;
	if (sbx_dnsd_n_reported < SBX_DNSD_REPORTED)
		snprintf(sbx_dnsd_reported[sbx_dnsd_n_reported++], sizeof(sbx_dnsd_reported[0]),
			 "%s", name);
	if (why)
		sbx_log_err("denied DNS lookup of %s: %s", name, why);
	else
		sbx_log_err("denied DNS lookup of %s: no --allow-connect rule names it. Hint: "
			    "--allow-connect %s:PORT",
			    name, name);
}

/* The reply's rcode and, for an A record, the address to give. */
static int sbx_dnsd_decide(struct sbx_dnsd *d, const struct sbx_dns_query *q, unsigned char a4[4],
			   bool *has_a)
{
	char name[SBX_HOSTNAME_MAX + 1];
	const char *why = NULL;
	struct sbx_ip real;
	int r;

	*has_a = false;
	if (q->qclass != 1)
		return SBX_DNS_REFUSED;
	if (sbx_hostname_norm(q->name, strlen(q->name), name, &why) < 0) {
		if (d->refused)
			d->refused(q->name[0] ? q->name : ".");
		sbx_dnsd_report(d, q->name[0] ? q->name : ".", why);
		return SBX_DNS_REFUSED;
	}
	if (!sbx_dnsd_allowed(d->pol, name) && !d->permissive) {
		if (d->refused)
			d->refused(name);
		sbx_dnsd_report(d, name, NULL);
		return SBX_DNS_REFUSED;
	}
	/* A name that does not exist on the host does not exist inside either. */
	r = sbx_names_pick(d->names, name, &real);
	if (r == -ENOENT)
		return SBX_DNS_NXDOMAIN;
	if (r < 0)
		return SBX_DNS_SERVFAIL;
	if (q->qtype != SBX_DNS_A)
		return SBX_DNS_NOERROR;
	if (sbx_synth_get(d->synth, name, a4) < 0)
		return SBX_DNS_SERVFAIL;
	*has_a = true;
	return SBX_DNS_NOERROR;
}

static void *sbx_dnsd_thread(void *arg)
{
	struct sbx_dnsd *d = arg;
	uint8_t in[512], out[600];
	struct sbx_dns_query q;

	for (;;) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		unsigned char a4[4];
		bool has_a;
		ssize_t n;
		size_t len;
		int r, rcode;

		n = recvfrom(d->fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			sbx_log_warn("sbx's DNS responder stopped: %s", strerror(errno));
			return NULL;
		}
		r = sbx_dns_parse(in, (size_t)n, &q);
		if (r == -EINVAL)
			continue; /* not a query sbx can even answer */
		rcode = r == -EPROTO ? SBX_DNS_NOTIMP : sbx_dnsd_decide(d, &q, a4, &has_a);
		len = sbx_dns_reply(&q, in, rcode, rcode == SBX_DNS_NOERROR && has_a ? a4 : NULL,
				    SBX_DNSD_TTL, out, sizeof(out));
		if (len)
			(void)sendto(d->fd, out, len, MSG_DONTWAIT, (struct sockaddr *)&from, fl);
	}
	return NULL;
}

int sbx_dnsd_start(struct sbx_dnsd *d, struct sbx_error *err)
{
	int r = sbx_thread_start(sbx_dnsd_thread, d, 256 * 1024);

	return r ? sbx_error_set(err, r, "start sbx's DNS responder") : 0;
}
