/*
 * The Go benchmark format of result lines (bench-runner/harness/format.c).
 * Expected strings follow Go's testing package: prettyPrint's table is
 * Go's own TestPrettyPrint (src/testing/benchmark_test.go), the line
 * layout is BenchmarkResult.String + MemString.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

static void expect_pretty(double v, const char *want)
{
	pg_bench_sb sb = PG_BENCH_SB_INIT;

	pg_bench_pretty(&sb, v, "x");
	assert_false(sb.failed);
	assert_string_equal(pg_bench_sb_str(&sb), want);
	pg_bench_sb_release(&sb);
}

static void test_pretty_print_go_table(void **state)
{
	(void)state;
	expect_pretty(0, "         0 x");
	expect_pretty(1234.1, "      1234 x");
	expect_pretty(-1234.1, "     -1234 x");
	expect_pretty(999.950001, "      1000 x");
	expect_pretty(999.949999, "       999.9 x");
	expect_pretty(99.9950001, "       100.0 x");
	expect_pretty(99.9949999, "        99.99 x");
	expect_pretty(-99.9949999, "       -99.99 x");
	expect_pretty(0.000999950001, "         0.001000 x");
	expect_pretty(0.000999949999, "         0.0009999 x");
	expect_pretty(0.0000999949999, "         0.0001000 x");
	/* the other steps */
	expect_pretty(12.5, "        12.50 x");
	expect_pretty(2.4, "         2.400 x");
	expect_pretty(0.4, "         0.4000 x");
	expect_pretty(0.05, "         0.05000 x");
}

static pg_bench_result base_result(void)
{
	pg_bench_result r;

	memset(&r, 0, sizeof(r));
	r.name = "BenchmarkSort/n=1000";
	r.n = 1000;
	r.ns = 12345000;
	return r;
}

static void expect_line(const pg_bench_result *r, int width, const char *want)
{
	pg_bench_sb sb = PG_BENCH_SB_INIT;

	pg_bench_format_result(&sb, r, width);
	assert_false(sb.failed);
	assert_string_equal(pg_bench_sb_str(&sb), want);
	pg_bench_sb_release(&sb);
}

static void test_go_result_string(void **state)
{
	pg_bench_result r;

	(void)state;
	memset(&r, 0, sizeof(r));
	r.name = "BenchmarkX";
	r.n = 100;
	r.ns = 240; /* Go's TestResultString */
	expect_line(&r, 0, "BenchmarkX\t     100\t         2.400 ns/op");
	r.ns = 40;
	expect_line(&r, 0, "BenchmarkX\t     100\t         0.4000 ns/op");
	r.ns = 0; /* Go omits a zero ns/op */
	expect_line(&r, 0, "BenchmarkX\t     100");
}

static void test_line_layout_with_padding(void **state)
{
	pg_bench_result r = base_result();

	(void)state;
	expect_line(&r, 23, "BenchmarkSort/n=1000   \t    1000\t     12345 ns/op");
	/* names longer than the width are not cut */
	expect_line(&r, 5, "BenchmarkSort/n=1000\t    1000\t     12345 ns/op");
}

static void test_mb_per_second(void **state)
{
	pg_bench_result r = base_result();

	(void)state;
	/* bytes * N / 1e6 / seconds = 1000 * 1000 / 1e6 / 0.012345 = 81.00 */
	r.bytes = 1000;
	expect_line(&r, 0, "BenchmarkSort/n=1000\t    1000\t     12345 ns/op\t  81.00 MB/s");
	/* 4096 bytes per op, 100 ops in 100 us: 4096 MB/s */
	r.n = 100;
	r.ns = 100000;
	r.bytes = 4096;
	expect_line(&r, 0, "BenchmarkSort/n=1000\t     100\t      1000 ns/op\t4096.00 MB/s");
}

static void test_memory_columns(void **state)
{
	pg_bench_result r = base_result();

	(void)state;
	r.bytes = 1000;
	r.mem = 1;
	r.mem_available = 1;
	r.alloc_bytes = 16000 + 999; /* integer division, as in Go */
	r.allocs = 1000;
	expect_line(&r, 23, "BenchmarkSort/n=1000   \t    1000\t     12345 ns/op\t"
			    "  81.00 MB/s\t      16 B/op\t       1 allocs/op");
	/* never fake numbers: no columns when counting is unavailable */
	r.mem_available = 0;
	expect_line(&r, 0, "BenchmarkSort/n=1000\t    1000\t     12345 ns/op\t  81.00 MB/s");
	/* not requested */
	r.mem = 0;
	r.mem_available = 1;
	expect_line(&r, 0, "BenchmarkSort/n=1000\t    1000\t     12345 ns/op\t  81.00 MB/s");
}

static void test_extra_metrics_sorted(void **state)
{
	pg_bench_metric m[3];
	pg_bench_result r = base_result();

	(void)state;
	memset(m, 0, sizeof(m));
	snprintf(m[0].unit, sizeof(m[0].unit), "zebras/op");
	m[0].value = 3;
	snprintf(m[1].unit, sizeof(m[1].unit), "apples/op");
	m[1].value = 2.5;
	snprintf(m[2].unit, sizeof(m[2].unit), "ns/node");
	m[2].value = 5.887;
	r.metrics = m;
	r.nmetrics = 3;
	r.has_instructions = 1;
	r.instructions = 25000;
	expect_line(&r, 0, "BenchmarkSort/n=1000\t    1000\t     12345 ns/op\t"
			    "         2.500 apples/op\t        25.00 instructions/op\t"
			    "         5.887 ns/node\t         3.000 zebras/op");
}

static void test_builtin_unit_overrides(void **state)
{
	pg_bench_metric m[4];
	pg_bench_result r = base_result();

	(void)state;
	memset(m, 0, sizeof(m));
	snprintf(m[0].unit, sizeof(m[0].unit), "ns/op");
	m[0].value = 7;
	snprintf(m[1].unit, sizeof(m[1].unit), "MB/s");
	m[1].value = 1.5;
	snprintf(m[2].unit, sizeof(m[2].unit), "B/op");
	m[2].value = 64;
	snprintf(m[3].unit, sizeof(m[3].unit), "instructions/op");
	m[3].value = 99;
	r.metrics = m;
	r.nmetrics = 4;
	r.mem = 1;
	r.mem_available = 1;
	r.has_instructions = 1;
	r.instructions = 1; /* the reported metric wins */
	expect_line(&r, 0, "BenchmarkSort/n=1000\t    1000\t         7.000 ns/op\t"
			    "   1.50 MB/s\t        99.00 instructions/op\t"
			    "      64 B/op\t       0 allocs/op");
	/* without the memory columns a reported B/op is still printed */
	r.mem = 0;
	expect_line(&r, 0, "BenchmarkSort/n=1000\t    1000\t         7.000 ns/op\t"
			    "   1.50 MB/s\t        64.00 B/op\t        99.00 instructions/op");
}

static void test_string_builder(void **state)
{
	pg_bench_sb sb = PG_BENCH_SB_INIT;
	int i;

	(void)state;
	assert_string_equal(pg_bench_sb_str(&sb), "");
	for (i = 0; i < 1000; i++)
		pg_bench_sb_addf(&sb, "%d,", i % 10);
	assert_int_equal(sb.len, 2000);
	assert_int_equal(strlen(pg_bench_sb_str(&sb)), 2000);
	pg_bench_sb_reset(&sb);
	assert_string_equal(pg_bench_sb_str(&sb), "");
	pg_bench_sb_add(&sb, "abc", 2);
	assert_string_equal(pg_bench_sb_str(&sb), "ab");
	pg_bench_sb_release(&sb);
	pg_bench_sb_release(&sb);
	pg_bench_sb_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pretty_print_go_table),
		cmocka_unit_test(test_go_result_string),
		cmocka_unit_test(test_line_layout_with_padding),
		cmocka_unit_test(test_mb_per_second),
		cmocka_unit_test(test_memory_columns),
		cmocka_unit_test(test_extra_metrics_sorted),
		cmocka_unit_test(test_builtin_unit_overrides),
		cmocka_unit_test(test_string_builder),
	};

	return cmocka_run_group_tests_name("format", tests, NULL, NULL);
}
