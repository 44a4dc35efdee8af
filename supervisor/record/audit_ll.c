/* Owns reading Landlock's kernel audit records and turning those of our domain into records. */
#include <errno.h>
#include <linux/audit.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auditlog.h"
#include "../policy/llplan.h"
#include "audit_ll.h"
#include "json.h"

#ifndef AUDIT_LANDLOCK_ACCESS
#define AUDIT_LANDLOCK_ACCESS 1423
#endif
#ifndef AUDIT_LANDLOCK_DOMAIN
#define AUDIT_LANDLOCK_DOMAIN 1424
#endif

#define SBX_LL_DOMAINS 16
#define SBX_LL_PENDING 8
#define SBX_LL_TEXT    1024

/* One kernel audit event (records sharing a serial) with a Landlock denial in it. */
struct sbx_ll_event {
	unsigned long serial;
	unsigned long long domain;
	char access[SBX_LL_TEXT];  /* the AUDIT_LANDLOCK_ACCESS text after "audit(...): " */
	char syscall[SBX_LL_TEXT]; /* the AUDIT_SYSCALL text, if it came */
};

static struct {
	struct nl_sock *sk;
	pthread_t thread;
	atomic_bool running, stop;
	pid_t child;
	unsigned long long domains[SBX_LL_DOMAINS];
	size_t n_domains;
	struct sbx_ll_event pending[SBX_LL_PENDING];
	size_t n_pending;
	unsigned long n_emitted;
} sbx_ll;

/* "audit(1795438059.366:5): rest" -> serial 5, *rest */
static bool sbx_ll_header(const char *text, unsigned long *serial, const char **rest)
{
	const char *colon = strchr(text, ':'), *end;

	if (strncmp(text, "audit(", 6) || !colon)
		return false;
	*serial = strtoul(colon + 1, NULL, 10);
	end = strstr(colon, "): ");
	if (!end)
		return false;
	*rest = end + 3;
	return true;
}

/* The value of KEY= in an audit record's text, unquoted, into @out. */
static bool sbx_ll_field(const char *text, const char *key, char *out, size_t n)
{
	size_t klen = strlen(key), len;
	const char *p = text, *v;

	while ((p = strstr(p, key))) {
		if ((p == text || p[-1] == ' ') && p[klen] == '=')
			break;
		p += klen;
	}
	if (!p)
		return false;
	v = p + klen + 1;
	if (*v == '"') {
		v++;
		len = strcspn(v, "\"");
	} else {
		len = strcspn(v, " ");
	}
	if (len >= n)
		len = n - 1;
	memcpy(out, v, len);
	out[len] = '\0';
	return true;
}

static bool sbx_ll_ours(unsigned long long domain)
{
	size_t i;

	for (i = 0; i < sbx_ll.n_domains; i++)
		if (sbx_ll.domains[i] == domain)
			return true;
	return false;
}

static void sbx_ll_emit(const struct sbx_ll_event *e)
{
	char buf[16384], v[SBX_LL_TEXT];
	struct sbx_json j;
	long ex;

	sbx_auditlog_head(&j, buf, sizeof(buf), "deny");
	sbx_json_cstr(&j, "source", "landlock");
	if (sbx_ll_field(e->syscall, "pid", v, sizeof(v)))
		sbx_json_int(&j, "pid", strtol(v, NULL, 10));
	if (sbx_ll_field(e->syscall, "ppid", v, sizeof(v)))
		sbx_json_int(&j, "ppid", strtol(v, NULL, 10));
	if (sbx_ll_field(e->syscall, "comm", v, sizeof(v)))
		sbx_json_cstr(&j, "comm", v);
	if (sbx_ll_field(e->syscall, "exe", v, sizeof(v)))
		sbx_json_cstr(&j, "exe", v);
	if (sbx_ll_field(e->syscall, "syscall", v, sizeof(v)))
		sbx_json_int(&j, "syscall_nr", strtol(v, NULL, 10));
	sbx_json_cstr(&j, "arch", "x86_64");
	if (sbx_ll_field(e->access, "path", v, sizeof(v)))
		sbx_json_cstr(&j, "addr", v);
	if (sbx_ll_field(e->access, "blockers", v, sizeof(v)))
		sbx_json_cstr(&j, "blockers", v);
	snprintf(v, sizeof(v), "landlock domain %llx", e->domain);
	sbx_json_cstr(&j, "rule", v);
	if (sbx_ll_field(e->syscall, "exit", v, sizeof(v)) && (ex = strtol(v, NULL, 10)) < 0)
		sbx_json_cstr(&j, "errno", strerrorname_np((int)-ex));
	sbx_json_int(&j, "kernel_serial", (long long)e->serial);
	sbx_json_cstr(&j, "kernel_record", e->access);
	sbx_auditlog_emit(buf, sbx_json_end(&j));
	sbx_ll.n_emitted++;
}

/* Emit (if ours) and forget the pending event at @i. */
static void sbx_ll_flush(size_t i)
{
	if (sbx_ll_ours(sbx_ll.pending[i].domain))
		sbx_ll_emit(&sbx_ll.pending[i]);
	sbx_ll.pending[i] = sbx_ll.pending[--sbx_ll.n_pending];
}

static struct sbx_ll_event *sbx_ll_find(unsigned long serial)
{
	size_t i;

	for (i = 0; i < sbx_ll.n_pending; i++)
		if (sbx_ll.pending[i].serial == serial)
			return &sbx_ll.pending[i];
	return NULL;
}

static void sbx_ll_record(int type, const char *text)
{
	struct sbx_ll_event *e;
	unsigned long serial;
	const char *rest;
	char v[64];

	if (!sbx_ll_header(text, &serial, &rest))
		return;
	e = sbx_ll_find(serial);
	switch (type) {
	case AUDIT_LANDLOCK_ACCESS:
		if (!e) {
			if (sbx_ll.n_pending == SBX_LL_PENDING)
				sbx_ll_flush(0);
			e = &sbx_ll.pending[sbx_ll.n_pending++];
			memset(e, 0, sizeof(*e));
			e->serial = serial;
		}
		snprintf(e->access, sizeof(e->access), "%s", rest);
		if (sbx_ll_field(rest, "domain", v, sizeof(v)))
			e->domain = strtoull(v, NULL, 16);
		break;
	case AUDIT_LANDLOCK_DOMAIN:
		/* Comes once per domain, right after its first denial: the creator's pid says
		 * whether it is the sandbox's. Descendants share the domain, so its id is kept. */
		if (strstr(rest, "status=allocated") && sbx_ll_field(rest, "pid", v, sizeof(v)) &&
		    strtol(v, NULL, 10) == sbx_ll.child && sbx_ll.n_domains < SBX_LL_DOMAINS &&
		    sbx_ll_field(rest, "domain", v, sizeof(v)))
			sbx_ll.domains[sbx_ll.n_domains++] = strtoull(v, NULL, 16);
		break;
	case AUDIT_SYSCALL:
		if (e)
			snprintf(e->syscall, sizeof(e->syscall), "%s", rest);
		break;
	case AUDIT_EOE:
		if (e)
			sbx_ll_flush((size_t)(e - sbx_ll.pending));
		break;
	}
}

static int sbx_ll_cb(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	char text[4 * SBX_LL_TEXT];
	int len = nlmsg_datalen(h);

	(void)arg;
	if (len <= 0)
		return NL_OK;
	if ((size_t)len >= sizeof(text))
		len = sizeof(text) - 1;
	memcpy(text, nlmsg_data(h), (size_t)len);
	text[len] = '\0';
	sbx_ll_record(h->nlmsg_type, text);
	return NL_OK;
}

static void *sbx_ll_main(void *arg)
{
	struct pollfd p = { .fd = nl_socket_get_fd(sbx_ll.sk), .events = POLLIN };

	(void)arg;
	while (!atomic_load(&sbx_ll.stop)) {
		if (poll(&p, 1, 50) > 0)
			nl_recvmsgs_default(sbx_ll.sk);
	}
	return NULL;
}

/* Whether kernel auditing is on (AUDIT_GET): Landlock logs nothing otherwise. A refusal ends
 * the wait: root of a user namespace other than the initial one gets ECONNREFUSED, and no
 * status follows it. */
static int sbx_ll_audit_enabled(void)
{
	struct nl_sock *sk = nl_socket_alloc();
	struct pollfd p;
	char buf[8192];
	int enabled = -1;
	bool refused = false;
	ssize_t r;

	if (!sk)
		return -1;
	if (nl_connect(sk, NETLINK_AUDIT) == 0 &&
	    nl_send_simple(sk, AUDIT_GET, NLM_F_REQUEST, NULL, 0) >= 0) {
		p = (struct pollfd){ .fd = nl_socket_get_fd(sk), .events = POLLIN };
		while (enabled < 0 && !refused && poll(&p, 1, 1000) > 0) {
			struct nlmsghdr *h = (struct nlmsghdr *)buf;

			r = recv(p.fd, buf, sizeof(buf), 0);
			if (r < (ssize_t)NLMSG_HDRLEN)
				break;
			for (; NLMSG_OK(h, (size_t)r); h = NLMSG_NEXT(h, r)) {
				if (h->nlmsg_type == AUDIT_GET &&
				    NLMSG_PAYLOAD(h, 0) >= 2 * sizeof(__u32))
					enabled = (int)((struct audit_status *)NLMSG_DATA(h))
							  ->enabled;
				else if (h->nlmsg_type == NLMSG_ERROR &&
					 NLMSG_PAYLOAD(h, 0) >= sizeof(int) &&
					 ((struct nlmsgerr *)NLMSG_DATA(h))->error != 0)
					refused = true;
			}
		}
	}
	nl_socket_free(sk);
	return enabled;
}

int sbx_audit_ll_start(pid_t child, char *why, size_t n)
{
	int abi = sbx_ll_abi(), enabled, r;
	pthread_attr_t attr;

	if (abi < 7) {
		snprintf(why, n, "the kernel's Landlock ABI is %d, audit records need 7", abi);
		return -1;
	}
	if (geteuid() != 0) {
		snprintf(why, n, "reading kernel audit records needs root (CAP_AUDIT_READ)");
		return -1;
	}
	enabled = sbx_ll_audit_enabled();
	if (enabled <= 0) {
		snprintf(why, n, "%s",
			 enabled == 0 ? "kernel auditing is off (auditctl -e 1 turns it on)"
				      : "the kernel audit status cannot be read");
		return -1;
	}
	sbx_ll.child = child;
	sbx_ll.sk = nl_socket_alloc();
	if (!sbx_ll.sk) {
		snprintf(why, n, "out of memory");
		return -1;
	}
	nl_socket_disable_seq_check(sbx_ll.sk);
	nl_socket_disable_auto_ack(sbx_ll.sk);
	nl_socket_modify_cb(sbx_ll.sk, NL_CB_VALID, NL_CB_CUSTOM, sbx_ll_cb, NULL);
	if (nl_connect(sbx_ll.sk, NETLINK_AUDIT) < 0 ||
	    nl_socket_add_membership(sbx_ll.sk, AUDIT_NLGRP_READLOG) < 0 ||
	    nl_socket_set_nonblocking(sbx_ll.sk) < 0 ||
	    nl_socket_set_buffer_size(sbx_ll.sk, 1 << 20, 0) < 0) {
		snprintf(why, n, "cannot join the audit multicast group: %s", strerror(errno));
		nl_socket_free(sbx_ll.sk);
		sbx_ll.sk = NULL;
		return -1;
	}
	/* A stack of its own size: glibc's default is the user's RLIMIT_STACK, which may be
	 * smaller than the records this thread builds. */
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 256 * 1024);
	r = pthread_create(&sbx_ll.thread, &attr, sbx_ll_main, NULL);
	pthread_attr_destroy(&attr);
	if (r != 0) {
		snprintf(why, n, "cannot start a thread");
		nl_socket_free(sbx_ll.sk);
		sbx_ll.sk = NULL;
		return -1;
	}
	atomic_store(&sbx_ll.running, true);
	return 0;
}

void sbx_audit_ll_stop(int ms)
{
	struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };

	if (!atomic_load(&sbx_ll.running))
		return;
	/* kauditd delivers asynchronously: give records of the last denials time to arrive. */
	nanosleep(&t, NULL);
	atomic_store(&sbx_ll.stop, true);
	pthread_join(sbx_ll.thread, NULL);
	while (sbx_ll.n_pending)
		sbx_ll_flush(0);
	nl_socket_free(sbx_ll.sk);
	sbx_ll.sk = NULL;
	atomic_store(&sbx_ll.running, false);
}

unsigned long sbx_audit_ll_count(void)
{
	return sbx_ll.n_emitted;
}
