/*
 * Owns the test-side seccomp BPF interpreter. The instruction set is the one the kernel's
 * seccomp_check_filter() whitelists (kernel/seccomp.c); loads read struct seccomp_data in
 * host byte order, as the kernel does.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "bpf_eval.h"

/* Read a 32-bit word of @d at byte offset @k; false when the kernel would refuse the load. */
static bool bpf_load(const struct seccomp_data *d, uint32_t k, uint32_t *out)
{
	if (k >= sizeof(*d) || k % 4)
		return false;
	memcpy(out, (const unsigned char *)d + k, sizeof(*out));
	return true;
}

/*
 * One ALU op; false on division by zero or a shift by 32 or more, which the kernel refuses to
 * load (constant operand) or gives no portable meaning (X operand). BPF_MOD is not on seccomp's
 * whitelist, so it is not here either.
 */
static bool bpf_alu(uint16_t op, uint32_t *a, uint32_t v)
{
	switch (op) {
	case BPF_ADD:
		*a += v;
		break;
	case BPF_SUB:
		*a -= v;
		break;
	case BPF_MUL:
		*a *= v;
		break;
	case BPF_DIV:
		if (!v)
			return false;
		*a /= v;
		break;
	case BPF_OR:
		*a |= v;
		break;
	case BPF_AND:
		*a &= v;
		break;
	case BPF_XOR:
		*a ^= v;
		break;
	case BPF_LSH:
		if (v >= 32)
			return false;
		*a <<= v;
		break;
	case BPF_RSH:
		if (v >= 32)
			return false;
		*a >>= v;
		break;
	default:
		return false;
	}
	return true;
}

/* The test of a conditional jump; @op is one of the four the caller lets through. */
static bool bpf_cond(uint16_t op, uint32_t a, uint32_t v)
{
	switch (op) {
	case BPF_JEQ:
		return a == v;
	case BPF_JGT:
		return a > v;
	case BPF_JGE:
		return a >= v;
	default: /* BPF_JSET */
		return a & v;
	}
}

uint32_t sbx_bpf_run(const struct sock_filter *insns, unsigned int len,
		     const struct seccomp_data *d)
{
	uint32_t a = 0, x = 0, mem[BPF_MEMWORDS];
	unsigned int set = 0; /* bit i: mem[i] has been stored */
	unsigned int pc = 0;

	if (!insns || !d || len == 0 || len > BPF_MAXINSNS)
		return SBX_BPF_FAULT;
	memset(mem, 0, sizeof(mem));

	while (pc < len) {
		const struct sock_filter *f = &insns[pc++];
		uint64_t target;
		bool taken;

		switch (f->code) {
		case BPF_LD | BPF_W | BPF_ABS:
			if (!bpf_load(d, f->k, &a))
				return SBX_BPF_FAULT;
			break;
		case BPF_LD | BPF_W | BPF_LEN:
			a = sizeof(*d);
			break;
		case BPF_LDX | BPF_W | BPF_LEN:
			x = sizeof(*d);
			break;
		case BPF_LD | BPF_IMM:
			a = f->k;
			break;
		case BPF_LDX | BPF_IMM:
			x = f->k;
			break;
		case BPF_LD | BPF_MEM:
		case BPF_LDX | BPF_MEM:
			if (f->k >= BPF_MEMWORDS || !(set & (1u << f->k)))
				return SBX_BPF_FAULT;
			if (BPF_CLASS(f->code) == BPF_LD)
				a = mem[f->k];
			else
				x = mem[f->k];
			break;
		case BPF_ST:
		case BPF_STX:
			if (f->k >= BPF_MEMWORDS)
				return SBX_BPF_FAULT;
			mem[f->k] = f->code == BPF_ST ? a : x;
			set |= 1u << f->k;
			break;
		case BPF_MISC | BPF_TAX:
			x = a;
			break;
		case BPF_MISC | BPF_TXA:
			a = x;
			break;
		case BPF_RET | BPF_K:
			return f->k;
		case BPF_RET | BPF_A:
			return a;
		case BPF_JMP | BPF_JA:
			target = (uint64_t)pc + f->k;
			if (target >= len)
				return SBX_BPF_FAULT;
			pc = target;
			break;
		case BPF_ALU | BPF_NEG:
			a = -a;
			break;
		case BPF_ALU | BPF_ADD | BPF_K:
		case BPF_ALU | BPF_ADD | BPF_X:
		case BPF_ALU | BPF_SUB | BPF_K:
		case BPF_ALU | BPF_SUB | BPF_X:
		case BPF_ALU | BPF_MUL | BPF_K:
		case BPF_ALU | BPF_MUL | BPF_X:
		case BPF_ALU | BPF_DIV | BPF_K:
		case BPF_ALU | BPF_DIV | BPF_X:
		case BPF_ALU | BPF_AND | BPF_K:
		case BPF_ALU | BPF_AND | BPF_X:
		case BPF_ALU | BPF_OR | BPF_K:
		case BPF_ALU | BPF_OR | BPF_X:
		case BPF_ALU | BPF_XOR | BPF_K:
		case BPF_ALU | BPF_XOR | BPF_X:
		case BPF_ALU | BPF_LSH | BPF_K:
		case BPF_ALU | BPF_LSH | BPF_X:
		case BPF_ALU | BPF_RSH | BPF_K:
		case BPF_ALU | BPF_RSH | BPF_X:
			if (!bpf_alu(BPF_OP(f->code), &a, BPF_SRC(f->code) == BPF_X ? x : f->k))
				return SBX_BPF_FAULT;
			break;
		case BPF_JMP | BPF_JEQ | BPF_K:
		case BPF_JMP | BPF_JEQ | BPF_X:
		case BPF_JMP | BPF_JGE | BPF_K:
		case BPF_JMP | BPF_JGE | BPF_X:
		case BPF_JMP | BPF_JGT | BPF_K:
		case BPF_JMP | BPF_JGT | BPF_X:
		case BPF_JMP | BPF_JSET | BPF_K:
		case BPF_JMP | BPF_JSET | BPF_X:
			taken = bpf_cond(BPF_OP(f->code), a, BPF_SRC(f->code) == BPF_X ? x : f->k);
			target = (uint64_t)pc + (taken ? f->jt : f->jf);
			if (target >= len)
				return SBX_BPF_FAULT;
			pc = target;
			break;
		default:
			return SBX_BPF_FAULT; /* not on seccomp_check_filter()'s whitelist */
		}
	}
	return SBX_BPF_FAULT; /* fell off the end: the kernel requires a final RET */
}

const char *sbx_bpf_action_str(uint32_t ret, char *buf, size_t size)
{
	uint32_t data = ret & SECCOMP_RET_DATA;
	const char *name;

	if (ret == SBX_BPF_FAULT) {
		snprintf(buf, size, "FAULT");
		return buf;
	}
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_KILL_PROCESS:
		name = "KILL_PROCESS";
		break;
	case SECCOMP_RET_KILL_THREAD:
		name = "KILL_THREAD";
		break;
	case SECCOMP_RET_TRAP:
		name = "TRAP";
		break;
	case SECCOMP_RET_ERRNO:
		name = strerrorname_np(data);
		if (name)
			snprintf(buf, size, "ERRNO(%s)", name);
		else
			snprintf(buf, size, "ERRNO(%u)", data);
		return buf;
	case SECCOMP_RET_USER_NOTIF:
		name = "USER_NOTIF";
		break;
	case SECCOMP_RET_TRACE:
		name = "TRACE";
		break;
	case SECCOMP_RET_LOG:
		name = "LOG";
		break;
	case SECCOMP_RET_ALLOW:
		name = "ALLOW";
		break;
	default:
		snprintf(buf, size, "0x%08x", ret);
		return buf;
	}
	if (data)
		snprintf(buf, size, "%s(data 0x%x)", name, data);
	else
		snprintf(buf, size, "%s", name);
	return buf;
}
