/*
 * bpf_eval: a classic-BPF interpreter for seccomp programs, so filter tests can ask "what does
 * this program return for this syscall" without installing it (seccomp cannot be undone).
 *
 * It accepts exactly the instructions the kernel's seccomp_check_filter() accepts and follows
 * the kernel's semantics; anything the kernel would refuse to load, or that would read or jump
 * outside the program, yields SBX_BPF_FAULT instead of a guess.
 */
#ifndef SBX_BPF_EVAL_H
#define SBX_BPF_EVAL_H

#include <stddef.h>
#include <stdint.h>
#include <linux/filter.h>
#include <linux/seccomp.h>

/*
 * Returned for a program the kernel would reject or that misbehaves at run time. Its action
 * bits (0xdead0000) are no SECCOMP_RET_* value, so no test expecting a real action passes.
 */
#define SBX_BPF_FAULT 0xdeadbeefu

/*
 * sbx_bpf_run() - run seccomp program @insns of @len instructions on @d.
 * A and X start at 0, scratch memory starts unset (reading an unset word is a fault, as the
 * kernel's loader refuses such programs).
 * Return: the program's return value (SECCOMP_RET_*), or SBX_BPF_FAULT when @len is 0 or
 * above BPF_MAXINSNS, an instruction is not one seccomp allows, a load is misaligned or past
 * struct seccomp_data, a jump lands past the end, control falls off the end, a scratch index
 * is out of range, or an ALU op divides by zero or shifts by 32 or more.
 */
uint32_t sbx_bpf_run(const struct sock_filter *insns, unsigned int len,
		     const struct seccomp_data *d);

/*
 * sbx_bpf_action_str() - format seccomp return value @ret for messages, e.g. "ALLOW",
 * "ERRNO(EPERM)", "USER_NOTIF", "KILL_PROCESS", "FAULT".
 * Return: @buf, always NUL-terminated.
 */
const char *sbx_bpf_action_str(uint32_t ret, char *buf, size_t size);

#endif
