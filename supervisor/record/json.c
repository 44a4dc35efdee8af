/* Owns JSON string escaping and the fixed-buffer object builder of the audit log. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "json.h"

/* Closing "truncated":true} and the newline always fit in what begin() holds back. */
#define SBX_JSON_RESERVE 32

/* Length of the valid UTF-8 sequence at @s (1..4), or 0 when the byte starts none. Rejects
 * overlong forms, surrogates and code points past U+10FFFF, as RFC 3629 does. */
static size_t sbx_utf8_len(const unsigned char *s, size_t avail)
{
	unsigned char c = s[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

size_t sbx_json_escape(char *out, size_t n, const void *in, size_t len, bool *lossy)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *s = in;
	size_t i = 0, o = 0, k, u;
	char tmp[8];

	if (lossy)
		*lossy = false;
	while (i < len) {
		unsigned char c = s[i];
		const char *esc = NULL;

		u = sbx_utf8_len(s + i, len - i);
		if (u > 1) {
			for (k = 0; k < u; k++, o++)
				if (o + 1 < n)
					out[o] = (char)s[i + k];
			i += u;
			continue;
		}
		switch (c) {
		case '"':
			esc = "\\\"";
			break;
		case '\\':
			esc = "\\\\";
			break;
		case '\n':
			esc = "\\n";
			break;
		case '\r':
			esc = "\\r";
			break;
		case '\t':
			esc = "\\t";
			break;
		default:
			if (c < 0x20 || c >= 0x7f) {
				if (c >= 0x80 && lossy)
					*lossy = true;
				memcpy(tmp, "\\u00", 4);
				tmp[4] = hexd[c >> 4];
				tmp[5] = hexd[c & 15];
				tmp[6] = '\0';
				esc = tmp;
			}
		}
		if (esc) {
			for (k = 0; esc[k]; k++, o++)
				if (o + 1 < n)
					out[o] = esc[k];
		} else {
			if (o + 1 < n)
				out[o] = (char)c;
			o++;
		}
		i++;
	}
	if (n)
		out[o < n ? o : n - 1] = '\0';
	return o;
}

void sbx_json_begin(struct sbx_json *j, char *buf, size_t n)
{
	j->buf = buf;
	j->cap = n > SBX_JSON_RESERVE ? n - SBX_JSON_RESERVE : 0;
	j->len = 0;
	j->first = true;
	j->overflow = false;
	if (j->cap) {
		buf[0] = '{';
		j->len = 1;
	}
}

/* Append `"key":` plus @a and @b if all of it fits; otherwise leave the buffer as it was. */
static bool sbx_json_put(struct sbx_json *j, const char *key, const char *a, size_t alen,
			 const char *b, size_t blen)
{
	size_t klen = strlen(key), need = (j->first ? 0 : 1) + klen + 3 + alen + blen;
	char *p;

	if (j->len + need > j->cap) {
		j->overflow = true;
		return false;
	}
	p = j->buf + j->len;
	if (!j->first)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, klen);
	p += klen;
	*p++ = '"';
	*p++ = ':';
	memcpy(p, a, alen);
	p += alen;
	if (blen)
		memcpy(p, b, blen);
	j->len += need;
	j->first = false;
	return true;
}

bool sbx_json_str(struct sbx_json *j, const char *key, const void *s, size_t len)
{
	size_t klen = strlen(key), start = j->len, room, need;
	bool lossy = false;
	char *p;

	/* Escape in place after the key, then check it fitted: no second buffer needed. */
	need = (j->first ? 0 : 1) + klen + 4;
	if (start + need > j->cap) {
		j->overflow = true;
		return false;
	}
	p = j->buf + start;
	if (!j->first)
		*p++ = ',';
	*p++ = '"';
	memcpy(p, key, klen);
	p += klen;
	memcpy(p, "\":\"", 3);
	p += 3;
	room = j->cap - (size_t)(p - j->buf);
	need = sbx_json_escape(p, room, s, len, &lossy);
	if (need + 1 >= room) {
		j->overflow = true;
		return lossy;
	}
	p[need] = '"';
	j->len = (size_t)(p - j->buf) + need + 1;
	j->first = false;
	return lossy;
}

void sbx_json_cstr(struct sbx_json *j, const char *key, const char *s)
{
	if (s)
		sbx_json_str(j, key, s, strlen(s));
	else
		sbx_json_put(j, key, "null", 4, NULL, 0);
}

void sbx_json_int(struct sbx_json *j, const char *key, long long v)
{
	char num[32];
	int n = snprintf(num, sizeof(num), "%lld", v);

	sbx_json_put(j, key, num, (size_t)n, NULL, 0);
}

void sbx_json_bool(struct sbx_json *j, const char *key, bool v)
{
	sbx_json_put(j, key, v ? "true" : "false", v ? 4 : 5, NULL, 0);
}

void sbx_json_hex(struct sbx_json *j, const char *key, const void *s, size_t len)
{
	static const char hexd[] = "0123456789abcdef";
	const unsigned char *b = s;
	char hex[2 * 256 + 3];
	size_t i, o = 0;

	if (len > 256) {
		j->overflow = true;
		return;
	}
	hex[o++] = '"';
	for (i = 0; i < len; i++) {
		hex[o++] = hexd[b[i] >> 4];
		hex[o++] = hexd[b[i] & 15];
	}
	hex[o++] = '"';
	sbx_json_put(j, key, hex, o, NULL, 0);
}

void sbx_json_raw(struct sbx_json *j, const char *key, const char *raw)
{
	sbx_json_put(j, key, raw, strlen(raw), NULL, 0);
}

size_t sbx_json_end(struct sbx_json *j)
{
	if (!j->cap)
		return 0;
	if (j->overflow) {
		memcpy(j->buf + j->len, j->first ? "\"truncated\":true" : ",\"truncated\":true",
		       17);
		j->len += j->first ? 16 : 17;
	}
	j->buf[j->len++] = '}';
	j->buf[j->len++] = '\n';
	j->buf[j->len] = '\0';
	return j->len;
}
