/*
 * Fuzz target: the audit log's JSON escaper on any bytes. Whatever a path or an abstract
 * name holds, the escaped text must be a valid JSON string body (no raw control characters,
 * quotes or backslashes, valid \-escapes, valid UTF-8), the length reported must be the
 * length written when it fits, and a whole record built from those bytes in a small buffer
 * must still be one closed JSON object on one line.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "../../supervisor/record/json.h"
#include "fuzz.h"

/* Length of the UTF-8 sequence starting at @s (at most @n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	unsigned int cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		need = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		need = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		need = 4, cp = s[0] & 0x07;
	else
		return 0;
	if (n < need)
		return 0;
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((need == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (need == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return need;
}

static bool hex4(const char *s)
{
	int i;

	for (i = 0; i < 4; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]) || !s[i])
			return false;
	return true;
}

/* Whether @s (NUL-terminated) is the body of a valid JSON string. */
static bool json_string_body(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, k;

	while (i < n) {
		if (p[i] < 0x20 || p[i] == '"')
			return false;
		if (p[i] == '\\') {
			if (i + 1 >= n || !strchr("\"\\/bfnrtu", p[i + 1]))
				return false;
			if (p[i + 1] == 'u') {
				if (i + 6 > n || !hex4(s + i + 2))
					return false;
				i += 6;
			} else {
				i += 2;
			}
			continue;
		}
		k = utf8_len(p + i, n - i);
		if (!k)
			return false;
		i += k;
	}
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char small[48], rec[160];
	char *out;
	size_t need, got;
	struct sbx_json j;
	bool lossy = false;

	if (size > 4096)
		return 0;
	need = sbx_json_escape(NULL, 0, data, size, NULL);
	out = malloc(need + 1);
	if (!out)
		return 0;
	got = sbx_json_escape(out, need + 1, data, size, &lossy);
	if (got != need || strlen(out) != need || !json_string_body(out))
		abort();
	/* Truncated into a small buffer: still NUL-terminated, a prefix, never overrun. */
	sbx_json_escape(small, sizeof(small), data, size, NULL);
	if (!memchr(small, '\0', sizeof(small)) || strncmp(small, out, strlen(small)))
		abort();
	free(out);

	/* A record too small for the bytes: closed, one line, truncation said. */
	sbx_json_begin(&j, rec, sizeof(rec));
	sbx_json_cstr(&j, "event", "deny");
	sbx_json_str(&j, "addr", data, size);
	sbx_json_int(&j, "errno", 1);
	got = sbx_json_end(&j);
	if (got == 0 || got > sizeof(rec) || rec[0] != '{' || rec[got - 1] != '\n' ||
	    rec[got - 2] != '}' || memchr(rec, '\n', got - 1))
		abort();
	return 0;
}
