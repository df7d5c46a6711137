/* Tests of stats/gbench.c: Google Benchmark's JSON output.
 *
 * tests/stats/data/gbench_*.json are real outputs of libbenchmark 1.7.1
 * (see tests/stats/data/README); the suite reads them relative to the
 * repository root, where `make unit` runs it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "stats/stats_test.h"

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "stats/results.h"

#define DATA "tests/stats/data/"

static int parse(pg_results *r, const char *name, const char *text)
{
	return pg_results_parse_gbench(r, name, text, strlen(text));
}

static void expect_error(const char *name, const char *text, const char *msg)
{
	pg_results r;

	pg_results_init(&r);
	assert_int_equal(pg_results_parse(&r, "before.txt", "cpu: x\nBenchmarkA 1 5 ns/op\n",
					  strlen("cpu: x\nBenchmarkA 1 5 ns/op\n")), 0);
	if (parse(&r, name, text) != PG_EINPUT)
		fail_msg("no error for input:\n%s", text);
	assert_string_equal(pg_error_last(), msg);
	assert_int_equal(r.nseries, 1);
	assert_int_equal(r.nresults, 1);
	assert_int_equal(r.nconfig, 1);
	assert_values(find(&r, "A", "ns/op"), 1, 5.0);
	pg_results_release(&r);
}

/* Real output: --benchmark_format=json --benchmark_repetitions=3, with
 * the mean/median/stddev/cv aggregates, bytes and items per second, user
 * counters, microseconds and a name with "/repeats:3". */
static void test_real_repetitions(void **state)
{
	pg_buf data = PG_BUF_INIT;
	pg_results r;

	(void)state;
	assert_int_equal(pg_file_read(&data, DATA "gbench_repetitions.json"), 0);
	pg_results_init(&r);
	assert_int_equal(pg_results_parse(&r, "gbench_repetitions.json", data.ptr,
					  data.len), 0);
	assert_int_equal(r.nresults, 9); /* 3 benchmarks x 3 repetitions */

	assert_values(find(&r, "BM_Memcpy/64", "ns/op"), 3, 5.6540707855460486e+00,
		      5.5383273257082344e+00, 5.1036040328175654e+00);
	assert_values(find(&r, "BM_Memcpy/64", "cpu-ns/op"), 3,
		      4.2285840755625408e+00, 4.4256087639186914e+00,
		      4.2593662054642571e+00);
	assert_values(find(&r, "BM_Memcpy/64", "B/s"), 3, 1.5135089868465225e+10,
		      1.4461287342383760e+10, 1.5025709674339731e+10);
	assert_values(find(&r, "BM_Memcpy/64", "items/s"), 3,
		      2.3648577919476914e+08, 2.2595761472474626e+08,
		      2.3477671366155830e+08);
	assert_int_equal(find(&r, "BM_Memcpy/4096", "ns/op")->n, 3);
	/* microseconds to nanoseconds; "/repeats:3" dropped */
	assert_values(find(&r, "BM_Sum", "ns/op"), 3, 3.4029336734700788e-01 * 1e3,
		      2.7850397484588513e-01 * 1e3, 4.4474768628370132e-01 * 1e3);
	assert_values(find(&r, "BM_Sum", "cpu-ns/op"), 3, 2.8063468992248075e-01 * 1e3,
		      2.3834624663819021e-01 * 1e3, 3.5219656699889268e-01 * 1e3);
	assert_values(find(&r, "BM_Sum", "checks"), 3, 50568.0, 50568.0, 50568.0);
	assert_values(find(&r, "BM_Sum", "rate"), 3, 3.5633513457521172e+06,
		      4.1955768723222259e+06, 2.8393235303828050e+06);
	assert_null(pg_results_find(&r, "BM_Sum/repeats:3", "ns/op"));
	assert_null(pg_results_find(&r, "BM_Memcpy/64_mean", "ns/op"));
	assert_null(pg_results_find(&r, "BM_Memcpy/64", "iterations"));
	assert_null(pg_results_find(&r, "BM_Memcpy/64", "repetition_index"));
	assert_null(pg_results_find(&r, "BM_Memcpy/64", "threads"));
	assert_int_equal(r.nseries, 4 + 4 + 4);
	assert_string_equal(r.series[0].name, "BM_Memcpy/64");
	assert_string_equal(r.series[0].unit, "ns/op");
	assert_string_equal(r.series[1].unit, "cpu-ns/op");

	/* the context's scalars */
	assert_string_equal(pg_results_config(&r, "host_name"), "vm");
	assert_string_equal(pg_results_config(&r, "num_cpus"), "2");
	assert_string_equal(pg_results_config(&r, "mhz_per_cpu"), "2445");
	assert_string_equal(pg_results_config(&r, "cpu_scaling_enabled"), "false");
	assert_string_equal(pg_results_config(&r, "library_build_type"), "debug");
	assert_string_equal(pg_results_config(&r, "executable"), "./x");
	assert_non_null(pg_results_config(&r, "date"));
	assert_null(pg_results_config(&r, "caches"));
	assert_null(pg_results_config(&r, "load_avg"));
	assert_string_equal(r.config[0].key, "date");
	pg_results_release(&r);
	pg_buf_release(&data);
}

#define AGGREGATES_ONLY                                                        \
	"no benchmark results, only aggregates (drop "                         \
	"--benchmark_report_aggregates_only or "                               \
	"--benchmark_display_aggregates_only to get the repetitions)"

/* Real output with --benchmark_report_aggregates_only: the mean, median,
 * stddev and cv of each benchmark but no repetition, nothing to test. */
static void test_real_aggregates_only(void **state)
{
	pg_buf data = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_file_read(&data, DATA "gbench_aggregates_only.json"), 0);
	expect_error("gbench_aggregates_only.json", data.ptr,
		     "'gbench_aggregates_only.json': " AGGREGATES_ONLY);
	pg_buf_release(&data);
}

static void test_real_error(void **state)
{
	pg_buf data = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_file_read(&data, DATA "gbench_error.json"), 0);
	expect_error("gbench_error.json", data.ptr,
		     "'gbench_error.json': benchmark 'BM_Fails' failed: resource not available");
	pg_buf_release(&data);
}

static void test_time_units(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "t.json",
			       "{\"benchmarks\": ["
			       "{\"name\": \"ns\", \"iterations\": 1, \"run_type\": \"iteration\", \"real_time\": 1.5, \"cpu_time\": 1, \"time_unit\": \"ns\"},"
			       "{\"name\": \"us\", \"iterations\": 1, \"run_type\": \"iteration\", \"real_time\": 1.5, \"cpu_time\": 1, \"time_unit\": \"us\"},"
			       "{\"name\": \"ms\", \"iterations\": 1, \"run_type\": \"iteration\", \"real_time\": 1.5, \"cpu_time\": 1, \"time_unit\": \"ms\"},"
			       "{\"name\": \"s\", \"iterations\": 1, \"run_type\": \"iteration\", \"real_time\": 1.5, \"cpu_time\": 2, \"time_unit\": \"s\"},"
			       "{\"name\": \"none\", \"iterations\": 1, \"real_time\": 7, \"cpu_time\": 8},"
			       "{\"name\": \"int\", \"iterations\": 1, \"real_time\": 3, \"time_unit\": \"us\"}"
			       "]}"),
			 0);
	assert_values(find(&r, "ns", "ns/op"), 1, 1.5);
	assert_values(find(&r, "us", "ns/op"), 1, 1500.0);
	assert_values(find(&r, "ms", "ns/op"), 1, 1500000.0);
	assert_values(find(&r, "s", "ns/op"), 1, 1.5e9);
	assert_values(find(&r, "s", "cpu-ns/op"), 1, 2e9);
	assert_values(find(&r, "none", "ns/op"), 1, 7.0);
	assert_values(find(&r, "none", "cpu-ns/op"), 1, 8.0);
	assert_values(find(&r, "int", "ns/op"), 1, 3000.0);
	assert_null(pg_results_find(&r, "int", "cpu-ns/op"));
	assert_int_equal(r.nresults, 6);
	pg_results_release(&r);
	expect_error("t.json",
		     "{\"benchmarks\": [{\"name\": \"BM_X\", \"real_time\": 1, \"time_unit\": \"min\"}]}",
		     "'t.json': benchmark 'BM_X': unknown time unit 'min'");
	expect_error("t.json",
		     "{\"benchmarks\": [{\"name\": \"BM_X\", \"real_time\": 1, \"time_unit\": 3}]}",
		     "'t.json': benchmark 'BM_X': 'time_unit' is not a string");
	expect_error("t.json", "{\"benchmarks\": [{\"name\": \"BM_X\", \"cpu_time\": 1}]}",
		     "'t.json': benchmark 'BM_X': no 'real_time'");
	expect_error("t.json",
		     "{\"benchmarks\": [{\"name\": \"BM_X\", \"iterations\": 1, \"real_time\": 1e300, \"time_unit\": \"s\"}]}",
		     "'t.json': benchmark 'BM_X': 'ns/op' is out of range");
}

/* Library versions before 1.5: no run_name, no run_type; aggregates
 * told by their names and members. */
static void test_old_versions(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "old.json",
			       "{\"context\": {\"num_cpus\": 8, \"mhz_per_cpu\": 2600.5, \"load\": null},"
			       " \"benchmarks\": ["
			       "{\"name\": \"BM_A/8/repeats:2\", \"iterations\": 10, \"real_time\": 100, \"cpu_time\": 90, \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_A/8/repeats:2\", \"iterations\": 10, \"real_time\": 110, \"cpu_time\": 95, \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_A/8/repeats:2_mean\", \"iterations\": 10, \"real_time\": 105, \"cpu_time\": 92, \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_A/8/repeats:2_median\", \"real_time\": 105, \"cpu_time\": 92, \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_A/8/repeats:2_stddev\", \"real_time\": 5, \"cpu_time\": 2, \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_B_mean\", \"aggregate_name\": \"mean\", \"real_time\": 5, \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_C_BigO\", \"cpu_coefficient\": 1.2, \"real_coefficient\": 1.3, \"big_o\": \"N\", \"time_unit\": \"ns\"},"
			       "{\"name\": \"BM_C_RMS\", \"rms\": 0.1},"
			       "{\"name\": \"BM_C/8\", \"iterations\": 1, \"real_time\": 1, \"label\": \"text\", \"items_per_second\": 3e6, \"Flops\": 12}"
			       "]}"),
			 0);
	assert_int_equal(r.nresults, 3);
	assert_values(find(&r, "BM_A/8", "ns/op"), 2, 100.0, 110.0);
	assert_values(find(&r, "BM_A/8", "cpu-ns/op"), 2, 90.0, 95.0);
	assert_values(find(&r, "BM_C/8", "items/s"), 1, 3e6);
	assert_values(find(&r, "BM_C/8", "Flops"), 1, 12.0);
	assert_null(pg_results_find(&r, "BM_C/8", "label"));
	assert_int_equal(r.nseries, 5);
	assert_string_equal(pg_results_config(&r, "num_cpus"), "8");
	assert_string_equal(pg_results_config(&r, "mhz_per_cpu"), "2600.5");
	assert_null(pg_results_config(&r, "load"));
	pg_results_release(&r);
}

static void test_skipped_and_names(void **state)
{
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "s.json",
			       "{\"benchmarks\": ["
			       "{\"name\": \"BM_S\", \"run_name\": \"BM_S\", \"run_type\": \"iteration\", \"skipped\": true, \"skip_message\": \"no GPU\", \"real_time\": 0},"
			       "{\"name\": \"BM_T/threads:2\", \"iterations\": 1, \"run_name\": \"BM_T/threads:2\", \"run_type\": \"iteration\", \"threads\": 2, \"real_time\": 4},"
			       "{\"name\": \"BM_T/threads:2_mean\", \"run_name\": \"BM_T/threads:2\", \"run_type\": \"aggregate\", \"aggregate_name\": \"mean\", \"real_time\": 4},"
			       "{\"name\": \"shown name\", \"iterations\": 1, \"run_name\": \"BM_R/real_time/repeats:10\", \"run_type\": \"iteration\", \"real_time\": 5},"
			       "{\"name\": \"BM_N/repeats:\", \"iterations\": 1, \"run_type\": \"iteration\", \"real_time\": 6},"
			       "{\"name\": \"BM_M/xrepeats:3\", \"iterations\": 1, \"run_type\": \"iteration\", \"real_time\": 7}"
			       "]}"),
			 0);
	assert_null(pg_results_find(&r, "BM_S", "ns/op"));
	assert_values(find(&r, "BM_T/threads:2", "ns/op"), 1, 4.0);
	assert_values(find(&r, "BM_R/real_time", "ns/op"), 1, 5.0);
	assert_values(find(&r, "BM_N/repeats:", "ns/op"), 1, 6.0);
	assert_values(find(&r, "BM_M/xrepeats:3", "ns/op"), 1, 7.0);
	assert_int_equal(r.nresults, 4);
	pg_results_release(&r);
	expect_error("s.json",
		     "{\"benchmarks\": [{\"name\": \"BM_S\", \"run_type\": \"iteration\", \"skipped\": true}]}",
		     "'s.json': no benchmark results");
	expect_error("s.json",
		     "{\"benchmarks\": [{\"name\": \"BM_S\", \"run_type\": \"aggregate\", \"real_time\": 1}]}",
		     "'s.json': " AGGREGATES_ONLY);
	expect_error("s.json", "{\"context\": {}, \"benchmarks\": []}",
		     "'s.json': no benchmark results");
	expect_error("s.json",
		     "{\"benchmarks\": [{\"name\": \"BM_E\", \"run_type\": \"iteration\", \"error_occurred\": true, \"real_time\": 0}]}",
		     "'s.json': benchmark 'BM_E' failed: unknown error");
	expect_error("s.json",
		     "{\"benchmarks\": [{\"name\": \"BM_E\\n2\", \"error_occurred\": true, \"error_message\": \"line 1\\nline 2\"}]}",
		     "'s.json': benchmark 'BM_E 2' failed: line 1 line 2");
	expect_error("s.json",
		     "{\"benchmarks\": [{\"name\": \"BM_A\", \"iterations\": 1, \"real_time\": 1}, {\"run_type\": \"iteration\", \"real_time\": 1}]}",
		     "'s.json': benchmarks[1] has no name");
	expect_error("s.json", "{\"benchmarks\": [{\"name\": \"BM_A\", \"iterations\": 1, \"real_time\": 1}, 3]}",
		     "'s.json': benchmarks[1] is not an object");
}

/* A run of BM_X in x.json with "iterations": <value> is refused with
 * "'x.json': benchmark 'BM_X': <msg>". */
static void expect_iterations_error(const char *value, const char *msg)
{
	char text[256], want[256];

	snprintf(text, sizeof(text),
		 "{\"benchmarks\": [{\"name\": \"BM_X\", \"iterations\": %s, \"real_time\": 1}]}",
		 value);
	snprintf(want, sizeof(want), "'x.json': benchmark 'BM_X': %s", msg);
	expect_error("x.json", text, want);
}

/* Iteration counts and times are checked: Google Benchmark writes a
 * positive "iterations" for every run it measured, and times are never
 * negative. */
static void test_iterations_and_times(void **state)
{
	pg_results r;
	const pg_series *s;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(parse(&r, "i.json",
			       "{\"benchmarks\": ["
			       "{\"name\": \"BM_X\", \"iterations\": 1000, \"real_time\": 0, \"cpu_time\": 0},"
			       "{\"name\": \"BM_X\", \"iterations\": 9223372036854775807, \"real_time\": 2},"
			       "{\"name\": \"BM_S\", \"run_type\": \"iteration\", \"skipped\": true, \"iterations\": 0, \"real_time\": 0},"
			       "{\"name\": \"BM_X_mean\", \"run_type\": \"aggregate\", \"iterations\": \"n/a\", \"real_time\": -1}"
			       "]}"),
			 0);
	s = find(&r, "BM_X", "ns/op");
	assert_values(s, 2, 0.0, 2.0);
	assert_int_equal(s->iters[0], 1000);
	assert_true(s->iters[1] == 9223372036854775807ULL);
	assert_values(find(&r, "BM_X", "cpu-ns/op"), 1, 0.0);
	assert_int_equal(find(&r, "BM_X", "cpu-ns/op")->iters[0], 1000);
	assert_null(pg_results_find(&r, "BM_S", "ns/op"));
	assert_int_equal(r.nresults, 2);
	pg_results_release(&r);

	expect_iterations_error("-3", "iteration count '-3' is not positive");
	expect_iterations_error("0", "iteration count '0' is not positive");
	expect_iterations_error("\"abc\"", "invalid iteration count '\"abc\"'");
	expect_iterations_error("2.5", "invalid iteration count '2.5'");
	expect_iterations_error("null", "invalid iteration count 'null'");
	/* one line, ASCII, at most 64 bytes of the value */
	expect_error("x.json",
		     "{\"benchmarks\": [{\"name\": \"BM_\\nX\", \"iterations\": "
		     "\"a\\nb\\u00e9 0123456789012345678901234567890123456789012345678901234567890123456789\","
		     " \"real_time\": 1}]}",
		     "'x.json': benchmark 'BM_ X': invalid iteration count "
		     "'\"a\\nb\\u00E9 0123456789012345678901234567890123456789012345678901...'");
	expect_error("x.json",
		     "{\"benchmarks\": [{\"name\": \"BM_A\", \"iterations\": 5, \"real_time\": 1},"
		     " {\"name\": \"BM_X\", \"run_type\": \"iteration\", \"real_time\": 1}]}",
		     "'x.json': benchmark 'BM_X': no 'iterations'");
	expect_error("x.json",
		     "{\"benchmarks\": [{\"name\": \"BM_X\", \"iterations\": 5, \"real_time\": -3}]}",
		     "'x.json': benchmark 'BM_X': 'real_time' is negative: -3");
	expect_error("x.json",
		     "{\"benchmarks\": [{\"name\": \"BM_X\", \"iterations\": 5, \"real_time\": 1,"
		     " \"cpu_time\": -0.25, \"time_unit\": \"us\"}]}",
		     "'x.json': benchmark 'BM_X': 'cpu_time' is negative: -0.25");
}

static void test_invalid_json(void **state)
{
	(void)state;
	expect_error("x.json", "{\n  \"benchmarks\": [\n    {,\n",
		     "'x.json':3:6: invalid JSON: string or '}' expected near ','");
	expect_error("x.json", "{\"benchmarks\": []", 
		     "'x.json':1:17: invalid JSON: '}' expected near end of file");
	expect_error("x.json", "{\"benchmarks\": [{\"name\": \"a\", \"real_time\": NaN}]}",
		     "'x.json':1:46: invalid JSON: invalid token near 'NaN'");
	expect_error("x.json", "{\"benchmarks\": [{\"name\": \"a\", \"real_time\": 1e999}]}",
		     "'x.json':1:48: invalid JSON: real number overflow near '1e999'");
	expect_error("x.json", "{\"a\": 1} trailing",
		     "'x.json':1:17: invalid JSON: end of file expected near 'trailing'");
	expect_error("x.json", "[1, 2]",
		     "'x.json': not Google Benchmark JSON output (no 'benchmarks' array)");
	expect_error("x.json", "{\"benchmarks\": {}}",
		     "'x.json': not Google Benchmark JSON output (no 'benchmarks' array)");
	expect_error("x.json", "", "'x.json': empty file");
	expect_error("x.json", " \n\t", "'x.json': empty file");
	expect_error("x.json", "{\n\"benchmarks\": [\x01]}", "x.json:2: binary data");
}

static void test_all_or_nothing(void **state)
{
	(void)state;
	/* an error after good runs and context: nothing of it is kept */
	expect_error("x.json",
		     "{\"context\": {\"host_name\": \"h\"}, \"benchmarks\": ["
		     "{\"name\": \"A\", \"iterations\": 1, \"real_time\": 1},"
		     "{\"name\": \"BM_New\", \"iterations\": 1, \"real_time\": 2, \"x\": 3},"
		     "{\"name\": \"BM_Bad\", \"real_time\": 1, \"time_unit\": \"m\"}]}",
		     "'x.json': benchmark 'BM_Bad': unknown time unit 'm'");
}

/* pg_results_parse() tells the formats apart and merges them. */
static void test_detection_and_merge(void **state)
{
	static const char json[] = "\n  {\"benchmarks\": [{\"name\": \"A\", \"iterations\": 1, \"real_time\": 2}]}";
	static const char go[] = "\nBenchmarkA 1 3 ns/op\n";
	static const char bom[] =
		"\xef\xbb\xbf{\"benchmarks\": [{\"name\": \"A\", \"iterations\": 1, \"real_time\": 4}]}";
	pg_results r;

	(void)state;
	pg_results_init(&r);
	assert_int_equal(pg_results_parse(&r, "a.json", json, sizeof(json) - 1), 0);
	assert_int_equal(pg_results_parse(&r, "a.txt", go, sizeof(go) - 1), 0);
	assert_int_equal(pg_results_parse(&r, "b.json", json, sizeof(json) - 1), 0);
	assert_values(find(&r, "A", "ns/op"), 3, 2.0, 3.0, 2.0);
	assert_int_equal(r.nresults, 3);
	assert_int_equal(pg_results_parse(&r, "c.json", "{", 1), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "'c.json':1:1: invalid JSON: string or '}' expected near end of file");
	assert_int_equal(pg_results_parse(&r, "c.txt", "   \n", 4), PG_EINPUT);
	assert_string_equal(pg_error_last(), "'c.txt': empty file");
	assert_int_equal(pg_results_parse(&r, "d.json", bom, strlen(bom)), 0);
	assert_values(find(&r, "A", "ns/op"), 4, 2.0, 3.0, 2.0, 4.0);
	pg_results_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_real_repetitions),
		cmocka_unit_test(test_real_error),
		cmocka_unit_test(test_real_aggregates_only),
		cmocka_unit_test(test_time_units),
		cmocka_unit_test(test_old_versions),
		cmocka_unit_test(test_skipped_and_names),
		cmocka_unit_test(test_iterations_and_times),
		cmocka_unit_test(test_invalid_json),
		cmocka_unit_test(test_all_or_nothing),
		cmocka_unit_test(test_detection_and_merge),
	};

	return cmocka_run_group_tests_name("gbench", tests, NULL, NULL);
}
