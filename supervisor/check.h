/*
 * check: sbx-supervise --check. Probes what this system (a host, a container under its
 * runtime's seccomp profile) lets sbx do: seccomp user notification, pidfd_open, reading a
 * caller's memory, pidfd_getfd, SECCOMP_IOCTL_NOTIF_ADDFD, the sync wake-up, the killable
 * wait, Landlock's ABI, user namespaces, the kernel audit log. Says which mode sbx will run
 * in (dup, or replace without pidfd_getfd: perform/perform.h) and what each missing piece
 * costs the user, in text or one JSON object.
 */
#ifndef SBX_CHECK_H
#define SBX_CHECK_H

#include <stdbool.h>

/* sbx_check() - probe and print (@json: as one JSON object). Return the exit status: 0 when
 * the default policy can be enforced here, 1 when it cannot. */
int sbx_check(bool json);

#endif
