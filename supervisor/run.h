/* run: start the sandboxed command and supervise it until it exits. */
#ifndef SBX_RUN_H
#define SBX_RUN_H

#include "options/cli.h"
#include "base/error.h"

/*
 * sbx_run() - fork the shim, take its listener, serve notifications, forward signals, and
 * wait for the command. Return its exit status as sbx should report it (the code, or
 * 128+signal), or -errno with @err set when sbx itself failed (exit 125).
 */
int sbx_run(const struct sbx_opts *o, struct sbx_error *err);

#endif
