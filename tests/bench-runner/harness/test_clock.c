/*
 * The benchmark clock (bench-runner/harness/clock.c): monotonic
 * nanoseconds, replaceable by a fake clock.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <time.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

static uint64_t fake(void)
{
	return 42;
}

static void test_monotonic_nanoseconds(void **state)
{
	struct timespec ts, pause = { 0, 2000000 }; /* 2 ms */
	uint64_t a, b, ref;

	(void)state;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ref = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	a = pg_bench_now();
	assert_true(a >= ref); /* the same clock, in ns */
	nanosleep(&pause, NULL);
	b = pg_bench_now();
	assert_true(b - a >= 2000000); /* a sleep is never shorter */
}

static void test_fake_clock(void **state)
{
	(void)state;
	pg_bench_set_clock(fake);
	assert_int_equal(pg_bench_now(), 42);
	assert_int_equal(pg_bench_now(), 42);
	pg_bench_set_clock(NULL);
	assert_true(pg_bench_now() != 42);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_monotonic_nanoseconds),
		cmocka_unit_test(test_fake_clock),
	};

	return cmocka_run_group_tests_name("clock", tests, NULL, NULL);
}
