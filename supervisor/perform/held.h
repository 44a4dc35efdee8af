/*
 * held: in the replace mode (perform_replace.c) sbx cannot take a caller's socket, so it
 * keeps a copy of each socket it installed that it will need again: datagram sockets (a
 * later sendmsg, sendto or connect on them is performed on the copy, so the replies still
 * come to the caller's port) and sockets it bound (their listen). Stream sockets it only
 * connected are not kept: a copy would keep the connection open after the caller closed
 * it, and the peer would never see the end.
 *
 * A copy is found by the socket's inode, read from the caller's fd (sockinfo.h). Copies
 * whose owner process has gone, or no longer holds the socket, are dropped when the table
 * fills (a scan of the owner's fds), so a copy outlives the caller's use by that long.
 */
#ifndef SBX_HELD_H
#define SBX_HELD_H

#include <stdbool.h>
#include <sys/types.h>

/* How many copies at most; past it new sockets are not kept (said once). */
#define SBX_HELD_MAX 256

/* sbx_held_add() - keep a duplicate of @sock (inode @ino), installed for process @tgid. */
void sbx_held_add(int sock, ino_t ino, pid_t tgid);

/* sbx_held_note_connected() - remember that sbx connected the stream socket of inode @ino
 * (no copy: see above), so that a second connect gets the kernel's EISCONN. The last 4096
 * are remembered. sbx_held_connected() - whether it did. */
void sbx_held_note_connected(ino_t ino);
bool sbx_held_connected(ino_t ino);

/* sbx_held_get() - a duplicate of the kept socket of inode @ino (O_CLOEXEC), or -ENOENT. */
int sbx_held_get(ino_t ino);

#endif
