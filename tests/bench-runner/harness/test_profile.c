/*
 * CPU profiles, the sampling side (bench-runner/harness/profile.c): the
 * aggregate of stacks, the sample buffer (drops when full, discard,
 * take), the benchmark timer driving it (bench.c), and each real
 * sampling source that this kernel allows, sampling a function that
 * burns CPU.
 *
 * Most tests use the "manual" source: samples come from
 * pg_bench_profiler_record() (what the signal handler calls), so that
 * every count is exact. The real-source test waits for samples (it burns
 * CPU until 20 have arrived, up to a 20 s cap), so its outcome does not
 * depend on timing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "profile.pb-c.h"

#include "bench-runner/harness/internal.h"

static const uint64_t stack_a[] = { 0x1000, 0x2000, 0x3000 };
static const uint64_t stack_b[] = { 0x1100, 0x2000, 0x3000 };
static const uint64_t stack_c[] = { 0x1200, 0x2000, 0x3000 };
static const uint64_t stack_d[] = { 0x1300, 0x2000, 0x3000 };

/* The stack of `p` equal to pcs[0..depth-1], or NULL. */
static const pg_bench_profile_stack *find_stack(const pg_bench_profile *p, const uint64_t *pcs,
						size_t depth)
{
	size_t i;

	for (i = 0; i < p->nstacks; i++)
		if (p->stacks[i].depth == depth &&
		    !memcmp(p->stacks[i].pcs, pcs, depth * sizeof(*pcs)))
			return &p->stacks[i];
	return NULL;
}

static int teardown(void **state)
{
	(void)state;
	pg_bench_profiler_close();
	return 0;
}

/* ------------------------------------------------------------ the aggregate */

static void test_add_merges_equal_stacks(void **state)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	uint64_t pcs[2];
	const pg_bench_profile_stack *s;
	size_t i;

	(void)state;
	assert_int_equal(pg_bench_profile_add(&p, stack_a, 3, 1, 1, 4), 0);
	assert_int_equal(pg_bench_profile_add(&p, stack_a, 3, 1, 2, 1), 0);
	assert_int_equal(pg_bench_profile_add(&p, stack_b, 3, 1, 1, 1), 0);
	/* the same addresses as return addresses only: another stack */
	assert_int_equal(pg_bench_profile_add(&p, stack_a, 3, 0, 1, 1), 0);
	/* a prefix is another stack */
	assert_int_equal(pg_bench_profile_add(&p, stack_a, 2, 1, 1, 1), 0);
	assert_int_equal(p.nstacks, 4);
	s = find_stack(&p, stack_a, 3);
	assert_non_null(s);
	assert_true(s->leaf_exact);
	assert_int_equal(s->count, 3);
	assert_int_equal(s->weight, 5);
	assert_int_equal(p.signals, 6);
	assert_int_equal(p.weight, 8);

	/* many distinct stacks: every one found again after the hash grew */
	for (i = 0; i < 5000; i++) {
		pcs[0] = 0x10000 + i;
		pcs[1] = 0x20000 + i % 7;
		assert_int_equal(pg_bench_profile_add(&p, pcs, 2, 1, 1, 1), 0);
	}
	for (i = 0; i < 5000; i += 17) {
		pcs[0] = 0x10000 + i;
		pcs[1] = 0x20000 + i % 7;
		assert_int_equal(pg_bench_profile_add(&p, pcs, 2, 1, 1, 2), 0);
	}
	assert_int_equal(p.nstacks, 4 + 5000);
	pcs[0] = 0x10000 + 17 * 3;
	pcs[1] = 0x20000 + (17 * 3) % 7;
	s = find_stack(&p, pcs, 2);
	assert_non_null(s);
	assert_int_equal(s->count, 2);
	assert_int_equal(s->weight, 3);
	pg_bench_profile_release(&p);
	pg_bench_profile_release(&p); /* safe twice */
	pg_bench_profile_release(NULL);
}

/* ------------------------------------------------------------ the buffer */

static void test_open_errors(void **state)
{
	char err[256];

	(void)state;
	assert_false(pg_bench_profiler_is_open());
	assert_int_equal(pg_bench_profiler_open("manual", 0, 1000, err, sizeof(err)), -1);
	assert_string_equal(err, "invalid profiling rate 0 Hz: must be 1 to 10000");
	assert_int_equal(pg_bench_profiler_open("perfect", 100, 1000, err, sizeof(err)), -1);
	assert_string_equal(err, "unknown profiling source 'perfect' (perf, timer, itimer)");
	assert_false(pg_bench_profiler_is_open());
	assert_int_equal(pg_bench_profiler_open("manual", 100, 1000, err, sizeof(err)), 0);
	assert_true(pg_bench_profiler_is_open());
	assert_int_equal(pg_bench_profiler_open("manual", 100, 1000, err, sizeof(err)), -1);
	assert_string_equal(err, "the CPU profiler is already open");
	pg_bench_profiler_close();
	assert_false(pg_bench_profiler_is_open());
	pg_bench_profiler_close(); /* safe when closed */
	/* without the profiler the calls do nothing */
	pg_bench_profiler_start();
	pg_bench_profiler_record(stack_a, 3, 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_discard();
	pg_bench_profiler_take(NULL);
}

static void test_records_only_while_started(void **state)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	pg_bench_profile_meta meta;
	char err[256];

	(void)state;
	assert_int_equal(pg_bench_profiler_open("manual", 250, 4096, err, sizeof(err)), 0);
	pg_bench_profiler_meta(&meta);
	assert_string_equal(meta.source, "manual");
	assert_int_equal(meta.hz, 250);
	assert_int_equal(meta.period_ns, 4000000);
	assert_string_equal(meta.notes, "");

	pg_bench_profiler_record(stack_a, 3, 1, 1); /* not started: ignored */
	pg_bench_profiler_start();
	pg_bench_profiler_record(stack_b, 3, 1, 3);
	pg_bench_profiler_record(stack_b, 3, 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_record(stack_c, 3, 1, 1); /* stopped: ignored */
	pg_bench_profiler_start();
	pg_bench_profiler_record(stack_d, 3, 0, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_take(&p);
	assert_int_equal(p.nstacks, 2);
	assert_null(find_stack(&p, stack_a, 3));
	assert_null(find_stack(&p, stack_c, 3));
	assert_int_equal(find_stack(&p, stack_b, 3)->count, 2);
	assert_int_equal(find_stack(&p, stack_b, 3)->weight, 4);
	assert_false(find_stack(&p, stack_d, 3)->leaf_exact);
	assert_int_equal(p.dropped, 0);
	assert_true(p.start_unix_ns > 0);
	/* a second take adds nothing */
	pg_bench_profiler_take(&p);
	assert_int_equal(p.signals, 3);
	pg_bench_profile_release(&p);
}

/* A full buffer drops samples and counts them; take() empties it. */
static void test_drops_when_full(void **state)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	uint64_t pcs[10];
	char err[256];
	int i;

	(void)state;
	for (i = 0; i < 10; i++)
		pcs[i] = 0x4000 + (uint64_t)i;
	/* 100 words: 8 samples of depth 10 (12 words each) */
	assert_int_equal(pg_bench_profiler_open("manual", 100, 100, err, sizeof(err)), 0);
	pg_bench_profiler_start();
	for (i = 0; i < 20; i++)
		pg_bench_profiler_record(pcs, 10, 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_take(&p);
	assert_int_equal(p.signals, 8);
	assert_int_equal(p.dropped, 12);
	assert_int_equal(p.nstacks, 1);

	/* room again */
	pg_bench_profiler_start();
	for (i = 0; i < 3; i++)
		pg_bench_profiler_record(pcs, 10, 1, 1);
	/* an empty stack is not a sample */
	pg_bench_profiler_record(pcs, 0, 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_take(&p);
	assert_int_equal(p.signals, 11);
	assert_int_equal(p.dropped, 13);
	pg_bench_profile_release(&p);
}

/* Stacks deeper than PG_BENCH_PROFILE_MAX_DEPTH keep their innermost
 * frames. */
static void test_deep_stacks_are_cut(void **state)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	uint64_t pcs[PG_BENCH_PROFILE_MAX_DEPTH + 20];
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(pcs) / sizeof(pcs[0]); i++)
		pcs[i] = 0x8000 + i;
	assert_int_equal(pg_bench_profiler_open("manual", 100, 4096, err, sizeof(err)), 0);
	pg_bench_profiler_start();
	pg_bench_profiler_record(pcs, sizeof(pcs) / sizeof(pcs[0]), 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_take(&p);
	assert_int_equal(p.nstacks, 1);
	assert_int_equal(p.stacks[0].depth, PG_BENCH_PROFILE_MAX_DEPTH);
	assert_memory_equal(p.stacks[0].pcs, pcs, PG_BENCH_PROFILE_MAX_DEPTH * sizeof(pcs[0]));
	pg_bench_profile_release(&p);
}

static void test_discard_forgets_samples_and_drops(void **state)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	char err[256];
	int i;

	(void)state;
	assert_int_equal(pg_bench_profiler_open("manual", 100, 100, err, sizeof(err)), 0);
	pg_bench_profiler_start();
	for (i = 0; i < 30; i++) /* fills the buffer: drops */
		pg_bench_profiler_record(stack_a, 3, 1, 1);
	pg_bench_profiler_discard();
	pg_bench_profiler_record(stack_b, 3, 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_take(&p);
	assert_int_equal(p.nstacks, 1);
	assert_non_null(find_stack(&p, stack_b, 3));
	assert_int_equal(p.dropped, 0);
	/* take(NULL) drops what was recorded */
	pg_bench_profiler_start();
	pg_bench_profiler_record(stack_c, 3, 1, 1);
	pg_bench_profiler_stop();
	pg_bench_profiler_take(NULL);
	pg_bench_profiler_take(&p);
	assert_null(find_stack(&p, stack_c, 3));
	pg_bench_profile_release(&p);
}

/* ------------------------------------------------------------ the benchmark timer */

typedef struct got_profile {
	char name[64];
	uint64_t a, b, c, d; /* counts of the four stacks */
	uint64_t signals;
} got_profile;

static got_profile got[8];
static size_t ngot;

static void ignore_result(void *ctx, const pg_bench_result *r)
{
	(void)ctx;
	(void)r;
}

static void ignore_failure(void *ctx, const char *name, const char *message)
{
	(void)ctx;
	(void)name;
	(void)message;
}

static uint64_t count_of(const pg_bench_profile *p, const uint64_t *pcs)
{
	const pg_bench_profile_stack *s = find_stack(p, pcs, 3);

	return s ? s->count : 0;
}

static void keep_profile(void *ctx, const char *name, const pg_bench_profile *p)
{
	got_profile *g = &got[ngot++];

	(void)ctx;
	snprintf(g->name, sizeof(g->name), "%s", name);
	g->a = count_of(p, stack_a);
	g->b = count_of(p, stack_b);
	g->c = count_of(p, stack_c);
	g->d = count_of(p, stack_d);
	g->signals = p->signals;
}

/* Samples before pg_bench_reset_timer() (set-up) and while the timer is
 * stopped are not in the profile; those of the timed regions are. */
static void timed_regions(pg_bench *b)
{
	pg_bench_profiler_record(stack_a, 3, 1, 1); /* set-up */
	pg_bench_reset_timer(b);
	pg_bench_profiler_record(stack_b, 3, 1, 1); /* timed */
	pg_bench_stop_timer(b);
	pg_bench_profiler_record(stack_c, 3, 1, 1); /* not timed */
	pg_bench_start_timer(b);
	pg_bench_profiler_record(stack_d, 3, 1, 1); /* timed */
}

PG_BENCH(Leaf)
{
	timed_regions(b);
}

PG_BENCH(Parent)
{
	pg_bench_profiler_record(stack_a, 3, 1, 1); /* the parent's: dropped */
	pg_bench_run(b, timed_regions, NULL, "sub");
}

PG_BENCH(Failing)
{
	timed_regions(b);
	pg_bench_fail(b, "no profile for a failed benchmark");
}

static void test_timer_drives_sampling(void **state)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	pg_bench_reporter rep = { NULL, ignore_result, ignore_failure, keep_profile };
	pg_bench_run_config cfg;
	pg_bench_opts opts;
	char err[256];

	(void)state;
	ngot = 0;
	assert_int_equal(pg_bench_profiler_open("manual", 100, 4096, err, sizeof(err)), 0);
	pg_bench_opts_init(&opts);
	opts.benchtime_n = 3;
	opts.benchtime_ns = 0;
	opts.count = 2;
	assert_int_equal(pg_bench_filter_compile(&f, ".", 1, err, sizeof(err)), 0);
	memset(&cfg, 0, sizeof(cfg));
	cfg.opts = &opts;
	cfg.filter = &f;
	cfg.reporter = &rep;
	assert_int_equal(pg_bench_run_all(&cfg), 1); /* Failing fails */
	pg_bench_filter_release(&f);

	/* Leaf and Parent/sub only; per -count run two calls (N = 1, N = 3) */
	assert_int_equal(ngot, 2);
	assert_true((!strcmp(got[0].name, "BenchmarkLeaf") &&
		     !strcmp(got[1].name, "BenchmarkParent/sub")) ||
		    (!strcmp(got[1].name, "BenchmarkLeaf") &&
		     !strcmp(got[0].name, "BenchmarkParent/sub")));
	for (size_t i = 0; i < ngot; i++) {
		assert_int_equal(got[i].a, 0);
		assert_int_equal(got[i].b, 4);
		assert_int_equal(got[i].c, 0);
		assert_int_equal(got[i].d, 4);
		assert_int_equal(got[i].signals, 8);
	}

	/* without a profile() callback nothing is collected */
	ngot = 0;
	rep.profile = NULL;
	assert_int_equal(pg_bench_filter_compile(&f, "Leaf", 1, err, sizeof(err)), 0);
	assert_int_equal(pg_bench_run_all(&cfg), 0);
	pg_bench_filter_release(&f);
	assert_int_equal(ngot, 0);
}

/* ------------------------------------------------------------ real sources */

static volatile uint64_t sink;
static volatile uint64_t burn_ns; /* read inside: no specialised clone */

static uint64_t cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

__attribute__((noinline)) static void burn_cpu_in_test(void)
{
	uint64_t end = cpu_ns() + burn_ns, x = sink;

	while (cpu_ns() < end) {
		for (int i = 0; i < 200000; i++)
			x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		sink = x;
	}
}

/* The function with the largest flat cpu/nanoseconds in an encoded
 * profile (symbolized). */
static char *top_function(const pg_bench_profile *p, const pg_bench_profile_meta *meta)
{
	pg_bench_symbolizer *sym = pg_bench_symbolizer_new();
	pg_bench_profile_info info = { "BenchmarkBurn", meta, NULL, sym };
	Perftools__Profiles__Profile *d;
	uint64_t *flat;
	uint8_t *buf = NULL;
	size_t len = 0, i, best = 0;
	char err[256], *name;

	assert_non_null(sym);
	assert_int_equal(pg_bench_profile_encode(&buf, &len, p, &info, err, sizeof(err)), 0);
	d = perftools__profiles__profile__unpack(NULL, len, buf);
	assert_non_null(d);
	flat = calloc(d->n_function + 1, sizeof(*flat));
	assert_non_null(flat);
	for (i = 0; i < d->n_sample; i++) {
		const Perftools__Profiles__Location *leaf =
			d->location[d->sample[i]->location_id[0] - 1];

		if (leaf->n_line)
			flat[leaf->line[0]->function_id] += (uint64_t)d->sample[i]->value[1];
	}
	for (i = 1; i <= d->n_function; i++)
		if (flat[i] > flat[best])
			best = i;
	assert_true(best > 0);
	name = strdup(d->string_table[d->function[best - 1]->name]);
	free(flat);
	perftools__profiles__profile__free_unpacked(d, NULL);
	free(buf);
	pg_bench_symbolizer_free(sym);
	return name;
}

static void sample_with(const char *source)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	pg_bench_profile_meta meta;
	uint64_t spent = 0;
	char err[512], *top;

	if (pg_bench_profiler_open(source, 1000, 1 << 16, err, sizeof(err))) {
		print_message("# source %s unavailable here: %s\n", source, err);
		return;
	}
	pg_bench_profiler_meta(&meta);
	assert_string_equal(meta.source, source);
	assert_non_null(strstr(meta.notes, "source forced"));
	/* burn until 20 samples have come, in regions of 50 ms */
	while (p.signals < 20) {
		assert_true(spent < 20000000000u); /* 20 s of CPU without 20 samples */
		burn_ns = 50000000;
		pg_bench_profiler_start();
		burn_cpu_in_test();
		pg_bench_profiler_stop();
		pg_bench_profiler_take(&p);
		spent += 50000000;
	}
	assert_true(p.weight >= p.signals);
	assert_true(p.cpu_ns >= spent);
	top = top_function(&p, &meta);
	assert_string_equal(top, "burn_cpu_in_test");
	free(top);
	pg_bench_profile_release(&p);
	pg_bench_profiler_close();
}

static void test_real_sources(void **state)
{
	char err[512];

	(void)state;
	sample_with("perf");
	sample_with("timer");
	sample_with("itimer");
	/* the automatic choice works on any Linux (setitimer at worst) */
	assert_int_equal(pg_bench_profiler_open(NULL, 100, 1 << 16, err, sizeof(err)), 0);
	pg_bench_profiler_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_add_merges_equal_stacks),
		cmocka_unit_test_teardown(test_open_errors, teardown),
		cmocka_unit_test_teardown(test_records_only_while_started, teardown),
		cmocka_unit_test_teardown(test_drops_when_full, teardown),
		cmocka_unit_test_teardown(test_deep_stacks_are_cut, teardown),
		cmocka_unit_test_teardown(test_discard_forgets_samples_and_drops, teardown),
		cmocka_unit_test_teardown(test_timer_drives_sampling, teardown),
		cmocka_unit_test_teardown(test_real_sources, teardown),
	};

	return cmocka_run_group_tests_name("harness_profile", tests, NULL, NULL);
}
