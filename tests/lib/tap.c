/* Owns the TAP counters. Output is line-buffered so forked children never duplicate it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "tap.h"

static int tap_n, tap_failed, tap_planned = -1;

static void tap_init(void)
{
	static int done;

	if (!done) {
		setvbuf(stdout, NULL, _IOLBF, 0);
		done = 1;
	}
}

void plan(int n)
{
	tap_init();
	tap_planned = n;
	printf("1..%d\n", n);
}

void skip_all(const char *fmt, ...)
{
	va_list ap;

	tap_init();
	printf("1..0 # SKIP ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(0);
}

static bool tap_vok(bool cond, const char *file, int line, const char *fmt, va_list ap)
{
	tap_init();
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	printf("\n");
	if (!cond) {
		tap_failed++;
		printf("#   Failed at %s line %d\n", file, line);
	}
	return cond;
}

bool ok_(bool cond, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(cond, file, line, fmt, ap);
	va_end(ap);
	return r;
}

bool is_(long got, long want, const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	bool r;

	va_start(ap, fmt);
	r = tap_vok(got == want, file, line, fmt, ap);
	va_end(ap);
	if (!r)
		printf("#          got: %ld\n#     expected: %ld\n", got, want);
	return r;
}

void skip(int n, const char *fmt, ...)
{
	va_list ap;

	tap_init();
	while (n-- > 0) {
		printf("ok %d # SKIP ", ++tap_n);
		va_start(ap, fmt);
		vprintf(fmt, ap);
		va_end(ap);
		printf("\n");
	}
}

void diag(const char *fmt, ...)
{
	va_list ap;

	tap_init();
	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

void bail_out(const char *fmt, ...)
{
	va_list ap;

	tap_init();
	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	exit(255);
}

int done_testing(void)
{
	if (tap_planned < 0)
		printf("1..%d\n", tap_n);
	else if (tap_planned != tap_n)
		printf("# planned %d tests but ran %d\n", tap_planned, tap_n);
	return tap_failed || (tap_planned >= 0 && tap_planned != tap_n) ? 1 : 0;
}
