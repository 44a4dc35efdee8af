/*
 * Live: hostile input from the child. Malformed socket addresses (every odd addrlen, no NUL,
 * unaligned, unmapped, straddling into an unmapped page), sendmmsg vectors (vlen 0, 1, 1024,
 * past UIO_MAXIOV, an unmapped entry, a vector running into an unmapped page) and control
 * buffers that lie about their lengths: each row runs the same probe call outside and inside
 * the sandbox and the results must be the same (or EPERM inside where noted). Then names
 * that would drive a terminal (newline, ESC) must reach the denial line escaped.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../lib/harness.h"

struct row {
	const char *a, *b, *c; /* probe op and arguments; the target address is appended */
	bool eperm_ok;	       /* EPERM inside is an acceptable answer too */
	const char *what;
};

static const struct row rows[] = {
	{ "call", "connect", "len=1", false, "connect, addrlen 1" },
	{ "call", "connect", "len=109", false, "connect, addrlen 109" },
	{ "call", "connect", "len=110", false, "connect, addrlen 110" },
	{ "call", "connect", "len=111", false, "connect, addrlen 111 (past sockaddr_un)" },
	{ "call", "connect", "len=128", false, "connect, addrlen 128 (sockaddr_storage)" },
	{ "call", "connect", "len=129", false, "connect, addrlen 129" },
	{ "call", "connect", "len=0x7fffffff", false, "connect, addrlen INT_MAX" },
	{ "call", "connect", "len=0x80000000", false, "connect, addrlen INT_MIN as unsigned" },
	{ "call", "connect", "len=-2", false, "connect, addrlen -2" },
	{ "call", "connect", "unaligned", false, "connect, address at an odd offset" },
	{ "call", "connect", "unaligned=3", true, "connect, odd offset, addrlen 3 (path \"/\")" },
	{ "call", "connect", "straddle", false, "connect, address straddling a page boundary" },
	{ "call", "connect", "nul108", false, "connect, 108-byte sun_path without a NUL" },
	{ "call", "sendto", "unaligned", false, "sendto, address at an odd offset" },
	{ "call", "sendto", "len=1", false, "sendto, addrlen 1" },
	{ "call", "sendto", "len=109", false, "sendto, addrlen 109" },
	{ "call", "sendto", "nul108", false, "sendto, 108-byte sun_path without a NUL" },
	{ "call", "sendto", "straddle", false, "sendto, address straddling a page boundary" },
	{ "call", "sendmsg", "straddle", false, "sendmsg, name straddling a page boundary" },
	{ "call", "sendmsg", "namelen=1", false, "sendmsg, msg_namelen 1" },
	{ "call", "sendmsg", "namelen=109", false, "sendmsg, msg_namelen 109" },
	{ "call", "sendmsg", "namelen=0x80000000", false, "sendmsg, msg_namelen INT_MIN" },
	{ "call", "bind", "len=1", false, "bind, addrlen 1" },
	{ "call", "bind", "len=0", false, "bind, addrlen 0" },
	{ "call", "bind", "unaligned=3", false, "bind, odd offset, addrlen 3 (autobind)" },
	{ "mmsg", "0", "ok", false, "sendmmsg, vlen 0" },
	{ "mmsg", "1", "ok", false, "sendmmsg, vlen 1" },
	{ "mmsg", "1024", "ok", false, "sendmmsg, vlen 1024 (UIO_MAXIOV)" },
	{ "mmsg", "2000", "ok", false, "sendmmsg, vlen 2000 (clamped to 1024)" },
	{ "mmsg", "8", "unmapped=0", false, "sendmmsg, first entry's name unmapped" },
	{ "mmsg", "8", "unmapped=3", false, "sendmmsg, fourth entry's name unmapped" },
	{ "mmsg", "8", "tail", false, "sendmmsg, vector runs into an unmapped page" },
	{ "cmsg", "rights", NULL, false, "sendmsg, one SCM_RIGHTS fd" },
	{ "cmsg", "rights0", NULL, false, "sendmsg, SCM_RIGHTS with no fd" },
	{ "cmsg", "partial", NULL, false, "sendmsg, SCM_RIGHTS with half an int extra" },
	{ "cmsg", "long", NULL, false, "sendmsg, cmsg_len past msg_controllen" },
	{ "cmsg", "short", NULL, false, "sendmsg, cmsg_len shorter than a header" },
	{ "cmsg", "huge", NULL, false, "sendmsg, cmsg_len SIZE_MAX" },
	{ "cmsg", "second", NULL, false, "sendmsg, a good cmsg then one that lies" },
	{ "cmsg", "creds-bad", NULL, true, "sendmsg, SCM_CREDENTIALS of pid 1" },
	{ "cmsg", "type", NULL, false, "sendmsg, unknown SOL_SOCKET type" },
	{ "cmsg", "ctlunmapped", NULL, false, "sendmsg, control buffer unmapped" },
	{ "cmsg", "tinyunmapped", NULL, false, "sendmsg, 8 unmapped bytes of control" },
	{ "cmsg", "tiny", NULL, false, "sendmsg, 8 bytes of control" },
	{ "cmsg", "ctlhuge", NULL, false, "sendmsg, msg_controllen 2^31" },
	{ "cmsg", "badfd", NULL, false, "sendmsg, SCM_RIGHTS of a closed fd" },
	{ "fdlimit", NULL, NULL, false, "RLIMIT_NOFILE exhausted: connect, pass, receive" },
};

static void compare(const char *target, const char *stream)
{
	struct sbx_t_proc in, out;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		const char *t = !strcmp(r->a, "call") && strcmp(r->b, "connect") ? target : stream;
		const char *args[5] = { r->a, r->b, r->c, NULL, NULL };
		size_t n = r->c ? 3 : r->b ? 2 : 1;

		if (!strcmp(r->a, "mmsg") || !strcmp(r->a, "cmsg"))
			t = target; /* datagrams */
		args[n] = t;
		SBX_T_OUT(&out, args[0], args[1], args[2], args[3]);
		SBX_T_IN(&in,
			 SBX_T_OPTS("--allow-unix-socket", target, "--allow-unix-socket", stream),
			 args[0], args[1], args[2], args[3]);
		/* The contract: the kernel's own answer, or EPERM where the row allows it. */
		if (!ok(!strcmp(in.last, out.last) ||
				(r->eperm_ok && !strcmp(in.last, "errno EPERM")),
			"%s: the kernel's answer (%s)%s; inside: %s", r->what, out.last,
			r->eperm_ok ? " or EPERM" : "", in.last))
			sbx_t_diag_proc(&in);
		ok(in.code == 0 && !in.timed_out, "%s: the probe exited normally inside", r->what);
	}
}

/* No byte that moves a terminal (C0 controls, DEL) other than the newline ending each line. */
static bool terminal_safe(const char *s)
{
	for (; *s; s++)
		if (((unsigned char)*s < 0x20 && *s != '\n') || *s == 0x7f)
			return false;
	return true;
}

static void hostile_names(void)
{
	const char *evil = sbx_t_tmp("a\nb\x1b[31mc.sock");
	const char *link = sbx_t_tmp("p\x1b[7m\n");
	const char *abs = "@sbx-evil\x1b]0;owned\x07\n";
	struct sbx_t_server *s = sbx_t_server_start(SOCK_STREAM, evil);
	struct sbx_t_proc p;

	if (symlink(sbx_t_probe(), link) == -1)
		bail_out("symlink");
	{
		const char *argv[] = { sbx_t_supervise(), "--", link, "connect", evil, NULL };

		sbx_t_run(&p, argv);
	}
	sbx_t_line_is(&p, "errno EPERM", "a denied path with a newline and ESC: EPERM");
	if (!ok(terminal_safe(p.err), "its denial line holds no raw control character"))
		sbx_t_diag_proc(&p);
	is(sbx_t_count_str(p.err, "\n"), 1, "the denial is one line");
	sbx_t_has_str(p.err, "a\\x0ab\\x1b[31mc.sock", "the path is shown with \\xNN escapes");
	sbx_t_has_str(p.err, "(p\\x1b[7m)", "the process name is escaped too");
	is(sbx_t_server_settled_count(s), 0, "the server with the hostile name accepted nothing");

	SBX_T_IN(&p, SBX_T_NOOPTS, "connect", abs);
	sbx_t_line_is(&p, "errno EPERM", "a denied abstract name with OSC and BEL: EPERM");
	if (!ok(terminal_safe(p.err), "its denial line holds no raw control character"))
		sbx_t_diag_proc(&p);
	sbx_t_server_stop(s);
}

int main(void)
{
	const char *target, *stream;
	struct sbx_t_server *sd, *ss;

	sbx_t_init(150);
	target = sbx_t_tmp("h.sock");
	stream = sbx_t_tmp("hs.sock");
	sd = sbx_t_server_start(SOCK_DGRAM, target);
	ss = sbx_t_server_start(SOCK_STREAM, stream);
	compare(target, stream);
	hostile_names();
	sbx_t_server_stop(sd);
	sbx_t_server_stop(ss);
	return done_testing();
}
