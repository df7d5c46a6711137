/*
 * Command-line parsing of suites (bench-runner/harness/flags.c): go test
 * spellings, -benchtime durations and counts, errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

static char err[512];

/* Parse a NULL-terminated list of arguments (argv[0] is added). */
static int parse(pg_bench_opts *o, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"suite";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	pg_bench_opts_init(o);
	err[0] = '\0';
	return pg_bench_parse_flags(o, argc, argv, err, sizeof(err));
}

static void test_defaults(void **state)
{
	static const char *const args[] = { NULL };
	pg_bench_opts o;

	(void)state;
	assert_int_equal(parse(&o, args), 0);
	assert_string_equal(o.bench, ".");
	assert_null(o.list);
	assert_int_equal(o.benchtime_ns, 1000000000u);
	assert_int_equal(o.benchtime_n, 0);
	assert_int_equal(o.count, 1);
	assert_false(o.benchmem);
	assert_true(o.instructions);
	assert_null(o.cpuprofile);
	assert_false(o.help);
}

static void test_go_spellings(void **state)
{
	static const char *const a1[] = { "-bench", "Sort", "-count", "3", "-benchmem",
					  "-benchtime", "100x", NULL };
	static const char *const a2[] = { "-test.bench=^Hash$", "--test.count=7",
					  "--benchtime=200ms", "-test.benchmem=true",
					  "-instructions=false", NULL };
	static const char *const a3[] = { "--bench", "x", "-test.list", "Sort",
					  "-test.run=^$", "-benchmem=0", "--", NULL };
	pg_bench_opts o;

	(void)state;
	assert_int_equal(parse(&o, a1), 0);
	assert_string_equal(o.bench, "Sort");
	assert_int_equal(o.count, 3);
	assert_true(o.benchmem);
	assert_int_equal(o.benchtime_n, 100);
	assert_int_equal(o.benchtime_ns, 0);

	assert_int_equal(parse(&o, a2), 0);
	assert_string_equal(o.bench, "^Hash$");
	assert_int_equal(o.count, 7);
	assert_int_equal(o.benchtime_ns, 200000000u);
	assert_int_equal(o.benchtime_n, 0);
	assert_true(o.benchmem);
	assert_false(o.instructions);

	assert_int_equal(parse(&o, a3), 0);
	assert_string_equal(o.bench, "x");
	assert_string_equal(o.list, "Sort");
	assert_false(o.benchmem);
}

static void test_cpuprofile_and_help_are_parsed(void **state)
{
	static const char *const a1[] = { "-cpuprofile", "cpu.out", NULL };
	static const char *const a2[] = { "-h", NULL };
	static const char *const a3[] = { "--help", NULL };
	static const char *const a4[] = { "-test.cpuprofile=prof", "--cpuprofilerate", "1000",
					  "-trimpath=/home/me/", NULL };
	static const char *const bad_rate[] = { "-cpuprofilerate", "10001", NULL };
	static const char *const bad_rate2[] = { "-cpuprofilerate=x", NULL };
	static const char *const empty[] = { "-cpuprofile=", NULL };
	pg_bench_opts o;

	(void)state;
	pg_bench_opts_init(&o);
	assert_int_equal(o.cpuprofile_rate, 100);
	assert_null(o.trimpath);
	assert_int_equal(parse(&o, a1), 0);
	assert_string_equal(o.cpuprofile, "cpu.out");
	assert_int_equal(parse(&o, a4), 0);
	assert_string_equal(o.cpuprofile, "prof");
	assert_int_equal(o.cpuprofile_rate, 1000);
	assert_string_equal(o.trimpath, "/home/me/");
	assert_int_equal(parse(&o, bad_rate), -1);
	assert_string_equal(err, "invalid -cpuprofilerate '10001': not an integer from 1 to "
				 "10000 (Hz)");
	assert_int_equal(parse(&o, bad_rate2), -1);
	assert_string_equal(err, "invalid -cpuprofilerate 'x': not an integer from 1 to "
				 "10000 (Hz)");
	assert_int_equal(parse(&o, empty), -1);
	assert_string_equal(err, "invalid -cpuprofile '': an empty directory name");
	assert_int_equal(parse(&o, a2), 0);
	assert_true(o.help);
	assert_int_equal(parse(&o, a3), 0);
	assert_true(o.help);
}

static void expect_error(const char *const *args, const char *msg)
{
	pg_bench_opts o;

	assert_int_equal(parse(&o, args), -1);
	assert_string_equal(err, msg);
}

static void test_errors(void **state)
{
	static const char *const unknown[] = { "-frobnicate", NULL };
	static const char *const unknown_eq[] = { "--bench-time=1s", NULL };
	static const char *const missing[] = { "-bench", NULL };
	static const char *const count0[] = { "-count", "0", NULL };
	static const char *const count_x[] = { "-count=3x", NULL };
	static const char *const bad_bool[] = { "-benchmem=yes", NULL };
	static const char *const positional[] = { "Sort", NULL };
	static const char *const after_dashes[] = { "--", "x", NULL };
	static const char *const bad_n[] = { "-benchtime", "0x", NULL };
	static const char *const bad_unit[] = { "-benchtime", "1", NULL };
	static const char *const bad_unit2[] = { "-benchtime", "3sec", NULL };
	static const char *const negative[] = { "-benchtime", "-1s", NULL };

	(void)state;
	expect_error(unknown, "unknown flag '-frobnicate'");
	expect_error(unknown_eq, "unknown flag '--bench-time'");
	expect_error(missing, "flag '-bench' needs an argument");
	expect_error(count0, "invalid -count '0': not a positive integer");
	expect_error(count_x, "invalid -count '3x': not a positive integer");
	expect_error(bad_bool, "invalid boolean value 'yes' for flag '-benchmem'");
	expect_error(positional, "unexpected argument 'Sort'");
	expect_error(after_dashes, "unexpected argument 'x'");
	expect_error(bad_n, "invalid -benchtime '0x': the count must be a positive integer");
	expect_error(bad_unit, "invalid -benchtime '1': missing unit (ns, us, ms, s, m, h)");
	expect_error(bad_unit2, "invalid -benchtime '3sec': unknown unit (ns, us, ms, s, m, h)");
	expect_error(negative, "invalid -benchtime '-1s': must not have a sign");
}

static void expect_duration(const char *s, uint64_t want)
{
	uint64_t got = 12345;

	err[0] = '\0';
	if (pg_bench_parse_duration(&got, s, err, sizeof(err)))
		fail_msg("'%s': %s", s, err);
	assert_int_equal(got, want);
}

static void test_durations(void **state)
{
	(void)state;
	expect_duration("1s", 1000000000u);
	expect_duration("0.5s", 500000000u);
	expect_duration(".5s", 500000000u);
	expect_duration("200ms", 200000000u);
	expect_duration("1m30s", 90000000000ull);
	expect_duration("1.5h", 5400000000000ull);
	expect_duration("100us", 100000u);
	expect_duration("100\xc2\xb5s", 100000u);
	expect_duration("250ns", 250u);
	expect_duration("1h2m3s4ms5us6ns", 3723004005006ull);
	expect_duration("0", 0);
	expect_duration("0s", 0);
}

static void test_benchtime(void **state)
{
	uint64_t ns = 1, n = 1;

	(void)state;
	assert_int_equal(pg_bench_parse_benchtime(&ns, &n, "500x", err, sizeof(err)), 0);
	assert_int_equal(n, 500);
	assert_int_equal(ns, 0);
	assert_int_equal(pg_bench_parse_benchtime(&ns, &n, "2s", err, sizeof(err)), 0);
	assert_int_equal(n, 0);
	assert_int_equal(ns, 2000000000u);
	assert_int_equal(pg_bench_parse_benchtime(&ns, &n, "x", err, sizeof(err)), -1);
	assert_int_equal(pg_bench_parse_benchtime(&ns, &n, "1.5x", err, sizeof(err)), -1);
	assert_int_equal(pg_bench_parse_benchtime(&ns, &n, "99999999999999999999x", err,
						  sizeof(err)), -1);
	assert_int_equal(pg_bench_parse_benchtime(&ns, &n, "99999999999h", err,
						  sizeof(err)), -1);
	assert_string_equal(err, "invalid -benchtime '99999999999h': out of range");
}

/* PERFGATE_BENCHTIME is the default -benchtime (perfgate gate --quick sets
 * it); the flag overrides it; an invalid value is named as the variable */
static void test_benchtime_from_the_environment(void **state)
{
	static char *flag[] = { "suite", "-benchtime", "2s", NULL };
	static char *count[] = { "suite", "--test.benchtime=50x", NULL };
	static char *other[] = { "suite", "-count", "3", NULL };
	pg_bench_opts o;

	(void)state;
	pg_bench_opts_init(&o);
	assert_int_equal(pg_bench_opts_env(&o, "100ms", err, sizeof(err)), 0);
	assert_int_equal(pg_bench_parse_flags(&o, 3, other, err, sizeof(err)), 0);
	assert_int_equal(o.benchtime_ns, 100000000u);
	assert_int_equal(o.benchtime_n, 0);
	assert_int_equal(o.count, 3);

	pg_bench_opts_init(&o);
	assert_int_equal(pg_bench_opts_env(&o, "100ms", err, sizeof(err)), 0);
	assert_int_equal(pg_bench_parse_flags(&o, 3, flag, err, sizeof(err)), 0);
	assert_int_equal(o.benchtime_ns, 2000000000u);
	assert_int_equal(o.benchtime_n, 0);

	pg_bench_opts_init(&o);
	assert_int_equal(pg_bench_opts_env(&o, "100ms", err, sizeof(err)), 0);
	assert_int_equal(pg_bench_parse_flags(&o, 2, count, err, sizeof(err)), 0);
	assert_int_equal(o.benchtime_n, 50);
	assert_int_equal(o.benchtime_ns, 0);

	pg_bench_opts_init(&o);
	assert_int_equal(pg_bench_opts_env(&o, "7x", err, sizeof(err)), 0);
	assert_int_equal(o.benchtime_n, 7);
	assert_int_equal(o.benchtime_ns, 0);

	/* unset or empty: the default */
	pg_bench_opts_init(&o);
	assert_int_equal(pg_bench_opts_env(&o, NULL, err, sizeof(err)), 0);
	assert_int_equal(pg_bench_opts_env(&o, "", err, sizeof(err)), 0);
	assert_int_equal(o.benchtime_ns, 1000000000u);
	assert_int_equal(o.benchtime_n, 0);

	err[0] = '\0';
	assert_int_equal(pg_bench_opts_env(&o, "3sec", err, sizeof(err)), -1);
	assert_string_equal(err, "invalid PERFGATE_BENCHTIME '3sec': unknown unit "
			    "(ns, us, ms, s, m, h)");
	assert_int_equal(pg_bench_opts_env(&o, "0x", err, sizeof(err)), -1);
	assert_string_equal(err, "invalid PERFGATE_BENCHTIME '0x': the count must be a "
			    "positive integer");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_go_spellings),
		cmocka_unit_test(test_cpuprofile_and_help_are_parsed),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_durations),
		cmocka_unit_test(test_benchtime),
		cmocka_unit_test(test_benchtime_from_the_environment),
	};

	return cmocka_run_group_tests_name("flags", tests, NULL, NULL);
}
