#ifndef PG_GATE_JOB_H
#define PG_GATE_JOB_H

#include <stddef.h>

#include "common/buf.h"
#include "gate/config.h"
#include "gate/store.h"
#include "stats/results.h"

/*
 * What `perfgate gate` and `perfgate baseline refresh` share: the
 * configuration (perfgate.json, then --quick, then the command line), the
 * store, and running the configured suite.
 */

typedef struct pg_job_opts {
	const char *config_path;    /* --config; NULL: perfgate.json at the
				     * repository root, if there is one */
	const char *store;          /* --store */
	const char *project;        /* --project */
	const char *baseline_branch;/* --baseline-branch */
	long count;                 /* -n; < 0: not given */
	long warmup;                /* --warmup; < 0: not given */
	const char *cpus;           /* --cpus */
	double timeout;             /* --timeout; < 0: not given */
	int quick;                  /* --quick */
	int quiet;                  /* -q */
	int require_quiet;          /* --require-quiet */
	const char *measure;        /* --measure time|callgrind|auto; NULL: not given */
	char **suite;               /* after "--" (NULL-terminated), or NULL */
	size_t nsuite;
	pg_store_options store_opts;/* --cacert, --allow-insecure-http, -v */
} pg_job_opts;

void pg_job_opts_init(pg_job_opts *o);

/* Load the configuration and apply --quick and the command line over it.
 * 0 or a PG_E* code with the message set (naming the file and key). */
int pg_job_config(pg_gate_config *cfg, const pg_job_opts *o);

/* When cfg->measure.mode is auto: resolve it to time or callgrind
 * (gate/measure.h), keep why in cfg->measure.auto_reason and, unless
 * `quiet`, say which and why on stderr ("perfgate <cmd>: --measure auto:
 * ..."). Call it once, right after pg_job_config(), before anything looks
 * at the mode. 0 (nothing to do for time and callgrind), PG_EINFRA,
 * PG_ENOMEM. */
int pg_job_resolve_measure(pg_gate_config *cfg, int quiet, const char *cmd);

/* The project name (configured, else the repository's directory name),
 * sanitized. */
int pg_job_project(pg_buf *out, const pg_gate_config *cfg);

/* Open the configured store (default: .perfgate/store at the repository
 * root). */
int pg_job_open_store(pg_store **out, const pg_gate_config *cfg,
		      const pg_job_opts *o);

/* PG_EINPUT with the message "no suite to run: give one after -- or set
 * \"suite\" in perfgate.json" when no suite is configured, else 0. */
int pg_job_check_suite(const pg_gate_config *cfg);

/* Run the configured suite (count, warmup, cpus, timeout), with
 * `extra_args` (NULL-terminated, or NULL) appended to its arguments; with
 * `profile_dir`, the profiled runs of cfg->profile write their profiles
 * there (a failed profiled run is only a warning);
 * progress and host warnings on stderr unless quiet. `results` receives
 * the merged results with the host fingerprint; `text`, when not NULL,
 * has the results file's text appended (what `perfgate run -o` writes:
 * configuration that changes between runs kept per run; upload this, not
 * `results` formatted again); `output`, when not NULL, is written too.
 * Returns an exit status (PG_EXIT_*), having printed any error;
 * PG_EXIT_USAGE when no suite is configured (pg_job_check_suite's
 * message). */
int pg_job_run_suite(pg_results *results, pg_buf *text, const pg_gate_config *cfg,
		     const pg_job_opts *o, char *const *extra_args,
		     const char *output, const char *profile_dir);

/* When `baseline` and `candidate` were measured differently (their
 * "measure" configuration lines: absent is time, "callgrind (...)" is
 * callgrind), append a warning naming both modes to `out` and return 1;
 * else 0 (`out` untouched). PG_ENOMEM. */
int pg_job_measure_warning(pg_buf *out, const pg_results *baseline,
			   const pg_results *candidate);

/* The run id of this CI job: GITHUB_RUN_ID (with "-<attempt>" when
 * GITHUB_RUN_ATTEMPT > 1, unless `pipeline_wide`), else CI_PIPELINE_ID when
 * `pipeline_wide`
 * (sharding: every job of the pipeline must agree), else CI_JOB_ID, else
 * "local-<UTC timestamp>". Sanitized for store keys. */
int pg_job_run_id(pg_buf *out, int pipeline_wide, double now);

#endif
