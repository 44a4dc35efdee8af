/* Owns stderr diagnostics: one write() per line so threads never interleave mid-line. */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "log.h"

static void sbx_vlog(const char *kind, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

static void sbx_vlog(const char *kind, const char *fmt, va_list ap)
{
	char line[1024];
	int n, m;

	n = snprintf(line, sizeof(line), SBX_PROG ": %s", kind);
	m = vsnprintf(line + n, sizeof(line) - n - 1, fmt, ap);
	if (m < 0)
		return;
	n += m;
	if (n > (int)sizeof(line) - 2)
		n = sizeof(line) - 2;
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, n);
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
