/*
 * The suspects a confirmation measures again (gate/gate_ab.c,
 * pg_ab_suspects): the top-level benchmark of every row the first pass
 * called a regression or put down to drift, once each.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/file.h"
#include "gate/gate_ab.h"
#include "stats/decide.h"

static pg_decide_row row(const char *benchmark, const char *unit, pg_decision d)
{
	pg_decide_row r;

	memset(&r, 0, sizeof(r));
	r.benchmark = benchmark;
	r.unit = unit;
	r.decision = d;
	return r;
}

static void check_suspects(pg_decide_row *rows, size_t n, const char *const *want)
{
	pg_decision_set d;
	char **names = (char **)1;
	size_t got = 99, k = 0;

	memset(&d, 0, sizeof(d));
	d.rows = rows;
	d.nrows = n;
	assert_int_equal(pg_ab_suspects(&names, &got, &d), 0);
	while (want[k])
		k++;
	if (got != k)
		fail_msg("%zu suspects, want %zu (first: %s)", got, k, got ? names[0] : "-");
	for (k = 0; k < got; k++)
		assert_string_equal(names[k], want[k]);
	if (got)
		assert_null(names[got]);
	else
		assert_null(names);
	pg_free_strv(names);
}

static void test_top_level_names(void **state)
{
	pg_decide_row rows[] = {
		row("Hash/fnv1a-64K", "ns/op", PG_DECISION_REGRESSION),
		row("Sort/n=100", "ns/op", PG_DECISION_DRIFT),
		row("Sort/n=10000", "ns/op", PG_DECISION_REGRESSION),   /* same top level */
		row("Sort/n=100", "B/op", PG_DECISION_REGRESSION),      /* same again */
		row("Parse-8", "ns/op", PG_DECISION_REGRESSION),        /* procs suffix */
		row("Copy/64B-8", "ns/op", PG_DECISION_REGRESSION),     /* a sub-level's */
		row("Walk-2x", "ns/op", PG_DECISION_DRIFT),             /* not a suffix */
		row("Lookup", "ns/op", PG_DECISION_UNCHANGED),
		row("Build", "ns/op", PG_DECISION_NOISE),
		row("Fast", "ns/op", PG_DECISION_IMPROVEMENT),
		row("Added", "ns/op", PG_DECISION_NEW),
		row("Gone", "ns/op", PG_DECISION_REMOVED),
		row("-5", "ns/op", PG_DECISION_REGRESSION),             /* only digits after '-' */
	};
	static const char *const want[] = {
		"BenchmarkHash", "BenchmarkSort", "BenchmarkParse", "BenchmarkCopy",
		"BenchmarkWalk-2x", "Benchmark-5", NULL
	};

	(void)state;
	check_suspects(rows, sizeof(rows) / sizeof(rows[0]), want);
}

static void test_no_suspect(void **state)
{
	pg_decide_row rows[] = {
		row("Hash", "ns/op", PG_DECISION_UNCHANGED),
		row("Sort/n=100", "ns/op", PG_DECISION_IMPROVEMENT),
	};
	static const char *const none[] = { NULL };
	char **names = (char **)1;
	size_t n = 99;

	(void)state;
	check_suspects(rows, 2, none);
	assert_int_equal(pg_ab_suspects(&names, &n, NULL), 0);
	assert_null(names);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_top_level_names),
		cmocka_unit_test(test_no_suspect),
	};

	return cmocka_run_group_tests_name("gate/gate_ab", tests, NULL, NULL);
}
