/*
 * The instruction counter (bench-runner/harness/counter.c). Whether
 * perf_event_open works depends on the machine (kernel.perf_event_paranoid,
 * a virtual CPU without counters): either it opens and counts only while
 * enabled, or it refuses with a reason naming perf_event_open or the
 * counter. Both outcomes are checked exactly; neither is a crash.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

static void spin(int n)
{
	volatile uint64_t sink = 0;
	int i;

	for (i = 0; i < n; i++)
		sink += (uint64_t)i;
	(void)sink;
}

static void test_perf_counter(void **state)
{
	const pg_bench_counter_ops *c = pg_bench_counter_perf();
	char why[512] = "";
	uint64_t a, b2, c2, d;

	(void)state;
	if (c->open(why, sizeof(why))) {
		/* refused: a reason, and reads fail instead of inventing numbers */
		assert_true(!strncmp(why, "perf_event_open: ", 17) ||
			    !strcmp(why, "the perf_event counter does not count") ||
			    !strncmp(why, "reading the perf_event counter: ", 32));
		assert_int_equal(c->read(&a), -1);
		c->enable();  /* harmless */
		c->disable();
		c->close();
		return;
	}
	assert_int_equal(c->read(&a), 0);
	assert_int_equal(a, 0); /* opened stopped, at zero */
	c->enable();
	spin(100000);
	c->disable();
	assert_int_equal(c->read(&b2), 0);
	assert_true(b2 > 100000); /* at least an instruction per iteration */
	spin(100000);            /* disabled: not counted */
	assert_int_equal(c->read(&c2), 0);
	assert_int_equal(c2, b2);
	c->enable();
	spin(1000);
	c->disable();
	assert_int_equal(c->read(&d), 0);
	assert_true(d > c2 && d - c2 < 100000);
	c->close();
	assert_int_equal(c->read(&a), -1);
}

/* A read's {value, time enabled, time running}: scaled when the event
 * ran part of the time, refused when it never ran (enabled but never
 * scheduled: its value is no count, and 0 instructions/op would be a
 * made-up figure). */
static void test_counter_value(void **state)
{
	static const uint64_t never[3] = { 0, 5000, 0 }, full[3] = { 700, 5000, 5000 },
			      half[3] = { 700, 5000, 2500 }, more[3] = { 700, 5000, 6000 };
	uint64_t out = 42;

	(void)state;
	assert_int_equal(pg_bench_counter_value(&out, never), -1);
	assert_int_equal(out, 42); /* untouched */
	assert_int_equal(pg_bench_counter_value(&out, full), 0);
	assert_int_equal(out, 700);
	assert_int_equal(pg_bench_counter_value(&out, half), 0);
	assert_int_equal(out, 1400);
	assert_int_equal(pg_bench_counter_value(&out, more), 0);
	assert_int_equal(out, 700);
}

static void test_counter_is_replaceable(void **state)
{
	static const pg_bench_counter_ops other = { NULL, NULL, NULL, NULL, NULL };

	(void)state;
	assert_ptr_equal(pg_bench_counter(), pg_bench_counter_perf());
	pg_bench_set_counter(&other);
	assert_ptr_equal(pg_bench_counter(), &other);
	pg_bench_set_counter(NULL);
	assert_ptr_equal(pg_bench_counter(), pg_bench_counter_perf());
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_perf_counter),
		cmocka_unit_test(test_counter_value),
		cmocka_unit_test(test_counter_is_replaceable),
	};

	return cmocka_run_group_tests_name("counter", tests, NULL, NULL);
}
