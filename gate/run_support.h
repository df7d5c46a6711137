#ifndef PG_RUN_SUPPORT_H
#define PG_RUN_SUPPORT_H

#include <stddef.h>

#include "common/buf.h"
#include "stats/results.h"

/*
 * The suite-running job shared by `perfgate run`, `perfgate gate` and
 * `perfgate baseline refresh`: choose and report the CPUs, check the host,
 * run the suite with progress on stderr, record the host fingerprint and
 * the commit, write the results file and the JSON samples (those of the
 * completed runs when one failed, marked incomplete).
 */

typedef struct pg_run_config {
	char **argv;          /* the suite command */
	size_t count;         /* measured runs (default 10) */
	size_t warmup;        /* discarded runs (default 1) */
	const char *cpus;     /* CPU list, "none", or NULL for the default */
	double timeout;       /* seconds per run (default 600; 0: none) */
	const char *output;   /* results file, or NULL for stdout (unless the
			       * caller takes the results) */
	const char *json;     /* JSON samples file, or NULL */
	int require_quiet;    /* host warnings are a failure */
	int quiet;            /* no progress, no host report */
	const char *profile_dir; /* profiled runs write their profiles here;
				  * NULL: no profiled run */
	int profile_with_perf;   /* perf record instead of -cpuprofile */
	size_t profile_runs;     /* profiled runs (default 1) */
	int profile_hz;          /* sampling rate (default 100) */
	int profile_auto;        /* profile only when the suite is perfgate's
				  * harness (its "harness:" configuration line) */
	const char *profile_trim; /* --trim-path: removed from file names */
	const char *benchtime;   /* the suite's default -benchtime, passed in
				  * PERFGATE_BENCHTIME (perfgate's harness
				  * honours it; an explicit -benchtime wins;
				  * other suites ignore it) and recorded as the
				  * "default-benchtime" configuration line;
				  * NULL: the environment as it is. Not under
				  * callgrind (its environment is pinned, its
				  * iterations fixed) */
	int profile_optional;    /* a failed profiled run is a warning, not an
				  * error (the gate: profiles only explain) */
	/* --measure callgrind (bench-runner/callgrind.h): the measured runs
	 * under valgrind's callgrind, argv, environment and working
	 * directory pinned, instructions/op instead of time; no warm-up runs
	 * (counts do not warm up). 0: time. */
	int callgrind;
	unsigned long long callgrind_iterations; /* -benchtime <N>x (100) */
	int callgrind_cache_sim;  /* --cache-sim: est-cycles/op too */
	char *const *keep_env;    /* --keep-env NAME...: passed on beside PG_* */
	size_t nkeep_env;
	/* --measure auto, resolved (gate/measure.h) to `callgrind` above: why
	 * that mode, recorded in the results' "measure" configuration line
	 * ("time, chosen by --measure auto: <why>", or callgrind's line with
	 * ", chosen by --measure auto: <why>" after it); NULL: the mode was
	 * given (time then has no "measure" line) */
	const char *measure_auto;
} pg_run_config;

void pg_run_config_init(pg_run_config *cfg);

/* The configuration key that marks a results file cut short by a failed
 * run: "incomplete: run 2 of 4 failed" (its "runs:" line then counts the
 * runs completed, here 1). */
#define PG_RUN_INCOMPLETE_KEY "incomplete"

/* The value of that line in `r` ("run 2 of 4 failed"), or NULL when the
 * results are complete. */
const char *pg_run_incomplete(const pg_results *r);

/* The CPUs to pin a suite to: `cpus` ("2-3"; "none": no pinning, *pin 0;
 * NULL: pg_cpus_default), checked against what this process may use;
 * `why` says how they were chosen. 0, PG_EINPUT, PG_EINFRA. */
struct pg_cpuset;
int pg_run_choose_cpus(struct pg_cpuset *out, int *pin, const char *cpus,
		       const char **why);

/*
 * Run the suite as `cfg` says. Returns an exit status (PG_EXIT_*), having
 * printed any error. When `results` is non-NULL, it receives the merged
 * results with the host fingerprint (the caller releases them) and nothing
 * is written to stdout; the results file is still written when
 * cfg->output is set. When `text` is non-NULL and the status is
 * PG_EXIT_OK, the results file's text is appended to it (what
 * cfg->output gets: pg_results_format_benchfmt_runs, so configuration
 * that changes between runs is kept per run, where the merged `results`
 * keep only its last value); the caller releases it.
 */
int pg_run_suite_command(const pg_run_config *cfg, pg_results *results, pg_buf *text);

#endif
