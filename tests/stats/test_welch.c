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
#include "stats/summary.h"
#include "stats/welch.h"

#define REF_WANT_WELCH
#include "stats/reference_values.h"

static void summarize_case(pg_summary *a, pg_summary *b, const struct ref_welch *r)
{
	assert_int_equal(pg_summarize(a, r->a, r->na), 0);
	assert_int_equal(pg_summarize(b, r->b, r->nb), 0);
}

static void test_welch_matches_scipy(void **state)
{
	double wt = 0, wdf = 0, wp = 0, wtiny = 0;
	size_t i, ntiny = 0;

	(void)state;
	for (i = 0; i < NELEM(ref_welch_cases); i++) {
		const struct ref_welch *r = &ref_welch_cases[i];
		pg_summary a, b;
		pg_welch w;

		summarize_case(&a, &b, r);
		assert_int_equal(pg_welch_test(&w, &a, &b), 0);
		check_rel(&wt, w.t, r->t, 1e-6, "t", r->what);
		check_rel(&wdf, w.df, r->df, 1e-6, "df", r->what);
		check_rel(&wp, w.p, r->p, 1e-6, "p", r->what);
		assert_true(w.diff == b.mean - a.mean);
		assert_true(relerr(w.se, sqrt(a.stddev * a.stddev / (double)a.n +
					      b.stddev * b.stddev / (double)b.n)) < 1e-15);
		if (r->p < 1e-10) {
			/* tiny p: relative, not absolute, precision */
			ntiny++;
			assert_true(w.p > 0);
			check_rel(&wtiny, w.p, r->p, 1e-6, "tiny p", r->what);
		}
	}
	assert_true(NELEM(ref_welch_cases) >= 20);
	assert_true(ntiny >= 3);
	printf("welch: %zu cases vs scipy ttest_ind(equal_var=False); worst rel. error t %.3g, df %.3g, p %.3g (p < 1e-10: %zu cases, %.3g)\n",
	       NELEM(ref_welch_cases), wt, wdf, wp, ntiny, wtiny);
}

static void test_welch_too_few_samples(void **state)
{
	pg_summary a = { 1, 10, 10, 0, 10, 10, 0 };
	pg_summary b = { 5, 11, 11, 1, 10, 12, 0 };
	pg_welch w;
	double lo, hi;

	(void)state;
	pg_error_clear();
	assert_int_equal(pg_welch_test(&w, &a, &b), PG_EINPUT);
	assert_string_equal(pg_error_last(), "too few samples");
	assert_int_equal(pg_welch_test(&w, &b, &a), PG_EINPUT);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), PG_EINPUT);
	a.n = 0;
	assert_int_equal(pg_welch_test(&w, &a, &b), PG_EINPUT);
}

static void test_welch_zero_variance_both(void **state)
{
	pg_summary a = { 4, 10, 10, 0, 10, 10, 0 };
	pg_summary b = { 6, 10, 10, 0, 10, 10, 0 };
	pg_welch w;
	double lo, hi;

	(void)state;
	/* equal means: no difference at all */
	assert_int_equal(pg_welch_test(&w, &a, &b), 0);
	assert_true(w.t == 0);
	assert_true(w.p == 1);
	assert_true(w.df == 8);
	assert_true(w.diff == 0 && w.se == 0);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), 0);
	assert_true(lo == 0 && hi == 0);

	/* different means: the difference is exact */
	b.mean = b.median = b.min = b.max = 12.5;
	assert_int_equal(pg_welch_test(&w, &a, &b), 0);
	assert_true(w.p == 0);
	assert_true(isinf(w.t) && w.t < 0); /* mean_a < mean_b */
	assert_true(w.df == 8);
	assert_true(w.diff == 2.5);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), 0);
	assert_true(lo == 0.25 && hi == 0.25); /* the point [d, d] */
	assert_int_equal(pg_welch_test(&w, &b, &a), 0);
	assert_true(isinf(w.t) && w.t > 0);
	assert_true(w.p == 0);
}

static void test_welch_zero_variance_one_side(void **state)
{
	static const double c[] = { 5, 5, 5, 5, 5, 5 };
	static const double v[] = { 4, 6, 5.5, 7, 6.5 };
	pg_summary a, b;
	pg_welch w;

	(void)state;
	assert_int_equal(pg_summarize(&a, c, 6), 0);
	assert_int_equal(pg_summarize(&b, v, 5), 0);
	assert_true(a.stddev == 0);
	assert_int_equal(pg_welch_test(&w, &a, &b), 0);
	/* df from the other side only: nb - 1 */
	assert_true(relerr(w.df, 4) < 1e-15);
	assert_true(w.p > 0 && w.p < 1);
	assert_int_equal(pg_welch_test(&w, &b, &a), 0);
	assert_true(relerr(w.df, 4) < 1e-15);
}

/* The result does not depend on the unit: tiny and huge scales give the
 * same t, df and p (the squares in Welch–Satterthwaite neither underflow
 * nor overflow). */
static void test_welch_scale_invariant(void **state)
{
	static const double scales[] = { 1e-150, 1e-100, 1e-9, 1e9, 1e100, 1e150 };
	const struct ref_welch *r = &ref_welch_cases[2];
	pg_summary a0, b0, a, b;
	pg_welch w0, w;
	size_t i;

	(void)state;
	summarize_case(&a0, &b0, r);
	assert_int_equal(pg_welch_test(&w0, &a0, &b0), 0);
	for (i = 0; i < NELEM(scales); i++) {
		a = a0;
		b = b0;
		a.mean *= scales[i];
		a.stddev *= scales[i];
		b.mean *= scales[i];
		b.stddev *= scales[i];
		assert_int_equal(pg_welch_test(&w, &a, &b), 0);
		assert_true(relerr(w.t, w0.t) < 1e-14);
		assert_true(relerr(w.df, w0.df) < 1e-14);
		assert_true(relerr(w.p, w0.p) < 1e-13);
	}
}

static void test_fieller_matches_reference(void **state)
{
	double worst = 0;
	size_t i, nb = 0, nu = 0;

	(void)state;
	for (i = 0; i < NELEM(ref_fieller_cases); i++) {
		const struct ref_fieller *f = &ref_fieller_cases[i];
		const struct ref_welch *r = &ref_welch_cases[f->welch_case];
		pg_summary a, b;
		double lo, hi;
		int ret;

		summarize_case(&a, &b, r);
		ret = pg_welch_ratio_ci(&lo, &hi, &a, &b, f->confidence);
		if (!f->bounded) {
			if (ret != PG_ENOTFOUND)
				fail_msg("%s at %g: want unbounded, got %d [%g, %g]",
					 r->what, f->confidence, ret, lo, hi);
			nu++;
			continue;
		}
		if (ret != 0)
			fail_msg("%s at %g: want bounded, got %d", r->what,
				 f->confidence, ret);
		nb++;
		check_rel(&worst, lo, f->lo, 1e-6, "fieller lo", r->what);
		check_rel(&worst, hi, f->hi, 1e-6, "fieller hi", r->what);
		/* the point estimate lies inside */
		assert_true(lo <= b.mean / a.mean - 1 && b.mean / a.mean - 1 <= hi);
	}
	assert_true(nu >= 1);
	printf("fieller: %zu bounded intervals vs brentq on the defining inequality (%zu unbounded); worst rel. error %.3g\n",
	       nb, nu, worst);
}

/* The interval excludes 0 exactly when Welch's p < 1 - confidence. */
static void test_fieller_agrees_with_welch(void **state)
{
	static const double confs[] = { 0.5, 0.8, 0.9, 0.95, 0.99, 0.999 };
	size_t i, j, checked = 0, significant = 0;

	(void)state;
	for (i = 0; i < NELEM(ref_welch_cases); i++) {
		const struct ref_welch *r = &ref_welch_cases[i];
		pg_summary a, b;
		pg_welch w;

		summarize_case(&a, &b, r);
		assert_int_equal(pg_welch_test(&w, &a, &b), 0);
		for (j = 0; j < NELEM(confs); j++) {
			double alpha = 1 - confs[j], lo, hi;
			int excl;

			if (pg_welch_ratio_ci(&lo, &hi, &a, &b, confs[j]) != 0)
				continue;
			if (relerr(w.p, alpha) < 1e-9)
				continue; /* on the boundary */
			excl = lo > 0 || hi < 0;
			if (excl != (w.p < alpha))
				fail_msg("%s at %g: p = %g but interval [%g, %g]",
					 r->what, confs[j], w.p, lo, hi);
			checked++;
			significant += (size_t)excl;
		}
	}
	assert_true(significant > 5 && checked - significant > 5);
	printf("fieller/welch consistency: %zu intervals checked, %zu significant\n",
	       checked, significant);
}

static void test_fieller_unbounded_and_bad_input(void **state)
{
	pg_summary a = { 10, 0, 0, 1, -2, 2, 0 };
	pg_summary b = { 10, 5, 5, 1, 3, 7, 0 };
	double lo, hi;

	(void)state;
	/* mean_a == 0: no ratio */
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), PG_ENOTFOUND);
	/* mean_a not significantly different from 0 */
	a.mean = 0.5;
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), PG_ENOTFOUND);
	/* but it is at a low confidence: |mean_a| / se_a = 1.58 */
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.5), 0);
	assert_true(lo < hi);
	/* invalid confidence levels */
	a.mean = 10;
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0), PG_EINPUT);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 1), PG_EINPUT);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 95), PG_EINPUT);
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, NAN), PG_EINPUT);
	/* a sane one: -0.5 is the point estimate */
	assert_int_equal(pg_welch_ratio_ci(&lo, &hi, &a, &b, 0.95), 0);
	assert_true(lo < -0.5 && -0.5 < hi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_welch_matches_scipy),
		cmocka_unit_test(test_welch_too_few_samples),
		cmocka_unit_test(test_welch_zero_variance_both),
		cmocka_unit_test(test_welch_zero_variance_one_side),
		cmocka_unit_test(test_welch_scale_invariant),
		cmocka_unit_test(test_fieller_matches_reference),
		cmocka_unit_test(test_fieller_agrees_with_welch),
		cmocka_unit_test(test_fieller_unbounded_and_bad_input),
	};

	return cmocka_run_group_tests_name("stats/welch", tests, NULL, NULL);
}
