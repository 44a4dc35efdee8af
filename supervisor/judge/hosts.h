/*
 * hosts: the part of judging an inet destination that the host-name rules and the
 * --deny-connect exceptions decide. Called by decide.c only.
 */
#ifndef SBX_JUDGE_HOSTS_H
#define SBX_JUDGE_HOSTS_H

#include <stdint.h>

#include "../sup.h"
#include "verdict.h"

enum sbx_hosts_verdict {
	SBX_HOSTS_NONE = 0, /* no name rule or exception speaks for it */
	SBX_HOSTS_ALLOW,    /* a name rule allows it */
	SBX_HOSTS_DENY,	    /* an exception refuses it: @v is filled */
};

/*
 * sbx_judge_hosts() - judge @proto to @ip (@family, IPv4-mapped already unmapped) port @port
 * against --deny-connect (which wins) and the --allow-connect name rules. @endpoint_ok: an
 * address rule already allows it (no need to wait for DNS). A destination nothing allows on
 * a port an exact name rule covers waits, once and briefly, for the names to be resolved
 * again: the command may have been given an address sbx has not seen yet. @known
 * receives the first policy name @ip is an address of, or "" (for the denial line and its hint).
 */
enum sbx_hosts_verdict sbx_judge_hosts(struct sbx_call *c, int proto, int family,
				       const unsigned char *ip, uint16_t port, bool endpoint_ok,
				       char known[SBX_HOSTNAME_MAX + 1], struct sbx_verdict *v);

/*
 * sbx_judge_synth() - judge @proto to a synthetic address @ip (synth.h: one sbx's DNS gave the
 * command under --net isolated) port @port by the name it stands for: SBX_JUDGE_OUTSIDE when
 * a name rule allows it and no exception refuses it, else SBX_JUDGE_DENY with @v filled.
 */
long sbx_judge_synth(struct sbx_call *c, int proto, const unsigned char ip[4], uint16_t port,
		     struct sbx_verdict *v);

/* sbx_hosts_target() - "NAME:PORT (IP)" when @known is not empty, else "IP:PORT" as @fallback
 * says; and the hint "--allow-connect [udp:]NAME:PORT" into @hint. */
void sbx_hosts_target(const char *known, int proto, int family, const unsigned char *ip,
		      uint16_t port, char *target, size_t tn, char *hint, size_t hn);

#endif
