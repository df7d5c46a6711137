#ifndef PG_SUITE_H
#define PG_SUITE_H

#include <stddef.h>

#include "bench-runner/callgrind.h"
#include "bench-runner/run.h"
#include "common/buf.h"
#include "stats/results.h"

/*
 * Running a benchmark suite N times as separate processes (after warm-up
 * runs whose results are discarded) and collecting every sample. Any
 * command that prints the Go benchmark format or Google Benchmark JSON is
 * a suite.
 */

typedef struct pg_suite_progress {
	size_t index;     /* 1-based, over warm-up and measured runs */
	size_t total;     /* warm-up + measured runs */
	int warmup;       /* this run is a warm-up run */
	int finished;     /* 0: about to start, 1: just ended */
	double elapsed;   /* seconds since the first run started */
	double last;      /* seconds the run took (when finished) */
} pg_suite_progress;

typedef struct pg_suite_opts {
	pg_run_opts run;   /* the command, CPUs, priority, timeout */
	size_t count;      /* measured runs (>= 1) */
	size_t warmup;     /* discarded runs before them */
	/* wall clock in seconds since the epoch (the start time of each run);
	 * NULL: the real clock. Tests inject a fake one. */
	double (*clock)(void);
	/* called before and after each run; may be NULL */
	void (*progress)(void *ctx, const pg_suite_progress *p);
	void *progress_ctx;
	/* --measure callgrind: each run under valgrind's callgrind with the
	 * environment and working directory pinned, the suite's time metrics
	 * replaced by instructions/op (bench-runner/callgrind.h); run.argv[0]
	 * is made absolute, run.envp and run.cwd are set by the runner.
	 * NULL: time (the suite as it is). Profiled runs (pg_suite_profile)
	 * never run under callgrind. */
	const pg_callgrind_opts *callgrind;
} pg_suite_opts;

typedef struct pg_suite_result {
	pg_results merged;   /* the samples of every completed measured run,
			      * in run order; configuration from the suite's
			      * output */
	pg_results *runs;    /* the same, one per completed measured run */
	double *start_times; /* wall clock at the start of each of them */
	double *durations;   /* seconds each took */
	size_t ncompleted;
	size_t count;        /* measured runs asked for */
	int priority_raised; /* every run got the raised priority asked for */
	pg_buf failure_stderr; /* the end of a failed run's stderr */
	size_t runs_without_profile; /* profiled runs (harness mode) that
				      * succeeded but wrote no profile: the
				      * suite ignores -cpuprofile? */
} pg_suite_result;

void pg_suite_result_init(pg_suite_result *r);
void pg_suite_result_release(pg_suite_result *r);

/* How profiled runs capture profiles. */
typedef enum pg_profile_mode {
	PG_PROFILE_HARNESS = 0, /* the suite takes perfgate's -cpuprofile DIR */
	PG_PROFILE_PERF         /* perf record around the suite (any suite) */
} pg_profile_mode;

/*
 * Profiled runs, separate from the measured ones (profiles never distort
 * the figures the gate decides on): `runs` more runs of the suite with
 * profiling on, their results discarded. With the harness each run writes
 * one profile per benchmark (DIR/<benchmark>.pb.gz; with several runs,
 * DIR/run-K/); with perf one profile per run (DIR/perf.pb.gz, or
 * DIR/perf-K.pb.gz). `trim_path` (or NULL) is removed from file names in
 * harness profiles (-trimpath: build paths reveal user and host names).
 * With perf, check first with pg_perf_check() (bench-runner/perf_profile.h),
 * before the measured runs, so that a host where perf does not work says
 * so before the suite has spent its time. A harness-mode run that exits 0
 * without writing a profile counts in out->runs_without_profile.
 * 0, or PG_EINFRA naming the profiled run (its stderr tail in
 * out->failure_stderr).
 */
int pg_suite_profile(pg_suite_result *out, const pg_suite_opts *opts,
		     const char *dir, pg_profile_mode mode, int hz, size_t runs,
		     const char *trim_path);

/*
 * Run the suite. Returns 0 when every run completed and printed benchmark
 * results. With opts->callgrind the merged results get the configuration
 * line "measure" (pg_callgrind_describe) before the suite's own lines, and
 * valgrind missing or a suite without perfgate's harness is PG_EINFRA
 * with a message saying so. Returns PG_EINFRA when a run could not be started, crashed,
 * exited with a non-zero status, timed out or printed no (or malformed)
 * results: the message names the run ("run 3 of 10: 'suite' was killed by
 * signal 11 (Segmentation fault)"), `out` keeps the runs completed before
 * it and the failed run's stderr tail. PG_EINPUT for bad options,
 * PG_ENOMEM.
 */
int pg_suite_run(pg_suite_result *out, const pg_suite_opts *opts);

#endif
