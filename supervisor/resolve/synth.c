/* Owns the table of synthetic addresses and their names. */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "synth.h"

void sbx_synth_init(struct sbx_synth *s)
{
	memset(s, 0, sizeof(*s));
	pthread_mutex_init(&s->lock, NULL);
}

static void sbx_synth_ip(size_t i, unsigned char ip[4])
{
	unsigned int v = (198u << 24 | 18u << 16) + 1 + (unsigned int)i;

	ip[0] = (unsigned char)(v >> 24);
	ip[1] = (unsigned char)(v >> 16);
	ip[2] = (unsigned char)(v >> 8);
	ip[3] = (unsigned char)v;
}

int sbx_synth_get(struct sbx_synth *s, const char *name, unsigned char ip[4])
{
	size_t i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	for (i = 0; i < s->n; i++)
		if (!strcmp(s->names[i], name))
			break;
	if (i == s->n) {
		if (!s->names)
			s->names = calloc(SBX_SYNTH_MAX, sizeof(*s->names));
		if (!s->names)
			r = -ENOMEM;
		else if (s->n == SBX_SYNTH_MAX)
			r = -ENOSPC;
		else
			snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
	}
	pthread_mutex_unlock(&s->lock);
	if (r == 0)
		sbx_synth_ip(i, ip);
	return r;
}

bool sbx_synth_is(const unsigned char ip[4])
{
	return ip[0] == 198 && (ip[1] & 0xfe) == 18;
}

bool sbx_synth_name(struct sbx_synth *s, const unsigned char ip[4], char name[SBX_HOSTNAME_MAX + 1])
{
	unsigned int v = (unsigned int)ip[0] << 24 | ip[1] << 16 | ip[2] << 8 | ip[3];
	unsigned int base = 198u << 24 | 18u << 16;
	bool found = false;

	if (!sbx_synth_is(ip) || v <= base)
		return false;
	pthread_mutex_lock(&s->lock);
	if (v - base - 1 < s->n) {
		memcpy(name, s->names[v - base - 1], SBX_HOSTNAME_MAX + 1);
		found = true;
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}
