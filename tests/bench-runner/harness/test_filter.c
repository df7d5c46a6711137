/*
 * -bench / -list regular expressions (bench-runner/harness/filter.c),
 * split and matched per level like Go's testing package (match.go).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

static char err[512];

/* 1 = match, 2 = partial match, 0 = no match */
static int m(const char *pattern, const char *name)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	int partial = -1, ok;

	if (pg_bench_filter_compile(&f, pattern, 1, err, sizeof(err)))
		fail_msg("'%s': %s", pattern, err);
	ok = pg_bench_filter_match(&f, name, &partial);
	pg_bench_filter_release(&f);
	assert_true(partial == 0 || partial == 1);
	return ok ? 1 + partial : 0;
}

static void test_one_level(void **state)
{
	(void)state;
	assert_int_equal(m(".", "Sort"), 1);
	assert_int_equal(m(".", "Sort/n=100"), 1);
	assert_int_equal(m("Sort", "Sort/n=100"), 1);
	assert_int_equal(m("ort", "Sort"), 1);
	assert_int_equal(m("Hash", "Sort"), 0);
	assert_int_equal(m("", "Sort"), 1);
}

static void test_first_level_with_and_without_prefix(void **state)
{
	(void)state;
	/* as go test: the full name "BenchmarkSort" */
	assert_int_equal(m("^BenchmarkSort$", "Sort"), 1);
	assert_int_equal(m("kSort", "Sort"), 1);
	/* and the name without the prefix */
	assert_int_equal(m("^Sort$", "Sort"), 1);
	assert_int_equal(m("^Sort$", "SortFast"), 0);
	assert_int_equal(m("^BenchmarkSort$", "SortFast"), 0);
	/* only the first level has a prefix */
	assert_int_equal(m("Sort/^Benchmarkn", "Sort/n=1"), 0);
}

static void test_levels(void **state)
{
	(void)state;
	assert_int_equal(m("^Sort/n=100$", "Sort/n=100"), 1);
	assert_int_equal(m("^Sort/n=100$", "Sort/n=1000"), 0);
	assert_int_equal(m("^Sort/n=10", "Sort/n=1000"), 1);
	assert_int_equal(m("Sort/n=100", "Hash/n=100"), 0);
	/* the parent matches partially: its sub-benchmarks may match */
	assert_int_equal(m("^Sort/n=100$", "Sort"), 2);
	assert_int_equal(m("Sort/", "Sort"), 2);
	assert_int_equal(m("Sort/", "Sort/anything"), 1);
	/* names deeper than the filter match on the levels given */
	assert_int_equal(m("Sort/n=1", "Sort/n=1/deep"), 1);
	assert_int_equal(m("/n=1", "Hash/n=1"), 1);
	assert_int_equal(m("/n=1", "Hash/m=1"), 0);
}

static void test_slash_inside_brackets_and_parens(void **state)
{
	(void)state;
	/* '/' inside [] or () does not split */
	assert_int_equal(m("^a[/]b$", "a/b"), 0); /* one level "a/b" vs "a" */
	assert_int_equal(m("(x/y)", "Sort"), 0);
	assert_int_equal(m("Sort/(n=1|n=2)$", "Sort/n=2"), 1);
	assert_int_equal(m("Sort/(n=1|n=2)$", "Sort/n=3"), 0);
	assert_int_equal(m("Sort/n=\\/", "Sort/n=1"), 0);
}

static void test_top_level_alternatives(void **state)
{
	(void)state;
	/* a top-level '|' separates alternatives, each split at '/' */
	assert_int_equal(m("^Hash$|^Sort/n=1$", "Hash"), 1);
	assert_int_equal(m("^Hash$|^Sort/n=1$", "Sort/n=1"), 1);
	assert_int_equal(m("^Hash$|^Sort/n=1$", "Sort/n=2"), 0);
	assert_int_equal(m("^Hash$|^Sort/n=1$", "Sort"), 2);
	assert_int_equal(m("^Hash$|^Sort/n=1$", "JSON"), 0);
}

static void test_unsplit_for_list(void **state)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;

	(void)state;
	assert_int_equal(pg_bench_filter_compile(&f, "a/b|Sort", 0, err, sizeof(err)), 0);
	assert_int_equal(f.nalts, 1);
	assert_int_equal(f.alts[0].nlevels, 1);
	assert_int_equal(pg_bench_filter_match(&f, "Sort", NULL), 1);
	assert_int_equal(pg_bench_filter_match(&f, "Hash", NULL), 0);
	pg_bench_filter_release(&f);
}

static void test_invalid_regex(void **state)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;

	(void)state;
	assert_int_equal(pg_bench_filter_compile(&f, "Sort/(n=1", 1, err, sizeof(err)), -1);
	assert_null(f.alts);
	assert_non_null(strstr(err, "invalid regular expression '(n=1' (in 'Sort/(n=1'): "));
	assert_int_equal(pg_bench_filter_compile(&f, "a[", 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "invalid regular expression 'a[': "));
	pg_bench_filter_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_one_level),
		cmocka_unit_test(test_first_level_with_and_without_prefix),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_slash_inside_brackets_and_parens),
		cmocka_unit_test(test_top_level_alternatives),
		cmocka_unit_test(test_unsplit_for_list),
		cmocka_unit_test(test_invalid_regex),
	};

	return cmocka_run_group_tests_name("filter", tests, NULL, NULL);
}
