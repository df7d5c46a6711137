#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats_test.h"

#include "common/error.h"
#include "stats/compare.h"
#include "stats/decide.h"
#include "stats/results.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "stats/welch.h"

#include "stats/decide_reference.h"
#include "stats/results_fixture.h"

/* ------------------------------------------------------------ helpers */

/* the new side's pattern of deviations in these tests (z_a on the old
 * side): close to z_a, so that crafted samples are deterministic and not
 * identical on both sides */
static const double znew[10] = { -1.4, -1.1, -0.5, -0.35, 0.0, 0.05, 0.4, 0.55, 1.1, 1.25 };

/* add a benchmark with 10 samples per side: base (1 + cv z), the new side
 * multiplied by `factor` */
static void add_pair(pg_results *old, pg_results *new, const char *name,
		     const char *unit, double base, double cv, double factor)
{
	add_scaled(old, new, name, unit, 10, base, cv, factor, z_a, znew);
}

static void release2(pg_results *old, pg_results *new, pg_decision_set *d)
{
	pg_decision_set_release(d);
	pg_results_release(old);
	pg_results_release(new);
}

/* mean of the logs of a row's sides, for independent checks */
static double log_change(const pg_results *old, const pg_results *new,
			 const char *name, const char *unit)
{
	const pg_series *a = find(old, name, unit), *b = find(new, name, unit);
	double sa = 0, sb = 0;
	size_t i;

	for (i = 0; i < a->n; i++)
		sa += log(a->values[i]);
	for (i = 0; i < b->n; i++)
		sb += log(b->values[i]);
	return sb / (double)b->n - sa / (double)a->n;
}

/* ------------------------------------------------------------ corrections */

static void test_adjust_matches_reference(void **state)
{
	double worst = 0, p[32];
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(ref_adjust_cases); i++) {
		const struct ref_adjust *c = &ref_adjust_cases[i];

		assert_true(c->m <= NELEM(p));
		memcpy(p, c->p, c->m * sizeof(double));
		assert_int_equal(pg_adjust_pvalues(p, c->m, PG_CORRECTION_HOLM), 0);
		for (j = 0; j < c->m; j++)
			check_rel(&worst, p[j], c->holm[j], 1e-14, "holm", c->what);
		memcpy(p, c->p, c->m * sizeof(double));
		assert_int_equal(pg_adjust_pvalues(p, c->m, PG_CORRECTION_BH), 0);
		for (j = 0; j < c->m; j++)
			check_rel(&worst, p[j], c->bh[j], 1e-14, "bh", c->what);
		memcpy(p, c->p, c->m * sizeof(double));
		assert_int_equal(pg_adjust_pvalues(p, c->m, PG_CORRECTION_NONE), 0);
		for (j = 0; j < c->m; j++)
			assert_true(p[j] == c->p[j]);
	}
	/* m = 0 is a no-op */
	assert_int_equal(pg_adjust_pvalues(NULL, 0, PG_CORRECTION_HOLM), 0);
	assert_int_equal(pg_adjust_pvalues(NULL, 0, PG_CORRECTION_BH), 0);
	printf("adjust: %zu cases vs definitions over ranks; worst rel. error %.3g\n",
	       NELEM(ref_adjust_cases), worst);
}

static void test_adjust_known_values(void **state)
{
	/* by hand: p = .01 .04 .03 .005, m = 4
	 * Holm: sorted .005 .01 .03 .04 -> .02 .03 .06 .06 (running max)
	 * BH:   sorted .005 .01 .03 .04 -> .02 .02 .04 .04 (running min of
	 *       .02 .02 .04 .04) */
	double p[4] = { 0.01, 0.04, 0.03, 0.005 };
	double q[4] = { 0.01, 0.04, 0.03, 0.005 };

	(void)state;
	assert_int_equal(pg_adjust_pvalues(p, 4, PG_CORRECTION_HOLM), 0);
	assert_true(fabs(p[0] - 0.03) < 1e-15 && fabs(p[1] - 0.06) < 1e-15 &&
		    fabs(p[2] - 0.06) < 1e-15 && fabs(p[3] - 0.02) < 1e-15);
	assert_int_equal(pg_adjust_pvalues(q, 4, PG_CORRECTION_BH), 0);
	assert_true(fabs(q[0] - 0.02) < 1e-15 && fabs(q[1] - 0.04) < 1e-15 &&
		    fabs(q[2] - 0.04) < 1e-15 && fabs(q[3] - 0.02) < 1e-15);
}

/* ------------------------------------------------------------ reference suites */

static void build_suite(pg_results *old, pg_results *new,
			const struct ref_decide_row *rows, size_t n)
{
	size_t i;

	init2(old, new);
	for (i = 0; i < n; i++) {
		add(old, rows[i].benchmark, rows[i].unit, rows[i].old, rows[i].n_old);
		add(new, rows[i].benchmark, rows[i].unit, rows[i].new, rows[i].n_new);
	}
}

/* check a decision set against a reference suite; `ci` checks the
 * interval, `corr` the index (0 Holm, 1 BH, 2 none) */
static void check_suite(const pg_decision_set *d, const struct ref_decide_row *rows,
			size_t n, int corr, int ci, int on_ci, double *worst)
{
	size_t i;

	assert_int_equal(d->nrows, n);
	assert_int_equal(d->ntested, n);
	assert_int_equal(d->drift_suspected, 0);
	for (i = 0; i < n; i++) {
		const struct ref_decide_row *w = &rows[i];
		const struct ref_decide_corr *c = &w->corr[corr];
		const pg_decide_row *r = &d->rows[i];

		/* the rows come in the suite's order (one unit after the other) */
		assert_string_equal(r->benchmark, w->benchmark);
		assert_string_equal(r->unit, w->unit);
		assert_int_equal(r->raw_scale, w->raw_scale);
		assert_false(r->deterministic);
		assert_true(r->has_p && r->has_delta);
		check_rel(worst, r->p_value, w->p, 1e-9, "p", w->benchmark);
		check_rel(worst, r->p_adjusted, c->p_adjusted, 1e-9, "p_adjusted", w->benchmark);
		check_rel(worst, r->delta_percent, w->delta_percent, 1e-9, "delta", w->benchmark);
		/* the interval's ends and the mde use GSL's inverse t, which
		 * agrees with scipy's t.ppf to about 1e-10 relative; an end near
		 * zero (d + t se with cancellation) loses a few digits more */
		if (ci) {
			assert_true(r->has_ci);
			check_rel(worst, r->ci_low_percent, w->ci_low_percent, 1e-8,
				  "ci low", w->benchmark);
			check_rel(worst, r->ci_high_percent, w->ci_high_percent, 1e-8,
				  "ci high", w->benchmark);
		}
		assert_int_equal(r->has_mde, c->has_mde);
		if (c->has_mde)
			check_rel(worst, r->mde_percent, c->mde_percent, 1e-8, "mde",
				  w->benchmark);
		if (r->cannot_guard != c->cannot_guard)
			fail_msg("%s: cannot_guard %d, want %d", w->benchmark,
				 r->cannot_guard, c->cannot_guard);
		if (r->runs_needed != c->runs_needed)
			fail_msg("%s: runs_needed %g, want %g", w->benchmark,
				 r->runs_needed, c->runs_needed);
		check_decision(r, on_ci ? w->decision_holm_ci : c->decision);
		assert_true(strlen(r->reason) > 0);
	}
}

static void test_welch_logs_match_scipy(void **state)
{
	static const pg_correction corrs[3] = { PG_CORRECTION_HOLM, PG_CORRECTION_BH,
						PG_CORRECTION_NONE };
	pg_results old, new;
	pg_decision_set d;
	double worst = 0;
	size_t k, nreg = 0;

	(void)state;
	build_suite(&old, &new, ref_welch_rows, NELEM(ref_welch_rows));
	for (k = 0; k < 3; k++) {
		pg_decide_opts o = PG_DECIDE_OPTS_INIT;

		o.correction = corrs[k];
		assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
		check_suite(&d, ref_welch_rows, NELEM(ref_welch_rows), (int)k, 1, 0, &worst);
		if (k == 0)
			nreg = d.regressions;
		pg_decision_set_release(&d);
	}
	{
		pg_decide_opts o = PG_DECIDE_OPTS_INIT;

		o.threshold_on = PG_THRESHOLD_ON_CI;
		assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
		check_suite(&d, ref_welch_rows, NELEM(ref_welch_rows), 0, 1, 1, &worst);
		pg_decision_set_release(&d);
	}
	/* the suite has regressions, improvements and noise (Holm) */
	assert_true(nreg >= 2);
	release2(&old, &new, &d);
	printf("welch on logs: %zu rows x 3 corrections vs scipy; worst rel. error %.3g\n",
	       NELEM(ref_welch_rows), worst);
}

static void test_utest_matches_scipy(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	double worst = 0;
	size_t k;

	(void)state;
	build_suite(&old, &new, ref_utest_rows, NELEM(ref_utest_rows));
	for (k = 0; k < 3; k++) {
		o.correction = k == 0 ? PG_CORRECTION_HOLM : k == 1 ? PG_CORRECTION_BH
								: PG_CORRECTION_NONE;
		o.test = PG_TEST_UTEST;
		assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
		check_suite(&d, ref_utest_rows, NELEM(ref_utest_rows), (int)k, 0, 0, &worst);
		pg_decision_set_release(&d);
	}
	release2(&old, &new, &d);
	printf("U test: %zu rows x 3 corrections vs scipy; worst rel. error %.3g\n",
	       NELEM(ref_utest_rows), worst);
}

static void test_raw_scale_fallback(void **state)
{
	const struct ref_decide_row *w = &ref_raw_rows[0];
	pg_results old, new;
	pg_decision_set d;
	pg_summary a, b;
	double worst = 0, lo, hi;

	(void)state;
	build_suite(&old, &new, ref_raw_rows, NELEM(ref_raw_rows));
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
	check_suite(&d, ref_raw_rows, NELEM(ref_raw_rows), 0, 0, 0, &worst);
	assert_int_equal(d.rows[0].raw_scale, 1);
	/* the interval is Fieller's, the centres the arithmetic means */
	assert_int_equal(pg_summarize(&a, w->old, w->n_old), 0);
	assert_int_equal(pg_summarize(&b, w->new, w->n_new), 0);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), 0);
	assert_true(d.rows[0].has_ci);
	check_rel(&worst, d.rows[0].ci_low_percent, 100 * lo, 1e-12, "ci low", "raw");
	check_rel(&worst, d.rows[0].ci_high_percent, 100 * hi, 1e-12, "ci high", "raw");
	check_rel(&worst, d.rows[0].old_center, a.mean, 1e-12, "old centre", "raw");
	check_rel(&worst, d.rows[0].new_center, b.mean, 1e-12, "new centre", "raw");
	release2(&old, &new, &d);

	/* an old mean of 0 (values around it): no relative change, and a
	 * significant move counts as beyond any threshold */
	{
		static const double za[] = { -1, 1, -1, 1, -0.5, 0.5 };
		static const double zb[] = { 4, 6, 5, 5, 4.5, 5.5 };
		const pg_decide_row *r;

		init2(&old, &new);
		add(&old, "Zero", "delta/op", za, 6);
		add(&new, "Zero", "delta/op", zb, 6);
		add(&old, "Rate", "x/s", za, 6);
		add(&new, "Rate", "x/s", zb, 6);
		assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
		r = row_of(&d, "Zero", "delta/op");
		assert_true(r->raw_scale && r->has_p && r->p_value < 1e-4);
		assert_false(r->has_delta || r->has_ci || r->has_mde);
		check_decision(r, PG_DECISION_REGRESSION);
		assert_true(strncmp(r->reason, "0 -> 5 > 5% threshold, p=", 25) == 0);
		check_decision(row_of(&d, "Rate", "x/s"), PG_DECISION_IMPROVEMENT);
		release2(&old, &new, &d);
	}
}

/* ------------------------------------------------------------ rows and branches */

static void test_row_order_matches_compare(void **state)
{
	static const double v[] = { 10, 11, 12, 10, 11 };
	pg_results old, new;
	pg_decision_set d;
	pg_comparison c;
	pg_compare_opts co = PG_COMPARE_OPTS_INIT;
	size_t i;

	(void)state;
	init2(&old, &new);
	add(&old, "B", "ns/op", v, 5);
	add(&old, "B", "B/op", v, 5);
	add(&old, "A", "ns/op", v, 5);
	add(&old, "Gone", "ns/op", v, 5);
	add(&new, "A", "ns/op", v, 5);
	add(&new, "Fresh", "B/op", v, 5);
	add(&new, "B", "ns/op", v, 5);
	add(&new, "B", "B/op", v, 5);
	add(&new, "X", "allocs/op", v, 5);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
	assert_int_equal(pg_compare(&c, &old, &new, &co), 0);
	assert_int_equal(d.nrows, c.nrows);
	for (i = 0; i < d.nrows; i++) {
		assert_string_equal(d.rows[i].benchmark, c.rows[i].benchmark);
		assert_string_equal(d.rows[i].unit, c.rows[i].unit);
	}
	/* ns/op: B, A, Gone; B/op: B, Fresh; allocs/op: X */
	assert_string_equal(d.rows[0].benchmark, "B");
	assert_string_equal(d.rows[2].benchmark, "Gone");
	check_decision(&d.rows[2], PG_DECISION_REMOVED);
	assert_string_equal(d.rows[2].reason, "only in the baseline");
	assert_int_equal(d.rows[2].n_old, 5);
	assert_int_equal(d.rows[2].n_new, 0);
	assert_false(d.rows[2].has_p || d.rows[2].has_delta || d.rows[2].has_mde);
	assert_string_equal(d.rows[4].benchmark, "Fresh");
	check_decision(&d.rows[4], PG_DECISION_NEW);
	assert_string_equal(d.rows[4].reason, "only in the candidate");
	assert_int_equal(d.rows[4].n_old, 0);
	assert_true(d.rows[4].new_center > 10 && d.rows[4].new_center < 12);
	check_decision(&d.rows[5], PG_DECISION_NEW);
	/* identical samples: p = 1, but 5 runs at 8% CV cannot guard 5% */
	check_decision(&d.rows[0], PG_DECISION_NOISE);
	assert_true(d.rows[0].p_value == 1 && d.rows[0].delta_percent == 0);
	assert_int_equal(d.ntested, 3);
	assert_int_equal(d.regressions + d.improvements + d.drift_rows, 0);
	pg_comparison_release(&c);
	release2(&old, &new, &d);
}

static void test_deterministic_rows(void **state)
{
	static const double v12[] = { 12, 12, 12, 12 }, v14[] = { 14, 14, 14 };
	static const double v100[] = { 100, 100 }, v103[] = { 103, 103, 103 };
	static const double v0[] = { 0, 0, 0 }, v3[] = { 3, 3, 3 };
	static const double vary[] = { 12, 13, 12, 12 };
	pg_results old, new;
	pg_decision_set d;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add(&old, "Up", "allocs/op", v12, 4);
	add(&new, "Up", "allocs/op", v14, 3);
	add(&old, "Same", "allocs/op", v12, 4);
	add(&new, "Same", "allocs/op", v12, 2);
	add(&old, "Down", "allocs/op", v14, 3);
	add(&new, "Down", "allocs/op", v12, 4);
	add(&old, "Small", "B/op", v100, 2);
	add(&new, "Small", "B/op", v103, 3);
	add(&old, "FromZero", "allocs/op", v0, 3);
	add(&new, "FromZero", "allocs/op", v3, 3);
	add(&old, "Zero", "allocs/op", v0, 3);
	add(&new, "Zero", "allocs/op", v0, 3);
	add(&old, "Varies", "allocs/op", v12, 4);
	add(&new, "Varies", "allocs/op", vary, 4);
	add(&old, "Single", "allocs/op", v12, 1);
	add(&new, "Single", "allocs/op", v14, 1);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);

	r = row_of(&d, "Up", "allocs/op");
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->deterministic && r->has_delta && !r->has_p && !r->has_mde);
	assert_true(r->p_value == 1 && r->p_adjusted == 1);
	assert_true(fabs(r->delta_percent - 100.0 * 2 / 12) < 1e-12);
	assert_true(r->old_center == 12 && r->new_center == 14);
	assert_string_equal(r->reason, "deterministic: 12 -> 14 allocs/op (+16.7% > 5% threshold)");
	r = row_of(&d, "Same", "allocs/op");
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_string_equal(r->reason, "deterministic: 12 -> 12 allocs/op (no change)");
	r = row_of(&d, "Down", "allocs/op");
	check_decision(r, PG_DECISION_IMPROVEMENT);
	assert_string_equal(r->reason, "deterministic: 14 -> 12 allocs/op (-14.3%, improved beyond 5%)");
	r = row_of(&d, "Small", "B/op");
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_string_equal(r->reason, "deterministic: 100 -> 103 B/op (+3.0%, within \xc2\xb1" "5%)");
	r = row_of(&d, "FromZero", "allocs/op");
	check_decision(r, PG_DECISION_REGRESSION);
	assert_false(r->has_delta);
	assert_string_equal(r->reason, "deterministic: 0 -> 3 allocs/op (from zero: beyond any threshold)");
	r = row_of(&d, "Zero", "allocs/op");
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_true(r->has_delta && r->delta_percent == 0);
	/* one side varies: tested, not deterministic */
	r = row_of(&d, "Varies", "allocs/op");
	assert_false(r->deterministic);
	assert_true(r->has_p);
	/* one sample per side: no test, noise */
	r = row_of(&d, "Single", "allocs/op");
	assert_false(r->deterministic);
	assert_false(r->has_p);
	check_decision(r, PG_DECISION_NOISE);
	assert_true(r->cannot_guard);
	assert_string_equal(r->reason, "noise: too few samples (1+1 runs) for a test");
	/* the family holds the tested row only */
	assert_int_equal(d.ntested, 1);
	assert_int_equal(d.regressions, 2);
	assert_int_equal(d.improvements, 1);
	release2(&old, &new, &d);
}

static void test_directions(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	const pg_decide_row *r;

	(void)state;
	assert_int_equal(pg_unit_direction("MB/s"), PG_HIGHER_IS_BETTER);
	assert_int_equal(pg_unit_direction("B/s"), PG_HIGHER_IS_BETTER);
	assert_int_equal(pg_unit_direction("items/s"), PG_HIGHER_IS_BETTER);
	assert_int_equal(pg_unit_direction("ops/s"), PG_HIGHER_IS_BETTER);
	assert_int_equal(pg_unit_direction("ns/op"), PG_LOWER_IS_BETTER);
	assert_int_equal(pg_unit_direction("sec/op"), PG_LOWER_IS_BETTER);
	assert_int_equal(pg_unit_direction("B/op"), PG_LOWER_IS_BETTER);
	assert_int_equal(pg_unit_direction("s"), PG_LOWER_IS_BETTER);
	assert_int_equal(pg_unit_direction(""), PG_LOWER_IS_BETTER);
	assert_int_equal(pg_unit_direction("/s"), PG_HIGHER_IS_BETTER);

	init2(&old, &new);
	add_pair(&old, &new, "Slower", "MB/s", 500, 0.01, 0.80);
	add_pair(&old, &new, "Faster", "MB/s", 500, 0.01, 1.25);
	add_pair(&old, &new, "Slower", "ns/op", 500, 0.01, 1.25);
	add_pair(&old, &new, "Faster", "ns/op", 500, 0.01, 0.80);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
	r = row_of(&d, "Slower", "MB/s");
	assert_int_equal(r->direction, PG_HIGHER_IS_BETTER);
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->delta_percent < -19 && r->delta_percent > -21);
	assert_non_null(strstr(r->reason, "< -5% threshold, p="));
	/* the mde of a rate is a drop: 100 (1 - exp(-mde)) < 100 (exp(mde) - 1) */
	assert_true(r->has_mde && r->mde_percent > 0 && r->mde_percent < 5);
	check_decision(row_of(&d, "Faster", "MB/s"), PG_DECISION_IMPROVEMENT);
	check_decision(row_of(&d, "Slower", "ns/op"), PG_DECISION_REGRESSION);
	check_decision(row_of(&d, "Faster", "ns/op"), PG_DECISION_IMPROVEMENT);
	assert_int_equal(d.regressions, 2);
	assert_int_equal(d.improvements, 2);
	release2(&old, &new, &d);
}

static void test_reasons(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	const pg_decide_row *r;
	char want[256];

	(void)state;
	init2(&old, &new);
	add_pair(&old, &new, "Reg", "ns/op", 1000, 0.01, 1.12);
	add_pair(&old, &new, "Flat", "ns/op", 1000, 0.01, 1.00);
	add_pair(&old, &new, "Noisy", "ns/op", 1000, 0.30, 1.00);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);

	r = row_of(&d, "Reg", "ns/op");
	check_decision(r, PG_DECISION_REGRESSION);
	snprintf(want, sizeof(want), "%+.1f%% > 5%% threshold, p=%.2g (Holm %.2g)",
		 r->delta_percent, r->p_value, r->p_adjusted);
	assert_string_equal(r->reason, want);
	assert_non_null(strstr(r->reason, "+12.0% > 5% threshold"));

	r = row_of(&d, "Flat", "ns/op");
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_false(r->cannot_guard);
	snprintf(want, sizeof(want), "%+.1f%%: within \xc2\xb1" "5%% (95%% CI %+.1f%%..%+.1f%%)",
		 r->delta_percent, r->ci_low_percent, r->ci_high_percent);
	assert_string_equal(r->reason, want);

	r = row_of(&d, "Noisy", "ns/op");
	check_decision(r, PG_DECISION_NOISE);
	assert_true(r->cannot_guard && r->has_mde && r->mde_percent > 5);
	assert_true(r->runs_needed > 10);
	snprintf(want, sizeof(want), "noise: cannot detect less than +%.1f%% with 10+10 runs",
		 r->mde_percent);
	assert_true(strncmp(r->reason, want, strlen(want)) == 0);
	snprintf(want, sizeof(want), "about %.0f runs per side, a quieter host or instruction counts would guard 5%%",
		 r->runs_needed);
	assert_non_null(strstr(r->reason, want));
	assert_int_equal(d.cannot_guard, 1);
	release2(&old, &new, &d);
}

static void test_runs_needed_guards(void **state)
{
	pg_results old, new, old2, new2;
	pg_decision_set d, d2;
	const pg_decide_row *r, *r2;
	double runs;

	(void)state;
	init2(&old, &new);
	add_pair(&old, &new, "Noisy", "ns/op", 1000, 0.12, 1.0);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
	r = &d.rows[0];
	assert_true(r->cannot_guard);
	runs = r->runs_needed;
	assert_true(runs > 10);

	/* the same noise with runs_needed samples per side: can guard now
	 * (the sample is the pattern repeated, so the deviation is about the
	 * same and the standard error shrinks with sqrt(n)) */
	init2(&old2, &new2);
	add_scaled(&old2, &new2, "Noisy", "ns/op", (size_t)runs, 1000, 0.12, 1, z_a, znew);
	assert_int_equal(pg_decide(&d2, &old2, &new2, NULL), 0);
	r2 = &d2.rows[0];
	assert_true(r2->has_mde);
	assert_true(r2->mde_percent < 5.0 + 0.5);
	assert_true(r2->mde_percent < r->mde_percent / 2);
	release2(&old, &new, &d);
	release2(&old2, &new2, &d2);
}

static void test_threshold_on_ci(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add_pair(&old, &new, "Near", "ns/op", 1000, 0.05, 1.07);
	add_pair(&old, &new, "Far", "ns/op", 1000, 0.01, 1.20);
	add_pair(&old, &new, "NearRate", "MB/s", 1000, 0.05, 1 / 1.07);
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	r = row_of(&d, "Near", "ns/op");
	/* the crafted row: estimate above 5%, the interval reaching below */
	assert_true(r->delta_percent > 5 && r->ci_low_percent < 5 && r->ci_low_percent > 0);
	check_decision(r, PG_DECISION_REGRESSION);
	r = row_of(&d, "NearRate", "MB/s");
	assert_true(r->delta_percent < -5 && r->ci_high_percent > -5);
	check_decision(r, PG_DECISION_REGRESSION);
	check_decision(row_of(&d, "Far", "ns/op"), PG_DECISION_REGRESSION);
	pg_decision_set_release(&d);

	o.threshold_on = PG_THRESHOLD_ON_CI;
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	r = row_of(&d, "Near", "ns/op");
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_non_null(strstr(r->reason, "reaches inside the 5% threshold"));
	check_decision(row_of(&d, "NearRate", "MB/s"), PG_DECISION_UNCHANGED);
	r = row_of(&d, "Far", "ns/op");
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->ci_low_percent > 5);
	assert_non_null(strstr(r->reason, "above the 5% threshold"));
	release2(&old, &new, &d);
}

static void test_correction_matters(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	const pg_decide_row *r;
	char name[32];
	size_t i;

	(void)state;
	init2(&old, &new);
	/* a +8% change with a p-value near 0.01, among 19 unchanged rows */
	add_pair(&old, &new, "Edge", "ns/op", 1000, 0.06, 1.08);
	for (i = 0; i < 19; i++) {
		snprintf(name, sizeof(name), "Flat%zu", i);
		add_pair(&old, &new, name, "ns/op", 1000 + (double)i, 0.02, 1.0);
	}
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	r = row_of(&d, "Edge", "ns/op");
	assert_true(r->p_value < 0.05 && r->p_value * 20 > 0.05);
	check_decision(r, r->cannot_guard ? PG_DECISION_NOISE : PG_DECISION_UNCHANGED);
	assert_true(fabs(r->p_adjusted - fmin(1, 20 * r->p_value)) < 1e-12);
	assert_non_null(strstr(r->reason, "Holm"));
	pg_decision_set_release(&d);

	o.correction = PG_CORRECTION_NONE;
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	r = row_of(&d, "Edge", "ns/op");
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->p_adjusted == r->p_value);
	assert_null(strstr(r->reason, "Holm"));
	assert_int_equal(d.ntested, 20);
	release2(&old, &new, &d);
}

/* ------------------------------------------------------------ drift */

static void test_drift_relabels_co_moving_rows(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	double changes[40];
	char name[32];
	size_t i;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	/* 40 benchmarks slowed by 6%..9.9% (the host), 9 unchanged, and one
	 * real regression of +40% */
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "Drift/%02zu", i);
		add_pair(&old, &new, name, "ns/op", 1000 * (1 + (double)i), 0.01,
			 1.06 + 0.001 * (double)i);
	}
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "Flat/%zu", i);
		add_pair(&old, &new, name, "ns/op", 500, 0.02, 1.0);
	}
	add_pair(&old, &new, "Real", "ns/op", 2000, 0.01, 1.40);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);

	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_direction, 1);
	assert_int_equal(d.drift_cluster, 41);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "Drift/%02zu", i);
		r = row_of(&d, name, "ns/op");
		check_decision(r, PG_DECISION_DRIFT);
		assert_true(strncmp(r->reason, "host drift: ", 12) == 0);
		changes[i] = log_change(&old, &new, name, "ns/op");
	}
	/* drift_percent: the median change of the cluster (the 40 rows and
	 * the real regression: the 21st of 41 sorted values is the 21st
	 * drift row) */
	pg_sort_doubles(changes, 40);
	assert_true(fabs(d.drift_percent - 100 * expm1(changes[20])) < 1e-9);
	assert_true(d.drift_band_percent > d.drift_percent &&
		    d.drift_band_percent < 20);
	r = row_of(&d, "Real", "ns/op");
	check_decision(r, PG_DECISION_REGRESSION);
	assert_int_equal(d.regressions, 1);
	assert_int_equal(d.drift_rows, 40);
	for (i = 0; i < 9; i++) {
		snprintf(name, sizeof(name), "Flat/%zu", i);
		check_decision(row_of(&d, name, "ns/op"), PG_DECISION_UNCHANGED);
	}
	release2(&old, &new, &d);
}

static void test_drift_faster_host_and_rates(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	char name[32];
	size_t i;

	(void)state;
	init2(&old, &new);
	/* the host got faster: times down 6..9%, throughputs up by as much;
	 * a real improvement of 40% stays one */
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "Fast/%zu", i);
		add_pair(&old, &new, name, "ns/op", 100 + (double)i, 0.01,
			 1 / (1.06 + 0.003 * (double)i));
		add_pair(&old, &new, name, "MB/s", 900 - (double)i, 0.01,
			 1.06 + 0.003 * (double)i);
	}
	add_pair(&old, &new, "Much", "ns/op", 100, 0.01, 0.6);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_direction, -1);
	assert_true(d.drift_percent < -5 && d.drift_percent > -9);
	assert_int_equal(d.drift_rows, 20);
	for (i = 0; i < 10; i++) {
		snprintf(name, sizeof(name), "Fast/%zu", i);
		check_decision(row_of(&d, name, "ns/op"), PG_DECISION_DRIFT);
		check_decision(row_of(&d, name, "MB/s"), PG_DECISION_DRIFT);
	}
	check_decision(row_of(&d, "Much", "ns/op"), PG_DECISION_IMPROVEMENT);
	assert_int_equal(d.improvements, 1);
	release2(&old, &new, &d);
}

/* n co-moving rows (+8%) among `quiet` unchanged ones, `against` rows moving
 * the other way */
static void drift_suite(pg_decision_set *d, pg_results *old, pg_results *new,
			size_t n, size_t quiet, size_t against)
{
	char name[32];
	size_t i;

	init2(old, new);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "Up/%zu", i);
		add_pair(old, new, name, "ns/op", 100 + (double)i, 0.01, 1.08 + 0.002 * (double)i);
	}
	for (i = 0; i < against; i++) {
		snprintf(name, sizeof(name), "Down/%zu", i);
		add_pair(old, new, name, "ns/op", 300 + (double)i, 0.01, 0.92);
	}
	for (i = 0; i < quiet; i++) {
		snprintf(name, sizeof(name), "Quiet/%zu", i);
		add_pair(old, new, name, "ns/op", 700 + (double)i, 0.01, 1.0);
	}
	assert_int_equal(pg_decide(d, old, new, NULL), 0);
}

static void test_drift_needs_enough_rows(void **state)
{
	pg_results old, new;
	pg_decision_set d;

	(void)state;
	/* 4 rows: no drift, 4 regressions */
	drift_suite(&d, &old, &new, 4, 5, 0);
	assert_false(d.drift_suspected);
	assert_int_equal(d.regressions, 4);
	release2(&old, &new, &d);

	/* 5 rows: drift suspected, but no row is relabelled: without itself
	 * the cluster has only 4 */
	drift_suite(&d, &old, &new, 5, 5, 0);
	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_cluster, 5);
	assert_int_equal(d.regressions, 5);
	assert_int_equal(d.drift_rows, 0);
	release2(&old, &new, &d);

	/* 6 rows: relabelled */
	drift_suite(&d, &old, &new, 6, 5, 0);
	assert_true(d.drift_suspected);
	assert_int_equal(d.regressions, 0);
	assert_int_equal(d.drift_rows, 6);
	release2(&old, &new, &d);

	/* a small suite: most of it moving together is drift (5 of 6:
	 * without itself, 4 of 5 is still most); a lone regression or 2 of
	 * 3 are not (without itself, 1 or 2 rows cannot be evidence) */
	drift_suite(&d, &old, &new, 5, 1, 0);
	assert_true(d.drift_suspected);
	assert_int_equal(d.regressions, 0);
	assert_int_equal(d.drift_rows, 5);
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 4, 1, 0);
	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_rows, 4);
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 3, 1, 0);
	assert_true(d.drift_suspected); /* 3 of 4 */
	assert_int_equal(d.regressions, 3);
	assert_int_equal(d.drift_rows, 0);
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 2, 1, 0);
	assert_false(d.drift_suspected);
	assert_int_equal(d.regressions, 2);
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 1, 0, 0);
	assert_false(d.drift_suspected);
	assert_int_equal(d.regressions, 1);
	release2(&old, &new, &d);
	/* half is not most: 4 of 8 fail */
	drift_suite(&d, &old, &new, 4, 4, 0);
	assert_false(d.drift_suspected);
	assert_int_equal(d.regressions, 4);
	release2(&old, &new, &d);

	/* the share: 100 rows need 10 co-moving ones */
	drift_suite(&d, &old, &new, 9, 91, 0);
	assert_false(d.drift_suspected);
	assert_int_equal(d.regressions, 9);
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 11, 89, 0);
	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_rows, 11);
	release2(&old, &new, &d);

	/* dominance: 6 up and 4 down is a mixed change, not drift; 9 up and 4
	 * down is drift (and 8 without the row itself still is) */
	drift_suite(&d, &old, &new, 6, 5, 4);
	assert_false(d.drift_suspected);
	assert_int_equal(d.regressions, 6);
	assert_int_equal(d.improvements, 4);
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 8, 5, 4);
	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_rows, 0); /* 7 is less than twice 4 */
	release2(&old, &new, &d);
	drift_suite(&d, &old, &new, 9, 5, 4);
	assert_true(d.drift_suspected);
	assert_int_equal(d.drift_rows, 9);
	/* improvements against a slower host are real */
	assert_int_equal(d.improvements, 4);
	release2(&old, &new, &d);
}

/* ------------------------------------------------------------ rules, options */

struct rule_ctx {
	size_t calls;
};

static void rule_fn(void *ctx, const char *benchmark, const char *unit, pg_row_rule *out)
{
	struct rule_ctx *c = ctx;

	c->calls++;
	/* the defaults come pre-filled */
	assert_true(out->threshold_percent == PG_DEFAULT_THRESHOLD_PERCENT);
	assert_int_equal(out->direction, pg_unit_direction(unit));
	if (!strncmp(benchmark, "Loose", 5))
		out->threshold_percent = 20;
	if (!strcmp(unit, "score"))
		out->direction = PG_HIGHER_IS_BETTER;
}

static void test_rule_callback(void **state)
{
	pg_results old, new;
	pg_decision_set d;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	struct rule_ctx ctx = { 0 };
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add_pair(&old, &new, "Loose", "ns/op", 1000, 0.01, 1.12);
	add_pair(&old, &new, "Strict", "ns/op", 1000, 0.01, 1.12);
	add_pair(&old, &new, "Game", "score", 1000, 0.01, 0.85);
	{
		static const double v[] = { 1, 2, 3 };

		add(&old, "OnlyOld", "ns/op", v, 3);
		add(&new, "OnlyNew", "ns/op", v, 3);
	}
	o.rule = rule_fn;
	o.rule_ctx = &ctx;
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	assert_int_equal(ctx.calls, d.nrows);
	r = row_of(&d, "Loose", "ns/op");
	assert_true(r->threshold_percent == 20);
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_non_null(strstr(r->reason, "within the 20% threshold"));
	r = row_of(&d, "Strict", "ns/op");
	assert_true(r->threshold_percent == 5);
	check_decision(r, PG_DECISION_REGRESSION);
	r = row_of(&d, "Game", "score");
	assert_int_equal(r->direction, PG_HIGHER_IS_BETTER);
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(row_of(&d, "OnlyNew", "ns/op")->threshold_percent == 5);
	release2(&old, &new, &d);
}

static void bad_rule(void *ctx, const char *benchmark, const char *unit, pg_row_rule *out)
{
	(void)ctx;
	(void)unit;
	if (!strcmp(benchmark, "B"))
		out->threshold_percent = *(const double *)ctx;
}

static void test_bad_options(void **state)
{
	static const double v[] = { 1, 2, 3 };
	pg_results old, new;
	pg_decision_set d;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	double bad;

	(void)state;
	init2(&old, &new);
	add(&old, "A", "ns/op", v, 3);
	add(&new, "A", "ns/op", v, 3);
	add(&old, "B", "ns/op", v, 3);
	add(&new, "B", "ns/op", v, 3);
	o.alpha = 0;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	assert_string_equal(pg_error_last(), "alpha must be between 0 and 1");
	assert_null(d.rows);
	o.alpha = 1;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	o.alpha = NAN;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	o.alpha = 0.05;
	o.correction = (pg_correction)7;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	o.correction = PG_CORRECTION_BH;
	o.threshold_on = (pg_threshold_on)9;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	o.threshold_on = PG_THRESHOLD_ON_CI;
	o.test = (pg_test_kind)3;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	o.test = PG_TEST_WELCH;
	o.rule = bad_rule;
	o.rule_ctx = &bad;
	bad = 0;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "invalid threshold 0% for 'B' (ns/op): it must be a number above 0");
	assert_null(d.rows);
	assert_int_equal(d.nrows, 0);
	bad = -3;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	bad = NAN;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	bad = INFINITY;
	assert_int_equal(pg_decide(&d, &old, &new, &o), PG_EINPUT);
	bad = 150;
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	pg_decision_set_release(&d);
	pg_decision_set_release(&d);
	pg_decision_set_release(NULL);
	release2(&old, &new, &d);
}

static void test_names(void **state)
{
	pg_correction c = PG_CORRECTION_NONE;

	(void)state;
	assert_string_equal(pg_decision_name(PG_DECISION_REGRESSION), "regression");
	assert_string_equal(pg_decision_name(PG_DECISION_IMPROVEMENT), "improvement");
	assert_string_equal(pg_decision_name(PG_DECISION_UNCHANGED), "unchanged");
	assert_string_equal(pg_decision_name(PG_DECISION_NOISE), "noise");
	assert_string_equal(pg_decision_name(PG_DECISION_DRIFT), "drift");
	assert_string_equal(pg_decision_name(PG_DECISION_NEW), "new");
	assert_string_equal(pg_decision_name(PG_DECISION_REMOVED), "removed");
	assert_string_equal(pg_correction_name(PG_CORRECTION_HOLM), "holm");
	assert_string_equal(pg_correction_name(PG_CORRECTION_BH), "bh");
	assert_string_equal(pg_correction_name(PG_CORRECTION_NONE), "none");
	assert_int_equal(pg_correction_parse(&c, "holm"), 0);
	assert_int_equal(c, PG_CORRECTION_HOLM);
	assert_int_equal(pg_correction_parse(&c, "bh"), 0);
	assert_int_equal(c, PG_CORRECTION_BH);
	assert_int_equal(pg_correction_parse(&c, "none"), 0);
	assert_int_equal(c, PG_CORRECTION_NONE);
	assert_int_equal(pg_correction_parse(&c, "Holm"), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "unknown correction 'Holm' (expected holm, bh or none)");
	assert_int_equal(c, PG_CORRECTION_NONE);
}

/* rows of two tables are the same row by benchmark and unit; a row
 * without a name matches none, itself included */
static void test_row_matches(void **state)
{
	pg_decide_row a, b;

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.benchmark = "Hash";
	a.unit = "ns/op";
	a.decision = PG_DECISION_REGRESSION;
	b.benchmark = "Hash";
	b.unit = "ns/op";
	b.decision = PG_DECISION_UNCHANGED;
	assert_int_equal(pg_decide_row_matches(&a, &b), 1);
	b.unit = "B/op";
	assert_int_equal(pg_decide_row_matches(&a, &b), 0);
	b.unit = "ns/op";
	b.benchmark = "Hash/fnv1a";
	assert_int_equal(pg_decide_row_matches(&a, &b), 0);
	b.benchmark = NULL;
	assert_int_equal(pg_decide_row_matches(&a, &b), 0);
	assert_int_equal(pg_decide_row_matches(&b, &a), 0);
	assert_int_equal(pg_decide_row_matches(&b, &b), 0);
	b.benchmark = "Hash";
	a.unit = NULL;
	assert_int_equal(pg_decide_row_matches(&a, &b), 0);
	assert_int_equal(pg_decide_row_matches(&b, &a), 0);
}

static void test_utest_cannot_reach_level(void **state)
{
	static const double a[] = { 10, 11, 12, 13 }, b[] = { 14, 15, 16, 17 };
	pg_results old, new;
	pg_decision_set d;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add(&old, "A", "ns/op", a, 4);
	add(&new, "A", "ns/op", b, 4);
	add(&old, "B", "ns/op", a, 4);
	add(&new, "B", "ns/op", a, 4);
	add(&old, "C", "ns/op", b, 4);
	add(&new, "C", "ns/op", b, 4);
	o.test = PG_TEST_UTEST;
	/* 4 + 4 runs: the smallest p is 2/70 = 0.029 > 0.05 / 3 */
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	r = row_of(&d, "A", "ns/op");
	assert_false(r->has_mde);
	assert_true(r->cannot_guard);
	assert_true(fabs(r->p_value - 2.0 / 70) < 1e-12);
	check_decision(r, PG_DECISION_NOISE);
	assert_true(r->runs_needed >= 5);
	assert_true(strncmp(r->reason, "noise: the U test cannot reach p < 0.017 with 4+4 runs",
			    strlen("noise: the U test cannot reach p < 0.017 with 4+4 runs")) == 0);
	pg_decision_set_release(&d);
	/* without correction the level is 0.05: reachable */
	o.correction = PG_CORRECTION_NONE;
	assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
	r = row_of(&d, "A", "ns/op");
	assert_true(r->has_mde);
	check_decision(r, PG_DECISION_REGRESSION);
	release2(&old, &new, &d);
}

static void test_no_common_rows(void **state)
{
	static const double v[] = { 5, 6 };
	pg_results old, new;
	pg_decision_set d;

	(void)state;
	init2(&old, &new);
	add(&old, "A", "ns/op", v, 2);
	add(&new, "B", "ns/op", v, 2);
	assert_int_equal(pg_decide(&d, &old, &new, NULL), 0);
	assert_int_equal(d.nrows, 2);
	assert_int_equal(d.ntested, 0);
	assert_false(d.drift_suspected);
	check_decision(&d.rows[0], PG_DECISION_REMOVED);
	check_decision(&d.rows[1], PG_DECISION_NEW);
	assert_true(d.opts.alpha == 0.05 && d.opts.correction == PG_CORRECTION_HOLM);
	release2(&old, &new, &d);
}

/* ------------------------------------------------------------ non-finite results */

static void test_adjust_invalid_pvalues(void **state)
{
	/* a NaN (or a value outside [0, 1]) is no test: it stays out of the
	 * family (m counts the others), is adjusted to NaN (never < alpha)
	 * and does not disturb the order of the others */
	double p[4] = { NAN, 0.01, 0.04, 0.005 };
	double q[4] = { NAN, 0.01, 0.04, 0.005 };
	double r[3] = { 0.02, -1, 2 };

	(void)state;
	assert_int_equal(pg_adjust_pvalues(p, 4, PG_CORRECTION_HOLM), 0);
	assert_true(isnan(p[0]));
	/* Holm over .005 .01 .04 (m = 3): .015 .02 .04 */
	assert_true(fabs(p[3] - 0.015) < 1e-15 && fabs(p[1] - 0.02) < 1e-15 &&
		    fabs(p[2] - 0.04) < 1e-15);
	assert_int_equal(pg_adjust_pvalues(q, 4, PG_CORRECTION_BH), 0);
	assert_true(isnan(q[0]));
	/* BH over .005 .01 .04 (m = 3): .015 .015 .04 */
	assert_true(fabs(q[3] - 0.015) < 1e-15 && fabs(q[1] - 0.015) < 1e-15 &&
		    fabs(q[2] - 0.04) < 1e-15);
	assert_int_equal(pg_adjust_pvalues(r, 3, PG_CORRECTION_HOLM), 0);
	assert_true(r[0] == 0.02 && isnan(r[1]) && isnan(r[2]));
}

/* Values whose sums overflow (raw scale: a zero among them) give Welch's
 * test no finite result: such a row is noise with a reason, out of the
 * family, never a regression (it was "REGRESSION +87.5% ... p=-nan (Holm
 * 0)"). The U test ranks the values and still tests it, without an mde
 * (Welch's figures behind the mde are not finite). */
static void test_non_finite_test_is_noise(void **state)
{
	static const double big_old[] = { 0, 1.7e308, 1.7e308, 1.6e308, 1.7e308 };
	static const double big_new[] = { 1.7e308, 1.7e308, 1.75e308, 1.7e308, 1.79e308 };
	static const pg_test_kind tests[] = { PG_TEST_WELCH, PG_TEST_UTEST };
	static const pg_correction corrections[] = { PG_CORRECTION_HOLM, PG_CORRECTION_BH,
						     PG_CORRECTION_NONE };
	pg_results old, new;
	pg_decision_set d;
	size_t t, c;

	(void)state;
	for (t = 0; t < NELEM(tests); t++) {
		for (c = 0; c < NELEM(corrections); c++) {
			pg_decide_opts o = PG_DECIDE_OPTS_INIT;
			const pg_decide_row *r;

			o.test = tests[t];
			o.correction = corrections[c];
			init2(&old, &new);
			add(&old, "Big", "ns/op", big_old, NELEM(big_old));
			add(&new, "Big", "ns/op", big_new, NELEM(big_new));
			add_pair(&old, &new, "Slow", "ns/op", 1000, 0.01, 1.20);
			add_pair(&old, &new, "Same", "ns/op", 2000, 0.01, 1.00);
			assert_int_equal(pg_decide(&d, &old, &new, &o), 0);
			r = row_of(&d, "Big", "ns/op");
			assert_false(r->has_mde);
			assert_true(!r->has_delta || isfinite(r->delta_percent));
			assert_true(!r->has_p || (isfinite(r->p_value) && isfinite(r->p_adjusted)));
			assert_true(!r->has_ci || (isfinite(r->ci_low_percent) &&
						   isfinite(r->ci_high_percent)));
			if (o.test == PG_TEST_WELCH) {
				if (r->decision != PG_DECISION_NOISE)
					fail_msg("correction %d: Big is %s (%s)", (int)o.correction,
						 pg_decision_name(r->decision), r->reason);
				assert_false(r->has_p || r->has_ci || r->has_delta);
				assert_true(r->cannot_guard);
				assert_non_null(strstr(r->reason, "not finite"));
				assert_int_equal(d.ntested, 2);
			} else {
				assert_true(r->has_p && r->has_delta);
				check_decision(r, PG_DECISION_UNCHANGED);
				assert_int_equal(d.ntested, 3);
			}
			assert_int_equal(d.regressions, 1);
			check_decision(row_of(&d, "Slow", "ns/op"), PG_DECISION_REGRESSION);
			check_decision(row_of(&d, "Same", "ns/op"), PG_DECISION_UNCHANGED);
			release2(&old, &new, &d);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adjust_matches_reference),
		cmocka_unit_test(test_adjust_known_values),
		cmocka_unit_test(test_welch_logs_match_scipy),
		cmocka_unit_test(test_utest_matches_scipy),
		cmocka_unit_test(test_raw_scale_fallback),
		cmocka_unit_test(test_row_order_matches_compare),
		cmocka_unit_test(test_deterministic_rows),
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_reasons),
		cmocka_unit_test(test_runs_needed_guards),
		cmocka_unit_test(test_threshold_on_ci),
		cmocka_unit_test(test_correction_matters),
		cmocka_unit_test(test_drift_relabels_co_moving_rows),
		cmocka_unit_test(test_drift_faster_host_and_rates),
		cmocka_unit_test(test_drift_needs_enough_rows),
		cmocka_unit_test(test_rule_callback),
		cmocka_unit_test(test_bad_options),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_row_matches),
		cmocka_unit_test(test_utest_cannot_reach_level),
		cmocka_unit_test(test_no_common_rows),
		cmocka_unit_test(test_adjust_invalid_pvalues),
		cmocka_unit_test(test_non_finite_test_is_noise),
	};
	int rc = cmocka_run_group_tests_name("stats/decide", tests, NULL, NULL);

	pg_utest_cache_release();
	return rc;
}
