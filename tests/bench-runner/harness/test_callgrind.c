/*
 * The harness's callgrind mode (bench-runner/harness/callgrind.c and its
 * use by the timer in bench.c): fake client requests simulate callgrind
 * exactly -- an event counter that runs only while collection is on, is
 * cleared by zero() and by dump(), and whose value each dump records --
 * so the tests can check that every dump holds exactly the timed regions
 * of the reported call of N iterations: no set-up before
 * pg_bench_reset_timer(), no code with the timer stopped, no N = 1
 * calibration call, no earlier autoscaling call, no parent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

/* ------------------------------------------------------------ fake callgrind */

static int collecting;
static uint64_t events;     /* "Ir" since the last zero or dump */
static int redundant_calls; /* collect() calls that changed nothing */

#define MAX_DUMPS 64

static char dump_names[MAX_DUMPS][128];
static uint64_t dump_events[MAX_DUMPS];
static size_t ndumps;

static void fake_collect(int on)
{
	if (on == collecting)
		redundant_calls++;
	collecting = on;
}

static void fake_zero(void)
{
	events = 0;
}

static void fake_dump(const char *what)
{
	assert_true(ndumps < MAX_DUMPS);
	snprintf(dump_names[ndumps], sizeof(dump_names[0]), "%s", what);
	dump_events[ndumps++] = events;
	events = 0; /* callgrind zeroes after a dump */
}

static const pg_bench_callgrind_ops fake_ops = { fake_collect, fake_zero, fake_dump };

/* Execute `n` instructions (counted only while collecting) taking `ns`. */
static uint64_t fake_now;

static void work(uint64_t n, uint64_t ns)
{
	if (collecting)
		events += n;
	fake_now += ns;
}

static uint64_t fake_clock(void)
{
	return fake_now;
}

static void ignore_result(void *ctx, const pg_bench_result *r)
{
	(void)ctx;
	(void)r;
	/* a result printed while collecting would be counted */
	assert_false(collecting);
}

static void ignore_failure(void *ctx, const char *name, const char *message)
{
	(void)ctx;
	(void)name;
	(void)message;
}

static int run(const char *bench, const char *benchtime, uint64_t count, int callgrind)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	pg_bench_reporter rep = { NULL, ignore_result, ignore_failure, NULL };
	pg_bench_run_config cfg;
	pg_bench_opts opts;
	char err[256];
	int rc;

	pg_bench_opts_init(&opts);
	opts.bench = bench;
	assert_int_equal(pg_bench_parse_benchtime(&opts.benchtime_ns, &opts.benchtime_n,
						  benchtime, err, sizeof(err)), 0);
	opts.count = count;
	assert_int_equal(pg_bench_filter_compile(&f, bench, 1, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.opts = &opts;
	cfg.filter = &f;
	cfg.reporter = &rep;
	cfg.callgrind = callgrind;
	rc = pg_bench_run_all(&cfg);
	pg_bench_filter_release(&f);
	return rc;
}

static int setup(void **state)
{
	(void)state;
	collecting = 0;
	events = 0;
	redundant_calls = 0;
	ndumps = 0;
	fake_now = 1000;
	pg_bench_set_callgrind(&fake_ops);
	pg_bench_set_clock(fake_clock);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pg_bench_set_callgrind(NULL);
	pg_bench_set_clock(NULL);
	return 0;
}

/* ------------------------------------------------------------ benchmarks */

/* set-up with the timer running, then a reset; 10 per op; teardown after
 * stopping the timer */
PG_BENCH(CgSetup)
{
	uint64_t i;

	work(100000, 0); /* set-up, forgotten by the reset */
	pg_bench_reset_timer(b);
	for (i = 0; i < pg_bench_n(b); i++)
		work(10, 1000);
	pg_bench_stop_timer(b);
	work(7777, 0); /* teardown: not timed */
}

/* per-iteration set-up with the timer stopped */
PG_BENCH(CgStopStart)
{
	uint64_t i;

	for (i = 0; i < pg_bench_n(b); i++) {
		pg_bench_stop_timer(b);
		work(500, 0);
		pg_bench_start_timer(b);
		work(3, 1000);
	}
}

static void sub(pg_bench *b)
{
	uint64_t per = *(const uint64_t *)pg_bench_arg(b), i;

	for (i = 0; i < pg_bench_n(b); i++)
		work(per, 1000);
}

PG_BENCH(CgParent)
{
	static const uint64_t a = 4, c = 6;

	work(999, 0); /* the parent's own timed code: never dumped */
	pg_bench_run(b, sub, (void *)&a, "a");
	work(999, 0);
	pg_bench_run(b, sub, (void *)&c, "c");
}

/* ------------------------------------------------------------ tests */

static void test_dump_holds_the_reported_run_only(void **state)
{
	(void)state;
	assert_int_equal(run("^CgSetup$", "100x", 1, 1), 0);
	/* the N = 1 call and the N = 100 call both ran; one dump, of the
	 * second, without its set-up or teardown */
	assert_int_equal(ndumps, 1);
	assert_string_equal(dump_names[0], "BenchmarkCgSetup N=100");
	assert_int_equal(dump_events[0], 1000);
	assert_false(collecting);
	assert_int_equal(redundant_calls, 0);
}

static void test_fixed_n_of_one(void **state)
{
	(void)state;
	/* -benchtime 1x: the calibration call is the reported one */
	assert_int_equal(run("^CgSetup$", "1x", 1, 1), 0);
	assert_int_equal(ndumps, 1);
	assert_string_equal(dump_names[0], "BenchmarkCgSetup N=1");
	assert_int_equal(dump_events[0], 10);
}

static void test_stopped_timer_not_collected(void **state)
{
	(void)state;
	assert_int_equal(run("^CgStopStart$", "50x", 1, 1), 0);
	assert_int_equal(ndumps, 1);
	assert_string_equal(dump_names[0], "BenchmarkCgStopStart N=50");
	assert_int_equal(dump_events[0], 150);
}

static void test_count_dumps_each_run(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(run("^CgSetup$", "20x", 3, 1), 0);
	assert_int_equal(ndumps, 3);
	for (i = 0; i < 3; i++) {
		assert_string_equal(dump_names[i], "BenchmarkCgSetup N=20");
		assert_int_equal(dump_events[i], 200);
	}
}

static void test_autoscaled_dump_is_the_last_call(void **state)
{
	(void)state;
	/* 1000 ns per op, -benchtime 1ms: N = 1, then 100 (at most 100x),
	 * then 1200 (1 ms * 100 / 100 us + 20%), which lasts 1.2 ms */
	assert_int_equal(run("^CgSetup$", "1ms", 1, 1), 0);
	assert_int_equal(ndumps, 1);
	assert_string_equal(dump_names[0], "BenchmarkCgSetup N=1200");
	assert_int_equal(dump_events[0], 12000);
}

static void test_sub_benchmarks_dump_leaves_only(void **state)
{
	(void)state;
	assert_int_equal(run("^CgParent$", "10x", 1, 1), 0);
	assert_int_equal(ndumps, 2);
	assert_string_equal(dump_names[0], "BenchmarkCgParent/a N=10");
	assert_int_equal(dump_events[0], 40);
	assert_string_equal(dump_names[1], "BenchmarkCgParent/c N=10");
	assert_int_equal(dump_events[1], 60);
	assert_false(collecting);
}

static void test_off_without_callgrind_mode(void **state)
{
	(void)state;
	assert_int_equal(run("^Cg", "10x", 1, 0), 0);
	assert_int_equal(ndumps, 0);
	assert_false(collecting);
	assert_int_equal(events, 0); /* never collected */
}

static void test_probe(void **state)
{
	char why[256];

	(void)state;
	unsetenv("PG_BENCH_CALLGRIND");
	assert_int_equal(pg_bench_callgrind_probe(why, sizeof(why)), 0);
	assert_string_equal(why, "");
	setenv("PG_BENCH_CALLGRIND", "0", 1);
	assert_int_equal(pg_bench_callgrind_probe(why, sizeof(why)), 0);
	assert_string_equal(why, "");
	/* asked for, but these tests do not run under valgrind */
	setenv("PG_BENCH_CALLGRIND", "1", 1);
	assert_int_equal(pg_bench_callgrind_probe(why, sizeof(why)), 0);
	assert_true(!strcmp(why, "off (PG_BENCH_CALLGRIND=1 but not running under valgrind)") ||
		    !strncmp(why, "unavailable (perfgate's harness was built without", 50));
	unsetenv("PG_BENCH_CALLGRIND");
}

static void test_real_requests_are_harmless_outside_valgrind(void **state)
{
	const pg_bench_callgrind_ops *ops;

	(void)state;
	pg_bench_set_callgrind(NULL);
	ops = pg_bench_callgrind();
	assert_ptr_not_equal(ops, &fake_ops);
	/* no-ops when not under valgrind: the sequence must simply return */
	ops->zero();
	ops->collect(1);
	ops->collect(1);
	ops->collect(0);
	ops->dump("BenchmarkX N=1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dump_holds_the_reported_run_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fixed_n_of_one, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stopped_timer_not_collected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_dumps_each_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscaled_dump_is_the_last_call, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_sub_benchmarks_dump_leaves_only, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_off_without_callgrind_mode, setup, teardown),
		cmocka_unit_test(test_probe),
		cmocka_unit_test_setup_teardown(test_real_requests_are_harmless_outside_valgrind,
						setup, teardown),
	};

	return cmocka_run_group_tests_name("harness_callgrind", tests, NULL, NULL);
}
