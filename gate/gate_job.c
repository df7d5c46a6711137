#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gate/baseline.h"
#include "gate/cmd.h"
#include "gate/gate_job.h"
#include "gate/git.h"
#include "gate/measure.h"
#include "gate/run_support.h"
#include "gate/store_cli.h"
#include "common/banned.h"

void pg_job_opts_init(pg_job_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->count = -1;
	o->warmup = -1;
	o->timeout = -1;
	pg_store_options_init(&o->store_opts);
}

int pg_job_config(pg_gate_config *cfg, const pg_job_opts *o)
{
	pg_buf path = PG_BUF_INIT;
	int err;

	if (o->config_path) {
		err = pg_config_load(cfg, o->config_path, 0);
	} else {
		if ((err = pg_config_default_path(&path)) < 0)
			goto cleanup;
		err = pg_config_load(cfg, path.ptr, PG_CONFIG_OPTIONAL);
		if (err == PG_ENOTFOUND)
			err = 0;
	}
	if (err < 0)
		goto cleanup;
	if (o->suite && (err = pg_config_set_suite(cfg, o->suite, o->nsuite)) < 0)
		goto cleanup;
	if (o->quick && (err = pg_config_apply_quick(cfg)) < 0)
		goto cleanup;
	if (o->store && (err = pg_config_set_string(&cfg->store, o->store)) < 0)
		goto cleanup;
	if (o->project && (err = pg_config_set_string(&cfg->project, o->project)) < 0)
		goto cleanup;
	if (o->baseline_branch &&
	    (err = pg_config_set_baseline_branch(cfg, "--baseline-branch", o->baseline_branch)) < 0)
		goto cleanup;
	if (o->cpus && (err = pg_config_set_string(&cfg->cpus, o->cpus)) < 0)
		goto cleanup;
	if (o->count >= 0)
		cfg->count = (size_t)o->count;
	if (o->warmup >= 0)
		cfg->warmup = (size_t)o->warmup;
	if (o->timeout >= 0)
		cfg->timeout = o->timeout;
	if (o->require_quiet)
		cfg->require_quiet = 1;
	if (o->measure && (err = pg_config_parse_measure(&cfg->measure.mode, "--measure",
							 o->measure)) < 0)
		goto cleanup;

cleanup:
	pg_buf_release(&path);
	return err;
}

int pg_job_resolve_measure(pg_gate_config *cfg, int quiet, const char *cmd)
{
	pg_buf why = PG_BUF_INIT;
	int err;

	if (cfg->measure.mode != PG_MEASURE_AUTO)
		return 0;
	if ((err = pg_measure_resolve(&cfg->measure.mode, &why, PG_MEASURE_AUTO)) < 0)
		goto cleanup;
	free(cfg->measure.auto_reason);
	if (!(cfg->measure.auto_reason = pg_buf_detach(&why, NULL))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (!quiet)
		pg_measure_announce(cmd, cfg->measure.mode, cfg->measure.auto_reason);

cleanup:
	pg_buf_release(&why);
	return err;
}

int pg_job_project(pg_buf *out, const pg_gate_config *cfg)
{
	if (cfg->project)
		return pg_store_sanitize_component(out, cfg->project);
	return pg_default_project(out);
}

int pg_job_open_store(pg_store **out, const pg_gate_config *cfg,
		      const pg_job_opts *o)
{
	pg_store_cli cli;

	pg_store_cli_init(&cli);
	cli.url = cfg->store;
	cli.opts = o->store_opts;
	return pg_store_cli_open(out, &cli);
}

int pg_job_check_suite(const pg_gate_config *cfg)
{
	if (cfg->nsuite)
		return 0;
	return pg_error_set(PG_EINPUT, "no suite to run: give one after -- or set \"suite\" in "
			    "perfgate.json");
}

int pg_job_run_suite(pg_results *results, pg_buf *text, const pg_gate_config *cfg,
		     const pg_job_opts *o, char *const *extra_args,
		     const char *output, const char *profile_dir)
{
	pg_run_config rc;
	pg_buf top = PG_BUF_INIT;
	char **argv = NULL;
	size_t n = 0, i, nextra = 0;
	int status;

	if (pg_job_check_suite(cfg) < 0)
		return pg_die_code(PG_EINPUT);
	while (extra_args && extra_args[nextra])
		nextra++;
	argv = calloc(cfg->nsuite + nextra + 1, sizeof(*argv));
	if (!argv)
		return pg_die_code(pg_error_set(PG_ENOMEM, "out of memory"));
	for (i = 0; i < cfg->nsuite; i++)
		argv[n++] = cfg->suite[i];
	for (i = 0; i < nextra; i++)
		argv[n++] = extra_args[i];
	pg_run_config_init(&rc);
	rc.argv = argv;
	rc.count = cfg->count;
	rc.warmup = cfg->warmup;
	rc.cpus = cfg->cpus;
	rc.timeout = cfg->timeout;
	rc.output = output;
	rc.require_quiet = cfg->require_quiet;
	rc.quiet = o->quiet;
	rc.benchtime = cfg->benchtime;
	if (cfg->measure.mode == PG_MEASURE_CALLGRIND) {
		rc.callgrind = 1;
		rc.callgrind_iterations = cfg->measure.iterations;
		rc.callgrind_cache_sim = cfg->measure.cache_sim;
		rc.keep_env = cfg->measure.keep_env;
		rc.nkeep_env = cfg->measure.nkeep_env;
	}
	rc.measure_auto = cfg->measure.auto_reason;
	if (profile_dir && cfg->profile.mode != PG_PROFILE_OFF && cfg->profile.runs) {
		rc.profile_dir = profile_dir;
		rc.profile_with_perf = cfg->profile.mode == PG_PROFILE_PERF_ON;
		rc.profile_auto = cfg->profile.mode == PG_PROFILE_AUTO;
		rc.profile_runs = cfg->profile.runs;
		rc.profile_hz = (int)cfg->profile.rate;
		rc.profile_optional = 1;
		/* the repository's path says nothing about the code: keep it out
		 * of the profiles' file names */
		if (pg_git_toplevel(&top, ".") == 0 && pg_buf_addch(&top, '/') == 0)
			rc.profile_trim = top.ptr;
	}
	status = pg_run_suite_command(&rc, results, text);
	free(argv);
	pg_buf_release(&top);
	return status;
}

/* "callgrind" or "time", from a results set's "measure" line. */
static const char *measure_of(const pg_results *r)
{
	const char *m = pg_results_config(r, "measure");

	return m && !strncmp(m, "callgrind", 9) ? "callgrind" : "time";
}

int pg_job_measure_warning(pg_buf *out, const pg_results *baseline,
			   const pg_results *candidate)
{
	const char *b = measure_of(baseline), *c = measure_of(candidate);

	if (!strcmp(b, c))
		return 0;
	pg_buf_addf(out, "the baseline was measured with --measure %s and the candidate with "
		    "--measure %s: their time and instruction rows cannot be compared (they "
		    "show as new or removed; B/op, allocs/op and custom metrics still "
		    "compare); measure both the same way (--measure, or \"measure\" in "
		    "perfgate.json), or refresh the baseline", b, c);
	return pg_buf_failed(out) ? PG_ENOMEM : 1;
}

int pg_job_run_id(pg_buf *out, int pipeline_wide, double now)
{
	const char *gh = getenv("GITHUB_RUN_ID"), *attempt = getenv("GITHUB_RUN_ATTEMPT");
	const char *pipeline = getenv("CI_PIPELINE_ID"), *job = getenv("CI_JOB_ID");
	pg_buf raw = PG_BUF_INIT;
	int err;

	if (gh && *gh) {
		pg_buf_adds(&raw, gh);
		/* a re-run's own artifacts, except for shards: a re-run collect
		 * job must find the shards of the run's first attempt */
		if (!pipeline_wide && attempt && *attempt && strcmp(attempt, "1"))
			pg_buf_addf(&raw, "-%s", attempt);
	} else if (pipeline_wide && pipeline && *pipeline) {
		pg_buf_adds(&raw, pipeline);
	} else if (job && *job) {
		pg_buf_adds(&raw, job);
	} else {
		pg_buf_adds(&raw, "local-");
		if ((err = pg_format_time(&raw, now)) < 0)
			goto cleanup;
	}
	err = pg_buf_failed(&raw) ? PG_ENOMEM : pg_store_sanitize_component(out, raw.ptr);

cleanup:
	pg_buf_release(&raw);
	return err;
}
