/* Owns stderr diagnostics: one write() per line so threads never interleave mid-line. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static void sbx_vlog(const char *kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/*
 * Copy @n bytes to @out escaping what would drive a terminal: C0 controls, DEL and the UTF-8
 * form of the C1 controls (U+0080..U+009F, e.g. CSI). Lines carry names chosen by the sandboxed
 * command (paths, abstract names, its comm). Printable text, '\\' included, is left as is, so
 * text escaped before (sbx_bytes_escape) reads the same. Returns the length written.
 */
static size_t sbx_log_escape(const char *in, size_t n, char *out, size_t size)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i, o = 0;

	for (i = 0; i < n && o + 9 < size; i++) {
		if (s[i] < 0x20 || s[i] == 0x7f) {
			o += (size_t)snprintf(out + o, size - o, "\\x%02x", s[i]);
		} else if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f) {
			o += (size_t)snprintf(out + o, size - o, "\\xc2\\x%02x", s[i + 1]);
			i++;
		} else {
			out[o++] = (char)s[i];
		}
	}
	return o;
}

static void sbx_vlog(const char *kind, const char *fmt, va_list ap)
{
	char line[1024], safe[4 * sizeof(line) + 2];
	int n, m;

	n = snprintf(line, sizeof(line), SBX_PROG ": %s", kind);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	n = (int)sbx_log_escape(line, (size_t)n, safe, sizeof(safe) - 1);
	safe[n++] = '\n';
	(void)!write(STDERR_FILENO, safe, (size_t)n);
}

void sbx_log_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbx_vlog("", fmt, ap);
	va_end(ap);
}

void sbx_log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sbx_vlog("warning: ", fmt, ap);
	va_end(ap);
}

void sbx_log_error(const struct sbx_error *err)
{
	sbx_log_err("%s", err->msg);
	if (err->hint[0])
		sbx_log_err("Hint: %s", err->hint);
}
