#ifndef PG_RUN_H
#define PG_RUN_H

#include <stddef.h>

#include "bench-runner/cpus.h"
#include "common/buf.h"

/*
 * Running one suite process: pinned to CPUs, at raised priority where
 * permitted, stdout and stderr captured, killed (with its whole process
 * group) after a timeout.
 */

typedef struct pg_run_opts {
	char *const *argv;      /* the command; argv[0] is looked up in PATH */
	const pg_cpuset *cpus;  /* pin the process to these; NULL: no pinning */
	int nice;               /* lower the nice value by this much where
				 * permitted (e.g. 5 -> nice -5); 0: leave it */
	double timeout;         /* seconds; 0: none */
	size_t max_output;      /* cap on captured stdout, bytes; 0: 256 MiB */
	const char *cwd;        /* working directory of the process; NULL: ours */
	char *const *envp;      /* its whole environment ("NAME=value",
				 * NULL-terminated); NULL: ours. argv[0] is
				 * still looked up in our PATH */
} pg_run_opts;

#define PG_RUN_STDERR_KEEP 8192 /* bytes of stderr kept (the end) */

typedef struct pg_run_result {
	pg_buf out;         /* the process's stdout */
	pg_buf err;         /* the last PG_RUN_STDERR_KEEP bytes of its stderr */
	int exited;         /* it exited: `status` holds the exit status */
	int status;
	int signaled;       /* it was killed by signal `signal` */
	int signal;
	int timed_out;      /* it was killed because the timeout expired */
	int output_capped;  /* stdout exceeded max_output (the process was killed) */
	int priority_raised;/* the nice value was lowered as asked */
	double elapsed;     /* seconds, monotonic */
} pg_run_result;

void pg_run_result_init(pg_run_result *r);
void pg_run_result_release(pg_run_result *r);

/*
 * Start the process, capture its output and wait for it (or kill it on
 * timeout). Returns 0 once the process has ended, whatever its status;
 * PG_EINFRA when it could not be started ("cannot run 'x': No such file or
 * directory", including exec failures reported from the child) or an I/O
 * error interrupted the capture.
 */
int pg_run_process(pg_run_result *out, const pg_run_opts *opts);

/* "exited with status 1", "was killed by signal 11 (Segmentation fault)",
 * "timed out after 10 s", "exited normally" into `out`. */
int pg_run_describe(pg_buf *out, const pg_run_result *r, double timeout);

/* A copy of the environment `envp` (NULL-terminated "NAME=value" strings)
 * with `name` set to `value` (replacing it, or added at the end), for
 * pg_run_opts.envp; the caller frees it with pg_free_strv(). 0 or
 * PG_ENOMEM. */
int pg_run_env_set(char ***out, char *const *envp, const char *name, const char *value);

/* Nonzero when the process ended well: exit status 0, no timeout. */
int pg_run_succeeded(const pg_run_result *r);

#endif
