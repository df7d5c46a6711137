#ifndef PG_REPORT_H
#define PG_REPORT_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "stats/decide.h"
#include "stats/paired.h"

/*
 * The gate's reports, all rendered from one pg_report: the terminal table
 * with a one-line verdict, Markdown (for PR comments and
 * $GITHUB_STEP_SUMMARY), JSON (a documented contract), JUnit XML (GitLab's
 * test report) and GitHub workflow annotations. Rendering never prints:
 * it appends to a buffer.
 */

typedef enum pg_verdict {
	PG_VERDICT_PASS = 0,
	PG_VERDICT_REGRESSION,
	PG_VERDICT_NO_BASELINE,
	PG_VERDICT_ERROR
} pg_verdict;

/* What the CPU profiles say about one regressed benchmark: the functions
 * whose flat share of the profile grew most (baseline vs candidate). */
typedef struct pg_report_function {
	const char *name;
	double base_flat_percent;
	double new_flat_percent;
	double growth_points;
} pg_report_function;

typedef struct pg_report_profile {
	const char *benchmark;
	const pg_report_function *functions; /* largest growth first */
	size_t nfunctions;
	const char *svg_url;    /* the differential flame graph, or NULL */
	const char *note;       /* why there is no diff ("no baseline
				 * profile"), or NULL */
} pg_report_profile;

typedef struct pg_report {
	pg_verdict verdict;
	int exit_code;
	const char *project;
	/* the baseline: its commit, where it came from (e.g. "store: merge
	 * base of HEAD and origin/main", "store: 3 first-parent commits
	 * before the merge base", "store: refs/main (fallback)", "file:
	 * old.txt") and the branch it stands for; NULLs when there is none.
	 * Reports show "1a2b3c4 (<source>)": the source as it is */
	const char *baseline_commit;
	const char *baseline_source;
	const char *baseline_branch;
	const char *candidate_commit;  /* NULL outside a repository */
	int candidate_dirty;
	const char *candidate_branch;
	json_t *baseline_host;         /* fingerprints (objects of strings), or NULL */
	json_t *candidate_host;
	const char *const *host_differences; /* "cpu: 'A' vs 'B'", ... */
	size_t nhost_differences;
	const pg_decision_set *decision;     /* NULL without a baseline */
	/* the settings to show (and the JSON report's "settings") when
	 * there is no decision; with a decision its own options are shown.
	 * NULL: none (nulls in JSON) */
	const pg_decide_opts *settings;
	const char *const *warnings;         /* one line each */
	size_t nwarnings;
	const char *artifacts_url;           /* where the run's artifacts went */
	const char *error;                   /* the message, for PG_VERDICT_ERROR;
					      * for PG_VERDICT_NO_BASELINE, why
					      * there is none (optional) */
	const char *perfgate_version;
	const pg_report_profile *profiles;   /* one per regressed benchmark
					      * with profiles, or NULL */
	size_t nprofiles;
	/* how `decision` was measured, e.g. "same-runner A/B, 10 pairs per
	 * benchmark in ABBA order, paired t-test on log ratios"; NULL: the
	 * stored baseline against the candidate's runs */
	const char *decision_title;
	/* an earlier pass that nominated suspects (the stored baseline, or
	 * the A/B of --ab), its title; `decision` is then the final table
	 * (gate/gate_confirm.h): the first pass's rows with its suspects'
	 * rows replaced by the confirmation's, and `decision_title` the
	 * confirmation's: both appear in every report. NULL: one pass */
	const pg_decision_set *first_pass;
	const char *first_pass_title;
	/* when the first pass was an A/B (--ab --confirm): its paired
	 * figures and unpaired view, rendered beside first_pass's rows as
	 * `paired` is beside decision's (JSON "pairs", "unpaired"); NULL:
	 * the first pass was not an A/B */
	const pg_paired_set *first_pass_paired;
	/* with first_pass: per row of `decision`, nonzero when the row is the
	 * confirmation's (a suspect measured again: its first-pass row is the
	 * one of the same benchmark and unit in first_pass), zero when it is
	 * the first pass's own; NULL: no row is the confirmation's */
	const unsigned char *confirmed;
	/* when `decision` is a paired analysis (an A/B), or holds the rows of
	 * one (the confirmation's, see `confirmed`): the paired figures and
	 * the unpaired view of the same samples, matched to the rows by
	 * benchmark and unit and rendered beside them (JSON: "pairs",
	 * "unpaired"; terminal and Markdown: the unpaired p-value in the
	 * reason); NULL otherwise */
	const pg_paired_set *paired;
	/* what the candidate's runs measured: "time" or "callgrind" (JSON
	 * settings.measure); NULL: unknown (null) */
	const char *measure;
} pg_report;

const char *pg_verdict_name(pg_verdict v); /* "pass", "regression", "no-baseline", "error" */

/*
 * Every renderer appends to `out` and returns 0 or PG_ENOMEM (with the
 * message set); `out` may then hold part of the report. Names, units,
 * reasons and warnings may hold any bytes: each format escapes them (and
 * replaces invalid UTF-8 with U+FFFD).
 */

/* The JSON report (see README "The gate's JSON report"): a new reference
 * the caller releases with json_decref(), or NULL when out of memory.
 * Figures that do not exist are null, never NaN. */
json_t *pg_report_json(const pg_report *r);

/* The JSON report as text, as `--json FILE` writes it: keys in a stable
 * order, indented by 2, numbers with 15 significant digits (like
 * `compare --format json`), a final newline. */
int pg_report_json_render(pg_buf *out, const pg_report *r);

/* Terminal: the baseline and candidate, one table per unit (benchmark,
 * old, new, delta, CI, decision, reason; regressions in capitals, and in
 * colour when `color`: the caller decides from isatty() and NO_COLOR),
 * the notes (warnings, host differences, drift, rows that cannot guard
 * their threshold), the artifacts' location, and as the LAST line the
 * verdict: "perfgate: PASS: ...", "perfgate: REGRESSION: ...",
 * "perfgate: NO BASELINE: ...", "perfgate: ERROR: ...". */
int pg_report_terminal(pg_buf *out, const pg_report *r, int color);

/* Markdown (PR comments, $GITHUB_STEP_SUMMARY): a heading with the
 * verdict, a summary line, the regressions' table, the full table in a
 * <details> block, the notes as a list. */
int pg_report_markdown(pg_buf *out, const pg_report *r);

/* JUnit XML (written with libxml2's xmlTextWriter): <testsuites> with one
 * <testsuite name="perfgate">, its <properties> (verdict, baseline and
 * candidate commits...), one test case per benchmark and metric (class
 * name = unit, name = benchmark), a <failure> for each regression,
 * <skipped> for new and removed rows; a suite-level test case with an
 * <error> for PG_VERDICT_ERROR, and with <skipped> (passing) or <failure>
 * (failing) for PG_VERDICT_NO_BASELINE. */
int pg_report_junit(pg_buf *out, const pg_report *r);

/* GitHub Actions workflow commands, one per line: "::error title=...::..."
 * for every regression (the first 9, then one for the rest: GitHub shows
 * 10 annotations of a kind per step), for PG_VERDICT_ERROR and for a
 * failing missing baseline; "::warning title=...::..." for a passing
 * missing baseline, the warnings, host differences, drift and rows that
 * cannot guard their threshold. Values are escaped as the runner requires:
 * % CR LF as %25 %0D %0A in the message, and : , as %3A %2C as well in
 * properties. The caller emits them only when GITHUB_ACTIONS=true. */
int pg_report_annotations(pg_buf *out, const pg_report *r);

#endif
