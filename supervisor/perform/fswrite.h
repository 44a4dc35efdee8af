/*
 * fswrite: the handler of the calls that write to the filesystem, notified only to explain a
 * refusal of the Landlock rules (filters/filter.h's fs bit; --explain=off turns it off).
 */
#ifndef SBX_FSWRITE_H
#define SBX_FSWRITE_H

#include <stdbool.h>

#include "../sup.h"

/* sbx_fs_is_write_call() - whether x86_64 syscall @nr is one of those calls. */
bool sbx_fs_is_write_call(int nr);

/*
 * sbx_emu_fs() - judge the call of @c against the Landlock plan: a certain refusal is
 * recorded (sbx_deny_fs()) and answered with Landlock's errno; anything else is
 * SBX_CONTINUE, for the kernel and Landlock to decide (also a refusal while learning).
 */
long sbx_emu_fs(struct sbx_call *c);

#endif
