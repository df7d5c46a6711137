#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats_test.h"

#include "common/error.h"
#include "stats/decide.h"
#include "stats/paired.h"
#include "stats/results.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "stats/welch.h"

#include "stats/paired_reference.h"
#include "stats/results_fixture.h"

/* ------------------------------------------------------------ helpers */

static void release2(pg_results *old, pg_results *new, pg_paired_set *s)
{
	pg_paired_set_release(s);
	pg_results_release(old);
	pg_results_release(new);
}

/* Slot factors shared by both runs of a pair (a slow host: +-20%), and
 * small fast noise per run (about 1%, the patterns z_a and z_b): the pairs
 * share most of the noise. */
static const double slot[10] = { 1.00, 1.18, 0.85, 1.10, 0.92, 1.20, 0.81, 1.05, 0.95, 1.15 };

static void add_abba(pg_results *old, pg_results *new, const char *name,
		     const char *unit, double base, double fast, double factor)
{
	double a[10], b[10];
	size_t i;

	for (i = 0; i < 10; i++) {
		a[i] = base * slot[i] * (1 + fast * z_a[i]);
		b[i] = base * factor * slot[i] * (1 + fast * z_b[i]);
	}
	add(old, name, unit, a, 10);
	add(new, name, unit, b, 10);
}

/* ------------------------------------------------------------ analysis */

static void test_analyze_matches_scipy(void **state)
{
	double worst = 0;
	size_t i, nexact = 0;

	(void)state;
	for (i = 0; i < NELEM(ref_paired_cases); i++) {
		const struct ref_paired *c = &ref_paired_cases[i];
		pg_paired_opts o = PG_PAIRED_OPTS_INIT;
		pg_paired p;

		o.mde_level = c->level;
		o.direction = c->lower ? PG_LOWER_IS_BETTER : PG_HIGHER_IS_BETTER;
		assert_int_equal(pg_paired_analyze(&p, c->base, c->n_base, c->cand, c->n_cand, &o), 0);
		assert_int_equal(p.n, c->n_base < c->n_cand ? c->n_base : c->n_cand);
		assert_int_equal(p.n_base, c->n_base);
		assert_int_equal(p.n_cand, c->n_cand);
		assert_int_equal(p.unpaired_left, c->n_base > c->n_cand ? c->n_base - c->n_cand
								     : c->n_cand - c->n_base);
		assert_int_equal(p.log_scale, c->log_scale);
		check_rel(&worst, p.mean, c->mean, 1e-12, "mean", c->what);
		check_rel(&worst, p.sd, c->sd, 1e-12, "sd", c->what);
		check_rel(&worst, p.se, c->se, 1e-12, "se", c->what);
		check_rel(&worst, p.t, c->t, 1e-11, "t", c->what);
		assert_true(p.df == c->df);
		check_rel(&worst, p.p, c->p, 1e-9, "p", c->what);
		assert_true(p.has_delta);
		check_rel(&worst, p.delta_percent, c->delta, 1e-10, "delta", c->what);
		assert_int_equal(p.has_ci, c->has_ci);
		if (c->has_ci) {
			/* GSL's inverse t vs scipy's t.ppf (and brentq for the
			 * raw-scale Fieller ends) */
			check_rel(&worst, p.ci_low_percent, c->ci_lo, 1e-8, "ci low", c->what);
			check_rel(&worst, p.ci_high_percent, c->ci_hi, 1e-8, "ci high", c->what);
		}
		assert_true(p.has_mde);
		check_rel(&worst, p.mde_percent, c->mde, 1e-8, "mde", c->what);
		check_rel(&worst, p.correlation, c->corr, 1e-10, "correlation", c->what);
		check_rel(&worst, p.base_center, c->base_center, 1e-12, "base centre", c->what);
		check_rel(&worst, p.cand_center, c->cand_center, 1e-12, "cand centre", c->what);
		/* signed rank */
		assert_int_equal(p.w_n, c->w_n);
		assert_true(p.w_plus == c->w_plus);
		assert_int_equal(p.w_method, c->w_method);
		check_rel(&worst, p.w_p, c->w_p, c->w_method == PG_UTEST_EXACT ? 1e-12 : 1e-10,
			  "signed-rank p", c->what);
		nexact += p.w_method == PG_UTEST_EXACT;
		/* order statistics of the Walsh averages: the same values, up
		 * to the last bit of numpy's log against libm's */
		check_rel(&worst, p.hl, c->hl, 1e-12, "hl", c->what);
		check_rel(&worst, p.hl_low, c->hl_lo, 1e-12, "hl low", c->what);
		check_rel(&worst, p.hl_high, c->hl_hi, 1e-12, "hl high", c->what);
		assert_true(p.has_hl_percent);
		check_rel(&worst, p.hl_percent, c->hl_pct, 1e-10, "hl %", c->what);
		check_rel(&worst, p.hl_low_percent, c->hl_lo_pct, 1e-10, "hl low %", c->what);
		check_rel(&worst, p.hl_high_percent, c->hl_hi_pct, 1e-10, "hl high %", c->what);
		/* unpaired view */
		check_rel(&worst, p.welch.t, c->welch_t, 1e-10, "welch t", c->what);
		check_rel(&worst, p.welch.df, c->welch_df, 1e-10, "welch df", c->what);
		check_rel(&worst, p.welch.p, c->welch_p, 1e-9, "welch p", c->what);
		assert_true(p.welch_has_delta && p.welch_has_mde);
		check_rel(&worst, p.welch_delta_percent, c->welch_delta, 1e-10, "welch delta",
			  c->what);
		check_rel(&worst, p.welch_mde_percent, c->welch_mde, 1e-8, "welch mde", c->what);
		if (c->welch_has_ci) {
			assert_true(p.welch_has_ci);
			check_rel(&worst, p.welch_ci_low_percent, c->welch_ci_lo, 1e-8,
				  "welch ci low", c->what);
			check_rel(&worst, p.welch_ci_high_percent, c->welch_ci_hi, 1e-8,
				  "welch ci high", c->what);
		}
	}
	/* both signed-rank methods are covered */
	assert_true(nexact > 0 && nexact < NELEM(ref_paired_cases));
	printf("paired: %zu analyses vs scipy (%zu exact signed-rank); worst rel. error %.3g\n",
	       NELEM(ref_paired_cases), nexact, worst);
}

static void test_analyze_raw_scale_welch_ci(void **state)
{
	const struct ref_paired *c = NULL;
	pg_paired p;
	pg_summary a, b;
	double lo, hi;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_paired_cases); i++)
		if (!ref_paired_cases[i].log_scale)
			c = &ref_paired_cases[i];
	assert_non_null(c);
	assert_int_equal(pg_paired_analyze(&p, c->base, c->n_base, c->cand, c->n_cand, NULL), 0);
	assert_false(p.log_scale);
	/* the unpaired interval of the raw scale is Fieller's, as pg_decide */
	assert_int_equal(pg_summarize(&a, c->base, c->n_base), 0);
	assert_int_equal(pg_summarize(&b, c->cand, c->n_cand), 0);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), 0);
	assert_true(p.welch_has_ci);
	assert_true(fabs(p.welch_ci_low_percent - 100 * lo) < 1e-12);
	assert_true(fabs(p.welch_ci_high_percent - 100 * hi) < 1e-12);
	/* the centres are the arithmetic means */
	assert_true(fabs(p.base_center - a.mean) < 1e-12 * fabs(a.mean));
}

static void test_analyze_degenerate(void **state)
{
	static const double one[] = { 5 }, two[] = { 5, 6 };
	static const double base[] = { 100, 120, 90, 110 };
	static const double same[] = { 100, 120, 90, 110 };
	static const double up[] = { 110, 132, 99, 121 };
	static const double bad[] = { 100, NAN, 90 };
	pg_paired_opts o = PG_PAIRED_OPTS_INIT;
	pg_paired p;

	(void)state;
	/* fewer than 2 pairs */
	assert_int_equal(pg_paired_analyze(&p, one, 1, two, 2, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(), "too few pairs (1) for a paired test");
	assert_int_equal(p.n, 0);
	assert_int_equal(pg_paired_analyze(&p, two, 2, one, 0, NULL), PG_EINPUT);
	/* not a number */
	assert_int_equal(pg_paired_analyze(&p, bad, 3, base, 3, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(), "baseline value 2 is not a finite number");
	assert_int_equal(pg_paired_analyze(&p, base, 3, bad, 3, NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(), "candidate value 2 is not a finite number");
	/* options */
	o.alpha = 1;
	assert_int_equal(pg_paired_analyze(&p, base, 4, same, 4, &o), PG_EINPUT);
	o.alpha = 0.05;
	o.mde_level = 0;
	assert_int_equal(pg_paired_analyze(&p, base, 4, same, 4, &o), PG_EINPUT);

	/* identical pairs: d = 0, t = 0, p = 1, no signed-rank evidence */
	assert_int_equal(pg_paired_analyze(&p, base, 4, same, 4, NULL), 0);
	assert_true(p.mean == 0 && p.sd == 0 && p.se == 0 && p.t == 0 && p.p == 1);
	assert_true(p.delta_percent == 0 && p.ci_low_percent == 0 && p.ci_high_percent == 0);
	assert_int_equal(p.w_n, 0);
	assert_true(p.w_p == 1 && p.hl == 0);
	assert_true(fabs(p.correlation - 1) < 1e-12);

	/* every pair +10%: the change is exact (se = 0, p = 0) */
	assert_int_equal(pg_paired_analyze(&p, base, 4, up, 4, NULL), 0);
	assert_true(fabs(p.delta_percent - 10) < 1e-9);
	assert_true(p.sd < 1e-15 && p.p == 0 && isinf(p.t) && p.t > 0);
	assert_true(fabs(p.ci_low_percent - 10) < 1e-9 && fabs(p.ci_high_percent - 10) < 1e-9);
	/* the signed-rank test: 4 positive differences (ties: normal
	 * approximation), the pseudo-median the common difference */
	assert_int_equal(p.w_n, 4);
	assert_true(p.w_plus == 10);
	assert_true(fabs(p.hl_percent - 10) < 1e-9);
	/* the unpaired view sees the +10% too, but through the noise */
	assert_true(fabs(p.welch_delta_percent - 10) < 1e-9);
	assert_true(p.welch.p > 0.05);
}

static void test_ratio_ci(void **state)
{
	static const double a[] = { 10, 12, 9, 11, 10.5 }, b[] = { 11, 13.1, 9.8, 12.2, 11.4 };
	static const double z0[] = { -1, 1, -2, 2, 0 }, z1[] = { 0, 3, -1, 4, 1 };
	static const double k[] = { 100, 101, 102 }, k2[] = { 110, 111, 112 };
	double lo, hi, lo99, hi99;

	(void)state;
	assert_int_equal(pg_paired_ratio_ci(&lo, &hi, a, b, 5, 0.95), 0);
	assert_true(lo < hi);
	/* the ratio of the means is inside, the interval widens with the
	 * confidence */
	assert_true(lo < (57.5 / 52.5 - 1) && hi > (57.5 / 52.5 - 1));
	assert_int_equal(pg_paired_ratio_ci(&lo99, &hi99, a, b, 5, 0.99), 0);
	assert_true(lo99 < lo && hi99 > hi);
	/* unbounded: a baseline mean not distinguishable from 0 */
	assert_int_equal(pg_paired_ratio_ci(&lo, &hi, z0, z1, 5, 0.95), PG_ENOTFOUND);
	assert_true(isnan(lo) && isnan(hi));
	/* the same difference in every pair: the paired test is exact
	 * (p = 0), the interval of the ratio still carries the baseline's
	 * uncertainty, around 111 / 101 - 1 and away from 0 */
	assert_int_equal(pg_paired_ratio_ci(&lo, &hi, k, k2, 3, 0.95), 0);
	assert_true(lo > 0 && lo < 10.0 / 101 && hi > 10.0 / 101 && hi < 0.2);
	/* bad input */
	assert_int_equal(pg_paired_ratio_ci(&lo, &hi, k, k2, 1, 0.95), PG_EINPUT);
	assert_int_equal(pg_paired_ratio_ci(&lo, &hi, k, k2, 3, 1.0), PG_EINPUT);
}

/* the paired t-test on the raw differences and Fieller's interval agree:
 * the interval excludes 0 exactly when p < 1 - confidence */
static void test_ratio_ci_matches_raw_test(void **state)
{
	static const double base[][6] = {
		{ 0.0, 9, 10, 11, 10.5, 9.5 },
		{ 0.0, 5.0, 4.0, 6.5, 5.5, 4.8 },
		{ -0.5, 20, 21, 19, 22, 20.5 },
	};
	static const double cand[][6] = {
		{ 0.3, 9.4, 10.6, 11.2, 11.1, 9.9 },
		{ 0.4, 5.1, 4.6, 6.4, 5.9, 5.5 },
		{ -0.2, 20.8, 21.1, 19.9, 22.9, 20.6 },
	};
	size_t i, checked = 0;

	(void)state;
	for (i = 0; i < NELEM(base); i++) {
		pg_paired p;
		double lo, hi, conf;
		int k;

		/* a value <= 0: the raw scale */
		assert_int_equal(pg_paired_analyze(&p, base[i], 6, cand[i], 6, NULL), 0);
		assert_false(p.log_scale);
		for (k = -1; k <= 1; k += 2) {
			conf = 1 - p.p * (1 + 0.01 * k);
			/* (unbounded at some levels: the baseline's mean is near 0) */
			if (pg_paired_ratio_ci(&lo, &hi, base[i], cand[i], 6, conf) != 0)
				continue;
			/* conf below 1 - p: significant at that level, 0 outside */
			if (k > 0)
				assert_true(lo > 0 || hi < 0);
			else
				assert_true(lo < 0 && hi > 0);
			checked++;
		}
	}
	assert_true(checked >= 4);
}

/* the Hodges-Lehmann selection against all Walsh averages formed and
 * sorted, for sizes and data the reference does not cover */
static int cmp_d(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

static void test_walsh_selection(void **state)
{
	static const size_t sizes[] = { 2, 3, 4, 7, 30, 51, 120, 301 };
	size_t s;
	uint64_t x = 12345;

	(void)state;
	for (s = 0; s < NELEM(sizes); s++) {
		size_t n = sizes[s], M = n * (n + 1) / 2, i, j, m = 0;
		double *base = malloc(n * sizeof(double)), *cand = malloc(n * sizeof(double));
		double *d = malloc(n * sizeof(double)), *wv = malloc(M * sizeof(double));
		double hl;
		pg_paired p;

		assert_non_null(base);
		assert_non_null(cand);
		assert_non_null(d);
		assert_non_null(wv);
		for (i = 0; i < n; i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			base[i] = 100 + (double)(x % 1000) / 10;
			/* every fifth pair identical (zeros), others with
			 * repeated ratios (ties) */
			cand[i] = i % 5 == 0 ? base[i] : base[i] * (1 + (double)(x % 7) / 50);
		}
		assert_int_equal(pg_paired_analyze(&p, base, n, cand, n, NULL), 0);
		for (i = 0; i < n; i++)
			d[i] = log(cand[i]) - log(base[i]);
		qsort(d, n, sizeof(double), cmp_d);
		for (i = 0; i < n; i++)
			for (j = i; j < n; j++)
				wv[m++] = 0.5 * (d[i] + d[j]);
		qsort(wv, M, sizeof(double), cmp_d);
		hl = M % 2 ? wv[M / 2] : (wv[M / 2 - 1] + wv[M / 2]) / 2;
		assert_true(p.hl == hl);
		/* the interval's ends are Walsh averages, around the estimate */
		assert_true(p.hl_low <= p.hl && p.hl <= p.hl_high);
		assert_non_null(bsearch(&p.hl_low, wv, M, sizeof(double), cmp_d));
		assert_non_null(bsearch(&p.hl_high, wv, M, sizeof(double), cmp_d));
		/* symmetric order statistics: as many averages below the low
		 * end as above the high end */
		{
			size_t below = 0, above = 0;

			for (i = 0; i < M; i++) {
				below += wv[i] < p.hl_low;
				above += wv[i] > p.hl_high;
			}
			/* both ends inside the lower and the upper half (ties
			 * can only move the counts), and away from the extremes
			 * once there are enough pairs */
			assert_true(2 * below < M && 2 * above < M);
			if (n >= 30)
				assert_true(below > 0 && above > 0);
		}
		free(base);
		free(cand);
		free(d);
		free(wv);
	}
}

/* ------------------------------------------------------------ suites */

static void build_suite(pg_results *old, pg_results *new, const struct ref_paired_row *rows,
			size_t n)
{
	size_t i;

	init2(old, new);
	for (i = 0; i < n; i++) {
		add(old, rows[i].benchmark, rows[i].unit, rows[i].base, rows[i].n_base);
		add(new, rows[i].benchmark, rows[i].unit, rows[i].cand, rows[i].n_cand);
	}
}

static void check_suite(const pg_paired_set *s, const struct ref_paired_row *rows, size_t n,
			int corr, int ci, int on_ci, double *worst)
{
	const pg_decision_set *d = &s->decision;
	size_t i;

	assert_int_equal(d->nrows, n);
	assert_int_equal(d->ntested, n);
	assert_int_equal(d->drift_suspected, 0);
	for (i = 0; i < n; i++) {
		const struct ref_paired_row *w = &rows[i];
		const struct ref_paired_corr *c = &w->corr[corr];
		const pg_decide_row *r = &d->rows[i];
		size_t np = w->n_base < w->n_cand ? w->n_base : w->n_cand;

		assert_string_equal(r->benchmark, w->benchmark);
		assert_string_equal(r->unit, w->unit);
		assert_true(s->tested[i]);
		assert_int_equal(s->rows[i].n, np);
		assert_int_equal(r->n_old, np);
		assert_int_equal(r->n_new, np);
		assert_false(r->raw_scale || r->deterministic);
		assert_true(r->has_p && r->has_delta);
		check_rel(worst, r->p_value, w->p, 1e-9, "p", w->benchmark);
		check_rel(worst, r->p_adjusted, c->p_adjusted, 1e-9, "p_adjusted", w->benchmark);
		check_rel(worst, r->delta_percent, w->delta_percent, 1e-9, "delta", w->benchmark);
		if (ci) {
			assert_true(r->has_ci);
			check_rel(worst, r->ci_low_percent, w->ci_low_percent, 1e-8, "ci low",
				  w->benchmark);
			check_rel(worst, r->ci_high_percent, w->ci_high_percent, 1e-8, "ci high",
				  w->benchmark);
		}
		assert_int_equal(r->has_mde, c->has_mde);
		if (c->has_mde)
			check_rel(worst, r->mde_percent, c->mde_percent, 1e-8, "mde", w->benchmark);
		if (r->cannot_guard != c->cannot_guard)
			fail_msg("%s: cannot_guard %d, want %d", w->benchmark, r->cannot_guard,
				 c->cannot_guard);
		if (r->runs_needed != c->runs_needed)
			fail_msg("%s: runs_needed %g, want %g", w->benchmark, r->runs_needed,
				 c->runs_needed);
		check_decision(r, on_ci ? w->decision_holm_ci : c->decision);
		assert_true(strncmp(r->reason, "paired: ", 8) == 0);
	}
}

static void test_decide_t_matches_scipy(void **state)
{
	static const pg_correction corrs[3] = { PG_CORRECTION_HOLM, PG_CORRECTION_BH,
						PG_CORRECTION_NONE };
	pg_results old, new;
	pg_paired_set s;
	double worst = 0;
	size_t k, nreg = 0, nimp = 0, nnoise = 0, i;

	(void)state;
	build_suite(&old, &new, ref_pt_rows, NELEM(ref_pt_rows));
	for (k = 0; k < 3; k++) {
		pg_decide_opts o = PG_DECIDE_OPTS_INIT;

		o.correction = corrs[k];
		assert_int_equal(pg_paired_decide(&s, &old, &new, &o), 0);
		check_suite(&s, ref_pt_rows, NELEM(ref_pt_rows), (int)k, 1, 0, &worst);
		if (k == 0) {
			nreg = s.decision.regressions;
			nimp = s.decision.improvements;
			for (i = 0; i < s.decision.nrows; i++)
				nnoise += s.decision.rows[i].decision == PG_DECISION_NOISE;
			/* the unpaired view: the same rows, pg_decide's */
			assert_int_equal(s.unpaired.nrows, s.decision.nrows);
			for (i = 0; i < s.unpaired.nrows; i++) {
				assert_string_equal(s.unpaired.rows[i].benchmark,
						    s.decision.rows[i].benchmark);
				assert_true(s.unpaired.rows[i].reason[0] != 'p');
			}
		}
		pg_paired_set_release(&s);
	}
	{
		pg_decide_opts o = PG_DECIDE_OPTS_INIT;

		o.threshold_on = PG_THRESHOLD_ON_CI;
		assert_int_equal(pg_paired_decide(&s, &old, &new, &o), 0);
		check_suite(&s, ref_pt_rows, NELEM(ref_pt_rows), 0, 1, 1, &worst);
		pg_paired_set_release(&s);
	}
	/* the suite exercises every decision of a tested row */
	assert_true(nreg >= 2 && nimp >= 2 && nnoise >= 1);
	release2(&old, &new, &s);
	printf("paired t: %zu rows x 3 corrections vs scipy; worst rel. error %.3g\n",
	       NELEM(ref_pt_rows), worst);
}

static void test_decide_signed_rank_matches_scipy(void **state)
{
	pg_results old, new;
	pg_paired_set s;
	double worst = 0;
	size_t k, i;
	int seen_no_mde = 0;

	(void)state;
	build_suite(&old, &new, ref_psr_rows, NELEM(ref_psr_rows));
	for (k = 0; k < 3; k++) {
		pg_decide_opts o = PG_DECIDE_OPTS_INIT;

		o.correction = k == 0 ? PG_CORRECTION_HOLM : k == 1 ? PG_CORRECTION_BH
								: PG_CORRECTION_NONE;
		o.test = PG_TEST_UTEST;
		assert_int_equal(pg_paired_decide(&s, &old, &new, &o), 0);
		check_suite(&s, ref_psr_rows, NELEM(ref_psr_rows), (int)k, 1, 0, &worst);
		for (i = 0; i < s.decision.nrows; i++) {
			const pg_decide_row *r = &s.decision.rows[i];

			if (!r->has_mde && r->decision == PG_DECISION_NOISE) {
				seen_no_mde = 1;
				assert_non_null(strstr(r->reason, "paired: noise: the signed-rank "
							"test cannot reach p < "));
				assert_non_null(strstr(r->reason, "pairs would"));
			}
		}
		pg_paired_set_release(&s);
	}
	assert_true(seen_no_mde);
	release2(&old, &new, &s);
	printf("signed rank: %zu rows x 3 corrections vs scipy; worst rel. error %.3g\n",
	       NELEM(ref_psr_rows), worst);
}

static void test_pairing_sees_through_slow_noise(void **state)
{
	pg_results old, new;
	pg_paired_set s;
	const pg_decide_row *r, *u;
	const pg_paired *p;
	size_t i;
	char want[256];

	(void)state;
	init2(&old, &new);
	/* +8% under a host that wanders +-20% from slot to slot */
	add_abba(&old, &new, "Slow", "ns/op", 1000, 0.01, 1.08);
	add_abba(&old, &new, "Same", "ns/op", 2000, 0.01, 1.00);
	assert_int_equal(pg_paired_decide(&s, &old, &new, NULL), 0);

	i = row_index(&s.decision, "Slow", "ns/op");
	r = &s.decision.rows[i];
	u = &s.unpaired.rows[i];
	p = &s.rows[i];
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->delta_percent > 6 && r->delta_percent < 10);
	assert_true(r->has_mde && r->mde_percent < 5);
	snprintf(want, sizeof(want), "paired: %+.1f%% > 5%% threshold, p=%.2g (Holm %.2g)",
		 r->delta_percent, r->p_value, r->p_adjusted);
	assert_string_equal(r->reason, want);
	/* the unpaired analysis of the same samples cannot see it */
	check_decision(u, PG_DECISION_NOISE);
	assert_true(u->p_value > 0.05);
	assert_true(p->correlation > 0.95);
	assert_true(p->welch.p > 0.05 && p->p < 1e-4);
	assert_true(fabs(p->welch_delta_percent - r->delta_percent) < 1);

	i = row_index(&s.decision, "Same", "ns/op");
	r = &s.decision.rows[i];
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_true(strncmp(r->reason, "paired: ", 8) == 0);
	assert_non_null(strstr(r->reason, "within \xc2\xb1" "5%"));
	check_decision(&s.unpaired.rows[i], PG_DECISION_NOISE);
	release2(&old, &new, &s);
}

static void test_decide_branches(void **state)
{
	static const double v[] = { 10, 11, 12, 10, 11 }, k12[] = { 12, 12, 12 };
	static const double k14[] = { 14, 14, 14 }, one[] = { 7 };
	static const double raw_a[] = { 0, 3.1, 2.2, 4.05, 2.9, 3.3 };
	static const double raw_b[] = { 0.3, 3.4, 2.6, 4.4, 3.3, 3.5 };
	pg_results old, new;
	pg_paired_set s;
	const pg_decide_row *r;
	size_t i;

	(void)state;
	init2(&old, &new);
	add(&old, "Gone", "ns/op", v, 5);
	add(&new, "Fresh", "ns/op", v, 5);
	add(&old, "Allocs", "allocs/op", k12, 3);
	add(&new, "Allocs", "allocs/op", k14, 3);
	add(&old, "Single", "ns/op", one, 1);
	add(&new, "Single", "ns/op", v, 5);
	add(&old, "Raw", "delta/op", raw_a, 6);
	add(&new, "Raw", "delta/op", raw_b, 6);
	add_abba(&old, &new, "Noisy", "ns/op", 500, 0.30, 1.0);
	assert_int_equal(pg_paired_decide(&s, &old, &new, NULL), 0);

	i = row_index(&s.decision, "Gone", "ns/op");
	check_decision(&s.decision.rows[i], PG_DECISION_REMOVED);
	assert_string_equal(s.decision.rows[i].reason, "only in the baseline");
	assert_false(s.tested[i]);
	i = row_index(&s.decision, "Fresh", "ns/op");
	check_decision(&s.decision.rows[i], PG_DECISION_NEW);
	i = row_index(&s.decision, "Allocs", "allocs/op");
	r = &s.decision.rows[i];
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->deterministic && !r->has_p);
	assert_string_equal(r->reason, "deterministic: 12 -> 14 allocs/op (+16.7% > 5% threshold)");
	i = row_index(&s.decision, "Single", "ns/op");
	r = &s.decision.rows[i];
	check_decision(r, PG_DECISION_NOISE);
	assert_true(r->cannot_guard && !r->has_p);
	assert_string_equal(r->reason, "paired: too few pairs (1) for a test");
	assert_int_equal(r->n_old, 1);
	assert_int_equal(r->n_new, 5);

	/* raw scale: the paired t-test on the differences, Fieller's
	 * interval for the pairs */
	i = row_index(&s.decision, "Raw", "delta/op");
	r = &s.decision.rows[i];
	assert_true(r->raw_scale && r->has_p && s.tested[i]);
	{
		double lo, hi, m = 0, dm = 0;
		size_t j;

		for (j = 0; j < 6; j++) {
			m += raw_a[j];
			dm += raw_b[j] - raw_a[j];
		}
		assert_true(fabs(r->delta_percent - 100 * dm / m) < 1e-9);
		assert_int_equal(pg_paired_ratio_ci(&lo, &hi, raw_a, raw_b, 6, 0.95), 0);
		assert_true(r->has_ci);
		assert_true(fabs(r->ci_low_percent - 100 * lo) < 1e-9);
		assert_true(fabs(r->ci_high_percent - 100 * hi) < 1e-9);
		assert_true(fabs(r->old_center - m / 6) < 1e-12);
	}

	/* noise: the reason counts pairs */
	i = row_index(&s.decision, "Noisy", "ns/op");
	r = &s.decision.rows[i];
	check_decision(r, PG_DECISION_NOISE);
	assert_true(r->cannot_guard && r->runs_needed > 10);
	{
		char want[256];

		snprintf(want, sizeof(want),
			 "paired: noise: cannot detect less than +%.1f%% with 10 pairs",
			 r->mde_percent);
		assert_true(strncmp(r->reason, want, strlen(want)) == 0);
		snprintf(want, sizeof(want), "about %.0f pairs, a quieter host or instruction "
			 "counts would guard 5%%", r->runs_needed);
		assert_non_null(strstr(r->reason, want));
	}
	/* the family: Raw (+11%, significant) and Noisy */
	check_decision(row_of(&s.decision, "Raw", "delta/op"), PG_DECISION_REGRESSION);
	assert_int_equal(s.decision.ntested, 2);
	assert_int_equal(s.decision.regressions, 2);
	assert_int_equal(s.decision.cannot_guard, 2);
	release2(&old, &new, &s);
}

static void test_unequal_counts(void **state)
{
	static const double a[] = { 100, 104, 98, 101, 99, 103, 500 };
	static const double b[] = { 120, 125, 118, 121, 119, 124 };
	pg_results old, new;
	pg_paired_set s;
	const pg_paired *p;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add(&old, "U", "ns/op", a, 7);
	add(&new, "U", "ns/op", b, 6);
	assert_int_equal(pg_paired_decide(&s, &old, &new, NULL), 0);
	p = &s.rows[0];
	r = &s.decision.rows[0];
	/* 6 pairs; the 7th baseline sample (an outlier) is only in the
	 * unpaired view */
	assert_int_equal(p->n, 6);
	assert_int_equal(p->unpaired_left, 1);
	assert_int_equal(r->n_old, 6);
	assert_int_equal(r->n_new, 6);
	check_decision(r, PG_DECISION_REGRESSION);
	assert_true(r->delta_percent > 19 && r->delta_percent < 21);
	assert_true(r->old_center < 102);
	/* unpaired: the outlier drags the baseline up and the test down */
	assert_true(p->welch_delta_percent < 0);
	check_decision(&s.unpaired.rows[0], PG_DECISION_NOISE);
	release2(&old, &new, &s);
}

static void test_directions_and_rule(void **state)
{
	pg_results old, new;
	pg_paired_set s;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add_abba(&old, &new, "Rate", "MB/s", 400, 0.01, 0.85);
	add_abba(&old, &new, "RateUp", "MB/s", 400, 0.01, 1.20);
	add_abba(&old, &new, "Time", "ns/op", 400, 0.01, 1.12);
	assert_int_equal(pg_paired_decide(&s, &old, &new, NULL), 0);
	r = row_of(&s.decision, "Rate", "MB/s");
	assert_int_equal(r->direction, PG_HIGHER_IS_BETTER);
	check_decision(r, PG_DECISION_REGRESSION);
	assert_non_null(strstr(r->reason, "< -5% threshold"));
	check_decision(row_of(&s.decision, "RateUp", "MB/s"), PG_DECISION_IMPROVEMENT);
	check_decision(row_of(&s.decision, "Time", "ns/op"), PG_DECISION_REGRESSION);
	release2(&old, &new, &s);
}

static void rule_15(void *ctx, const char *benchmark, const char *unit, pg_row_rule *out)
{
	int *calls = ctx;

	(void)benchmark;
	(*calls)++;
	if (!strcmp(unit, "ns/op"))
		out->threshold_percent = 15;
}

static void rule_bad(void *ctx, const char *benchmark, const char *unit, pg_row_rule *out)
{
	(void)ctx;
	(void)benchmark;
	(void)unit;
	out->threshold_percent = -1;
}

static void test_rule_callback(void **state)
{
	pg_results old, new;
	pg_paired_set s;
	pg_decide_opts o = PG_DECIDE_OPTS_INIT;
	const pg_decide_row *r;
	int calls = 0;

	(void)state;
	init2(&old, &new);
	add_abba(&old, &new, "Time", "ns/op", 400, 0.01, 1.12);
	add_abba(&old, &new, "Rate", "MB/s", 400, 0.01, 0.85);
	o.rule = rule_15;
	o.rule_ctx = &calls;
	assert_int_equal(pg_paired_decide(&s, &old, &new, &o), 0);
	/* once per row by the paired decision, once by the unpaired view */
	assert_int_equal(calls, 4);
	r = row_of(&s.decision, "Time", "ns/op");
	assert_true(r->threshold_percent == 15);
	check_decision(r, PG_DECISION_UNCHANGED);
	assert_non_null(strstr(r->reason, "significant"));
	assert_non_null(strstr(r->reason, "within the 15% threshold"));
	check_decision(row_of(&s.decision, "Rate", "MB/s"), PG_DECISION_REGRESSION);
	pg_paired_set_release(&s);

	o.rule = rule_bad;
	assert_int_equal(pg_paired_decide(&s, &old, &new, &o), PG_EINPUT);
	assert_non_null(strstr(pg_error_last(), "invalid threshold -1%"));
	assert_null(s.rows);
	o.rule = NULL;
	o.alpha = 2;
	assert_int_equal(pg_paired_decide(&s, &old, &new, &o), PG_EINPUT);
	release2(&old, &new, &s);
}

static void test_no_drift_relabelling(void **state)
{
	pg_results old, new;
	pg_paired_set s;
	char name[32];
	size_t i;

	(void)state;
	init2(&old, &new);
	/* every benchmark +9%: co-moving, which the unpaired view calls host
	 * drift; both sides shared every slot, so the paired decision calls
	 * it what it is */
	for (i = 0; i < 20; i++) {
		snprintf(name, sizeof(name), "All/%02zu", i);
		add_abba(&old, &new, name, "ns/op", 1000 + 10 * (double)i, 0.005, 1.09);
	}
	assert_int_equal(pg_paired_decide(&s, &old, &new, NULL), 0);
	assert_int_equal(s.decision.drift_suspected, 0);
	assert_int_equal(s.decision.drift_rows, 0);
	assert_int_equal(s.decision.regressions, 20);
	release2(&old, &new, &s);
}

/* Differences that overflow give the paired t-test no finite result: the
 * row is noise with a reason, out of the family, never a regression. */
static void test_non_finite_test_is_noise(void **state)
{
	static const double base[] = { -1.7e308, -1.6e308, -1.7e308, -1.5e308, -1.7e308 };
	static const double cand[] = { 1.7e308, 1.7e308, 1.75e308, 1.7e308, 1.79e308 };
	static const double slow_b[] = { 100, 101, 99, 100, 102 };
	static const double slow_c[] = { 130, 131, 129, 131, 132 };
	pg_paired_set s;
	pg_results old, new;
	const pg_decide_row *r;

	(void)state;
	init2(&old, &new);
	add(&old, "Big", "delta/op", base, NELEM(base));
	add(&new, "Big", "delta/op", cand, NELEM(cand));
	add(&old, "Slow", "ns/op", slow_b, NELEM(slow_b));
	add(&new, "Slow", "ns/op", slow_c, NELEM(slow_c));
	assert_int_equal(pg_paired_decide(&s, &old, &new, NULL), 0);
	r = row_of(&s.decision, "Big", "delta/op");
	if (r->decision != PG_DECISION_NOISE)
		fail_msg("Big is %s (%s)", pg_decision_name(r->decision), r->reason);
	assert_false(r->has_p || r->has_ci || r->has_delta || r->has_mde);
	assert_non_null(strstr(r->reason, "not finite"));
	assert_int_equal(s.decision.ntested, 1);
	check_decision(row_of(&s.decision, "Slow", "ns/op"), PG_DECISION_REGRESSION);
	pg_paired_set_release(&s);
	pg_results_release(&old);
	pg_results_release(&new);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_analyze_matches_scipy),
		cmocka_unit_test(test_analyze_raw_scale_welch_ci),
		cmocka_unit_test(test_analyze_degenerate),
		cmocka_unit_test(test_ratio_ci),
		cmocka_unit_test(test_ratio_ci_matches_raw_test),
		cmocka_unit_test(test_walsh_selection),
		cmocka_unit_test(test_decide_t_matches_scipy),
		cmocka_unit_test(test_decide_signed_rank_matches_scipy),
		cmocka_unit_test(test_pairing_sees_through_slow_noise),
		cmocka_unit_test(test_decide_branches),
		cmocka_unit_test(test_unequal_counts),
		cmocka_unit_test(test_directions_and_rule),
		cmocka_unit_test(test_rule_callback),
		cmocka_unit_test(test_no_drift_relabelling),
		cmocka_unit_test(test_non_finite_test_is_noise),
	};
	int rc = cmocka_run_group_tests_name("stats/paired", tests, NULL, NULL);

	pg_utest_cache_release();
	return rc;
}
