#ifndef PG_CMD_H
#define PG_CMD_H

#include <stddef.h>

#include "common/buf.h"

/*
 * The command layer: the only code that prints to the user and picks an
 * exit status. Each subcommand lives in its own gate/cmd_<name>.c with its
 * own usage text and is listed in the table in gate/perfgate.c.
 */

/* Exit statuses: a contract with users' CI scripts (see README). */
enum pg_exit {
	PG_EXIT_OK = 0,         /* pass */
	PG_EXIT_REGRESSION = 1, /* a regression was found */
	PG_EXIT_USAGE = 2,      /* usage, input or configuration error */
	PG_EXIT_INFRA = 3       /* infrastructure error: store, git, crashed suite */
};

#include "common/version.h"

typedef int (*pg_cmd_fn)(int argc, char **argv);

int cmd_compare(int argc, char **argv);
int cmd_doctor(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_store(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_baseline_refresh(int argc, char **argv);
int cmd_gate(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_hook(int argc, char **argv);
int cmd_version(int argc, char **argv);

/* Print "perfgate: <message>" (the last library error, or `fmt`) on stderr
 * and return the exit status that goes with library error `err`. */
int pg_die_code(int err);

/* Print "perfgate: <fmt...>" on stderr. */
void pg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void pg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Map a library error code to an exit status. */
int pg_exit_code(int err);

/* Usage error: print "perfgate <cmd>: <fmt...>" and the usage text, return
 * PG_EXIT_USAGE. */
int pg_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Parse an option value that must be a number strictly between 0 and 1
 * (alpha, confidence). 0 or PG_EINPUT naming `opt`. */
int pg_parse_fraction(double *out, const char *opt, const char *s);

/* An option value that must not be empty (a file name, a URL): `s` into
 * *out, or PG_EINPUT "--json must be a file name, not ''" (`what` is "a file
 * name"). */
int pg_parse_nonempty(const char **out, const char *opt, const char *s, const char *what);

/* A whole number from `min` to 10^6 (run counts). 0 or PG_EINPUT. */
int pg_parse_count(size_t *out, const char *opt, const char *s, size_t min);

/* A duration: "30", "1.5", "500ms", "10m", "1h" (seconds). 0 or PG_EINPUT. */
int pg_parse_seconds(double *out, const char *opt, const char *s);

/* Now, in seconds since the epoch; the environment variable PERFGATE_NOW
 * ("2026-01-31T12:00:00Z") overrides it, for tests and reproducible runs. */
double pg_now(void);

/* The default project name: the base name of the repository's top-level
 * directory (else of the current directory), sanitized for store keys. */
int pg_default_project(pg_buf *out);

/* Flush stdout and check that everything written to it arrived; returns
 * `status` when it did, PG_EXIT_INFRA (with a message) when it did not. */
int pg_finish_stdout(int status);

#endif
