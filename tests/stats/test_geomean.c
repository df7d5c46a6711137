#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <cmocka.h>

#include "stats/stats_test.h"

#include "common/error.h"
#include "stats/geomean.h"

#define REF_WANT_GEOMEAN
#include "stats/reference_values.h"

static void test_geomean_matches_scipy(void **state)
{
	double worst = 0;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_geomean_cases); i++) {
		const struct ref_geomean *r = &ref_geomean_cases[i];
		double g, e;

		assert_int_equal(pg_geomean(&g, r->x, r->n), 0);
		e = relerr(g, r->gmean);
		/* scipy's exp(mean(log x)) itself is off by up to |log x| ulps
		 * (1.5e-13 around 1e300) */
		if (!(e <= 1e-12))
			fail_msg("case %zu: got %.17g, want %.17g (rel. error %.3g)",
				 i, g, r->gmean, e);
		if (e > worst)
			worst = e;
	}
	printf("geomean: %zu cases vs scipy.stats.gmean; worst rel. error %.3g\n",
	       NELEM(ref_geomean_cases), worst);
}

static void test_geomean_log_space(void **state)
{
	/* the product overflows (1e1200) or underflows; the mean of the logs
	 * does not */
	static const double big[] = { 1e300, 1e300, 1e300, 1e300 };
	static const double tiny[] = { 1e-300, 1e-300, 1e-300, 4e-300 };
	static const double two[] = { 2, 8 };
	double g;

	(void)state;
	assert_int_equal(pg_geomean(&g, big, 4), 0);
	assert_true(relerr(g, 1e300) < 1e-15);
	assert_int_equal(pg_geomean(&g, tiny, 4), 0);
	assert_true(relerr(g, 1e-300 * sqrt(2)) < 1e-15);
	assert_int_equal(pg_geomean(&g, two, 2), 0);
	assert_true(relerr(g, 4) < 1e-15);
}

static void test_geomean_bad_input(void **state)
{
	static const double zero[] = { 1, 0, 2 };
	static const double neg[] = { 1, 2, -3 };
	double nan_[] = { 1, NAN };
	double inf_[] = { INFINITY, 1 };
	double g = 0;

	(void)state;
	pg_error_clear();
	assert_int_equal(pg_geomean(&g, zero, 0), PG_EINPUT);
	assert_string_not_equal(pg_error_last(), "");
	assert_int_equal(pg_geomean(&g, zero, 3), PG_EINPUT);
	assert_int_equal(pg_geomean(&g, neg, 3), PG_EINPUT);
	assert_int_equal(pg_geomean(&g, nan_, 2), PG_EINPUT);
	assert_int_equal(pg_geomean(&g, inf_, 2), PG_EINPUT);
	/* the first two values alone are fine */
	assert_int_equal(pg_geomean(&g, neg, 2), 0);
	assert_true(relerr(g, sqrt(2)) < 1e-15);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_geomean_matches_scipy),
		cmocka_unit_test(test_geomean_log_space),
		cmocka_unit_test(test_geomean_bad_input),
	};

	return cmocka_run_group_tests_name("stats/geomean", tests, NULL, NULL);
}
