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
#include "stats/summary.h"

#define REF_WANT_SUMMARY
#include "stats/reference_values.h"

/* Relative error, absolute when the expected value is 0. */
static void check_case(double *worst, double got, double want, double tol,
		      const char *what, size_t i)
{
	double e = relerr(got, want);

	if (!(e <= tol))
		fail_msg("%s case %zu: got %.17g, want %.17g (rel. error %.3g > %.3g)",
			 what, i, got, want, e, tol);
	if (e > *worst)
		*worst = e;
}

static double *sorted_copy(const double *x, size_t n)
{
	double *s = malloc((n ? n : 1) * sizeof(*s));

	assert_non_null(s);
	if (n)
		memcpy(s, x, n * sizeof(*s));
	pg_sort_doubles(s, n);
	return s;
}

static void test_summarize_matches_numpy(void **state)
{
	double wmean = 0, wmedian = 0, wsd = 0;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_summaries); i++) {
		const struct ref_summary *r = &ref_summaries[i];
		pg_summary s;

		assert_int_equal(pg_summarize(&s, r->x, r->n), 0);
		assert_int_equal(s.n, r->n);
		assert_true(s.min == r->min);
		assert_true(s.max == r->max);
		check_case(&wmean, s.mean, r->mean, 1e-13, "mean", i);
		check_case(&wmedian, s.median, r->median, 1e-14, "median", i);
		check_case(&wsd, s.stddev, r->stddev, 1e-12, "stddev", i);
		if (s.outliers != r->outliers)
			fail_msg("outliers case %zu: got %zu, want %zu", i,
				 s.outliers, r->outliers);
	}
	printf("summary: %zu cases vs numpy; worst rel. error mean %.3g, median %.3g, stddev %.3g\n",
	       NELEM(ref_summaries), wmean, wmedian, wsd);
}

static void test_quantile_r8_matches_numpy(void **state)
{
	double worst = 0;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_quantiles); i++) {
		const struct ref_quantile *r = &ref_quantiles[i];
		double *s = sorted_copy(r->x, r->n);

		check_case(&worst, pg_quantile_r8(s, r->n, r->p), r->q, 1e-13,
			  "quantile", i);
		free(s);
	}
	printf("quantile_r8: %zu cases vs numpy.quantile(method='median_unbiased'); worst rel. error %.3g\n",
	       NELEM(ref_quantiles), worst);
}

static void test_quantile_r8_rules(void **state)
{
	static const double odd[] = { 0.1, 0.3, 0.7 };
	static const double even[] = { 1, 2, 3, 4 };
	static const double one[] = { 42 };
	static const double five[] = { 1, 2, 3, 4, 5 };

	(void)state;
	/* the median is exact: the middle value, the midpoint of two */
	assert_true(pg_quantile_r8(odd, 3, 0.5) == 0.3);
	assert_true(pg_quantile_r8(even, 4, 0.5) == 2.5);
	/* h = (n + 1/3) p + 1/3 = 53/15 for n = 5, p = 0.6: 3 + 8/15 (4 - 3) */
	assert_true(fabs(pg_quantile_r8(five, 5, 0.6) - 53.0 / 15) < 1e-15);
	/* clamped to the range: h < 1 and h > n */
	assert_true(pg_quantile_r8(five, 5, 0.05) == 1);
	assert_true(pg_quantile_r8(five, 5, 0.95) == 5);
	assert_true(pg_quantile_r8(five, 5, 0) == 1);
	assert_true(pg_quantile_r8(five, 5, 1) == 5);
	assert_true(pg_quantile_r8(five, 5, -3) == 1);
	assert_true(pg_quantile_r8(five, 5, 7) == 5);
	assert_true(pg_quantile_r8(one, 1, 0.25) == 42);
	assert_true(pg_quantile_r8(one, 1, 0.75) == 42);
	assert_true(isnan(pg_quantile_r8(five, 0, 0.5)));
	assert_true(isnan(pg_quantile_r8(five, 5, NAN)));
}

static void test_tukey_fences_and_drop(void **state)
{
	double worst = 0;
	size_t i, j;

	(void)state;
	for (i = 0; i < NELEM(ref_fences); i++) {
		const struct ref_fence *r = &ref_fences[i];
		double *out = calloc(r->n ? r->n : 1, sizeof(*out));
		size_t kept;

		assert_non_null(out);
		if (r->has_fences) {
			double *s = sorted_copy(r->x, r->n);
			double lo, hi;

			pg_tukey_fences(&lo, &hi, s, r->n);
			check_case(&worst, lo, r->lo, 1e-13, r->what, i);
			check_case(&worst, hi, r->hi, 1e-13, r->what, i);
			free(s);
		}
		kept = pg_drop_outliers(out, r->x, r->n);
		if (kept != r->nkept)
			fail_msg("%s: kept %zu values, want %zu", r->what, kept,
				 r->nkept);
		for (j = 0; j < kept; j++)
			assert_true(out[j] == r->kept[j]); /* same values, same order */
		free(out);
	}
	printf("tukey fences: %zu cases; worst rel. error %.3g\n",
	       NELEM(ref_fences), worst);
}

/* Values exactly on a fence are inside; the crafted quartiles are exact. */
static void test_fences_inclusive(void **state)
{
	static const double on[] = { 20, 35, 10, -5, 12, 20, 15, 10 };
	static const double out_[] = { 20, 35.5, 10, -5.000001, 12, 20, 15, 10 };
	static const double flat[] = { 5, 5, 5, 5, 5, 6, 5, 5, 5, 5, 5 };
	double buf[16], s[16], lo, hi;
	pg_summary sum;
	size_t n;

	(void)state;
	memcpy(s, on, sizeof(on));
	pg_sort_doubles(s, 8);
	pg_tukey_fences(&lo, &hi, s, 8);
	assert_true(lo == -5.0);
	assert_true(hi == 35.0);
	assert_int_equal(pg_drop_outliers(buf, on, 8), 8);
	assert_memory_equal(buf, on, sizeof(on));
	assert_int_equal(pg_summarize(&sum, on, 8), 0);
	assert_int_equal(sum.outliers, 0);

	n = pg_drop_outliers(buf, out_, 8);
	assert_int_equal(n, 6);
	assert_true(buf[0] == 20 && buf[1] == 10 && buf[2] == 12 &&
		    buf[3] == 20 && buf[4] == 15 && buf[5] == 10);
	assert_int_equal(pg_summarize(&sum, out_, 8), 0);
	assert_int_equal(sum.outliers, 2);

	/* IQR 0: both fences are 5, the 5s stay, the 6 goes */
	assert_int_equal(pg_drop_outliers(buf, flat, 11), 10);
	assert_int_equal(pg_summarize(&sum, flat, 11), 0);
	assert_int_equal(sum.outliers, 1);
}

static void test_drop_outliers_small_and_in_place(void **state)
{
	double three[] = { 1, 2, 1e9 };
	double v[] = { 1, 2, 3, 4, 1000, 2, 3 };
	double buf[4];

	(void)state;
	/* n < 4: everything kept */
	assert_int_equal(pg_drop_outliers(buf, three, 3), 3);
	assert_memory_equal(buf, three, sizeof(three));
	assert_int_equal(pg_drop_outliers(three, three, 3), 3);
	assert_int_equal(pg_drop_outliers(buf, three, 0), 0);
	/* in place (out == values) */
	assert_int_equal(pg_drop_outliers(v, v, 7), 6);
	assert_true(v[0] == 1 && v[1] == 2 && v[2] == 3 && v[3] == 4 &&
		    v[4] == 2 && v[5] == 3);
}

static void test_summarize_degenerate(void **state)
{
	static const double tenth[] = { 0.1, 0.1, 0.1 };
	static const double big[] = { 1e300, 1e300, 1e300, 1e300 };
	static const double one[] = { 7.5 };
	pg_summary s;

	(void)state;
	pg_error_clear();
	assert_int_equal(pg_summarize(&s, one, 0), PG_EINPUT);
	assert_string_not_equal(pg_error_last(), "");

	assert_int_equal(pg_summarize(&s, one, 1), 0);
	assert_int_equal(s.n, 1);
	assert_true(s.mean == 7.5 && s.median == 7.5 && s.min == 7.5 &&
		    s.max == 7.5);
	assert_true(s.stddev == 0);
	assert_int_equal(s.outliers, 0);

	/* equal values: the mean is the value and the deviation exactly 0
	 * (naive summation gives 0.10000000000000002 and a tiny deviation) */
	assert_int_equal(pg_summarize(&s, tenth, 3), 0);
	assert_true(s.mean == 0.1);
	assert_true(s.stddev == 0);
	assert_int_equal(pg_summarize(&s, big, 4), 0);
	assert_true(s.mean == 1e300);
	assert_true(s.stddev == 0);
}

static void test_summarize_is_stable(void **state)
{
	/* a large offset with a small spread: the naive one-pass formula
	 * sum(x^2) - n mean^2 loses every digit here */
	double v[1000];
	pg_summary s;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++)
		v[i] = 1e9 + (double)(i % 2); /* 1e9, 1e9 + 1, ... */
	assert_int_equal(pg_summarize(&s, v, 1000), 0);
	assert_true(s.mean == 1e9 + 0.5);
	/* variance = 500 * 0.25 * 2 / 999 */
	assert_true(relerr(s.stddev, sqrt(250.0 / 999.0)) < 1e-14);
}

static void test_sort_doubles(void **state)
{
	double v[] = { 3, -1, 2.5, -1, 1e300, -1e-300, 0 };
	size_t i;

	(void)state;
	pg_sort_doubles(v, NELEM(v));
	for (i = 1; i < NELEM(v); i++)
		assert_true(v[i - 1] <= v[i]);
	assert_true(v[0] == -1 && v[1] == -1 && v[6] == 1e300);
	pg_sort_doubles(v, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_summarize_matches_numpy),
		cmocka_unit_test(test_quantile_r8_matches_numpy),
		cmocka_unit_test(test_quantile_r8_rules),
		cmocka_unit_test(test_tukey_fences_and_drop),
		cmocka_unit_test(test_fences_inclusive),
		cmocka_unit_test(test_drop_outliers_small_and_in_place),
		cmocka_unit_test(test_summarize_degenerate),
		cmocka_unit_test(test_summarize_is_stable),
		cmocka_unit_test(test_sort_doubles),
	};

	return cmocka_run_group_tests_name("stats/summary", tests, NULL, NULL);
}
