/*
 * The measuring core of the harness (bench-runner/harness/bench.c): N
 * scaling, the timer, metrics, sub-benchmarks, -count, failures. A fake
 * clock and a fake instruction counter make every figure exact; the
 * benchmark functions below do no real work, they advance the fake clock
 * by "cost per op * N".
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

/* ------------------------------------------------------------ fakes */

static uint64_t fake_now;

static uint64_t fake_clock(void)
{
	return fake_now;
}

static int fake_counting;
static uint64_t fake_instructions;

static int fake_counter_open(char *why, size_t cap)
{
	(void)why;
	(void)cap;
	fake_instructions = 0;
	return 0;
}

static void fake_counter_enable(void)
{
	fake_counting = 1;
}

static void fake_counter_disable(void)
{
	fake_counting = 0;
}

static int fake_counter_read(uint64_t *out)
{
	*out = fake_instructions;
	return 0;
}

static void fake_counter_close(void)
{
}

static const pg_bench_counter_ops fake_counter = {
	fake_counter_open, fake_counter_enable, fake_counter_disable,
	fake_counter_read, fake_counter_close,
};

/* "Execute" `cost_ns` of work made of `instructions` instructions: the
 * fake counter sees them only while enabled, as a real one would. */
static void work(uint64_t cost_ns, uint64_t instructions)
{
	fake_now += cost_ns;
	if (fake_counting)
		fake_instructions += instructions;
}

/* ------------------------------------------------------------ recording reporter */

#define MAX_RECS 64

typedef struct rec {
	char name[128];
	pg_bench_result r;
	pg_bench_metric metrics[PG_BENCH_MAX_METRICS];
} rec;

static rec recs[MAX_RECS];
static size_t nrecs;
static char fails[MAX_RECS][128];
static char fail_msgs[MAX_RECS][1024];
static size_t nfails;

static void record_result(void *ctx, const pg_bench_result *r)
{
	rec *x;

	(void)ctx;
	assert_true(nrecs < MAX_RECS);
	x = &recs[nrecs++];
	snprintf(x->name, sizeof(x->name), "%s", r->name);
	x->r = *r;
	x->r.name = x->name;
	assert_true(r->nmetrics <= PG_BENCH_MAX_METRICS);
	memcpy(x->metrics, r->metrics, r->nmetrics * sizeof(r->metrics[0]));
	x->r.metrics = x->metrics;
}

static void record_failure(void *ctx, const char *name, const char *message)
{
	(void)ctx;
	assert_true(nfails < MAX_RECS);
	snprintf(fails[nfails], sizeof(fails[0]), "%s", name);
	snprintf(fail_msgs[nfails], sizeof(fail_msgs[0]), "%s", message);
	nfails++;
}

/* N values each benchmark function was called with */
static uint64_t calls[256];
static size_t ncalls;

static void log_call(pg_bench *b)
{
	assert_true(ncalls < sizeof(calls) / sizeof(calls[0]));
	calls[ncalls++] = pg_bench_n(b);
}

typedef struct run_opts {
	const char *bench;
	const char *benchtime; /* NULL: 1s */
	uint64_t count;        /* 0: 1 */
	int benchmem;
	int alloc_available;
	int counter_available;
} run_opts;

/* Run the registered benchmarks matching `o->bench`; returns
 * pg_bench_run_all()'s result. */
static int run(const run_opts *o)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	pg_bench_reporter rep = { NULL, record_result, record_failure, NULL };
	pg_bench_run_config cfg;
	pg_bench_opts opts;
	char err[256];
	int rc;

	pg_bench_opts_init(&opts);
	opts.bench = o->bench;
	if (o->benchtime)
		assert_int_equal(pg_bench_parse_benchtime(&opts.benchtime_ns,
							  &opts.benchtime_n,
							  o->benchtime, err, sizeof(err)), 0);
	if (o->count)
		opts.count = o->count;
	opts.benchmem = o->benchmem;
	assert_int_equal(pg_bench_filter_compile(&f, o->bench, 1, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.opts = &opts;
	cfg.filter = &f;
	cfg.alloc_available = o->alloc_available;
	cfg.counter_available = o->counter_available;
	cfg.reporter = &rep;
	if (o->counter_available) {
		pg_bench_set_counter(&fake_counter);
		assert_int_equal(fake_counter.open(err, sizeof(err)), 0);
	}
	rc = pg_bench_run_all(&cfg);
	pg_bench_filter_release(&f);
	return rc;
}

static const rec *find(const char *name)
{
	size_t i;

	for (i = 0; i < nrecs; i++)
		if (!strcmp(recs[i].name, name))
			return &recs[i];
	fail_msg("no result for %s", name);
	return NULL;
}

static const pg_bench_metric *metric(const rec *x, const char *unit)
{
	size_t i;

	for (i = 0; i < x->r.nmetrics; i++)
		if (!strcmp(x->metrics[i].unit, unit))
			return &x->metrics[i];
	return NULL;
}

static void expect_calls(const uint64_t *want, size_t n)
{
	size_t i;

	assert_int_equal(ncalls, n);
	for (i = 0; i < n; i++)
		assert_int_equal(calls[i], want[i]);
}

static int setup(void **state)
{
	(void)state;
	fake_now = 1000000;
	fake_instructions = 0;
	fake_counting = 0;
	nrecs = 0;
	nfails = 0;
	ncalls = 0;
	pg_bench_set_clock(fake_clock);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	pg_bench_set_clock(NULL);
	pg_bench_set_counter(NULL);
	return 0;
}

/* ------------------------------------------------------------ N scaling */

PG_BENCH(Scale1us)
{
	log_call(b);
	work(1000 * pg_bench_n(b), 0);
}

PG_BENCH(Scale3us)
{
	log_call(b);
	work(3000 * pg_bench_n(b), 0);
}

PG_BENCH(ScaleFree)
{
	log_call(b); /* takes no time at all */
}

PG_BENCH(ScaleSlow)
{
	log_call(b);
	work(2000000000ull * pg_bench_n(b), 0);
}

static void test_autoscale_1us(void **state)
{
	/* Go: 1 -> min(1e9*1/1000 * 1.2, 100*1) = 100 -> min(1.2e6, 1e4)
	 * = 1e4 -> min(1.2e6, 1e6) = 1e6, which lasts 1 s: done */
	static const uint64_t want[] = { 1, 100, 10000, 1000000 };
	run_opts o = { "^Scale1us$", NULL, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 4);
	assert_int_equal(nrecs, 1);
	assert_string_equal(recs[0].name, "BenchmarkScale1us");
	assert_int_equal(recs[0].r.n, 1000000);
	assert_int_equal(recs[0].r.ns, 1000000000ull);
}

static void test_autoscale_adds_20_percent(void **state)
{
	/* after N = 1e4 (30 ms): predict 1e9 * 1e4 / 3e7 = 333333, + 20%
	 * = 399999, below the 100x cap */
	static const uint64_t want[] = { 1, 100, 10000, 399999 };
	run_opts o = { "^Scale3us$", NULL, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 4);
	assert_int_equal(recs[0].r.n, 399999);
	assert_int_equal(recs[0].r.ns, 3000ull * 399999);
}

static void test_autoscale_half_second(void **state)
{
	static const uint64_t want[] = { 1, 100, 10000, 600000 };
	run_opts o = { "^Scale1us$", "0.5s", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 4);
	assert_int_equal(recs[0].r.n, 600000);
}

static void test_autoscale_stops_at_1e9(void **state)
{
	/* a benchmark that takes no time grows 100x per step up to 1e9 */
	static const uint64_t want[] = { 1, 100, 10000, 1000000, 100000000,
					 1000000000 };
	run_opts o = { "^ScaleFree$", NULL, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 6);
	assert_int_equal(recs[0].r.n, 1000000000);
}

static void test_autoscale_slow_benchmark_runs_once(void **state)
{
	static const uint64_t want[] = { 1 };
	run_opts o = { "^ScaleSlow$", NULL, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 1);
	assert_int_equal(recs[0].r.n, 1);
	assert_int_equal(recs[0].r.ns, 2000000000ull);
}

/* 1 µs timed and 99 µs of set-up outside the timer per iteration: Go
 * grows N until the timed part alone lasts 1 s (N = 1e6, 100 s on the
 * clock); the harness stops at the first call lasting 10 x -benchtime on
 * the clock. (TimerSetup, 6 x, scales as in Go.) */
PG_BENCH(SetupHeavy)
{
	uint64_t i;

	log_call(b);
	for (i = 0; i < pg_bench_n(b); i++) {
		pg_bench_stop_timer(b);
		work(99000, 0);
		pg_bench_start_timer(b);
		work(1000, 0);
	}
}

static void test_autoscale_bounded_on_the_clock(void **state)
{
	/* 1 -> 100 (10 ms on the clock) -> 1e4 (1 s) -> 1e6 capped at
	 * 10 s / (1 s / 1e4) = 1e5 (10 s): done, 100 ms timed */
	static const uint64_t want[] = { 1, 100, 10000, 100000 };
	run_opts o = { "^SetupHeavy$", NULL, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 4);
	assert_int_equal(recs[0].r.n, 100000);
	assert_int_equal(recs[0].r.ns, 1000ull * 100000);
}

/* 20 ms per iteration with the timer stopped, nothing timed: the N = 1
 * call measures 0 ns, so the timed figures alone would take N 100x up
 * at once (2 s at -benchtime 50ms). Its 20 ms on the clock bound the
 * next call to 10 x 50 ms = 500 ms, N = 25, which ends the scaling. */
PG_BENCH(SetupOnly)
{
	uint64_t i;

	log_call(b);
	for (i = 0; i < pg_bench_n(b); i++) {
		pg_bench_stop_timer(b);
		work(20000000, 0);
		pg_bench_start_timer(b);
	}
}

static void test_autoscale_bounded_on_the_clock_from_n1(void **state)
{
	static const uint64_t want[] = { 1, 25 };
	run_opts o = { "^SetupOnly$", "50ms", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 2);
	assert_int_equal(recs[0].r.n, 25);
	assert_int_equal(recs[0].r.ns, 0);
}

static void test_fixed_n(void **state)
{
	/* -benchtime 100x: the N = 1 call (which discovers sub-benchmarks,
	 * as in Go), then exactly one call with N = 100 */
	static const uint64_t want[] = { 1, 100 };
	static const uint64_t want1[] = { 1 };
	run_opts o = { "^Scale1us$", "100x", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 2);
	assert_int_equal(nrecs, 1);
	assert_int_equal(recs[0].r.n, 100);
	assert_int_equal(recs[0].r.ns, 100000);

	ncalls = nrecs = 0;
	o.benchtime = "1x";
	assert_int_equal(run(&o), 0);
	expect_calls(want1, 1);
	assert_int_equal(recs[0].r.n, 1);
}

static void test_count_repeats_from_scratch(void **state)
{
	static const uint64_t want[] = { 1, 10, 1, 10, 1, 10 };
	run_opts o = { "^Scale1us$", "10x", 3, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 6);
	assert_int_equal(nrecs, 3);
	assert_string_equal(recs[2].name, "BenchmarkScale1us");
}

/* ------------------------------------------------------------ timer */

PG_BENCH(TimerSetup)
{
	uint64_t i;

	log_call(b);
	work(5000000, 0); /* expensive set-up ... */
	pg_bench_report_metric(b, 1, "stale/op");
	pg_bench_reset_timer(b); /* ... not measured, metric dropped */
	for (i = 0; i < pg_bench_n(b); i++) {
		pg_bench_stop_timer(b);
		work(500, 0); /* per-iteration set-up, not measured */
		pg_bench_start_timer(b);
		work(100, 0);
	}
	assert_int_equal(pg_bench_elapsed_ns(b), 100 * pg_bench_n(b));
	pg_bench_stop_timer(b);
	work(7777, 0); /* after the loop: not measured */
	assert_int_equal(pg_bench_elapsed_ns(b), 100 * pg_bench_n(b));
}

static void test_timer_excludes_setup(void **state)
{
	run_opts o = { "^TimerSetup$", "100x", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 1);
	assert_int_equal(recs[0].r.n, 100);
	assert_int_equal(recs[0].r.ns, 10000);
	assert_int_equal(recs[0].r.nmetrics, 0);
}

static void test_timer_excludes_setup_when_scaling(void **state)
{
	/* the scaling sees only the measured 100 ns per op: 1e9 * 1e6 / 1e8
	 * = 1e7, + 20% */
	static const uint64_t want[] = { 1, 100, 10000, 1000000, 12000000 };
	run_opts o = { "^TimerSetup$", NULL, 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 5);
	assert_int_equal(recs[0].r.n, 12000000);
	assert_int_equal(recs[0].r.ns, 1200000000ull);
}

/* ------------------------------------------------------------ metrics */

PG_BENCH(Bytes)
{
	pg_bench_set_bytes(b, 4096);
	work(1000 * pg_bench_n(b), 0);
}

PG_BENCH(Metrics)
{
	work(250 * pg_bench_n(b), 0);
	assert_int_equal(pg_bench_report_metric(b, 1.0, "widgets/op"), 0);
	assert_int_equal(pg_bench_report_metric(b, 2.5, "widgets/op"), 0); /* replaces */
	assert_int_equal(pg_bench_report_metric(b, 42, "hits"), 0);
	assert_string_equal(pg_bench_name(b), "BenchmarkMetrics");
	assert_null(pg_bench_arg(b));
}

PG_BENCH(BadUnit)
{
	work(pg_bench_n(b), 0);
	assert_int_equal(pg_bench_report_metric(b, 1.0, "per op"), -1);
}

PG_BENCH(BadValue)
{
	work(pg_bench_n(b), 0);
	assert_int_equal(pg_bench_report_metric(b, NAN, "x/op"), -1);
}

PG_BENCH(TooManyUnits)
{
	char unit[16];
	int i;

	work(pg_bench_n(b), 0);
	for (i = 0; i < PG_BENCH_MAX_METRICS; i++) {
		snprintf(unit, sizeof(unit), "u%d", i);
		assert_int_equal(pg_bench_report_metric(b, i, unit), 0);
	}
	assert_int_equal(pg_bench_report_metric(b, 1, "one-too-many"), -1);
}

static void test_set_bytes_and_metrics(void **state)
{
	run_opts o = { "^(Bytes|Metrics)$", "100x", 0, 0, 0, 0 };
	const pg_bench_metric *m;
	const rec *x;

	(void)state;
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 2);
	x = find("BenchmarkBytes");
	assert_int_equal(x->r.bytes, 4096);
	assert_int_equal(x->r.ns, 100000);
	x = find("BenchmarkMetrics");
	assert_int_equal(x->r.nmetrics, 2);
	m = metric(x, "widgets/op");
	assert_non_null(m);
	assert_true(m->value == 2.5);
	m = metric(x, "hits");
	assert_non_null(m);
	assert_true(m->value == 42);
}

static void test_invalid_metrics_fail_the_benchmark(void **state)
{
	run_opts o = { "^(BadUnit|BadValue|TooManyUnits)$", "10x", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 1);
	assert_int_equal(nrecs, 0);
	assert_int_equal(nfails, 3);
	assert_string_equal(fails[0], "BenchmarkBadUnit");
	assert_string_equal(fail_msgs[0],
			    "pg_bench_report_metric: unit 'per op' holds whitespace");
	assert_string_equal(fail_msgs[1],
			    "pg_bench_report_metric: value of 'x/op' is not a finite number");
	assert_string_equal(fail_msgs[2], "pg_bench_report_metric: more than 16 units");
}

/* ------------------------------------------------------------ instructions */

PG_BENCH(Instr)
{
	pg_bench_stop_timer(b);
	work(0, 1000000); /* set-up: the counter is off */
	pg_bench_start_timer(b);
	work(100 * pg_bench_n(b), 10 * pg_bench_n(b));
	pg_bench_stop_timer(b);
	work(0, 555); /* off again */
}

static void test_instructions_only_while_timing(void **state)
{
	run_opts o = { "^Instr$", "1000x", 0, 0, 0, 1 };

	(void)state;
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 1);
	assert_true(recs[0].r.has_instructions);
	assert_int_equal(recs[0].r.n, 1000);
	assert_int_equal(recs[0].r.instructions, 10000);

	nrecs = 0;
	o.counter_available = 0;
	assert_int_equal(run(&o), 0);
	assert_false(recs[0].r.has_instructions);
}

/* ------------------------------------------------------------ allocations */

PG_BENCH(Alloc3x100)
{
	void *setup_block, *p[3];
	uint64_t i;
	int k;

	pg_bench_stop_timer(b);
	setup_block = malloc(1000); /* set-up with the timer stopped */
	pg_bench_do_not_optimize(setup_block);
	pg_bench_start_timer(b);
	for (i = 0; i < pg_bench_n(b); i++) {
		for (k = 0; k < 3; k++) {
			p[k] = malloc(100);
			pg_bench_do_not_optimize(p[k]);
		}
		for (k = 0; k < 3; k++)
			free(p[k]);
	}
	pg_bench_stop_timer(b);
	free(setup_block);
	work(pg_bench_n(b), 0);
}

static void test_allocations_counted_while_timing(void **state)
{
	char why[256];
	run_opts o = { "^Alloc3x100$", "100x", 0, 1, 1, 0 };

	(void)state;
	if (!pg_bench_alloc_probe(why, sizeof(why))) {
		/* ASan build: counting is off, and says why */
		assert_string_equal(why, "unavailable under AddressSanitizer");
		skip();
	}
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 1);
	assert_true(recs[0].r.mem);
	assert_true(recs[0].r.mem_available);
	assert_int_equal(recs[0].r.n, 100);
	assert_int_equal(recs[0].r.allocs, 300);
	assert_int_equal(recs[0].r.alloc_bytes, 30000);
}

PG_BENCH(ReportAllocs)
{
	pg_bench_report_allocs(b);
	work(pg_bench_n(b), 0);
}

static void test_report_allocs_without_benchmem(void **state)
{
	run_opts o = { "^(ReportAllocs|Scale1us)$", "10x", 0, 0, 1, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 2);
	assert_false(find("BenchmarkScale1us")->r.mem);
	assert_true(find("BenchmarkReportAllocs")->r.mem);
	assert_int_equal(find("BenchmarkReportAllocs")->r.allocs, 0);
}

/* ------------------------------------------------------------ sub-benchmarks */

static int sub_args_seen[8];

static void sub_bench(pg_bench *b)
{
	int *arg = pg_bench_arg(b);

	sub_args_seen[*arg]++;
	work((uint64_t)*arg * 1000 * pg_bench_n(b), 0);
}

PG_BENCH(Params)
{
	static int args[] = { 1, 2, 3 };
	size_t i;

	log_call(b);
	for (i = 0; i < 3; i++)
		assert_int_equal(pg_bench_run(b, sub_bench, &args[i], "n=%d", args[i] * 10), 0);
}

static void test_sub_benchmarks(void **state)
{
	/* the parent runs once (N = 1) and prints nothing */
	static const uint64_t want[] = { 1 };
	run_opts o = { "^Params$", "5x", 0, 0, 0, 0 };

	(void)state;
	memset(sub_args_seen, 0, sizeof(sub_args_seen));
	assert_int_equal(run(&o), 0);
	expect_calls(want, 1);
	assert_int_equal(nrecs, 3);
	assert_string_equal(recs[0].name, "BenchmarkParams/n=10");
	assert_string_equal(recs[1].name, "BenchmarkParams/n=20");
	assert_string_equal(recs[2].name, "BenchmarkParams/n=30");
	assert_int_equal(recs[1].r.n, 5);
	assert_int_equal(recs[1].r.ns, 2 * 1000 * 5);
	/* each sub-benchmark: the N = 1 call and the N = 5 call */
	assert_int_equal(sub_args_seen[1], 2);
	assert_int_equal(sub_args_seen[3], 2);
}

static void test_sub_benchmark_filter(void **state)
{
	/* the regex is split at '/': each part matches one level */
	run_opts o = { "Params/n=20$", "5x", 0, 0, 0, 0 };

	(void)state;
	memset(sub_args_seen, 0, sizeof(sub_args_seen));
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 1);
	assert_string_equal(recs[0].name, "BenchmarkParams/n=20");
	assert_int_equal(sub_args_seen[1], 0);
	assert_int_equal(sub_args_seen[2], 2);

	/* count applies to each sub-benchmark, consecutively */
	nrecs = 0;
	o.bench = "^Params/n=[12]0";
	o.count = 2;
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 4);
	assert_string_equal(recs[0].name, "BenchmarkParams/n=10");
	assert_string_equal(recs[1].name, "BenchmarkParams/n=10");
	assert_string_equal(recs[2].name, "BenchmarkParams/n=20");
	assert_string_equal(recs[3].name, "BenchmarkParams/n=20");
}

static void test_partial_match_runs_leaf_once_silently(void **state)
{
	/* -bench Scale1us/x: Scale1us has no sub-benchmark "x"; it is called
	 * once (to find sub-benchmarks) and reports nothing, as in Go */
	static const uint64_t want[] = { 1 };
	run_opts o = { "^Scale1us$/x", "5x", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	expect_calls(want, 1);
	assert_int_equal(nrecs, 0);
}

static void leaf(pg_bench *b)
{
	work(pg_bench_n(b), 0);
}

static void middle(pg_bench *b)
{
	pg_bench_run(b, leaf, NULL, "inner");
}

PG_BENCH(Names)
{
	pg_bench_run(b, leaf, NULL, "x");
	pg_bench_run(b, leaf, NULL, "x");   /* used: x#01 */
	pg_bench_run(b, leaf, NULL, "x#01"); /* used by the line above: x#01#01 */
	pg_bench_run(b, leaf, NULL, "%s", ""); /* empty: #00 */
	pg_bench_run(b, leaf, NULL, "a b\tc");
	pg_bench_run(b, middle, NULL, "outer");
}

static void test_sub_benchmark_names(void **state)
{
	run_opts o = { "^Names$", "1x", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 0);
	assert_int_equal(nrecs, 6);
	assert_string_equal(recs[0].name, "BenchmarkNames/x");
	assert_string_equal(recs[1].name, "BenchmarkNames/x#01");
	assert_string_equal(recs[2].name, "BenchmarkNames/x#01#01");
	assert_string_equal(recs[3].name, "BenchmarkNames/#00");
	assert_string_equal(recs[4].name, "BenchmarkNames/a_b_c");
	assert_string_equal(recs[5].name, "BenchmarkNames/outer/inner");
}

/* ------------------------------------------------------------ failures */

static void failing_leaf(pg_bench *b)
{
	work(pg_bench_n(b), 0);
	if (pg_bench_n(b) > 1)
		pg_bench_fail(b, "wrong result %d", 42);
}

PG_BENCH(Fails)
{
	assert_int_equal(pg_bench_run(b, leaf, NULL, "ok"), 0);
	assert_int_equal(pg_bench_run(b, failing_leaf, NULL, "bad"), -1);
	assert_int_equal(pg_bench_run(b, leaf, NULL, "after"), 0);
}

static void test_failure_is_reported_and_propagates(void **state)
{
	run_opts o = { "^(Fails|Scale1us)$", "10x", 0, 0, 0, 0 };

	(void)state;
	assert_int_equal(run(&o), 1);
	assert_int_equal(nrecs, 3);
	assert_string_equal(recs[0].name, "BenchmarkScale1us");
	assert_string_equal(recs[1].name, "BenchmarkFails/ok");
	assert_string_equal(recs[2].name, "BenchmarkFails/after");
	assert_int_equal(nfails, 2);
	assert_string_equal(fails[0], "BenchmarkFails/bad");
	assert_string_equal(fail_msgs[0], "wrong result 42");
	assert_string_equal(fails[1], "BenchmarkFails"); /* the parent fails too */
	assert_string_equal(fail_msgs[1], "");
}

/* ------------------------------------------------------------ registry */

static void test_registry_order_and_width(void **state)
{
	const pg_bench_entry *e;
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	char err[256];
	size_t n = pg_bench_registry(&e);

	(void)state;
	assert_true(n >= 5);
	/* constructors run in the order of definition */
	assert_string_equal(e[0].name, "Scale1us");
	assert_string_equal(e[1].name, "Scale3us");
	assert_string_equal(e[2].name, "ScaleFree");
	assert_int_equal(pg_bench_registry_check(err, sizeof(err)), 0);

	/* Go pads names to the longest matching top-level name + 1 */
	assert_int_equal(pg_bench_filter_compile(&f, "^Scale", 1, err, sizeof(err)), 0);
	assert_int_equal(pg_bench_name_width(&f), (int)strlen("BenchmarkScaleFree") + 1);
	pg_bench_filter_release(&f);
}

static void noop(pg_bench *b)
{
	(void)b;
}

/* Last: it leaves the registry broken. */
static void test_registry_rejects_duplicates_and_bad_names(void **state)
{
	char err[256];

	(void)state;
	pg_bench_register("Scale1us", noop, "cc");
	assert_int_equal(pg_bench_registry_check(err, sizeof(err)), -1);
	assert_string_equal(err, "benchmark 'BenchmarkScale1us' is registered twice");
	pg_bench_register("Has Space", noop, "cc");
	assert_int_equal(pg_bench_registry_check(err, sizeof(err)), -1);
	assert_string_equal(err, "invalid benchmark name 'BenchmarkHas Space': "
				 "empty, or holding whitespace or '/'");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_autoscale_1us, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_adds_20_percent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_half_second, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_stops_at_1e9, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_slow_benchmark_runs_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_bounded_on_the_clock, setup, teardown),
		cmocka_unit_test_setup_teardown(test_autoscale_bounded_on_the_clock_from_n1, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fixed_n, setup, teardown),
		cmocka_unit_test_setup_teardown(test_count_repeats_from_scratch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_excludes_setup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timer_excludes_setup_when_scaling, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_bytes_and_metrics, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_metrics_fail_the_benchmark, setup, teardown),
		cmocka_unit_test_setup_teardown(test_instructions_only_while_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_allocations_counted_while_timing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_report_allocs_without_benchmem, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sub_benchmarks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sub_benchmark_filter, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_match_runs_leaf_once_silently, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sub_benchmark_names, setup, teardown),
		cmocka_unit_test_setup_teardown(test_failure_is_reported_and_propagates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_registry_order_and_width, setup, teardown),
		cmocka_unit_test(test_registry_rejects_duplicates_and_bad_names),
	};

	return cmocka_run_group_tests_name("bench", tests, NULL, NULL);
}
