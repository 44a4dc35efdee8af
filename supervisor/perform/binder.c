/* Owns the supervisor's bind process (binder.h). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../shim/confine.h"
#include "binder.h"
#include "../base/creds.h"
#include "../base/log.h"
#include "../base/util.h"

/* One request: the umask and the address; the socket and the cwd travel as SCM_RIGHTS. */
struct sbx_bind_req {
	mode_t mask;
	unsigned int len;
	unsigned char addr[sizeof(struct sockaddr_storage)];
};

static struct {
	pthread_mutex_t serial; /* one request at a time, and the start */
	int state;		/* 0 not started, 1 running, -errno failed or gone */
	bool prepared;
	const struct sbx_ll_plan *ll;
	int ruleset; /* built by sbx_binder_prepare(), -1 for none; entered by the process */
	int fd;	     /* sbx's end of the socketpair */
	pid_t pid;
} sbx_binder = {
	.serial = PTHREAD_MUTEX_INITIALIZER,
	.ruleset = -1,
	.fd = -1,
};

/* The binder's fd 3 is its end; everything else sbx had open is closed. */
#define SBX_BINDER_FD 3

/* One request as a message: @req, and room for the two descriptors. */
struct sbx_bind_msg {
	struct sbx_bind_req req;
	union {
		char buf[CMSG_SPACE(2 * sizeof(int))];
		struct cmsghdr align;
	} u;
	struct iovec iov;
	struct msghdr msg;
};

static void sbx_bind_msg_init(struct sbx_bind_msg *m)
{
	memset(m->u.buf, 0, sizeof(m->u.buf));
	m->iov = (struct iovec){ .iov_base = &m->req, .iov_len = sizeof(m->req) };
	m->msg = (struct msghdr){ .msg_iov = &m->iov,
				  .msg_iovlen = 1,
				  .msg_control = m->u.buf,
				  .msg_controllen = sizeof(m->u.buf) };
}

static long sbx_binder_serve_one(void)
{
	struct sbx_bind_msg m;
	struct sbx_bind_req *req = &m.req;
	struct cmsghdr *cm;
	int fds[2] = { -1, -1 };
	ssize_t n;
	long r;

	sbx_bind_msg_init(&m);
	n = recvmsg(SBX_BINDER_FD, &m.msg, MSG_CMSG_CLOEXEC);
	if (n <= 0)
		return n == 0 ? -ENODATA : -errno;
	cm = CMSG_FIRSTHDR(&m.msg);
	if (cm && cm->cmsg_level == SOL_SOCKET && cm->cmsg_type == SCM_RIGHTS &&
	    cm->cmsg_len == CMSG_LEN(2 * sizeof(int)))
		memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	if (n != sizeof(*req) || fds[0] < 0 || fds[1] < 0 || req->len > sizeof(req->addr))
		r = -EINVAL;
	else if (fchdir(fds[1]) == -1)
		r = -EPERM;
	else {
		umask(req->mask);
		r = bind(fds[0], (const struct sockaddr *)req->addr, req->len) == -1 ? -errno : 0;
	}
	if (fds[0] >= 0)
		close(fds[0]);
	if (fds[1] >= 0)
		close(fds[1]);
	return write(SBX_BINDER_FD, &r, sizeof(r)) == sizeof(r) ? 0 : -EPIPE;
}

/*
 * The forked process: only async-signal-safe calls (sbx has threads). It gives itself the
 * command's capabilities, no_new_privs and the domain, then serves until sbx's end closes.
 */
static _Noreturn void sbx_binder_main(int fd)
{
	char what[64];
	long r = 0;

	int ruleset = -1, keep = SBX_BINDER_FD + 1, i;

	/* Its end at 3 and the ruleset at 4 (fcntl: neither may land on the other's number). */
	fd = fcntl(fd, F_DUPFD_CLOEXEC, 10);
	if (sbx_binder.ruleset >= 0)
		ruleset = fcntl(sbx_binder.ruleset, F_DUPFD_CLOEXEC, 10);
	if (fd < 0 || dup2(fd, SBX_BINDER_FD) == -1 ||
	    (ruleset >= 0 && dup2(ruleset, ++keep - 1) == -1))
		_exit(1);
	if (ruleset >= 0)
		ruleset = SBX_BINDER_FD + 1;
	if (syscall(SYS_close_range, keep, ~0U, 0) == -1)
		for (i = keep; i < 65536; i++)
			close(i);
	r = sbx_creds_enter();
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		r = -errno;
	if (r == 0)
		r = sbx_confine_enter(sbx_binder.ll, ruleset, what, sizeof(what));
	/* The first word says whether it started. */
	if (write(SBX_BINDER_FD, &r, sizeof(r)) != sizeof(r) || r < 0)
		_exit(1);
	while (sbx_binder_serve_one() == 0)
		;
	_exit(0);
}

int sbx_binder_prepare(const struct sbx_ll_plan *ll)
{
	char what[64];
	int r;

	if (sbx_binder.prepared)
		return 0;
	sbx_binder.ll = ll;
	if (ll) {
		r = sbx_confine_ruleset_only(ll, LANDLOCK_ACCESS_FS_MAKE_SOCK, &sbx_binder.ruleset,
					     what, sizeof(what));
		if (r < 0)
			return r;
	}
	sbx_binder.prepared = true;
	return 0;
}

/* The process, at the first bind: most sandboxes never bind a path. Under the serial lock. */
static int sbx_binder_start(void)
{
	int sv[2];
	long r = 0;
	pid_t pid;

	if (sbx_binder.state != 0)
		return sbx_binder.state < 0 ? sbx_binder.state : 0;
	if (!sbx_binder.prepared)
		return sbx_binder.state = -EINVAL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) == -1)
		return sbx_binder.state = -errno;
	pid = fork();
	if (pid == 0)
		sbx_binder_main(sv[1]);
	close(sv[1]);
	if (pid < 0 || read(sv[0], &r, sizeof(r)) != sizeof(r) || r < 0) {
		r = pid < 0 ? -errno : r < 0 ? r : -ECHILD;
		close(sv[0]);
		if (pid > 0)
			waitpid(pid, NULL, 0);
		sbx_log_err("cannot start the process that binds socket paths: %s; every such "
			    "bind fails with EACCES",
			    strerror((int)-r));
		return sbx_binder.state = (int)r;
	}
	sbx_binder.fd = sv[0];
	sbx_binder.pid = pid;
	sbx_binder.state = 1;
	return 0;
}

static long sbx_binder_ask(int sock, int cwd, mode_t mask, const void *addr, size_t len)
{
	struct sbx_bind_msg m;
	struct cmsghdr *cm;
	const int fds[2] = { sock, cwd };
	long r;

	if (len > sizeof(m.req.addr))
		return -EINVAL;
	sbx_bind_msg_init(&m);
	m.req.mask = mask;
	m.req.len = (unsigned int)len;
	memcpy(m.req.addr, addr, len);
	cm = CMSG_FIRSTHDR(&m.msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(fds));
	memcpy(CMSG_DATA(cm), fds, sizeof(fds));
	if (sendmsg(sbx_binder.fd, &m.msg, MSG_NOSIGNAL) != sizeof(m.req))
		return -errno ? -errno : -EIO;
	if (read(sbx_binder.fd, &r, sizeof(r)) != sizeof(r))
		return -EPIPE;
	return r;
}

long sbx_binder_bind(int sock, int cwd, mode_t mask, const void *addr, size_t len)
{
	long r;

	pthread_mutex_lock(&sbx_binder.serial);
	r = sbx_binder_start();
	if (r == 0) {
		r = sbx_binder_ask(sock, cwd, mask, addr, len);
		/* Gone (killed, or out of memory): say so once, and bind nothing from now on. */
		if (r == -EPIPE || r == -ECONNRESET) {
			sbx_log_err("the process that binds socket paths has gone; every such "
				    "bind fails with EACCES from now on");
			sbx_binder.state = -EPIPE;
		}
	}
	pthread_mutex_unlock(&sbx_binder.serial);
	return r < 0 && sbx_binder.state < 0 ? -EACCES : r;
}

void sbx_binder_stop(void)
{
	pthread_mutex_lock(&sbx_binder.serial);
	if (sbx_binder.state == 1) {
		close(sbx_binder.fd); /* its read sees the end and it exits */
		waitpid(sbx_binder.pid, NULL, 0);
		sbx_binder.fd = -1;
		sbx_binder.state = -EPIPE;
	}
	pthread_mutex_unlock(&sbx_binder.serial);
}
