/*
 * A suite for the end-to-end test of the harness's line flushing
 * (tests/e2e/test_harness.sh): its first sub-benchmark returns at once,
 * its second waits until the file named by PG_TEST_RELEASE exists (at most
 * 120 s, then it fails). With its output going to a file (fully buffered
 * by stdio), the test can read the first result line only if the harness
 * flushed it before running the second; it creates the file once it has
 * seen the line (or given up waiting for it).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include <perfgate/bench.h>

static void first(pg_bench *b)
{
	uint64_t i;

	for (i = 0; i < pg_bench_n(b); i++)
		pg_bench_do_not_optimize(i);
}

static void blocked(pg_bench *b)
{
	const char *release = getenv("PG_TEST_RELEASE");
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	int waited;

	if (!release) {
		pg_bench_fail(b, "PG_TEST_RELEASE is not set");
		return;
	}
	for (waited = 0; access(release, F_OK) != 0; waited++) {
		if (waited == 12000) {
			pg_bench_fail(b, "'%s' did not appear within 120 s", release);
			return;
		}
		nanosleep(&tick, NULL);
	}
}

/* sub-benchmarks: their order is the order of the calls */
PG_BENCH(Flush)
{
	pg_bench_run(b, first, NULL, "first");
	pg_bench_run(b, blocked, NULL, "blocked");
}
