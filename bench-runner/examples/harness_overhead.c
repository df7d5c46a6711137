/*
 * The harness's own cost, measured with the harness:
 *
 *   BenchmarkHarness/empty  an empty loop body (the loop and the value
 *                           kept alive): the per-iteration overhead every
 *                           benchmark's ns/op includes
 *   BenchmarkHarness/timer  pg_bench_stop_timer + pg_bench_start_timer per
 *                           iteration (two clock reads, plus the
 *                           instruction counter's ioctls where it is
 *                           enabled): what per-iteration set-up excluded
 *                           with the timer costs. The time between the
 *                           stop and the start is not measured, so this
 *                           shows the part of the pair that is.
 *   BenchmarkHarness/timer-wall  the same loop, timed from the outside as
 *                           well: the wall time of the whole loop divided
 *                           by N is reported as wall-ns/op, the full cost of
 *                           a stop/start pair (ns/op again shows the part
 *                           the timer sees).
 *
 * Run: build/examples/example-suite -bench Harness -count 5
 */
#include <stdint.h>
#include <time.h>

#include <perfgate/bench.h>

static void bench_empty(pg_bench *b)
{
	for (uint64_t i = 0; i < pg_bench_n(b); i++)
		pg_bench_do_not_optimize(i);
}

static void bench_timer(pg_bench *b)
{
	for (uint64_t i = 0; i < pg_bench_n(b); i++) {
		pg_bench_stop_timer(b);
		pg_bench_start_timer(b);
	}
}

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void bench_timer_wall(pg_bench *b)
{
	uint64_t n = pg_bench_n(b), start, i;

	start = wall_ns();
	for (i = 0; i < n; i++) {
		pg_bench_stop_timer(b);
		pg_bench_start_timer(b);
	}
	pg_bench_report_metric(b, (double)(wall_ns() - start) / (double)n, "wall-ns/op");
}

PG_BENCH(Harness)
{
	pg_bench_run(b, bench_empty, NULL, "empty");
	pg_bench_run(b, bench_timer, NULL, "timer");
	pg_bench_run(b, bench_timer_wall, NULL, "timer-wall");
}
