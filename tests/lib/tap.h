/* Minimal TAP producer for sbx's C tests: plan, ok/is, skip, diagnostics. */
#ifndef SBX_TAP_H
#define SBX_TAP_H

#include <stdbool.h>

/* plan() - print "1..N" up front; use done_testing() instead when the count is dynamic. */
void plan(int n);
/* skip_all() - print "1..0 # SKIP reason" and exit 0. */
void skip_all(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* ok_() - record one assertion; returns @cond so callers can branch on failure. */
bool ok_(bool cond, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
#define ok(cond, ...) ok_(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
/* is() - integer equality with both values shown on failure. */
bool is_(long got, long want, const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
#define is(got, want, ...) is_((long)(got), (long)(want), __FILE__, __LINE__, __VA_ARGS__)
/* skip() - record @n skipped tests with a reason. */
void skip(int n, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* diag() - a "# …" line on stdout. */
void diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* bail_out() - "Bail out! …" and exit 255. */
void bail_out(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* done_testing() - print the trailing plan if none was given; return the exit status. */
int done_testing(void);

#endif
