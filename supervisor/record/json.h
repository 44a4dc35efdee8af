/*
 * json: build one JSON object in a caller-supplied buffer. Pure: no allocation, no syscalls,
 * so the audit writer can use it on the hot path and tests can feed it any bytes.
 *
 * Strings are arbitrary bytes. Valid UTF-8 passes through; '"', '\\' and control characters
 * (including NUL and DEL) are escaped; every byte that is not part of a valid UTF-8 sequence
 * becomes "\u00XX" (its value as a code point, so U+0080..U+00FF in the parsed string may be
 * either a real character or a raw byte). sbx_json_str() reports when that happened, so the
 * caller can add the exact bytes in hex beside it.
 *
 * Lifecycle: sbx_json_begin() on a buffer; add members; sbx_json_end() closes the object,
 * appends '\n' and returns the length. When the buffer is too small the object is still
 * closed and valid: members that did not fit are left out and "truncated":true is added.
 */
#ifndef SBX_JSON_H
#define SBX_JSON_H

#include <stdbool.h>
#include <stddef.h>

struct sbx_json {
	char *buf;
	size_t cap; /* usable bytes, with room for the closing held back */
	size_t len;
	bool first;
	bool overflow;
};

/* sbx_json_escape() - write the escaped form of @len bytes at @in (no quotes) to @out, NUL
 * terminated when @n > 0. Return the length the full result needs, like snprintf; set
 * *@lossy (if not NULL) when a byte was not valid UTF-8. */
size_t sbx_json_escape(char *out, size_t n, const void *in, size_t len, bool *lossy);

/* sbx_json_begin() - start an object in @buf of @n bytes (n >= 64). */
void sbx_json_begin(struct sbx_json *j, char *buf, size_t n);

/* sbx_json_str() - add "key": "escaped bytes". Return whether a byte was not valid UTF-8. */
bool sbx_json_str(struct sbx_json *j, const char *key, const void *s, size_t len);

/* sbx_json_cstr() - sbx_json_str() of a NUL-terminated string; NULL adds "key": null. */
void sbx_json_cstr(struct sbx_json *j, const char *key, const char *s);

/* sbx_json_int() - add "key": number. */
void sbx_json_int(struct sbx_json *j, const char *key, long long v);

/* sbx_json_bool() - add "key": true|false. */
void sbx_json_bool(struct sbx_json *j, const char *key, bool v);

/* sbx_json_hex() - add "key": "lowercase hex of @len bytes". */
void sbx_json_hex(struct sbx_json *j, const char *key, const void *s, size_t len);

/* sbx_json_raw() - add "key": @raw, where @raw is already valid JSON (an array, an object). */
void sbx_json_raw(struct sbx_json *j, const char *key, const char *raw);

/* sbx_json_end() - close the object and add '\n'. Return the record's length. */
size_t sbx_json_end(struct sbx_json *j);

#endif
