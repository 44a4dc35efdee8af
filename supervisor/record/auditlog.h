/*
 * auditlog: the audit log as a file: where it is written, one record per write(), what a
 * failed write does (stop the command, or go on with --audit-fail=ignore), and the counts of
 * records written and dropped. Below the records of the sandbox's calls (audit.c) and of
 * Landlock's kernel audit (audit_ll.c), which both write through it.
 */
#ifndef SBX_AUDITLOG_H
#define SBX_AUDITLOG_H

#include <stdbool.h>
#include <stddef.h>

#include "../base/error.h"

struct sbx_json;

/* sbx_auditlog_open() - open the log named by @spec ("-", "fd:N" or a path), with
 * @fail_ignore from --audit-fail. Return 0 or -errno with @err set. */
int sbx_auditlog_open(const char *spec, bool fail_ignore, struct sbx_error *err);

/* sbx_auditlog_on() - whether there is a log to write. */
bool sbx_auditlog_on(void);

/* sbx_auditlog_arm() - from now on a failed write stops the command through @pidfd. */
void sbx_auditlog_arm(int pidfd);

/* sbx_auditlog_head() - start a record with "ts" and "event" in @buf of @size bytes. */
void sbx_auditlog_head(struct sbx_json *j, char *buf, size_t size, const char *event);

/* sbx_auditlog_emit() - write a finished record: one write(), counted; a failure is handled
 * as sbx_auditlog_fail() says. */
void sbx_auditlog_emit(const char *rec, size_t len);

/* sbx_auditlog_fail() - the log cannot be written (errno @e): say so once and stop the
 * command, unless --audit-fail=ignore. */
void sbx_auditlog_fail(int e);

/* sbx_auditlog_failed() - whether a write failed. */
bool sbx_auditlog_failed(void);

/* sbx_auditlog_records(), sbx_auditlog_dropped() - records written, and lost to a failure. */
unsigned long sbx_auditlog_records(void);
unsigned long sbx_auditlog_dropped(void);

/* sbx_auditlog_sync() - fsync a log that is a file (a pipe or tty has nothing to flush). */
void sbx_auditlog_sync(void);

#endif
