/*
 * Live: calls the sandbox lets through return what the kernel returns. Each row runs the same
 * probe call outside and inside the sandbox (targets under an allowed DIR/) and compares the
 * result lines: bad pointers (EFAULT), absurd lengths (EINVAL), lengths whose upper 32 bits
 * the kernel ignores, a sun_path without NUL, bad fds.
 */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include "../lib/harness.h"

struct row {
	const char *call, *mode;
	const char *want; /* expected outside too, as a sanity check of the probe; NULL: any */
	const char *what;
};

static const struct row rows[] = {
	{ "connect", "badptr", "errno EFAULT", "connect, address in an unmapped page" },
	{ "connect", "straddle", "errno EFAULT", "connect, address running into an unmapped page" },
	{ "connect", "len=200", "errno EINVAL", "connect, addrlen 200" },
	{ "connect", "len=-1", "errno EINVAL", "connect, addrlen -1 (64-bit)" },
	{ "connect", "len=0xffffffff", "errno EINVAL", "connect, addrlen (socklen_t)-1" },
	{ "connect", "len=0", "errno EINVAL", "connect, addrlen 0" },
	{ "connect", "len=2", "errno EINVAL", "connect, addrlen sizeof(sa_family_t)" },
	{ "connect", "len=0x10000006e", "errno ENOENT",
	  "connect, addrlen 110 | 1 << 32 (the kernel reads an int)" },
	{ "connect", "nul108", "errno ENOENT", "connect, 108-byte sun_path without a NUL" },
	{ "connect", "fd=999", "errno EBADF", "connect on a closed fd" },
	{ "connect", "fd=0", "errno ENOTSOCK", "connect on a non-socket fd" },
	{ "connect", "null", "errno EINVAL", "connect with a NULL address, addrlen 0" },
	{ "sendto", "badptr", "errno EFAULT", "sendto, address in an unmapped page" },
	{ "sendto", "straddle", "errno EFAULT", "sendto, address running into an unmapped page" },
	{ "sendto", "len=200", "errno EINVAL", "sendto, addrlen 200" },
	{ "sendto", "len=-1", "errno EINVAL", "sendto, addrlen -1" },
	{ "sendto", "null", "errno ENOTCONN",
	  "sendto without an address on an unconnected socket" },
	{ "sendto", "len=0", "errno ENOTCONN", "sendto with addrlen 0" },
	{ "sendto", "fd=999", NULL, "sendto on a closed fd" },
	{ "sendmsg", "badmsg", "errno EFAULT", "sendmsg, msghdr in an unmapped page" },
	{ "sendmsg", "badptr", "errno EFAULT", "sendmsg, msg_name in an unmapped page" },
	{ "sendmsg", "namelen=200", "errno EINVAL", "sendmsg, msg_namelen 200" },
	{ "sendmsg", "namelen=-1", "errno EINVAL", "sendmsg, msg_namelen -1" },
	{ "sendmsg", "nul108", "errno ENOENT", "sendmsg, 108-byte sun_path without a NUL" },
	{ "sendmmsg", "badmsg", "errno EFAULT", "sendmmsg, vector in an unmapped page" },
	{ "sendmmsg", "badptr", NULL, "sendmmsg, msg_name in an unmapped page" },
	{ "sendmmsg", "namelen=200", NULL, "sendmmsg, msg_namelen 200" },
	{ "bind", "badptr", "errno EFAULT", "bind, address in an unmapped page" },
	{ "bind", "len=200", "errno EINVAL", "bind, addrlen 200" },
	{ "bind", "len=-1", "errno EINVAL", "bind, addrlen -1" },
	{ "bind", "len=2", "ok", "bind, addrlen sizeof(sa_family_t) (autobind)" },
};

int main(void)
{
	const char *dir, *target;
	struct sbx_t_proc in, out;
	size_t i;

	sbx_t_init(100);
	dir = sbx_t_tmp("e/");
	mkdir(sbx_t_tmp("e"), 0755);
	target = sbx_t_tmp("e/missing.sock");
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];

		SBX_T_OUT(&out, "call", r->call, r->mode, target);
		if (r->want && strcmp(out.last, r->want))
			diag("note: outside the sandbox %s gives '%s', expected '%s'", r->what,
			     out.last, r->want);
		SBX_T_IN(&in, SBX_T_OPTS("--allow-unix-socket", dir), "call", r->call, r->mode,
			 target);
		if (!sbx_t_is_str(in.last, out.last, "%s: same result in and out (%s)", r->what,
				  out.last))
			sbx_t_diag_proc(&in);
	}

	/* A non-socket fd and a socket that exists: allowed (the supervisor performs the call,
	 * the kernel says ENOTSOCK) and denied (ENOTSOCK too, and no denial is reported); and a
	 * denied abstract name, which is judged without a path to resolve. */
	{
		const char *live = sbx_t_tmp("e/live.sock"), *other = sbx_t_tmp("other.sock");
		struct sbx_t_server *sl = sbx_t_server_start(SOCK_STREAM, live);
		struct sbx_t_server *so = sbx_t_server_start(SOCK_STREAM, other);
		const char *targets[] = { live, other, "@sbx-errno-denied" };
		const char *what[] = { "allowed", "denied", "denied abstract" };

		for (i = 0; i < 3; i++) {
			const char *w = what[i];

			SBX_T_OUT(&out, "call", "connect", "fd=0", targets[i]);
			SBX_T_IN(&in, SBX_T_OPTS("--allow-unix-socket", dir), "call", "connect",
				 "fd=0", targets[i]);
			if (!sbx_t_is_str(in.last, "errno ENOTSOCK",
					  "connect on a non-socket fd, %s socket: "
					  "ENOTSOCK (outside: %s)",
					  w, out.last))
				sbx_t_diag_proc(&in);
			ok(!strstr(in.err, "denied"), "%s: no denial reported for it", w);
		}
		is(sbx_t_server_settled_count(sl), 0, "the allowed server accepted nothing");
		is(sbx_t_server_settled_count(so), 0, "the other server accepted nothing");
		sbx_t_server_stop(sl);
		sbx_t_server_stop(so);
	}

	/* sendmsg to a peer that is gone: the supervisor sends with MSG_NOSIGNAL, and raises the
	 * SIGPIPE the caller asked for after its reply (notify.c, sbx_post_signal). As outside:
	 * killed by SIGPIPE; with MSG_NOSIGNAL, EPIPE and alive. */
	{
		SBX_T_OUT(&out, "sigpipe");
		SBX_T_IN(&in, SBX_T_NOOPTS, "sigpipe");
		/* A socketpair's stream: the replace mode holds no copy to send on. */
		if (sbx_t_replace_mode()) {
			sbx_t_line_is(
				&in, "errno EPERM sendmsg",
				"replace mode: sendmsg on a socket sbx did not make is EPERM");
			sbx_t_has_str(in.err, "holds no copy of",
				      "replace mode: the line says why");
		} else {
			is(out.code, 128 + SIGPIPE,
			   "outside, sendmsg to a closed peer: killed by SIGPIPE");
			if (!is(in.code, 128 + SIGPIPE,
				"inside too: the SIGPIPE follows the EPIPE reply"))
				sbx_t_diag_proc(&in);
			SBX_T_OUT(&out, "sigpipe", "nosignal");
			SBX_T_IN(&in, SBX_T_NOOPTS, "sigpipe", "nosignal");
			if (!sbx_t_is_str(in.last, out.last,
					  "with MSG_NOSIGNAL: same result in and out (%s)",
					  out.last))
				sbx_t_diag_proc(&in);
		}
	}
	return done_testing();
}
