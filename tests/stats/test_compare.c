#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <string.h>
#include <cmocka.h>

#include "common/error.h"
#include "stats/compare.h"
#include "stats/results.h"
#include "stats/welch.h"

#include "stats/results_fixture.h"

static const pg_compare_row *find_row(const pg_comparison *c, const char *name,
				      const char *unit)
{
	size_t i;

	for (i = 0; i < c->nrows; i++)
		if (!strcmp(c->rows[i].benchmark, name) && !strcmp(c->rows[i].unit, unit))
			return &c->rows[i];
	fail_msg("no row %s %s", name, unit);
	return NULL;
}

static void test_rows_grouped_by_unit_in_order(void **state)
{
	static const double a[] = { 10, 11, 12, 10, 11 };
	pg_results old, new;
	pg_comparison c;
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;

	(void)state;
	pg_results_init(&old);
	pg_results_init(&new);
	add(&old, "B", "ns/op", a, 5);
	add(&old, "B", "B/op", a, 5);
	add(&old, "A", "ns/op", a, 5);
	add(&old, "Gone", "ns/op", a, 5);
	add(&new, "A", "ns/op", a, 5);
	add(&new, "Fresh", "B/op", a, 5);
	add(&new, "B", "ns/op", a, 5);
	add(&new, "B", "B/op", a, 5);
	add(&new, "X", "allocs/op", a, 5);
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	assert_int_equal(c.nrows, 6);
	/* ns/op first (first unit seen), in old's order, new-only last */
	assert_string_equal(c.rows[0].benchmark, "B");
	assert_string_equal(c.rows[0].unit, "ns/op");
	assert_string_equal(c.rows[1].benchmark, "A");
	assert_string_equal(c.rows[2].benchmark, "Gone");
	assert_int_equal(c.rows[2].status, PG_ROW_ONLY_OLD);
	assert_string_equal(c.rows[3].unit, "B/op");
	assert_string_equal(c.rows[3].benchmark, "B");
	assert_string_equal(c.rows[4].benchmark, "Fresh");
	assert_int_equal(c.rows[4].status, PG_ROW_ONLY_NEW);
	assert_string_equal(c.rows[5].unit, "allocs/op");
	assert_int_equal(c.rows[5].status, PG_ROW_ONLY_NEW);
	assert_int_equal(c.rows[5].new.n, 5);
	/* identical samples: no change, p = 1, interval is the point 0 */
	assert_int_equal(c.rows[0].status, PG_ROW_COMPARED);
	assert_true(c.rows[0].has_delta);
	assert_true(fabs(c.rows[0].delta_percent) < 1e-12);
	assert_true(c.rows[0].has_p);
	assert_true(fabs(c.rows[0].p_value - 1.0) < 1e-12);
	assert_false(c.rows[0].significant);
	/* geomean per unit with compared rows only */
	assert_int_equal(c.ngeomean, 2);
	assert_string_equal(c.geomean[0].unit, "ns/op");
	assert_int_equal(c.geomean[0].n, 2);
	assert_string_equal(c.geomean[1].unit, "B/op");
	pg_comparison_release(&c);
	pg_results_release(&old);
	pg_results_release(&new);
}

static void test_significant_slowdown(void **state)
{
	static const double a[] = { 100, 101, 99, 100, 102, 98, 100, 101, 99, 100 };
	static const double b[] = { 120, 121, 119, 120, 122, 118, 120, 121, 119, 120 };
	pg_results old, new;
	pg_comparison c;
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;
	const pg_compare_row *r;
	pg_welch w;
	double p;

	(void)state;
	pg_results_init(&old);
	pg_results_init(&new);
	add(&old, "Hash-2", "ns/op", a, 10);
	add(&new, "Hash-2", "ns/op", b, 10);
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	r = find_row(&c, "Hash-2", "ns/op");
	assert_true(fabs(r->delta_percent - 20.0) < 1e-9);
	assert_true(r->significant);
	assert_true(r->has_ci);
	assert_true(r->ci_low_percent < 20.0 && r->ci_high_percent > 20.0);
	assert_true(r->ci_low_percent > 0.0);
	/* the row's p-value is Welch's on the two summaries */
	assert_int_equal(pg_welch_test(&w, &r->old, &r->new), 0);
	assert_true(r->p_value == w.p);
	assert_int_equal(r->old.n, 10);
	assert_true(fabs(r->old.mean - 100.0) < 1e-12);
	assert_true(fabs(r->new.median - 120.0) < 1e-12);
	/* geomean of one benchmark is its mean */
	assert_int_equal(c.ngeomean, 1);
	assert_true(fabs(c.geomean[0].old - 100.0) < 1e-9);
	assert_true(fabs(c.geomean[0].delta_percent - 20.0) < 1e-9);
	p = r->p_value;
	pg_comparison_release(&c);

	/* a stricter alpha than the p-value makes it not significant */
	opts.alpha = p > 0 ? p / 2 : 1e-300;
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	assert_false(c.rows[0].significant);
	pg_comparison_release(&c);

	/* the U test reports the shift of the medians */
	opts.alpha = 0.05;
	opts.test = PG_TEST_UTEST;
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	assert_true(fabs(c.rows[0].delta_percent - 20.0) < 1e-9);
	assert_true(c.rows[0].significant);
	assert_int_equal(c.rows[0].utest_method, PG_UTEST_ASYMPTOTIC); /* ties */
	pg_comparison_release(&c);
	pg_results_release(&old);
	pg_results_release(&new);
}

static void test_geomean_across_benchmarks(void **state)
{
	static const double two[] = { 2, 2, 2 }, eight[] = { 8, 8, 8 },
			    four[] = { 4, 4, 4 }, zero[] = { 0, 0, 0 };
	pg_results old, new;
	pg_comparison c;
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;

	(void)state;
	pg_results_init(&old);
	pg_results_init(&new);
	add(&old, "A", "B/op", two, 3);
	add(&old, "B", "B/op", eight, 3);
	add(&old, "Z", "B/op", zero, 3); /* zero means stay out of the geomean */
	add(&new, "A", "B/op", four, 3);
	add(&new, "B", "B/op", four, 3);
	add(&new, "Z", "B/op", zero, 3);
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	assert_int_equal(c.ngeomean, 1);
	assert_int_equal(c.geomean[0].n, 2);
	assert_true(fabs(c.geomean[0].old - 4.0) < 1e-12);
	assert_true(fabs(c.geomean[0].new - 4.0) < 1e-12);
	assert_true(fabs(c.geomean[0].delta_percent) < 1e-9);
	/* deterministic metrics: zero variance on both sides, exact answer */
	assert_true(fabs(find_row(&c, "A", "B/op")->delta_percent - 100.0) < 1e-12);
	assert_true(find_row(&c, "A", "B/op")->significant);
	assert_true(fabs(find_row(&c, "A", "B/op")->p_value) == 0.0);
	/* zero means on both sides: no change */
	assert_true(find_row(&c, "Z", "B/op")->has_delta);
	assert_true(find_row(&c, "Z", "B/op")->delta_percent == 0.0);
	assert_false(find_row(&c, "Z", "B/op")->significant);
	pg_comparison_release(&c);
	pg_results_release(&old);
	pg_results_release(&new);
}

static void test_degenerate_cases(void **state)
{
	static const double one[] = { 5 }, some[] = { 5, 6, 7 }, zero[] = { 0, 0, 0 },
			    mixed[] = { -1, 0, 1 };
	pg_results old, new;
	pg_comparison c;
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;
	const pg_compare_row *r;

	(void)state;
	pg_results_init(&old);
	pg_results_init(&new);
	add(&old, "Once", "ns/op", one, 1);
	add(&new, "Once", "ns/op", some, 3);
	add(&old, "ZeroOld", "x/op", zero, 3);
	add(&new, "ZeroOld", "x/op", some, 3);
	add(&old, "AroundZero", "y/op", mixed, 3);
	add(&new, "AroundZero", "y/op", some, 3);
	add(&old, "ZeroBoth", "z/op", zero, 3);
	add(&new, "ZeroBoth", "z/op", zero, 3);
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);

	r = find_row(&c, "Once", "ns/op");
	assert_false(r->has_p);
	assert_false(r->significant);
	assert_false(r->has_ci);
	assert_string_equal(r->note, "too few samples");
	assert_true(r->has_delta);
	assert_true(fabs(r->delta_percent - 20.0) < 1e-12);

	r = find_row(&c, "ZeroOld", "x/op");
	assert_false(r->has_delta);
	assert_string_equal(r->note, "zero mean");
	assert_true(r->has_p); /* the test itself is defined */
	assert_true(r->significant);

	r = find_row(&c, "AroundZero", "y/op");
	assert_false(r->has_delta);
	assert_false(r->has_ci);
	assert_non_null(r->note);

	/* no change, but no interval either (a ratio of zeros): the note
	 * says why */
	r = find_row(&c, "ZeroBoth", "z/op");
	assert_true(r->has_delta);
	assert_true(r->delta_percent == 0.0);
	assert_false(r->has_ci);
	assert_string_equal(r->note, "both means zero");
	pg_comparison_release(&c);

	opts.test = PG_TEST_UTEST;
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	r = find_row(&c, "ZeroBoth", "z/op");
	assert_true(r->has_delta);
	assert_false(r->has_ci);
	assert_string_equal(r->note, "both medians zero");
	pg_comparison_release(&c);
	pg_results_release(&old);
	pg_results_release(&new);
}

static void test_drop_outliers(void **state)
{
	static const double a[] = { 10, 10.1, 9.9, 10, 10.2, 9.8, 10, 30 };
	static const double b[] = { 10, 10.1, 9.9, 10, 10.2, 9.8, 10, 10.1 };
	pg_results old, new;
	pg_comparison c;
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;

	(void)state;
	pg_results_init(&old);
	pg_results_init(&new);
	add(&old, "A", "ns/op", a, 8);
	add(&new, "A", "ns/op", b, 8);
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	/* kept by default, but counted */
	assert_int_equal(c.rows[0].old.n, 8);
	assert_int_equal(c.rows[0].old.outliers, 1);
	assert_true(c.rows[0].old.max == 30);
	pg_comparison_release(&c);

	opts.drop_outliers = 1;
	assert_int_equal(pg_compare(&c, &old, &new, &opts), 0);
	assert_int_equal(c.rows[0].old.n, 7);
	assert_int_equal(c.rows[0].old.outliers, 1);
	assert_true(c.rows[0].old.max == 10.2);
	assert_int_equal(c.rows[0].new.n, 8);
	assert_false(c.rows[0].significant);
	pg_comparison_release(&c);
	pg_results_release(&old);
	pg_results_release(&new);
}

static void test_bad_options(void **state)
{
	pg_results old, new;
	pg_comparison c;
	pg_compare_opts opts = PG_COMPARE_OPTS_INIT;

	(void)state;
	pg_results_init(&old);
	pg_results_init(&new);
	opts.alpha = 1.5;
	assert_int_equal(pg_compare(&c, &old, &new, &opts), PG_EINPUT);
	assert_string_equal(pg_error_last(), "alpha must be between 0 and 1");
	assert_null(c.rows);
	opts.alpha = 0.05;
	opts.confidence = 0;
	assert_int_equal(pg_compare(&c, &old, &new, &opts), PG_EINPUT);
	pg_comparison_release(&c);
	pg_comparison_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rows_grouped_by_unit_in_order),
		cmocka_unit_test(test_significant_slowdown),
		cmocka_unit_test(test_geomean_across_benchmarks),
		cmocka_unit_test(test_degenerate_cases),
		cmocka_unit_test(test_drop_outliers),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
