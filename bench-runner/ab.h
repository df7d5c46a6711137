#ifndef PG_AB_H
#define PG_AB_H

#include <stddef.h>

#include "bench-runner/callgrind.h"
#include "bench-runner/cpus.h"
#include "common/buf.h"
#include "stats/results.h"

/*
 * Same-runner A/B: the baseline build (A) and the candidate (B) measured
 * on the same pinned CPUs, in the same environment, interleaved as finely
 * as processes allow: per benchmark, one process per sample, alternating
 * in ABBA order, so that whatever the host does over time hits both sides
 * alike.
 *
 * For benchmark b, round r runs one process of each side with
 * `-bench '^b$' -count 1` appended to its arguments (restricted to what
 * the suite's own -bench selects of b: pg_ab_bench_regex): A then B when r is
 * even, B then A when r is odd (AB BA AB BA ...). Sample r of a side is
 * the r-th value of its series, so the i-th values of the two result sets
 * form the pairs a paired analysis compares (stats/paired.h): two
 * processes run back to back.
 */

typedef struct pg_ab_side {
	char *const *argv;      /* the suite command (no -bench/-count) */
	const char *cwd;        /* its working directory, or NULL */
} pg_ab_side;

typedef struct pg_ab_progress {
	size_t done;            /* processes finished */
	size_t total;           /* processes planned */
	const char *benchmark;  /* the one being measured */
	double elapsed;         /* seconds since the start */
} pg_ab_progress;

typedef struct pg_ab_opts {
	pg_ab_side base;        /* A: the baseline build */
	pg_ab_side cand;        /* B: the candidate */
	const pg_cpuset *cpus;  /* pin both to these (NULL: no pinning) */
	int nice;
	double timeout;         /* per process, seconds; 0: none */
	char *const *benchmarks;/* top-level names as the suite lists them
				 * ("BenchmarkHash"), NULL-terminated; each
				 * must be selected by `filter` */
	const char *filter;     /* the suite's own -bench (pg_ab_suite_filter),
				 * or NULL */
	size_t rounds;          /* pairs per benchmark (>= 1) */
	void (*progress)(void *ctx, const pg_ab_progress *p);
	void *progress_ctx;
	/* --measure callgrind: both sides run under callgrind as
	 * pg_suite_run() runs them (the pinned environment, working
	 * directory "/"); NULL: time */
	const pg_callgrind_opts *callgrind;
} pg_ab_opts;

/* 0 when round `r` runs the baseline first (AB), 1 when the candidate
 * goes first (BA): the ABBA order. */
int pg_ab_candidate_first(size_t round);

/*
 * The -bench argument that runs, of top-level benchmark `name`
 * ("BenchmarkSort"), exactly what the suite's own selection `filter` (its
 * -bench expression, or NULL: everything) runs: every alternative of
 * `filter` whose first level matches `name` (as the harness and go test
 * match it), with that level replaced by "^name$" (metacharacters
 * escaped) and its other levels kept: `filter` "Hash|Sort/n=100$" gives
 * "^BenchmarkSort$/n=100$" for BenchmarkSort. Appended to `out`. 0;
 * PG_ENOTFOUND (no message) when `filter` selects nothing of `name`;
 * PG_EINPUT for an expression regcomp() refuses; PG_ENOMEM.
 */
int pg_ab_bench_regex(pg_buf *out, const char *name, const char *filter);

/* The suite's own -bench expression in `argv` (argv[0] the program): the
 * value of the last -bench, --bench, -test.bench or --test.bench ("-bench
 * X" or "-bench=X"), pointing into `argv`; NULL when there is none. */
const char *pg_ab_suite_filter(char *const *argv);

/*
 * Measure. `base_out` and `cand_out` (initialised by the caller) receive
 * the samples, in round order per series. 0, or PG_EINFRA when a process
 * could not be started, failed or printed no results (the message names
 * the side, the benchmark and the round; its stderr tail goes into
 * `failure_stderr` when not NULL), PG_ENOMEM.
 */
int pg_ab_run(pg_results *base_out, pg_results *cand_out, const pg_ab_opts *opts,
	      pg_buf *failure_stderr);

#endif
