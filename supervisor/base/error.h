/*
 * struct sbx_error: an errno plus one precise message, passed across module boundaries so the
 * place that knows what failed writes the message and only main() decides to exit.
 */
#ifndef SBX_ERROR_H
#define SBX_ERROR_H

#define SBX_ERROR_MSG_MAX 512

struct sbx_error {
	int code;		      /* positive errno, 0 when unset */
	char msg[SBX_ERROR_MSG_MAX];  /* "what and why", without the program prefix */
	char hint[SBX_ERROR_MSG_MAX]; /* optional "Hint: …" text, empty when none */
};

/*
 * sbx_error_set() - record @code and a printf-style message in @err (which may be NULL).
 * Return: -@code, so callers can write `return sbx_error_set(err, errno, "open `%s`", p);`.
 * When @code is an errno, ": strerror" is appended to the message.
 */
int sbx_error_set(struct sbx_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* sbx_error_hint() - attach a hint to @err; returns -err->code for chaining. */
int sbx_error_hint(struct sbx_error *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#endif
