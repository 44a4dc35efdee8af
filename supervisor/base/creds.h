/*
 * creds: the credentials of the threads that perform calls for the command.
 *
 * A call sbx performs must carry the command's authority, never sbx's (doc/design.md,
 * "Authority"). Credentials are per thread in Linux, so every thread that performs calls
 * (the notify workers, the bind process) makes its capability sets those the shim leaves the
 * command: none, or with --keep-caps all but CAP_SYS_PTRACE. Its uid, gids and groups are
 * already the command's: the shim never changes them and no_new_privs keeps set-user-ID
 * files from changing the command's. The main thread keeps sbx's own, for what sbx needs
 * privileges for outside any performed call.
 *
 * CAP_SYS_PTRACE, where sbx had it, stays in the thread's permitted set only: it is raised
 * for the length of one read of a caller that made itself non-dumpable (its memory, its fds,
 * its cwd), which is reading the caller, not acting for it.
 */
#ifndef SBX_CREDS_H
#define SBX_CREDS_H

#include <stdbool.h>

/*
 * sbx_creds_init() - record, once at start and in the main thread, the capability sets the
 * command will hold (@keep_caps: --keep-caps). Return 0 or -errno.
 */
int sbx_creds_init(bool keep_caps);

/*
 * sbx_creds_enter() - give the calling thread the command's capabilities (CAP_SYS_PTRACE
 * kept permitted, not effective, where sbx had it). Call first in every thread that
 * performs calls. Return 0 or -errno; a thread that fails must not perform calls.
 */
int sbx_creds_enter(void);

/*
 * sbx_creds_ptrace_raise() - make CAP_SYS_PTRACE effective in the calling thread, to read a
 * non-dumpable caller. Return true when it was raised (then sbx_creds_ptrace_lower() must
 * follow at once), false when the thread cannot have it.
 */
bool sbx_creds_ptrace_raise(void);

/* sbx_creds_ptrace_lower() - drop CAP_SYS_PTRACE from the effective set again. */
void sbx_creds_ptrace_lower(void);

/*
 * A caller that made itself non-dumpable can be read only with CAP_SYS_PTRACE, which the
 * worker holds permitted but not effective where sbx had it (above): raised for one retry
 * of the read that the kernel refused, and lowered before anything is performed.
 */
#define SBX_PTRACE_RETRY(res, expr)                                            \
	do {                                                                   \
		if ((res) < 0 && errno == EPERM && sbx_creds_ptrace_raise()) { \
			int _e;                                                \
			(res) = (expr);                                        \
			_e = errno;                                            \
			sbx_creds_ptrace_lower();                              \
			errno = _e;                                            \
		}                                                              \
	} while (0)

#endif
