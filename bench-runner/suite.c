#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bench-runner/perf_profile.h"
#include "bench-runner/suite.h"
#include "common/file.h"
#include "common/error.h"
#include "common/banned.h"

static double real_clock(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double monotonic(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void pg_suite_result_init(pg_suite_result *r)
{
	memset(r, 0, sizeof(*r));
	pg_results_init(&r->merged);
	pg_buf_init(&r->failure_stderr, 0);
}

void pg_suite_result_release(pg_suite_result *r)
{
	size_t i;

	if (!r)
		return;
	pg_results_release(&r->merged);
	for (i = 0; r->runs && i < r->ncompleted; i++)
		pg_results_release(&r->runs[i]);
	free(r->runs);
	free(r->start_times);
	free(r->durations);
	pg_buf_release(&r->failure_stderr);
	pg_suite_result_init(r);
}

static void report(const pg_suite_opts *opts, size_t index, size_t total,
		   int warmup, int finished, double t0, double last)
{
	pg_suite_progress p;

	if (!opts->progress)
		return;
	p.index = index;
	p.total = total;
	p.warmup = warmup;
	p.finished = finished;
	p.elapsed = monotonic() - t0;
	p.last = last;
	opts->progress(opts->progress_ctx, &p);
}

/* Name of run `i` in messages: "run 3 of 10" or "warm-up run 1 of 1". */
static void run_label(pg_buf *out, size_t i, const pg_suite_opts *opts)
{
	if (i < opts->warmup)
		pg_buf_addf(out, "warm-up run %zu of %zu", i + 1, opts->warmup);
	else
		pg_buf_addf(out, "run %zu of %zu", i - opts->warmup + 1, opts->count);
}

/* Check one run's outcome and parse its output into `into`. */
static int take_run(pg_results *into, const pg_run_result *rr,
		    const pg_suite_opts *opts, const char *label)
{
	pg_buf why = PG_BUF_INIT;
	int err = 0;

	if (!pg_run_succeeded(rr)) {
		pg_run_describe(&why, rr, opts->run.timeout);
		err = pg_error_set(PG_EINFRA, "%s: '%s' %s", label, opts->run.argv[0],
				   why.ptr);
		goto cleanup;
	}
	if ((err = pg_results_parse(into, label, rr->out.ptr, rr->out.len)) < 0) {
		err = pg_error_prefix(PG_EINFRA, "%s: unusable output from '%s'",
				      label, opts->run.argv[0]);
		goto cleanup;
	}

cleanup:
	pg_buf_release(&why);
	return err;
}

int pg_suite_run(pg_suite_result *out, const pg_suite_opts *opts)
{
	double (*clock)(void) = opts->clock ? opts->clock : real_clock;
	size_t total = opts->warmup + opts->count, i;
	pg_run_result rr;
	pg_buf label = PG_BUF_INIT;
	double t0 = monotonic();
	int err = 0;

	pg_run_result_init(&rr);
	if (opts->count < 1 || !opts->run.argv || !opts->run.argv[0]) {
		err = pg_error_set(PG_EINPUT, "nothing to run");
		goto cleanup;
	}
	out->count = opts->count;
	out->priority_raised = opts->run.nice > 0;
	out->runs = calloc(opts->count, sizeof(*out->runs));
	out->start_times = calloc(opts->count, sizeof(double));
	out->durations = calloc(opts->count, sizeof(double));
	if (!out->runs || !out->start_times || !out->durations) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < total; i++) {
		int warm = i < opts->warmup;
		pg_results one;
		double started = clock();

		pg_buf_reset(&label);
		run_label(&label, i, opts);
		report(opts, i + 1, total, warm, 0, t0, 0);
		pg_run_result_release(&rr);
		pg_run_result_init(&rr);
		if ((err = pg_run_process(&rr, &opts->run)) < 0) {
			err = pg_error_prefix(err, "%s", label.ptr);
			goto cleanup;
		}
		report(opts, i + 1, total, warm, 1, t0, rr.elapsed);
		if (!rr.priority_raised)
			out->priority_raised = 0;
		pg_results_init(&one);
		err = take_run(&one, &rr, opts, label.ptr);
		if (err < 0) {
			pg_results_release(&one);
			pg_buf_add(&out->failure_stderr, rr.err.ptr, rr.err.len);
			goto cleanup;
		}
		if (warm) {
			pg_results_release(&one);
			continue;
		}
		/* the merged set: parse again (cheap) rather than copy */
		if ((err = pg_results_parse(&out->merged, label.ptr, rr.out.ptr,
					    rr.out.len)) < 0) {
			pg_results_release(&one);
			goto cleanup;
		}
		out->runs[out->ncompleted] = one;
		out->start_times[out->ncompleted] = started;
		out->durations[out->ncompleted] = rr.elapsed;
		out->ncompleted++;
	}

cleanup:
	pg_run_result_release(&rr);
	pg_buf_release(&label);
	return err;
}

int pg_suite_profile(pg_suite_result *out, const pg_suite_opts *opts,
		     const char *dir, pg_profile_mode mode, int hz, size_t runs,
		     const char *trim_path)
{
	pg_buf where = PG_BUF_INIT, rate = PG_BUF_INIT, label = PG_BUF_INIT;
	pg_run_opts ro = opts->run;
	pg_run_result rr;
	char **argv = NULL;
	size_t n = 0, k;
	int err = 0;

	pg_run_result_init(&rr);
	if (mode == PG_PROFILE_PERF && (err = pg_perf_check()) < 0)
		goto cleanup;
	while (opts->run.argv[n])
		n++;
	argv = calloc(n + 7, sizeof(*argv));
	if (!argv) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	memcpy(argv, opts->run.argv, n * sizeof(*argv));
	pg_buf_addf(&rate, "%d", hz);
	for (k = 1; k <= runs; k++) {
		pg_buf_reset(&where);
		pg_buf_reset(&label);
		pg_buf_addf(&label, "profiled run %zu of %zu", k, runs);
		if (mode == PG_PROFILE_PERF) {
			if (runs > 1)
				pg_buf_addf(&where, "%s/perf-%zu.pb.gz", dir, k);
			else
				pg_buf_addf(&where, "%s/perf.pb.gz", dir);
		} else if (runs > 1) {
			pg_buf_addf(&where, "%s/run-%zu", dir, k);
		} else {
			pg_buf_adds(&where, dir);
		}
		if (pg_buf_failed(&where) || pg_buf_failed(&rate) || pg_buf_failed(&label)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if ((err = pg_mkdir_p(dir, 0755)) < 0)
			goto cleanup;
		if (mode == PG_PROFILE_PERF) {
			err = pg_perf_profile(&opts->run, where.ptr, hz, &out->failure_stderr);
			if (err < 0) {
				err = pg_error_prefix(err, "%s", label.ptr);
				goto cleanup;
			}
			continue;
		}
		{
			size_t a = n;

			argv[a++] = "-cpuprofile";
			argv[a++] = where.ptr;
			if (hz != 100) {
				argv[a++] = "-cpuprofilerate";
				argv[a++] = rate.ptr;
			}
			if (trim_path) {
				argv[a++] = "-trimpath";
				argv[a++] = (char *)trim_path;
			}
			argv[a] = NULL;
		}
		ro.argv = argv;
		pg_run_result_release(&rr);
		pg_run_result_init(&rr);
		if ((err = pg_run_process(&rr, &ro)) < 0) {
			err = pg_error_prefix(err, "%s", label.ptr);
			goto cleanup;
		}
		if (!pg_run_succeeded(&rr)) {
			pg_buf why = PG_BUF_INIT;

			pg_run_describe(&why, &rr, ro.timeout);
			err = pg_error_set(PG_EINFRA, "%s: '%s' %s (does the suite take "
					   "-cpuprofile DIR? Suites without perfgate's harness: "
					   "--profile-with perf)", label.ptr, argv[0], why.ptr);
			pg_buf_release(&why);
			pg_buf_add(&out->failure_stderr, rr.err.ptr, rr.err.len);
			goto cleanup;
		}
	}

cleanup:
	free(argv);
	pg_run_result_release(&rr);
	pg_buf_release(&where);
	pg_buf_release(&rate);
	pg_buf_release(&label);
	return err;
}
