/* Diagnostics on stderr, each line prefixed "sbx-supervise: ". Not the audit channel. */
#ifndef SBX_LOG_H
#define SBX_LOG_H

#include "error.h"

#define SBX_PROG "sbx-supervise"

/* sbx_log_err() - print "sbx-supervise: MSG" on stderr with one write(). */
void sbx_log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* sbx_log_warn() - as sbx_log_err() with "warning: " before the message. */
void sbx_log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* sbx_log_error() - print @err's message and, on a second line, its hint. */
void sbx_log_error(const struct sbx_error *err);

#endif
