#ifndef PG_GATE_AB_H
#define PG_GATE_AB_H

#include <stddef.h>

#include "common/buf.h"
#include "gate/config.h"
#include "gate/gate_job.h"
#include "stats/paired.h"
#include "stats/results.h"

/*
 * `perfgate gate --ab` and `--confirm`: the baseline commit checked out
 * and built on this runner (gate/ab_build.h), then both builds measured
 * in one interleaved session (bench-runner/ab.h: per benchmark, ABBA
 * order, one process per sample, same CPUs, environment and relative
 * working directory) and analysed pair by pair (stats/paired.h), with
 * the unpaired analysis of the same samples beside it.
 */

typedef struct pg_ab_job {
	const pg_gate_config *cfg;   /* suite, build, cpus, timeout, decision */
	const pg_job_opts *o;        /* quiet */
	const pg_decide_opts *decide;
	const char *repo_top;        /* the candidate's tree */
	const char *baseline_commit; /* full hex id */
	char *const *benchmarks;     /* top-level names ("BenchmarkHash"),
				      * NULL-terminated; NULL: all the suite
				      * lists */
	size_t rounds;               /* pairs per benchmark */
} pg_ab_job;

typedef struct pg_ab_outcome {
	pg_results base;             /* the samples, pair by pair */
	pg_results cand;             /* with this host's fingerprint
				      * (pg_host_fingerprint, the A/B's CPUs) */
	pg_paired_set paired;        /* .decision is what the reports render */
	int have_paired;
	int cached;                  /* the baseline build was reused */
	pg_buf title;                /* how it was measured, for the reports */
	pg_buf failure_stderr;       /* of a failed process */
} pg_ab_outcome;

void pg_ab_outcome_init(pg_ab_outcome *o);
void pg_ab_outcome_release(pg_ab_outcome *o);

/* Build (or reuse) the baseline, measure, analyse. 0, or a PG_E* code
 * with the message set (the build failed, a process crashed, ...). */
int pg_gate_ab(pg_ab_outcome *out, const pg_ab_job *job);

/* The top-level benchmark names ("BenchmarkHash" for a row
 * "Hash/fnv1a-64K", the "-N" procs suffix dropped) of the rows of `d`
 * that regressed or were put down to drift: the suspects a confirmation
 * measures again. A NULL-terminated array of malloc'd strings (free with
 * pg_free_strv), or NULL when there is none (*n = 0). */
int pg_ab_suspects(char ***out, size_t *n, const pg_decision_set *d);

#endif
