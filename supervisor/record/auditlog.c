/* Owns the audit log file: opening it, writing whole records, failures (auditlog.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "auditlog.h"
#include "json.h"
#include "../base/log.h"
#include "../base/syscalls.h"

static struct {
	const char *spec;
	bool fail_ignore;
	int fd; /* -1: no log */
	int pidfd;
	pthread_mutex_t write_lock;
	atomic_bool failed, armed;
	atomic_ulong n_records, n_dropped;
} sbx_audit = {
	.fd = -1,
	.pidfd = -1,
	.write_lock = PTHREAD_MUTEX_INITIALIZER,
};

static int sbx_audit_open_fd(const char *spec, struct sbx_error *err)
{
	char *end;
	long n;
	int fd;

	if (!strcmp(spec, "-")) {
		fd = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		if (fd == -1)
			return sbx_error_set(err, errno, "--audit-log -");
		return fd;
	}
	if (!strncmp(spec, "fd:", 3)) {
		errno = 0;
		n = strtol(spec + 3, &end, 10);
		if (errno || end == spec + 3 || *end || n < 0 || n > INT32_MAX) {
			sbx_error_set(err, 0, "--audit-log %s: expected fd:N with N a number",
				      spec);
			return -(err->code = EINVAL);
		}
		fd = fcntl((int)n, F_DUPFD_CLOEXEC, 3);
		if (fd == -1)
			return sbx_error_set(err, errno, "--audit-log %s", spec);
		/* The command must not inherit a way to write forged records. */
		if (n > STDERR_FILENO)
			close((int)n);
		/* Appends stay whole even if someone else writes to the same file. */
		(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_APPEND);
		return fd;
	}
	fd = open(spec, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOCTTY, 0600);
	if (fd == -1)
		return sbx_error_set(err, errno, "--audit-log %s", spec);
	return fd;
}

int sbx_auditlog_open(const char *spec, bool fail_ignore, struct sbx_error *err)
{
	int fd = sbx_audit_open_fd(spec, err);

	if (fd < 0)
		return fd;
	sbx_audit.spec = spec;
	sbx_audit.fail_ignore = fail_ignore;
	sbx_audit.fd = fd;
	return 0;
}

bool sbx_auditlog_on(void)
{
	return sbx_audit.fd >= 0;
}

void sbx_auditlog_arm(int pidfd)
{
	sbx_audit.pidfd = pidfd;
	atomic_store(&sbx_audit.armed, true);
}

bool sbx_auditlog_failed(void)
{
	return atomic_load(&sbx_audit.failed);
}

unsigned long sbx_auditlog_records(void)
{
	return atomic_load(&sbx_audit.n_records);
}

unsigned long sbx_auditlog_dropped(void)
{
	return atomic_load(&sbx_audit.n_dropped);
}

void sbx_auditlog_sync(void)
{
	if (sbx_audit.fd >= 0 && fsync(sbx_audit.fd) == -1 && errno != EINVAL && errno != EROFS)
		sbx_auditlog_fail(errno);
}

void sbx_auditlog_fail(int e)
{
	if (atomic_exchange(&sbx_audit.failed, true))
		return;
	if (sbx_audit.fail_ignore) {
		sbx_log_err("cannot write the audit log %s: %s; going on without it "
			    "(--audit-fail=ignore)",
			    sbx_audit.spec, strerror(e));
		return;
	}
	sbx_log_err("cannot write the audit log %s: %s; stopping the command. Hint: free space "
		    "or fix the log, or pass --audit-fail=ignore to run without a complete log",
		    sbx_audit.spec, strerror(e));
	if (atomic_load(&sbx_audit.armed) && sbx_audit.pidfd >= 0)
		sys_pidfd_send_signal(sbx_audit.pidfd, SIGKILL, NULL, 0);
}

/* One record, one write(). A short write is a failure (a full disk, mostly): the part that
 * was written is cut off again, and the command is stopped unless told otherwise. */
void sbx_auditlog_emit(const char *rec, size_t len)
{
	ssize_t w;
	int e = 0;

	if (sbx_audit.fd < 0 || len == 0)
		return;
	if (atomic_load(&sbx_audit.failed)) {
		atomic_fetch_add(&sbx_audit.n_dropped, 1);
		return;
	}
	pthread_mutex_lock(&sbx_audit.write_lock);
	do
		w = write(sbx_audit.fd, rec, len);
	while (w == -1 && errno == EINTR);
	if (w != (ssize_t)len)
		e = w == -1 ? errno : ENOSPC;
	if (w > 0 && w < (ssize_t)len) {
		struct stat st;

		/* Take the cut record back out of a regular file, so what is there parses. */
		if (fstat(sbx_audit.fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= w &&
		    ftruncate(sbx_audit.fd, st.st_size - w) == -1)
			e = errno;
	}
	pthread_mutex_unlock(&sbx_audit.write_lock);
	if (e) {
		atomic_fetch_add(&sbx_audit.n_dropped, 1);
		sbx_auditlog_fail(e);
		return;
	}
	atomic_fetch_add(&sbx_audit.n_records, 1);
}

/* Records are built on the caller's stack (workers have 256 KiB): no allocation, and no
 * thread-local buffer, which glibc would carve out of every thread's stack. */
void sbx_auditlog_head(struct sbx_json *j, char *buf, size_t size, const char *event)
{
	struct timespec ts;
	struct tm tm;
	char ts_buf[96];
	size_t n;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	n = strftime(ts_buf, 64, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(ts_buf + n, sizeof(ts_buf) - n, ".%06uZ",
		 (unsigned int)(ts.tv_nsec / 1000) % 1000000u);
	sbx_json_begin(j, buf, size);
	sbx_json_cstr(j, "ts", ts_buf);
	sbx_json_cstr(j, "event", event);
}

/* A JSON array of escaped strings, built in @out; false when it does not fit. */
