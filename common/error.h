#ifndef PG_ERROR_H
#define PG_ERROR_H

/*
 * Error reporting for library code (common/, stats/, bench-runner/, the
 * store clients).
 *
 * Library functions never print and never exit. They return 0 on success
 * or one of the negative codes below, and before returning a failure they
 * set exactly one message describing it with pg_error_set(). Only the
 * command layer (gate/cmd_*.c) prints the message and turns the code into
 * an exit status (see pg_exit_code() in gate/cmd.h).
 *
 * Messages follow git's style: lowercase, no full stop, the subject quoted,
 * e.g. "cannot open 'x.txt': No such file or directory". They never contain
 * secrets (credentials are removed from URLs before they are quoted).
 *
 * The message is kept per thread in a fixed buffer, so setting it never
 * allocates and cannot fail.
 */

enum pg_error_code {
	PG_OK = 0,
	PG_ERROR = -1,     /* unspecified failure (a bug if it reaches the user) */
	PG_EINPUT = -2,    /* bad input: a file's content, an argument, a config key */
	PG_EINFRA = -3,    /* infrastructure: I/O, network, store, git, a suite that crashed */
	PG_ENOMEM = -4,    /* out of memory, or a size cap was exceeded */
	PG_ENOTFOUND = -5, /* the thing looked up does not exist */
	PG_EEXISTS = -6,   /* the thing to create exists already */
	PG_EINTEGRITY = -7 /* data does not match its checksum or manifest */
};

#define PG_ERROR_MAX 1024

/* Set the message for the current thread and return `code`, so that
 * `return pg_error_set(PG_EINPUT, "...", ...);` reads naturally. */
int pg_error_set(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Like pg_error_set() with ": <strerror(errno)>" appended (errno as it was
 * on entry). */
int pg_error_set_errno(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Prefix the current message with "<prefix>: " (to add context on the way
 * up); returns `code`. */
int pg_error_prefix(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The current message, or "" when none is set. Valid until the next
 * pg_error_* call on this thread. */
const char *pg_error_last(void);

void pg_error_clear(void);

#endif
