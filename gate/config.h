#ifndef PG_GATE_CONFIG_H
#define PG_GATE_CONFIG_H

#include <stddef.h>

#include "common/buf.h"
#include "stats/compare.h"
#include "stats/decide.h"

/*
 * perfgate.json: the configuration of `perfgate gate` and `perfgate
 * baseline refresh`, read with jansson. Every key is optional; the file is
 * merged over the built-in defaults (objects key by key, everything else
 * replaced). The README section "perfgate.json" documents the schema for
 * users; this header is the reference for the code.
 *
 * The struct is pg_gate_config, not pg_config: stats/results.h already
 * names its configuration lines pg_config.
 *
 *   key                     type / values                      default
 *   suite                   array of strings (argv)            []
 *   build                   string (shell command) or null     null
 *   count                   whole number 1..1000000            10
 *   warmup                  whole number 0..1000000            1
 *   cpus                    "2-3" (a CPU list), "none", null   null (automatic)
 *   timeout                 seconds per run, 0..1e9 (0: none)  600
 *   store                   string (folder or URL) or null     null (.perfgate/store
 *                                                              at the repository root)
 *   project                 string or null                     null (the repository
 *                                                              directory's name)
 *   baseline_branch         a git branch name                  "main"
 *   max_walk                whole number 1..1000000            50 (commits searched,
 *                                                              the merge base first)
 *   alpha                   number in (0, 1)                   0.05
 *   test                    "welch" | "utest"                  "welch"
 *   correction              "holm" | "bh" | "none"             "holm"
 *   threshold_on            "estimate" | "ci"                  "estimate"
 *   thresholds.default      percentage > 0                     5
 *   thresholds.metrics      {"unit": percentage}               {"instructions/op": 1}
 *   thresholds.benchmarks   {"glob": percentage | {"unit": percentage}}  {}
 *   directions              {"unit": "lower" | "higher"}       {} (pg_unit_direction)
 *   missing_baseline        "pass" | "fail"                    "pass"
 *   require_same_host       true | false                       false
 *   require_quiet           true | false                       false
 *   upload.enabled          true | false                       true
 *   upload.results          true | false                       true
 *   upload.reports          true | false                       true
 *   upload.profiles         true | false                       true
 *   upload.artifacts_dir    string (a folder) or null          null (gate: also write
 *                                                              the run's artifacts
 *                                                              there, uploaded or not;
 *                                                              a shard, refresh: what
 *                                                              they push)
 *   require_upload          true | false                       false
 *   quick.count             whole number 1..1000000            3
 *   quick.warmup            whole number 0..1000000            0
 *   quick.args              array of strings                   []
 *   quick.store             string or null                     null (the local
 *                                                              default store)
 *   quick.benchtime         a -benchtime value ("100ms",       "100ms" (null: the
 *                           "500x") or null                    suite's own)
 *   quick.profile           true | false                       false (the profiled
 *                                                              run under --quick)
 *   profile.mode            "auto" | "harness" | "perf" | "off"  "auto"
 *   profile.runs            whole number 0..1000000            1
 *   profile.rate            whole number 1..10000 (Hz)         100
 *   measure.mode            "time" | "callgrind" | "auto"      "time" (auto: time
 *                                                              with a hardware
 *                                                              instruction counter,
 *                                                              else callgrind)
 *   measure.iterations      whole number 1..1000000            100 (callgrind's
 *                                                              fixed N per benchmark)
 *   measure.cache_sim       true | false                       false
 *   measure.keep_env        array of variable names            [] (passed on to the
 *                                                              suite beside PG_*)
 *
 * Thresholds, for a row (benchmark, unit), first that applies:
 *   1. the first glob of thresholds.benchmarks (file order) matching the
 *      benchmark whose value is an object with an entry for the unit;
 *   2. the first glob matching the benchmark whose value is a number (all
 *      units);
 *   3. thresholds.metrics[unit];
 *   4. thresholds.default.
 * Globs are fnmatch(3) patterns without flags (`*` also matches `/`),
 * matched against the benchmark name as reports show it ("Sort/n=100-2":
 * no "Benchmark" prefix) and against that name without its "-N" procs
 * suffix ("Sort/n=100"). Units match exactly.
 * Directions: directions[unit], else pg_unit_direction(unit).
 */

typedef enum pg_missing_baseline {
	PG_MISSING_BASELINE_PASS = 0, /* pass, with a loud warning */
	PG_MISSING_BASELINE_FAIL      /* a missing baseline fails the gate */
} pg_missing_baseline;

/* A threshold for one unit (thresholds.metrics, or a benchmark glob's
 * per-unit object). */
typedef struct pg_config_threshold {
	char *unit;
	double percent;
} pg_config_threshold;

/* One entry of thresholds.benchmarks, in file order. */
typedef struct pg_config_glob {
	char *glob;
	int has_all;                  /* the value was a number: every unit */
	double all_percent;
	pg_config_threshold *units;   /* the value was an object: per unit */
	size_t nunits;
} pg_config_glob;

typedef struct pg_config_direction {
	char *unit;
	pg_direction direction;
} pg_config_direction;

/* Profiled runs (one more run with profiling, its results discarded). */
typedef enum pg_profile_setting {
	PG_PROFILE_AUTO = 0,  /* with -cpuprofile when the suite is perfgate's
			       * harness (it says so in its configuration
			       * lines), else none */
	PG_PROFILE_HARNESS_ON,/* always with -cpuprofile */
	PG_PROFILE_PERF_ON,   /* always with perf record (any suite) */
	PG_PROFILE_OFF
} pg_profile_setting;

typedef struct pg_config_profile {
	pg_profile_setting mode;      /* "auto", "harness", "perf", "off" */
	size_t runs;                  /* profiled runs (1) */
	size_t rate;                  /* sampling rate, Hz (100) */
} pg_config_profile;

/* What the measured runs measure (perfgate run --measure). */
typedef enum pg_measure_mode {
	PG_MEASURE_TIME = 0,     /* the suite as it is: ns/op and the rest */
	PG_MEASURE_CALLGRIND,    /* under valgrind's callgrind: instructions/op,
				  * exactly repeatable (bench-runner/callgrind.h) */
	PG_MEASURE_AUTO          /* time where this process can open a hardware
				  * instruction counter, else callgrind: resolved
				  * once, before anything runs (gate/measure.h) */
} pg_measure_mode;

typedef struct pg_config_measure {
	pg_measure_mode mode;         /* "time", "callgrind", "auto" */
	size_t iterations;            /* callgrind: -benchtime <N>x (100) */
	int cache_sim;                /* callgrind: --cache-sim, est-cycles/op */
	char **keep_env;              /* callgrind: variables passed on beside
				       * PG_*; NULL-terminated, NULL when
				       * nkeep_env is 0 */
	size_t nkeep_env;
	char *auto_reason;            /* set when "auto" was resolved (mode is
				       * then time or callgrind): why that mode,
				       * for the results' "measure" line; NULL
				       * otherwise. Owned (pg_config_release) */
} pg_config_measure;

typedef struct pg_config_upload {
	int enabled;                  /* upload anything at all */
	int results;
	int reports;
	int profiles;
	char *artifacts_dir;          /* gate, refresh: a local copy of the
				       * artifacts (gate/gate_artifacts.h), or
				       * NULL */
} pg_config_upload;

typedef struct pg_config_quick {
	size_t count;
	size_t warmup;
	char **args;                  /* appended to the suite; NULL-terminated,
				       * NULL when nargs is 0 */
	size_t nargs;
	char *store;                  /* NULL: the local default store */
	char *benchtime;              /* the suite's default -benchtime under
				       * --quick (harness suites); NULL: theirs */
	int profile;                  /* the profiled run under --quick too */
} pg_config_quick;

/* Every string and array is owned by the struct (malloc'd), freed by
 * pg_config_release(). Set them with the pg_config_set_* functions, never
 * by assigning borrowed pointers. */
typedef struct pg_gate_config {
	/* the suite */
	char **suite;                 /* the command and its arguments,
				       * NULL-terminated; NULL when nsuite is 0 */
	size_t nsuite;
	char *build;                  /* shell command building a baseline
				       * commit, or NULL */
	size_t count;                 /* measured runs */
	size_t warmup;                /* discarded runs */
	char *cpus;                   /* CPU list, "none", or NULL: automatic */
	double timeout;               /* seconds per run; 0: none */

	/* the store and the baseline */
	char *store;                  /* URL or folder; NULL: the default */
	char *project;                /* NULL: the repository directory's name */
	char *baseline_branch;        /* never NULL */
	size_t max_walk;              /* first-parent ancestors to try */

	/* the decision */
	double alpha;
	pg_test_kind test;
	pg_correction correction;
	pg_threshold_on threshold_on;
	double threshold_default;     /* percent */
	pg_config_threshold *metric_thresholds;
	size_t nmetric_thresholds;
	pg_config_glob *benchmark_thresholds;
	size_t nbenchmark_thresholds;
	pg_config_direction *directions;
	size_t ndirections;
	pg_missing_baseline missing_baseline;
	int require_same_host;
	int require_quiet;

	/* artifacts */
	pg_config_upload upload;
	int require_upload;

	/* --quick */
	pg_config_quick quick;

	/* profiles */
	pg_config_profile profile;

	/* what to measure */
	pg_config_measure measure;

	/* Not a key: the suite's default -benchtime for this job, passed in
	 * PERFGATE_BENCHTIME (perfgate's harness honours it, an explicit
	 * -benchtime wins); NULL: the environment as it is. --quick sets it
	 * from quick.benchtime. */
	char *benchtime;
} pg_gate_config;

/* The defaults in the table above. 0 or PG_ENOMEM; on failure `out` is
 * still safe to release. */
int pg_config_init(pg_gate_config *out);

/* Free everything `cfg` owns; it is zeroed afterwards (call
 * pg_config_init() to use it again). Safe on NULL. */
void pg_config_release(pg_gate_config *cfg);

#define PG_CONFIG_OPTIONAL 1u /* pg_config_load: a missing file is not an error */

/*
 * Read the JSON file `path` and merge it over `out` (initialised with
 * pg_config_init(), possibly loaded already). `path` prefixes every
 * message: "perfgate.json: unknown key 'thresolds' (did you mean
 * 'thresholds'?)", "perfgate.json:3:14: ..." for JSON syntax errors.
 *
 * A missing file is PG_EINPUT ("cannot open 'x': No such file or
 * directory"), or with PG_CONFIG_OPTIONAL in `flags`, PG_ENOTFOUND with no
 * message set and `out` untouched (the default path may be absent).
 *
 * Returns 0, PG_EINPUT (unreadable file, syntax error, unknown key, wrong
 * type or value; one message naming the key path and, for unknown keys,
 * the nearest valid key), PG_ENOTFOUND or PG_ENOMEM. On failure `out`
 * may hold part of the file's values; it is still valid and must be
 * released.
 */
int pg_config_load(pg_gate_config *out, const char *path, unsigned flags);

/* The same for `len` bytes of JSON text at `text`; `name` is the file
 * name used in messages. */
int pg_config_parse(pg_gate_config *out, const char *name, const char *text,
		    size_t len);

/* The default path: perfgate.json at the top of the repository containing
 * the current directory, else in the current directory (both absolute),
 * appended to `out`. 0, PG_EINFRA, PG_ENOMEM. */
int pg_config_default_path(pg_buf *out);

/* The whole configuration as pretty JSON (two-space indent, keys in the
 * order of the table above, a final newline), appended to `out`. What it
 * writes loads back with pg_config_parse() to an equal configuration.
 * 0 or PG_ENOMEM. */
int pg_config_to_json(pg_buf *out, const pg_gate_config *cfg);

/* The starter file of `perfgate init`: every key at its default, with
 * `suite` set to the `nsuite` strings at `suite` (none: []). 0 or
 * PG_ENOMEM. */
int pg_config_starter(pg_buf *out, char *const *suite, size_t nsuite);

/* One setting of `cfg`, named by its dotted key in the table above
 * ("build", "quick.store"), appended to `out` as `perfgate hook config`
 * prints it: a string as it is, null as nothing, anything else as compact
 * JSON ("3", "true", "[\"-benchtime\",\"100ms\"]", an object). 0,
 * PG_EINPUT "no setting 'x' in perfgate.json" (also for a key below a
 * value that is not an object), PG_ENOMEM. */
int pg_config_value(pg_buf *out, const pg_gate_config *cfg, const char *key);

/* ---- the rule callback of stats/decide.h ---- */

/* A pg_rule_fn: `ctx` is a const pg_gate_config *. Fills the threshold
 * and the direction of (benchmark, unit) by the rules above. */
void pg_config_rule(void *ctx, const char *benchmark, const char *unit,
		    pg_row_rule *out);

/* The two halves of pg_config_rule(). */
double pg_config_threshold_for(const pg_gate_config *cfg, const char *benchmark,
			       const char *unit);
pg_direction pg_config_direction_for(const pg_gate_config *cfg, const char *unit);

/* The entries of thresholds.metrics, thresholds.benchmarks (globs, and
 * the units of a glob's object) and directions that apply to none of the n
 * rows (benchmarks[i], units[i]) of a comparison, by the rules above: one
 * message each, appended to *out (a pg_strv_pushf array), e.g.
 * "'thresholds.benchmarks.Hsah' matches no benchmark of the results: it
 * sets no threshold". The built-in instructions/op entry of
 * pg_config_init() is not reported unless its value was changed. With no
 * rows nothing is reported. 0 or PG_ENOMEM. */
int pg_config_unmatched(char ***out, size_t *nout, const pg_gate_config *cfg,
			const char *const *benchmarks, const char *const *units, size_t n);

/* ---- setters for the command line ----
 * The parsers accept exactly the spellings the file accepts. On a bad
 * value they return PG_EINPUT with a message naming `opt`:
 *   "--correction must be holm, bh or none, not 'x'". */

int pg_config_parse_test(pg_test_kind *out, const char *opt, const char *s);
int pg_config_parse_correction(pg_correction *out, const char *opt, const char *s);
int pg_config_parse_threshold_on(pg_threshold_on *out, const char *opt, const char *s);
int pg_config_parse_missing_baseline(pg_missing_baseline *out, const char *opt,
				     const char *s);
/* "time", "callgrind" or "auto" (resolve auto with gate/measure.h): "--measure
 * must be time, callgrind or auto, not 'x'". */
int pg_config_parse_measure(pg_measure_mode *out, const char *opt, const char *s);

/* A branch name given by option `opt`: 0 when git accepts it, PG_EINPUT
 * "--branch must be a valid git branch name, not 'a..b'" (the name made
 * printable), PG_EINFRA. */
int pg_config_check_branch(const char *opt, const char *name);

/* The baseline branch from the command line, checked as the file's is:
 * "--baseline-branch must be a valid git branch name, not ''" (PG_EINPUT);
 * PG_EINFRA, PG_ENOMEM. */
int pg_config_set_baseline_branch(pg_gate_config *cfg, const char *opt, const char *name);

/* A threshold in percent: "5", "2.5", "5%"; > 0 and finite. */
int pg_config_parse_threshold(double *out, const char *opt, const char *s);

/* The spellings: "welch"/"utest", "holm"/"bh"/"none", "estimate"/"ci",
 * "pass"/"fail", "lower"/"higher". */
const char *pg_config_test_name(pg_test_kind t);
const char *pg_config_correction_name(pg_correction c);
const char *pg_config_threshold_on_name(pg_threshold_on t);
const char *pg_config_missing_baseline_name(pg_missing_baseline m);
const char *pg_config_direction_name(pg_direction d);
const char *pg_config_profile_name(pg_profile_setting m);
const char *pg_config_measure_name(pg_measure_mode m);

/* Replace a string field (e.g. &cfg->store) with a copy of `value` (NULL
 * clears it). 0 or PG_ENOMEM (the field is unchanged then). */
int pg_config_set_string(char **field, const char *value);

/* Replace the suite with copies of `argv[0..argc)` (the command after
 * `--`). 0 or PG_ENOMEM (the suite is unchanged then). */
int pg_config_set_suite(pg_gate_config *cfg, char *const *argv, size_t argc);

/* --quick: count and warmup from cfg->quick, quick.args appended to the
 * suite, the store replaced by quick.store (NULL: the local default), the
 * suite's default -benchtime (cfg->benchtime) from quick.benchtime, and no
 * profiled run (profile.mode "off") unless quick.profile.
 * Call it once the suite is final (after any `--` override) and before
 * the command-line --count/--store overrides. 0 or PG_ENOMEM. */
int pg_config_apply_quick(pg_gate_config *cfg);

#endif
