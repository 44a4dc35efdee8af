/* Unit tests: the audit log's JSON string escaper and fixed-buffer object builder. */
#include <stdio.h>
#include <string.h>

#include "../../lib/tap.h"
#include "../../../supervisor/record/json.h"

static void esc_is(const char *in, size_t len, const char *want, bool want_lossy, const char *what)
{
	char out[256];
	bool lossy = !want_lossy;
	size_t n = sbx_json_escape(out, sizeof(out), in, len, &lossy);

	if (!ok(n == strlen(want) && !strcmp(out, want) && lossy == want_lossy, "escape: %s", what))
		diag("got `%s` (%zu, lossy %d), want `%s`", out, n, lossy, want);
}

int main(void)
{
	char buf[128], small[8];
	struct sbx_json j;
	size_t n;

	esc_is("plain /run/x.sock", 17, "plain /run/x.sock", false, "ASCII passes through");
	esc_is("a\"b\\c", 5, "a\\\"b\\\\c", false, "quote and backslash");
	esc_is("l1\nl2\r\t", 7, "l1\\nl2\\r\\t", false, "newline, CR, tab");
	esc_is("\0a\0", 3, "\\u0000a\\u0000", false, "NUL bytes (abstract names)");
	esc_is("\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f", false, "control bytes and DEL");
	esc_is("\xc3\xa9t\xc3\xa9", 5, "\xc3\xa9t\xc3\xa9", false, "valid 2-byte UTF-8 kept");
	esc_is("\xe2\x82\xac \xf0\x9f\x98\x80", 8, "\xe2\x82\xac \xf0\x9f\x98\x80", false,
	       "valid 3- and 4-byte UTF-8 kept");
	esc_is("\xff\xfe", 2, "\\u00ff\\u00fe", true, "invalid bytes become \\u00XX, flagged");
	esc_is("\xc3", 1, "\\u00c3", true, "a truncated sequence at the end");
	esc_is("\xc3(", 2, "\\u00c3(", true, "a lead byte without continuation");
	esc_is("\xc0\xaf", 2, "\\u00c0\\u00af", true, "an overlong encoding");
	esc_is("\xed\xa0\x80", 3, "\\u00ed\\u00a0\\u0080", true, "an encoded surrogate");
	esc_is("\xf4\x90\x80\x80", 4, "\\u00f4\\u0090\\u0080\\u0080", true, "past U+10FFFF");
	esc_is("\x80", 1, "\\u0080", true, "a lone continuation byte");

	n = sbx_json_escape(small, sizeof(small), "\n\n\n\n", 4, NULL);
	ok(n == 8 && strlen(small) == 7, "escape: returns the full length, truncates safely");

	sbx_json_begin(&j, buf, sizeof(buf));
	sbx_json_cstr(&j, "s", "x\"y");
	sbx_json_int(&j, "i", -42);
	sbx_json_bool(&j, "b", true);
	sbx_json_cstr(&j, "n", NULL);
	sbx_json_hex(&j, "h", "\0\xff", 2);
	sbx_json_raw(&j, "a", "[1,2]");
	n = sbx_json_end(&j);
	if (!ok(!strcmp(buf, "{\"s\":\"x\\\"y\",\"i\":-42,\"b\":true,\"n\":null,\"h\":\"00ff\","
			     "\"a\":[1,2]}\n") &&
			n == strlen(buf),
		"builder: one object, one line"))
		diag("got %s", buf);

	sbx_json_begin(&j, buf, 64);
	sbx_json_cstr(&j, "a", "short");
	sbx_json_cstr(&j, "b", "a string that cannot fit in what is left of the buffer");
	sbx_json_int(&j, "c", 1);
	sbx_json_end(&j);
	if (!ok(!strcmp(buf, "{\"a\":\"short\",\"c\":1,\"truncated\":true}\n"),
		"builder: a member that does not fit is left out, the object stays valid"))
		diag("got %s", buf);

	sbx_json_begin(&j, buf, 40);
	sbx_json_cstr(&j, "a", "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx");
	sbx_json_end(&j);
	ok(!strcmp(buf, "{\"truncated\":true}\n"), "builder: nothing fits, still an object");
	return done_testing();
}
