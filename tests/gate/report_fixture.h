/*
 * Reports built by hand for the tests of gate/report*.c: the decision rows
 * are filled in directly, so the tests do not depend on the decision
 * engine (stats/decide.c) and say exactly what each row holds.
 */
#ifndef PG_TEST_REPORT_FIXTURE_H
#define PG_TEST_REPORT_FIXTURE_H

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "gate/report.h"
#include "stats/decide.h"
#include "stats/paired.h"

#define FX_MAX_ROWS 32

typedef struct fx {
	pg_decide_row rows[FX_MAX_ROWS];
	pg_decision_set set;
	pg_report report;
	const char *warnings[4];
	const char *diffs[4];
	json_t *baseline_host, *candidate_host;
} fx;

/* Higher is better for rates ("/s"), as pg_unit_direction() says; set
 * here so the rows do not depend on the decision engine. */
static inline pg_direction fx_direction(const char *unit)
{
	size_t n = strlen(unit);

	return n > 2 && !strcmp(unit + n - 2, "/s") ? PG_HIGHER_IS_BETTER : PG_LOWER_IS_BETTER;
}

/* A tested row: centers, delta with its interval, p-values, a 5%
 * threshold, mde 2% (so it can guard its threshold), n=10+10. */
static inline pg_decide_row *fx_row(fx *f, const char *benchmark, const char *unit,
				    pg_decision d, double old_center, double new_center,
				    double delta, double lo, double hi, double p,
				    double p_adjusted, const char *reason)
{
	pg_decide_row *row = &f->rows[f->set.nrows++];

	memset(row, 0, sizeof(*row));
	row->benchmark = benchmark;
	row->unit = unit;
	row->decision = d;
	row->direction = fx_direction(unit);
	row->threshold_percent = 5;
	row->n_old = d == PG_DECISION_NEW ? 0 : 10;
	row->n_new = d == PG_DECISION_REMOVED ? 0 : 10;
	row->old_center = old_center;
	row->new_center = new_center;
	if (d != PG_DECISION_NEW && d != PG_DECISION_REMOVED) {
		row->has_delta = 1;
		row->delta_percent = delta;
		row->has_ci = 1;
		row->ci_low_percent = lo;
		row->ci_high_percent = hi;
		row->has_p = 1;
		row->p_value = p;
		row->p_adjusted = p_adjusted;
		row->has_mde = 1;
		row->mde_percent = 2.0;
		row->runs_needed = 4;
	} else {
		row->delta_percent = NAN;
		row->ci_low_percent = NAN;
		row->ci_high_percent = NAN;
		row->p_value = NAN;
		row->p_adjusted = NAN;
		row->mde_percent = NAN;
	}
	if (reason)
		snprintf(row->reason, sizeof(row->reason), "%s", reason);
	return row;
}

/* The options and the report around the rows (verdict, exit code and
 * counts to be set by the caller or by fx_finish). */
static inline void fx_init(fx *f)
{
	memset(f, 0, sizeof(*f));
	f->set.opts.alpha = 0.05;
	f->set.opts.correction = PG_CORRECTION_HOLM;
	f->set.opts.threshold_on = PG_THRESHOLD_ON_ESTIMATE;
	f->set.rows = f->rows;
	f->report.verdict = PG_VERDICT_PASS;
	f->report.project = "demo";
	f->report.baseline_commit = "1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b";
	f->report.baseline_source = "store: merge base of HEAD and origin/main";
	f->report.baseline_branch = "main";
	f->report.candidate_commit = "5d6e7f8091a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6";
	f->report.candidate_branch = "feature/x";
	f->report.decision = &f->set;
	f->report.perfgate_version = "0.1.0";
}

/* Set the verdict from the rows and fill the set's counts. */
static inline void fx_finish(fx *f)
{
	size_t i;

	for (i = 0; i < f->set.nrows; i++) {
		const pg_decide_row *row = &f->rows[i];

		if (row->decision == PG_DECISION_REGRESSION)
			f->set.regressions++;
		if (row->decision == PG_DECISION_IMPROVEMENT)
			f->set.improvements++;
		if (row->decision == PG_DECISION_DRIFT)
			f->set.drift_rows++;
		if (row->cannot_guard)
			f->set.cannot_guard++;
		if (row->has_p)
			f->set.ntested++;
	}
	f->report.verdict = f->set.regressions ? PG_VERDICT_REGRESSION : PG_VERDICT_PASS;
	f->report.exit_code = f->set.regressions ? 1 : 0;
}

/* The sample report: 2 regressions (one time, one rate), an improvement,
 * an unchanged row, a noisy row that cannot guard its threshold, a drift
 * row, a deterministic row, a new and a removed benchmark; host drift
 * suspected, hosts differing, a warning, artifacts. */
static inline void fx_sample(fx *f)
{
	pg_decide_row *row;

	fx_init(f);
	fx_row(f, "Hash/fnv1a-64K", "ns/op", PG_DECISION_REGRESSION, 41200, 47880,
	       16.2135, 14.0, 18.5, 1e-6, 2e-5, "+16.2% > 5% threshold, p_adj=2e-05");
	fx_row(f, "Sort/n=100", "ns/op", PG_DECISION_UNCHANGED, 3702, 3711,
	       0.24, -1.2, 1.7, 0.71, 1, NULL);
	row = fx_row(f, "Sort/n=10000", "ns/op", PG_DECISION_NOISE, 1.08e6, 1.1e6,
		     1.9, -9.0, 13.5, 0.6, 1, "too noisy to guard 5% (mde 14.2%)");
	row->cannot_guard = 1;
	row->mde_percent = 14.2;
	row->runs_needed = 39.2;
	fx_row(f, "Memcpy/1M", "ns/op", PG_DECISION_IMPROVEMENT, 52000, 44000,
	       -15.4, -17.0, -13.8, 1e-7, 3e-6, "-15.4% beyond 5% threshold");
	fx_row(f, "JSON/parse", "ns/op", PG_DECISION_DRIFT, 9000, 9800,
	       8.9, 6.0, 11.9, 1e-4, 0.002, "within the host drift band (+9.5%)");
	fx_row(f, "Added", "ns/op", PG_DECISION_NEW, NAN, 800, 0, 0, 0, 0, 0, NULL);
	fx_row(f, "Gone", "ns/op", PG_DECISION_REMOVED, 1200, NAN, 0, 0, 0, 0, 0, NULL);
	row = fx_row(f, "JSON/parse", "allocs/op", PG_DECISION_UNCHANGED, 12, 12,
		     0, 0, 0, 1, 1, "identical in every sample");
	row->deterministic = 1;
	row->has_p = 0;
	row->has_ci = 0;
	row->has_mde = 0;
	row->p_value = NAN;
	row->mde_percent = NAN;
	fx_row(f, "Checksum", "MB/s", PG_DECISION_REGRESSION, 1051.7, 925.5,
	       -12.0, -14.1, -9.8, 1e-5, 1e-4, NULL);
	fx_finish(f);
	f->set.drift_suspected = 1;
	f->set.drift_percent = 9.5;
	f->set.drift_direction = 1;
	f->set.drift_cluster = 4;
	f->set.drift_band_percent = 12.5;
	f->warnings[0] = "fell back to refs/main: no baseline among 50 ancestors";
	f->report.warnings = f->warnings;
	f->report.nwarnings = 1;
	f->diffs[0] = "cpu: 'AMD EPYC 7B13' vs 'Intel Xeon 8375C'";
	f->report.host_differences = f->diffs;
	f->report.nhost_differences = 1;
	f->baseline_host = json_pack("{s:s, s:s}", "cpu", "AMD EPYC 7B13", "kernel", "6.1.0");
	f->candidate_host = json_pack("{s:s, s:s}", "cpu", "Intel Xeon 8375C", "kernel", "6.1.0");
	f->report.baseline_host = f->baseline_host;
	f->report.candidate_host = f->candidate_host;
	f->report.artifacts_url = "file:///tmp/store/v1/demo/runs/5d6e7f8/42/";
}

static inline void fx_release(fx *f)
{
	json_decref(f->baseline_host);
	json_decref(f->candidate_host);
	f->baseline_host = f->candidate_host = NULL;
}

/* fx_finish() again after changing the rows: the counts from zero */
static inline void fx_recount(fx *f)
{
	f->set.regressions = f->set.improvements = f->set.drift_rows = 0;
	f->set.cannot_guard = f->set.ntested = 0;
	fx_finish(f);
}

/* A confirmed gate (gate/gate_confirm.h): the first pass `c->first` holds
 * the sample's first three rows (Hash/fnv1a-64K ns/op regression +16.2%,
 * Sort/n=100 unchanged, Sort/n=10000 noise); the final table `f` is the
 * same rows with the suspect Hash's replaced by the confirmation's
 * (`hash`: PG_DECISION_REGRESSION +15.0%, or PG_DECISION_UNCHANGED
 * +0.4%; reason "paired: ..."); the confirmation's paired set holds Hash
 * and its sibling Sort/n=100 (measured together in this made-up suite),
 * unpaired p = 0.2 and 0.04. `f` is a first pass against the stored
 * baseline (not an A/B). */
typedef struct fx_confirm {
	fx first;
	unsigned char confirmed[FX_MAX_ROWS];
	pg_paired_set ps;
	pg_decide_row unpaired[2];
	pg_paired pairs[2];
	int tested[2];
} fx_confirm;

static inline void fx_confirmation(fx *f, fx_confirm *c, pg_decision hash)
{
	pg_decide_row *row;
	size_t i;

	memset(c, 0, sizeof(*c));
	fx_sample(&c->first);
	fx_release(&c->first); /* only its rows serve */
	c->first.set.nrows = 3;
	fx_recount(&c->first);
	fx_sample(f);
	f->set.nrows = 3;
	row = &f->rows[0];
	if (hash == PG_DECISION_REGRESSION) {
		row->new_center = 47380;
		row->delta_percent = 15.0;
		row->ci_low_percent = 13.0;
		row->ci_high_percent = 17.0;
		snprintf(row->reason, sizeof(row->reason), "paired: +15.0%% > 5%% threshold");
	} else {
		row->decision = PG_DECISION_UNCHANGED;
		row->new_center = 41365;
		row->delta_percent = 0.4;
		row->ci_low_percent = -0.5;
		row->ci_high_percent = 1.3;
		snprintf(row->reason, sizeof(row->reason), "paired: +0.4%%: within 5%%");
	}
	fx_recount(f);
	c->confirmed[0] = 1;
	for (i = 0; i < 2; i++) {
		c->unpaired[i] = f->rows[i];
		c->unpaired[i].decision = PG_DECISION_NOISE;
		c->unpaired[i].p_value = c->unpaired[i].p_adjusted = i ? 0.04 : 0.2;
		c->pairs[i].n = 10;
		c->tested[i] = 1;
	}
	c->ps.decision = f->set;
	c->ps.decision.rows = c->unpaired;
	c->ps.decision.nrows = 2;
	c->ps.unpaired = c->ps.decision;
	c->ps.rows = c->pairs;
	c->ps.tested = c->tested;
	f->report.first_pass = &c->first.set;
	f->report.first_pass_title = "the stored baseline against the candidate's runs";
	f->report.decision_title = "same-runner A/B against 1a2b3c4d5e6f built here: 1 "
				   "benchmark x 10 pairs";
	f->report.confirmed = c->confirmed;
	f->report.paired = &c->ps;
}


/* The number of non-overlapping occurrences of `needle` in `s`. */
static inline size_t fx_count(const char *s, const char *needle)
{
	size_t n = 0, len = strlen(needle);

	while ((s = strstr(s, needle))) {
		n++;
		s += len;
	}
	return n;
}

/* The last line of `s` (without its newline), copied into `out`. */
static inline const char *fx_last_line(char *out, size_t size, const char *s)
{
	size_t len = strlen(s), start;

	if (len && s[len - 1] == '\n')
		len--;
	start = len;
	while (start && s[start - 1] != '\n')
		start--;
	snprintf(out, size, "%.*s", (int)(len - start), s + start);
	return out;
}

#endif
