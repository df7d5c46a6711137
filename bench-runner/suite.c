#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* ------------------------------------------------------------ callgrind */

/* What every run under callgrind shares. */
typedef struct cg_ctx {
	pg_buf valgrind;  /* its absolute path */
	pg_buf version;   /* "3.19.0" */
	pg_buf suite;     /* the suite's absolute path */
	pg_buf tmp;       /* our temporary directory, for the dumps */
	pg_buf dir;       /* the current run's directory in it */
	char **env;       /* the pinned environment */
	char **argv;      /* the current run's command line */
} cg_ctx;

static void cg_init(cg_ctx *c)
{
	memset(c, 0, sizeof(*c));
	pg_buf_init(&c->valgrind, 0);
	pg_buf_init(&c->version, 0);
	pg_buf_init(&c->suite, 0);
	pg_buf_init(&c->tmp, 0);
	pg_buf_init(&c->dir, 0);
}

/* Remove a temporary directory, best effort, keeping the current error
 * message (a failure being reported must not be replaced by this one). */
static void remove_quietly(const char *path)
{
	char saved[PG_ERROR_MAX];

	snprintf(saved, sizeof(saved), "%s", pg_error_last());
	if (pg_remove_tree(path) < 0) {
		if (*saved)
			pg_error_set(PG_ERROR, "%s", saved);
		else
			pg_error_clear();
	}
}

static void cg_release(cg_ctx *c)
{
	if (c->tmp.len)
		remove_quietly(c->tmp.ptr);
	pg_buf_release(&c->valgrind);
	pg_buf_release(&c->version);
	pg_buf_release(&c->suite);
	pg_buf_release(&c->tmp);
	pg_buf_release(&c->dir);
	pg_free_strv(c->env);
	pg_free_strv(c->argv);
	c->env = c->argv = NULL;
}

extern char **environ;

/* valgrind, the suite's absolute path, the environment, a temporary
 * directory; the "measure" configuration line. */
static int cg_prepare(cg_ctx *c, pg_results *merged, const pg_suite_opts *opts)
{
	const pg_callgrind_opts *o = opts->callgrind;
	pg_buf measure = PG_BUF_INIT;
	int err;

	if ((err = pg_callgrind_find(&c->valgrind, &c->version, o->valgrind)) < 0 ||
	    (err = pg_callgrind_resolve(&c->suite, opts->run.argv[0])) < 0 ||
	    (err = pg_callgrind_env(&c->env, environ, o->keep_env, o->nkeep_env)) < 0)
		goto cleanup;
	if ((err = pg_mkdtemp(&c->tmp, "perfgate-callgrind")) < 0)
		goto cleanup;
	if ((err = pg_callgrind_describe(&measure, c->version.ptr, o)) < 0 ||
	    (err = pg_results_set_config(merged, "measure", 7, measure.ptr, measure.len)) < 0)
		goto cleanup;

cleanup:
	pg_buf_release(&measure);
	return err;
}

/* The command of run `i` (its dumps in their own directory). */
static int cg_command(cg_ctx *c, pg_run_opts *ro, const pg_suite_opts *opts, size_t i)
{
	pg_buf pattern = PG_BUF_INIT;
	int err;

	pg_free_strv(c->argv);
	c->argv = NULL;
	pg_buf_reset(&c->dir);
	pg_buf_addf(&c->dir, "%s/run-%zu", c->tmp.ptr, i + 1);
	pg_buf_addf(&pattern, "%s/cg.%%p", c->dir.ptr);
	if (pg_buf_failed(&c->dir) || pg_buf_failed(&pattern)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if (mkdir(c->dir.ptr, 0700) < 0 && errno != EEXIST) {
		err = pg_error_set_errno(PG_EINFRA, "cannot create '%s'", c->dir.ptr);
		goto cleanup;
	}
	if ((err = pg_callgrind_argv(&c->argv, c->valgrind.ptr, pattern.ptr, c->suite.ptr,
				     opts->run.argv, opts->callgrind)) < 0)
		goto cleanup;
	ro->argv = c->argv;
	ro->envp = c->env;
	ro->cwd = PG_CALLGRIND_CWD;

cleanup:
	pg_buf_release(&pattern);
	return err;
}

/* The run's results rewritten with its dumps: `text` (the Go benchmark
 * format) replaces its output; `one` is parsed again from it. */
static int cg_take(pg_buf *text, pg_results *one, cg_ctx *c, const pg_suite_opts *opts,
		   const char *label)
{
	pg_callgrind_dumps dumps;
	int err;

	pg_callgrind_dumps_init(&dumps);
	if ((err = pg_callgrind_read_dir(&dumps, c->dir.ptr)) < 0) {
		err = pg_error_prefix(PG_EINFRA, "%s", label);
		goto cleanup;
	}
	if ((err = pg_callgrind_rewrite(text, one, &dumps, opts->callgrind->cache_sim,
					label)) < 0)
		goto cleanup;
	pg_results_release(one);
	pg_results_init(one);
	err = pg_results_parse(one, label, text->ptr, text->len);

cleanup:
	pg_callgrind_dumps_release(&dumps);
	remove_quietly(c->dir.ptr); /* the dumps are read */
	return err;
}

/* ------------------------------------------------------------ running */

int pg_suite_run(pg_suite_result *out, const pg_suite_opts *opts)
{
	double (*clock)(void) = opts->clock ? opts->clock : real_clock;
	size_t total = opts->warmup + opts->count, i;
	pg_run_result rr;
	pg_run_opts ro = opts->run;
	pg_buf label = PG_BUF_INIT, cg_text = PG_BUF_INIT;
	double t0 = monotonic();
	cg_ctx cg;
	int err = 0;

	pg_run_result_init(&rr);
	cg_init(&cg);
	if (opts->count < 1 || !opts->run.argv || !opts->run.argv[0]) {
		err = pg_error_set(PG_EINPUT, "nothing to run");
		goto cleanup;
	}
	if (opts->callgrind && (err = cg_prepare(&cg, &out->merged, opts)) < 0)
		goto cleanup;
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
		if (opts->callgrind && (err = cg_command(&cg, &ro, opts, i)) < 0)
			goto cleanup;
		if ((err = pg_run_process(&rr, &ro)) < 0) {
			err = pg_error_prefix(err, "%s", label.ptr);
			goto cleanup;
		}
		report(opts, i + 1, total, warm, 1, t0, rr.elapsed);
		if (!rr.priority_raised)
			out->priority_raised = 0;
		pg_results_init(&one);
		err = take_run(&one, &rr, opts, label.ptr);
		pg_buf_reset(&cg_text);
		if (err == 0 && opts->callgrind)
			err = cg_take(&cg_text, &one, &cg, opts, label.ptr);
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
		if ((err = opts->callgrind ?
			   pg_results_parse(&out->merged, label.ptr, cg_text.ptr, cg_text.len) :
			   pg_results_parse(&out->merged, label.ptr, rr.out.ptr,
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
	pg_buf_release(&cg_text);
	cg_release(&cg);
	return err;
}

/* What the profiles below `dir` are: each .pb.gz file's name, inode, size
 * and modification time, one line each ("" when there is none). The
 * harness writes a profile to a new file renamed into place: a run that
 * wrote one changes this. */
static int profiles_state(pg_buf *out, const char *dir)
{
	char **files = NULL;
	size_t n = 0, i, len;
	int err;

	if ((err = pg_list_files(&files, &n, dir)) < 0)
		return err;
	for (i = 0; i < n; i++) {
		pg_buf path = PG_BUF_INIT;
		struct stat st;

		len = strlen(files[i]);
		if (len < 6 || strcmp(files[i] + len - 6, ".pb.gz"))
			continue;
		pg_buf_addf(&path, "%s/%s", dir, files[i]);
		if (!pg_buf_failed(&path) && stat(path.ptr, &st) == 0)
			pg_buf_addf(out, "%s %llu %lld %lld.%09ld\n", files[i],
				    (unsigned long long)st.st_ino, (long long)st.st_size,
				    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
		pg_buf_release(&path);
	}
	pg_free_strv(files);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_suite_profile(pg_suite_result *out, const pg_suite_opts *opts,
		     const char *dir, pg_profile_mode mode, int hz, size_t runs,
		     const char *trim_path)
{
	pg_buf where = PG_BUF_INIT, rate = PG_BUF_INIT, label = PG_BUF_INIT;
	pg_buf before = PG_BUF_INIT, after = PG_BUF_INIT;
	pg_run_opts ro = opts->run;
	pg_run_result rr;
	char **argv = NULL;
	size_t n = 0, k;
	int err = 0;

	pg_run_result_init(&rr);
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
		pg_buf_reset(&before);
		if ((err = profiles_state(&before, where.ptr)) < 0)
			goto cleanup;
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
		pg_buf_reset(&after);
		if ((err = profiles_state(&after, where.ptr)) < 0)
			goto cleanup;
		if (!after.len || !strcmp(before.ptr, after.ptr))
			out->runs_without_profile++;
	}

cleanup:
	free(argv);
	pg_buf_release(&before);
	pg_buf_release(&after);
	pg_run_result_release(&rr);
	pg_buf_release(&where);
	pg_buf_release(&rate);
	pg_buf_release(&label);
	return err;
}
