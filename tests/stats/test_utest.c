#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats_test.h"

#include "common/error.h"
#include "stats/utest.h"

#define REF_WANT_UTEST
#include "stats/reference_values.h"

static void test_utest_matches_scipy(void **state)
{
	double wexact = 0, wasym = 0, wauto = 0;
	size_t i, nexact = 0, nasym = 0;

	(void)state;
	for (i = 0; i < NELEM(ref_utest_cases); i++) {
		const struct ref_utest *r = &ref_utest_cases[i];
		pg_utest t;

		/* forced exact, as scipy method='exact' (also with ties,
		 * where scipy truncates U) */
		assert_int_equal(pg_utest_run_method(&t, r->a, r->na, r->b, r->nb,
						     PG_UTEST_EXACT), 0);
		assert_true(t.u == r->u);
		assert_int_equal(t.method, PG_UTEST_EXACT);
		check_rel(&wexact, t.p, r->p_exact, 1e-6, "exact p", r->what);

		/* forced asymptotic, as scipy method='asymptotic' */
		assert_int_equal(pg_utest_run_method(&t, r->a, r->na, r->b, r->nb,
						     PG_UTEST_ASYMPTOTIC), 0);
		assert_true(t.u == r->u);
		assert_int_equal(t.method, PG_UTEST_ASYMPTOTIC);
		check_rel(&wasym, t.p, r->p_asymptotic, 1e-6, "asymptotic p", r->what);

		/* automatic: exact iff no ties and na, nb <= 50 */
		assert_int_equal(pg_utest_run(&t, r->a, r->na, r->b, r->nb), 0);
		assert_true(t.u == r->u);
		if (t.method != (r->auto_exact ? PG_UTEST_EXACT : PG_UTEST_ASYMPTOTIC))
			fail_msg("%s: method %d chosen", r->what, (int)t.method);
		check_rel(&wauto, t.p, r->auto_exact ? r->p_exact : r->p_asymptotic,
			  1e-6, "auto p", r->what);
		if (r->auto_exact)
			nexact++;
		else
			nasym++;
	}
	assert_true(nexact >= 10 && nasym >= 10);
	printf("utest: %zu cases vs scipy mannwhitneyu (%zu exact, %zu asymptotic by the rule); worst rel. error exact %.3g, asymptotic %.3g, auto %.3g\n",
	       NELEM(ref_utest_cases), nexact, nasym, wexact, wasym, wauto);
}

static void test_exact_cdf_matches_integers(void **state)
{
	double worst = 0;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_ucdf_cases); i++) {
		const struct ref_ucdf *r = &ref_ucdf_cases[i];
		double c;

		assert_int_equal(pg_utest_exact_cdf(&c, r->k, r->m, r->n), 0);
		check_rel(&worst, c, r->cdf, 1e-13, "exact cdf", "");
	}
	printf("exact U cdf: %zu values vs exact integers; worst rel. error %.3g\n",
	       NELEM(ref_ucdf_cases), worst);
}

static void test_utest_symmetry(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_utest_cases); i++) {
		const struct ref_utest *r = &ref_utest_cases[i];
		pg_utest ab, ba;

		assert_int_equal(pg_utest_run(&ab, r->a, r->na, r->b, r->nb), 0);
		assert_int_equal(pg_utest_run(&ba, r->b, r->nb, r->a, r->na), 0);
		assert_true(ab.u + ba.u == (double)(r->na * r->nb));
		assert_true(relerr(ab.p, ba.p) < 1e-14);
		assert_int_equal(ab.method, ba.method);
	}
}

static void test_utest_degenerate(void **state)
{
	static const double x[] = { 3, 3, 3 };
	static const double y[] = { 3, 3 };
	static const double one[] = { 1 };
	static const double two[] = { 2 };
	double big[201];
	pg_utest t;
	size_t i;

	(void)state;
	pg_error_clear();
	assert_int_equal(pg_utest_run(&t, x, 0, y, 2), PG_EINPUT);
	assert_string_not_equal(pg_error_last(), "");
	assert_int_equal(pg_utest_run(&t, x, 3, y, 0), PG_EINPUT);

	/* every value tied: p = 1 whatever the method */
	assert_int_equal(pg_utest_run(&t, x, 3, y, 2), 0);
	assert_true(t.p == 1);
	assert_true(t.u == 3);
	assert_int_equal(t.method, PG_UTEST_ASYMPTOTIC); /* ties */
	assert_int_equal(pg_utest_run_method(&t, x, 3, y, 2, PG_UTEST_EXACT), 0);
	assert_true(t.p == 1);

	/* 1 vs 1 without a tie: U is 0 or 1, p = 1 */
	assert_int_equal(pg_utest_run(&t, one, 1, two, 1), 0);
	assert_int_equal(t.method, PG_UTEST_EXACT);
	assert_true(t.u == 0 && t.p == 1);

	/* invalid method */
	assert_int_equal(pg_utest_run_method(&t, one, 1, two, 1,
					     (pg_utest_method)7), PG_EINPUT);
	/* forced exact beyond the table limit */
	for (i = 0; i < NELEM(big); i++)
		big[i] = (double)i;
	assert_int_equal(pg_utest_run_method(&t, big, 101, big + 101, 100,
					     PG_UTEST_EXACT), PG_EINPUT);
	/* ...while the automatic choice uses the normal approximation */
	assert_int_equal(pg_utest_run(&t, big, 101, big + 101, 100), 0);
	assert_int_equal(t.method, PG_UTEST_ASYMPTOTIC);
	assert_true(t.u == 0 && t.p < 1e-30);
}

/* The exact p-value of separated 50 vs 50 samples is 2 / C(100, 50). */
static void test_utest_tiny_exact_p(void **state)
{
	double a[50], b[50];
	pg_utest t;
	size_t i;

	(void)state;
	for (i = 0; i < 50; i++) {
		a[i] = (double)i;
		b[i] = 100.0 + (double)i;
	}
	assert_int_equal(pg_utest_run(&t, a, 50, b, 50), 0);
	assert_int_equal(t.method, PG_UTEST_EXACT);
	assert_true(t.u == 0);
	/* C(100, 50) = 100891344545564193334812497256 */
	assert_true(relerr(t.p, 2 / 100891344545564193334812497256.0) < 1e-13);
}

/* Many calls with the same sizes reuse the cached distribution and give the
 * same answer; releasing the cache changes nothing but memory. */
static void test_utest_cache(void **state)
{
	const struct ref_utest *r = NULL;
	pg_utest first, t;
	size_t i;

	(void)state;
	for (i = 0; i < NELEM(ref_utest_cases); i++)
		if (ref_utest_cases[i].na == 50 && ref_utest_cases[i].nb == 50 &&
		    ref_utest_cases[i].auto_exact)
			r = &ref_utest_cases[i];
	assert_non_null(r);
	assert_int_equal(pg_utest_run(&first, r->a, 50, r->b, 50), 0);
	for (i = 0; i < 2000; i++) {
		assert_int_equal(pg_utest_run(&t, r->a, 50, r->b, 50), 0);
		assert_memory_equal(&t, &first, sizeof(t));
	}
	pg_utest_cache_release();
	assert_int_equal(pg_utest_run(&t, r->a, 50, r->b, 50), 0);
	assert_memory_equal(&t, &first, sizeof(t));
	pg_utest_cache_release();
	pg_utest_cache_release(); /* idempotent */
}

struct worker {
	size_t start;
	int failed;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;
	size_t i, k;

	for (k = 0; k < 3; k++) {
		for (i = 0; i < NELEM(ref_utest_cases); i++) {
			const struct ref_utest *r =
				&ref_utest_cases[(w->start + i) % NELEM(ref_utest_cases)];
			pg_utest t;

			if (pg_utest_run_method(&t, r->a, r->na, r->b, r->nb,
						PG_UTEST_EXACT) != 0 ||
			    relerr(t.p, r->p_exact) > 1e-6)
				w->failed = 1;
		}
	}
	return NULL;
}

/* Threads filling the empty cache at the same time (races on the
 * compare-and-swap publication) all get correct values. */
static void test_utest_cache_threads(void **state)
{
	pthread_t th[4];
	struct worker w[4];
	size_t i;

	(void)state;
	pg_utest_cache_release();
	for (i = 0; i < 4; i++) {
		w[i].start = i % 2; /* pairs of threads start on the same sizes */
		w[i].failed = 0;
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_false(w[i].failed);
	}
}

static void test_shift_matches_reference(void **state)
{
	size_t i, nexact = 0, nfull = 0;

	(void)state;
	for (i = 0; i < NELEM(ref_shift_cases); i++) {
		const struct ref_shift *r = &ref_shift_cases[i];
		double est, lo, hi;

		assert_int_equal(pg_utest_shift(&est, &lo, &hi, r->a, r->na, r->b,
						 r->nb, r->confidence), 0);
		/* order statistics of the same rounded differences: equal */
		if (est != r->estimate || lo != r->lo || hi != r->hi)
			fail_msg("%s: got %.17g [%.17g, %.17g], want %.17g [%.17g, %.17g] (k = %zu)",
				 r->what, est, lo, hi, r->estimate, r->lo, r->hi,
				 r->k);
		assert_true(lo <= est && est <= hi);
		nexact += (size_t)r->exact;
		nfull += r->k <= 1;
	}
	assert_true(nexact >= 5 && nfull >= 2);
	printf("shift: %zu Hodges-Lehmann/Moses cases (%zu exact) vs numpy: all equal\n",
	       NELEM(ref_shift_cases), nexact);
}

static void test_shift_small_cases(void **state)
{
	static const double a[] = { 1, 2, 3 };
	static const double b[] = { 10, 20, 30, 40 };
	static const double z[] = { 5 };
	double est, lo, hi;

	(void)state;
	/* differences b - a: 7..39; 12 of them, median of 17 18 18 19 ... */
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 3, b, 4, 0.95), 0);
	/* sorted: 7 8 9 17 18 19 27 28 29 37 38 39 -> (19 + 27) / 2 */
	assert_true(est == 23);
	/* 3 vs 4: P(U <= 0) = 1/35 > 0.025: full range */
	assert_true(lo == 7 && hi == 39);
	/* at 50%: k = 1 + largest u with P(U <= u) <= 0.25: P(U <= 2) =
	 * 4/35, P(U <= 3) = 7/35 = 0.2, P(U <= 4) = 11/35: k = 4 */
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 3, b, 4, 0.5), 0);
	assert_true(lo == 17 && hi == 29);
	/* 1 vs 1: the one difference */
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, z, 1, z, 1, 0.95), 0);
	assert_true(est == 0 && lo == 0 && hi == 0);
	assert_false(signbit(est));
	/* bad input */
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 0, b, 4, 0.95), PG_EINPUT);
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 3, b, 0, 0.95), PG_EINPUT);
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 3, b, 4, 1), PG_EINPUT);
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 3, b, 4, 0), PG_EINPUT);
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, 3, b, 4, NAN), PG_EINPUT);
}

/* Large samples: the estimate is found without forming the na * nb
 * differences (here 4e8 of them). */
static void test_shift_large(void **state)
{
	const size_t n = 20000;
	double *a = malloc(n * sizeof(*a)), *b = malloc(n * sizeof(*b));
	double est, lo, hi;
	size_t i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	for (i = 0; i < n; i++) {
		a[i] = (double)i;
		b[i] = (double)i + 0.5;
	}
	assert_int_equal(pg_utest_shift(&est, &lo, &hi, a, n, b, n, 0.95), 0);
	assert_true(est == 0.5);
	assert_true(lo < 0.5 && hi > 0.5);
	assert_true(lo == -hi + 1); /* symmetric around the shift */
	free(a);
	free(b);
}

static int teardown(void **state)
{
	(void)state;
	pg_utest_cache_release();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utest_matches_scipy),
		cmocka_unit_test(test_exact_cdf_matches_integers),
		cmocka_unit_test(test_utest_symmetry),
		cmocka_unit_test(test_utest_degenerate),
		cmocka_unit_test(test_utest_tiny_exact_p),
		cmocka_unit_test(test_utest_cache),
		cmocka_unit_test(test_utest_cache_threads),
		cmocka_unit_test(test_shift_matches_reference),
		cmocka_unit_test(test_shift_small_cases),
		cmocka_unit_test(test_shift_large),
	};

	return cmocka_run_group_tests_name("stats/utest", tests, NULL, teardown);
}
