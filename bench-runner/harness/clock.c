/*
 * The benchmark clock: CLOCK_MONOTONIC in nanoseconds, replaceable by a
 * fake one in tests.
 */
#include <time.h>

#include "internal.h"

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	/* CLOCK_MONOTONIC cannot fail with a valid pointer on Linux. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static pg_bench_clock_fn clock_fn = monotonic_ns;

void pg_bench_set_clock(pg_bench_clock_fn fn)
{
	clock_fn = fn ? fn : monotonic_ns;
}

uint64_t pg_bench_now(void)
{
	return clock_fn();
}
