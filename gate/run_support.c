#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench-runner/callgrind.h"
#include "bench-runner/cpus.h"
#include "bench-runner/doctor.h"
#include "bench-runner/harness/benchtime.h"
#include "bench-runner/host.h"
#include "bench-runner/perf_profile.h"
#include "bench-runner/run.h"
#include "bench-runner/suite.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/cmd.h"
#include "gate/doctor_report.h"
#include "gate/git.h"
#include "gate/measure.h"
#include "gate/run_support.h"
#include "common/banned.h"

void pg_run_config_init(pg_run_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->count = 10;
	cfg->warmup = 1;
	cfg->timeout = 600;
	cfg->profile_runs = 1;
	cfg->profile_hz = 100;
	cfg->callgrind_iterations = PG_CALLGRIND_DEFAULT_ITERATIONS;
}

/* ------------------------------------------------------------ progress */

struct progress_state {
	int tty;
	size_t warmup;
	size_t measured_done;
	double measured_seconds;
};

static void progress(void *ctx, const pg_suite_progress *p)
{
	struct progress_state *st = ctx;
	const char *what = p->warmup ? "warm-up run" : "run";
	size_t shown = p->warmup ? p->index : p->index - st->warmup;
	size_t of = p->warmup ? st->warmup : p->total - st->warmup;

	if (p->finished && !p->warmup) {
		st->measured_done++;
		st->measured_seconds += p->last;
	}
	if (st->tty) {
		size_t width = 20, done = p->index - (p->finished ? 0 : 1), i;
		size_t filled = done * width / p->total;

		fprintf(stderr, "\r\033[Kperfgate run: %s %zu/%zu [", what, shown, of);
		for (i = 0; i < width; i++)
			fputc(i < filled ? '#' : '.', stderr);
		fprintf(stderr, "] %.1f s", p->elapsed);
		if (st->measured_done && done < p->total)
			fprintf(stderr, ", ~%.0f s left",
				st->measured_seconds / (double)st->measured_done *
					(double)(p->total - done));
		if (p->finished && p->index == p->total)
			fputc('\n', stderr);
		fflush(stderr);
	} else if (p->finished) {
		fprintf(stderr, "perfgate run: %s %zu of %zu done in %.2f s\n", what,
			shown, of, p->last);
	}
}

/* ------------------------------------------------------------ metadata */

static int set_config(pg_results *r, const char *key, const char *value)
{
	return pg_results_set_config(r, key, strlen(key), value, strlen(value));
}

static void format_utc(char *buf, size_t size, double t)
{
	time_t secs = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&secs, &tm) || !strftime(buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, size, "unknown");
}

const char *pg_run_incomplete(const pg_results *r)
{
	return pg_results_config(r, PG_RUN_INCOMPLETE_KEY);
}

/* Configuration lines of the run itself: fingerprint, commit, counts
 * (`completed` measured runs; fewer than asked for: "incomplete: run K of
 * N failed"). */
static int add_run_metadata(pg_results *r, const pg_run_config *cfg,
			    const pg_cpuset *pinned, double started, int nice, size_t warmup,
			    size_t completed)
{
	pg_buf sha = PG_BUF_INIT, v = PG_BUF_INIT;
	char date[64];
	int dirty = 0, err;

	if ((err = pg_host_fingerprint(r, pinned)) < 0)
		goto cleanup;
	if ((err = set_config(r, "perfgate-version", PERFGATE_VERSION)) < 0)
		goto cleanup;
	err = pg_git_head(&sha, &dirty, ".");
	if (err == 0) {
		if ((err = set_config(r, "commit", sha.ptr)) < 0 ||
		    (dirty && (err = set_config(r, "commit-dirty", "true")) < 0))
			goto cleanup;
	} else if (err != PG_ENOTFOUND) {
		goto cleanup;
	}
	format_utc(date, sizeof(date), started);
	pg_buf_addf(&v, "%zu", completed);
	if ((err = set_config(r, "date", date)) < 0 ||
	    (err = set_config(r, "runs", v.ptr)) < 0)
		goto cleanup;
	pg_buf_reset(&v);
	if (completed < cfg->count) {
		pg_buf_addf(&v, "run %zu of %zu failed", completed + 1, cfg->count);
		if ((err = set_config(r, PG_RUN_INCOMPLETE_KEY, v.ptr)) < 0)
			goto cleanup;
		pg_buf_reset(&v);
	}
	pg_buf_addf(&v, "%zu", warmup);
	if ((err = set_config(r, "warmup-runs", v.ptr)) < 0)
		goto cleanup;
	if (cfg->benchtime && !cfg->callgrind) {
		pg_buf_reset(&v);
		pg_buf_addf(&v, "%s (%s)", cfg->benchtime, PG_BENCH_BENCHTIME_ENV);
		if ((err = set_config(r, "default-benchtime", v.ptr)) < 0)
			goto cleanup;
	}
	if (cfg->measure_auto) {
		const char *line = pg_results_config(r, "measure");

		pg_buf_reset(&v);
		pg_buf_addf(&v, "%s" PG_MEASURE_AUTO_NOTE "%s",
			    cfg->callgrind && line ? line : "time", cfg->measure_auto);
		if ((err = set_config(r, "measure", v.ptr)) < 0)
			goto cleanup;
	}
	pg_buf_reset(&v);
	if (nice)
		pg_buf_addf(&v, "raised (nice -%d)", nice);
	else
		pg_buf_adds(&v, "unchanged (raising it is not permitted)");
	err = set_config(r, "priority", v.ptr);

cleanup:
	pg_buf_release(&sha);
	pg_buf_release(&v);
	return err;
}

/* ------------------------------------------------------------ JSON */

/* The values in run `i` of the configuration keys that change between
 * runs (pg_results_config_varies): an object, empty when none does. */
static json_t *run_config_json(const pg_suite_result *res, size_t i)
{
	json_t *obj = json_object();
	size_t k;

	for (k = 0; obj && k < res->merged.nconfig; k++) {
		const char *key = res->merged.config[k].key;
		const char *v = pg_results_config(&res->runs[i], key);

		if (v && pg_results_config_varies(&res->merged, res->runs, res->ncompleted, key) &&
		    json_object_set_new(obj, key, json_string(v)) < 0) {
			json_decref(obj);
			return NULL;
		}
	}
	return obj;
}

static json_t *samples_json(const pg_suite_result *res, const pg_run_config *cfg)
{
	json_t *root = NULL, *config = NULL, *runs = NULL, *samples = NULL, *cmd = NULL;
	size_t i, j, k;

	config = json_object();
	runs = json_array();
	samples = json_array();
	cmd = json_array();
	if (!config || !runs || !samples || !cmd)
		goto fail;
	for (i = 0; cfg->argv[i]; i++)
		if (json_array_append_new(cmd, json_string(cfg->argv[i])) < 0)
			goto fail;
	for (i = 0; i < res->merged.nconfig; i++)
		if (json_object_set_new(config, res->merged.config[i].key,
					json_string(res->merged.config[i].value)) < 0)
			goto fail;
	for (i = 0; i < res->ncompleted; i++) {
		const pg_results *run = &res->runs[i];

		if (json_array_append_new(runs, json_pack("{s:I, s:f, s:f, s:o}",
				"run", (json_int_t)(i + 1),
				"start_time", res->start_times[i],
				"seconds", res->durations[i],
				"config", run_config_json(res, i))) < 0)
			goto fail;
		for (j = 0; j < run->nseries; j++) {
			const pg_series *s = &run->series[j];

			for (k = 0; k < s->n; k++)
				if (json_array_append_new(samples, json_pack(
						"{s:s, s:s, s:f, s:I, s:f}",
						"benchmark", s->name, "unit", s->unit,
						"value", s->values[k],
						"run", (json_int_t)(i + 1),
						"start_time", res->start_times[i])) < 0)
					goto fail;
		}
	}
	root = json_pack("{s:i, s:o, s:o, s:o, s:o}", "version", 1, "command", cmd,
			 "config", config, "runs", runs, "samples", samples);
	return root;

fail:
	json_decref(config);
	json_decref(runs);
	json_decref(samples);
	json_decref(cmd);
	return NULL;
}

static int write_json(const char *path, const pg_suite_result *res,
		      const pg_run_config *cfg)
{
	json_t *doc = samples_json(res, cfg);
	char *text = NULL;
	int err = 0;

	if (!doc)
		return pg_error_set(PG_ENOMEM, "out of memory");
	text = json_dumps(doc, JSON_INDENT(1) | JSON_PRESERVE_ORDER |
				       JSON_REAL_PRECISION(17));
	if (!text) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	err = pg_file_write_atomic(path, text, strlen(text));

cleanup:
	free(text);
	json_decref(doc);
	return err;
}

/* ------------------------------------------------------------ the job */

/* The quiet-host checks on the CPUs the suite will use: warnings on
 * stderr; with --require-quiet any warning fails the run (exit 3). */
static int check_host(const pg_run_config *cfg, const pg_cpuset *pinned)
{
	pg_doctor_report report;
	size_t warnings;
	int err, status = PG_EXIT_OK;

	pg_doctor_report_init(&report);
	if ((err = pg_doctor_run(&report, pinned)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	warnings = pg_doctor_warnings(&report);
	if (!cfg->quiet || (cfg->require_quiet && warnings))
		pg_doctor_print(stderr, &report, 1);
	if (cfg->require_quiet && warnings) {
		pg_err("the host is not quiet (%zu warning%s) and --require-quiet was given",
		       warnings, warnings == 1 ? "" : "s");
		status = PG_EXIT_INFRA;
	}

cleanup:
	pg_doctor_report_release(&report);
	return status;
}

int pg_run_choose_cpus(pg_cpuset *out, int *pin, const char *cpus, const char **why)
{
	*pin = 1;
	if (cpus && !strcmp(cpus, "none")) {
		*pin = 0;
		memset(out, 0, sizeof(*out));
		*why = "not pinned (--cpus none)";
		return 0;
	}
	if (cpus) {
		pg_cpuset allowed;
		size_t i;
		int err;

		if ((err = pg_cpuset_parse(out, cpus)) < 0)
			return err;
		if (!out->count)
			return pg_error_set(PG_EINPUT, "--cpus: empty CPU list");
		if ((err = pg_cpus_allowed(&allowed)) < 0)
			return err;
		for (i = 0; i < PG_MAX_CPUS; i++)
			if (out->on[i] && !allowed.on[i])
				return pg_error_set(PG_EINPUT,
						    "--cpus: CPU %zu is not available to this process",
						    i);
		*why = "--cpus";
		return 0;
	}
	return pg_cpus_default(out, why);
}

int pg_run_suite_command(const pg_run_config *cfg, pg_results *results, pg_buf *text_out)
{
	pg_suite_opts opts;
	pg_suite_result res;
	pg_callgrind_opts cg;
	pg_cpuset cpus;
	struct progress_state st = { 0 };
	pg_buf text = PG_BUF_INIT, list = PG_BUF_INIT;
	char **env = NULL;
	const char *why = "";
	int pin = 0, status = PG_EXIT_OK, err;
	int profile = cfg->profile_dir && cfg->profile_runs;
	double started = 0;

	pg_suite_result_init(&res);
	memset(&opts, 0, sizeof(opts));
	if ((err = pg_run_choose_cpus(&cpus, &pin, cfg->cpus, &why)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (!cfg->quiet) {
		if (pin) {
			pg_cpuset_format(&list, &cpus);
			fprintf(stderr, "perfgate run: pinned to CPU %s (%s)\n", list.ptr, why);
		} else {
			fprintf(stderr, "perfgate run: %s\n", why);
		}
	}
	/* instruction counts do not depend on the host's load: no quiet-host
	 * checks under callgrind (their warnings would only mislead) */
	if (cfg->callgrind) {
		if (!cfg->quiet)
			fprintf(stderr, "perfgate run: quiet-host checks skipped: instruction "
				"counts under callgrind do not depend on the host's load\n");
	} else if ((status = check_host(cfg, pin ? &cpus : NULL)) != PG_EXIT_OK) {
		goto cleanup;
	}
	opts.run.argv = cfg->argv;
	opts.run.cpus = pin ? &cpus : NULL;
	opts.run.nice = 5;
	opts.run.timeout = cfg->timeout;
	opts.count = cfg->count;
	opts.warmup = cfg->warmup;
	if (cfg->benchtime && !cfg->callgrind) {
		if ((err = pg_run_env_set(&env, environ, PG_BENCH_BENCHTIME_ENV,
					  cfg->benchtime)) < 0) {
			status = pg_die_code(err);
			goto cleanup;
		}
		opts.run.envp = env;
	}
	if (cfg->callgrind) {
		memset(&cg, 0, sizeof(cg));
		cg.iterations = cfg->callgrind_iterations;
		cg.cache_sim = cfg->callgrind_cache_sim;
		cg.keep_env = cfg->keep_env;
		cg.nkeep_env = cfg->nkeep_env;
		opts.callgrind = &cg;
		opts.warmup = 0; /* instruction counts do not warm up */
		if (!cfg->quiet)
			fprintf(stderr, "perfgate run: measuring instructions under callgrind: "
				"%llu iterations per benchmark, environment and working directory "
				"pinned (~50x slower than the suite alone)\n",
				cfg->callgrind_iterations ? cfg->callgrind_iterations
							  : PG_CALLGRIND_DEFAULT_ITERATIONS);
	}
	if (!cfg->quiet) {
		st.tty = isatty(STDERR_FILENO);
		st.warmup = opts.warmup;
		opts.progress = progress;
		opts.progress_ctx = &st;
	}
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		started = (double)ts.tv_sec;
	}
	/* perf first: not after the measured runs have taken their time */
	if (profile && cfg->profile_with_perf && (err = pg_perf_check()) < 0) {
		if (!cfg->profile_optional) {
			status = pg_die_code(err);
			goto cleanup;
		}
		pg_warn("no profiles: %s", pg_error_last());
		profile = 0;
	}
	err = pg_suite_run(&res, &opts);
	if (err == 0 && profile &&
	    (!cfg->profile_auto || pg_results_config(&res.merged, "harness"))) {
		if (!cfg->quiet)
			fprintf(stderr, "perfgate run: %zu profiled run%s (%s) into %s\n",
				cfg->profile_runs, cfg->profile_runs == 1 ? "" : "s",
				cfg->profile_with_perf ? "perf record" : "-cpuprofile",
				cfg->profile_dir);
		err = pg_suite_profile(&res, &opts, cfg->profile_dir,
				       cfg->profile_with_perf ? PG_PROFILE_PERF : PG_PROFILE_HARNESS,
				       cfg->profile_hz, cfg->profile_runs, cfg->profile_trim);
		if (err < 0 && cfg->profile_optional) {
			pg_warn("no profiles: %s", pg_error_last());
			pg_buf_reset(&res.failure_stderr);
			err = 0;
		}
		if (err == 0 && res.runs_without_profile)
			pg_warn("'%s' wrote no profile into '%s' (does it take -cpuprofile DIR? "
				"Suites without perfgate's harness: --profile-with perf)",
				cfg->argv[0], cfg->profile_dir);
	}
	if (st.tty && err < 0)
		fputc('\n', stderr);
	if (err < 0) {
		status = pg_die_code(err);
		if (res.failure_stderr.len) {
			pg_buf_rtrim(&res.failure_stderr);
			fprintf(stderr, "perfgate: the end of its standard error:\n%s\n",
				res.failure_stderr.ptr);
		}
		if (res.ncompleted == 0)
			goto cleanup;
	}
	if ((err = add_run_metadata(&res.merged, cfg, pin ? &cpus : NULL, started,
				    res.priority_raised ? opts.run.nice : 0, opts.warmup,
				    res.ncompleted)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if ((cfg->output || !results || text_out) &&
	    (err = pg_results_format_benchfmt_runs(&text, &res.merged, res.runs,
						   res.ncompleted)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (cfg->output) {
		if ((err = pg_file_write_atomic(cfg->output, text.ptr, text.len)) < 0) {
			status = pg_die_code(err);
			goto cleanup;
		}
		if (status != PG_EXIT_OK)
			pg_err("the %zu completed runs are kept in '%s'", res.ncompleted,
			       cfg->output);
	} else if (!results) {
		fwrite(text.ptr, 1, text.len, stdout);
		status = pg_finish_stdout(status);
	}
	if (cfg->json && (err = write_json(cfg->json, &res, cfg)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (text_out && status == PG_EXIT_OK &&
	    (err = pg_buf_add(text_out, text.ptr, text.len)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (results && status == PG_EXIT_OK) {
		*results = res.merged;
		pg_results_init(&res.merged);
	}

cleanup:
	pg_suite_result_release(&res);
	pg_buf_release(&text);
	pg_buf_release(&list);
	pg_free_strv(env);
	return status;
}
