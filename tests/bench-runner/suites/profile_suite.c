/*
 * A suite for the CPU profile tests (tests/e2e/test_profile_capture.sh):
 * benchmarks whose CPU time and hot functions are known.
 *
 *   BenchmarkBurn           every op burns 2 ms of the thread's CPU time in
 *                           burn_cpu(): -benchtime Nx burns (1 + N) * 2 ms
 *                           in timed regions (the N = 1 call, then N)
 *   BenchmarkSetupExcluded  200 ms of set-up in setup_burn() before
 *                           pg_bench_reset_timer(), 100 ms in
 *                           setup_burn_stopped() with the timer stopped,
 *                           then 1 ms per op in timed_work(): only
 *                           timed_work() may be in the profile
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <time.h>

#include <perfgate/bench.h>

static volatile uint64_t sink;

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Spin until the thread has used `ns` more CPU time; the clock is read
 * every ~100k multiplications, so the time is spent here, not in the
 * clock. Always inlined: the time belongs to the caller (no tail call
 * hides the caller's frame). */
static inline __attribute__((always_inline)) void spin(uint64_t ns)
{
	uint64_t end = thread_cpu_ns() + ns, x = sink;
	int i;

	while (thread_cpu_ns() < end) {
		for (i = 0; i < 100000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sink = x;
	}
}

/* Separate, never inlined functions: the names the tests look for. */
__attribute__((noinline)) void burn_cpu(void);
__attribute__((noinline)) void setup_burn(void);
__attribute__((noinline)) void setup_burn_stopped(void);
__attribute__((noinline)) void timed_work(void);

__attribute__((noinline)) void burn_cpu(void)
{
	spin(2000000);
}

__attribute__((noinline)) void setup_burn(void)
{
	spin(200000000);
}

__attribute__((noinline)) void setup_burn_stopped(void)
{
	spin(100000000);
}

__attribute__((noinline)) void timed_work(void)
{
	spin(1000000);
}

PG_BENCH(Burn)
{
	uint64_t i;

	for (i = 0; i < pg_bench_n(b); i++)
		burn_cpu();
}

PG_BENCH(SetupExcluded)
{
	uint64_t i;

	setup_burn();
	pg_bench_reset_timer(b);
	pg_bench_stop_timer(b);
	setup_burn_stopped();
	pg_bench_start_timer(b);
	for (i = 0; i < pg_bench_n(b); i++)
		timed_work();
}
