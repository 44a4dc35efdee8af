/*
 * policy_file: policy files (--policy FILE), a line-based text form of the command line.
 *
 *   sbx-policy 1                      the header, first line that is not blank or a comment
 *   # a comment                       whole lines only: '#' later on a line is part of it
 *   allow-unix-socket /run/x.sock     DIRECTIVE [ARGUMENT]: the option of the same name
 *   allow-unix-socket "@a b\x01"      a quoted argument: \\ \" \n \t \xNN escapes
 *   include other.policy              relative to the including file; depth <= 8, no cycles
 *
 * Each directive is looked up in the table of options the command line hands over
 * (sbx_polfile_set_options(), cli.c's sbx_cli_options[]) and applied by that row's apply function,
 * exactly as the flag would be; rows with in_policy false are refused. Errors are
 * "FILE:LINE: message" (PCRE2 patterns: "FILE:LINE:COL: message").
 */
#ifndef SBX_POLICY_FILE_H
#define SBX_POLICY_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "opts.h"

#define SBX_POLFILE_VERSION   1
#define SBX_POLFILE_DEPTH_MAX 8
#define SBX_POLFILE_SIZE_MAX  (1024 * 1024)

/* sbx_polfile_set_options() - the options a directive may name, ending with a NULL name:
 * handed over once by the command line, so this parser needs nothing above it. */
void sbx_polfile_set_options(const struct sbx_cli_option *table);

/* sbx_polfile_load() - read @path and apply it to @o. Return 0 or -errno with @err set. */
int sbx_polfile_load(struct sbx_opts *o, const char *path, struct sbx_error *err);

/*
 * sbx_polfile_parse() - apply the @len bytes of policy text @text, named @name in messages
 * and as the base of relative includes, to @o. Return 0 or -errno with @err set.
 */
int sbx_polfile_parse(struct sbx_opts *o, const char *name, const char *text, size_t len,
		      struct sbx_error *err);

/* sbx_polfile_print() - print the effective policy of @o in this format: the header, then
 * each row's print callback in table order. Parsing the output gives the same policy. */
void sbx_polfile_print(const struct sbx_opts *o, FILE *f);

/* sbx_polfile_line() - print one "DIRECTIVE ARG" line, quoting @arg (which may hold any
 * bytes but NUL) when a bare argument would not read back the same. @arg NULL: no argument. */
void sbx_polfile_line(FILE *f, const char *directive, const char *arg, size_t len);

#endif
