/*
 * --measure auto (gate/measure.c): time where the probe opens a hardware
 * instruction counter, else callgrind. The probe's answer is faked with
 * PERFGATE_SYSROOT (perfgate-probe/perf_event, bench-runner/doctor.h), so
 * both answers are tested on any host.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/config.h"
#include "gate/measure.h"

#include "bench-runner/fake_sysroot.h"

/* auto with the probe answering `outcome` (NULL: no file, which reads as
 * "ok"): the mode chosen, `why` filled. */
static pg_measure_mode resolve_with(const char *root, const char *outcome, pg_buf *why)
{
	pg_measure_mode m = PG_MEASURE_AUTO;

	fake_clear(root);
	if (outcome)
		fake_write(root, "perfgate-probe/perf_event", outcome);
	assert_int_equal(pg_measure_resolve(&m, why, PG_MEASURE_AUTO), 0);
	return m;
}

static void test_auto_counter_available(void **state)
{
	pg_buf why = PG_BUF_INIT;

	assert_int_equal(resolve_with(*state, "ok\n", &why), PG_MEASURE_TIME);
	assert_string_equal(why.ptr, "the hardware instruction counter is available");
	pg_buf_release(&why);
	/* no outcome file: the doctor reads it as "ok" */
	assert_int_equal(resolve_with(*state, NULL, &why), PG_MEASURE_TIME);
	pg_buf_release(&why);
}

/* no counter, or opening it denied: callgrind, and why */
static void test_auto_no_counter(void **state)
{
	static const struct {
		const char *outcome, *why;
	} cases[] = {
		{ "ENOENT\n", "no hardware instruction counter (perf_event_open: "
			      "No such file or directory)" },
		{ "EOPNOTSUPP\n", "no hardware instruction counter (perf_event_open: "
				  "Operation not supported)" },
		{ "ENOSYS\n", "no hardware instruction counter (perf_event_open: "
			      "Function not implemented)" },
		{ "EACCES\n", "opening the hardware instruction counter is denied "
			      "(perf_event_open: Permission denied)" },
		{ "EPERM\n", "opening the hardware instruction counter is denied "
			     "(perf_event_open: Operation not permitted)" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pg_buf why = PG_BUF_INIT;

		assert_int_equal(resolve_with(*state, cases[i].outcome, &why),
				 PG_MEASURE_CALLGRIND);
		assert_string_equal(why.ptr, cases[i].why);
		pg_buf_release(&why);
	}
}

/* time and callgrind are what they say: no probe (a broken fake outcome
 * would fail it), `why` untouched */
static void test_given_modes_untouched(void **state)
{
	pg_buf why = PG_BUF_INIT;
	pg_measure_mode m = PG_MEASURE_AUTO;

	fake_write(*state, "perfgate-probe/perf_event", "NOT-AN-ERRNO\n");
	assert_int_equal(pg_measure_resolve(&m, &why, PG_MEASURE_TIME), 0);
	assert_int_equal(m, PG_MEASURE_TIME);
	assert_int_equal(pg_measure_resolve(&m, &why, PG_MEASURE_CALLGRIND), 0);
	assert_int_equal(m, PG_MEASURE_CALLGRIND);
	assert_int_equal(why.len, 0);
	pg_buf_release(&why);
}

/* a probe that cannot answer is an error naming --measure auto; the mode
 * is left as it was */
static void test_auto_probe_fails(void **state)
{
	pg_buf why = PG_BUF_INIT;
	pg_measure_mode m = PG_MEASURE_AUTO;

	fake_write(*state, "perfgate-probe/perf_event", "NOT-AN-ERRNO\n");
	assert_int_equal(pg_measure_resolve(&m, &why, PG_MEASURE_AUTO), PG_EINFRA);
	assert_string_equal(pg_error_last(), "--measure auto: unknown outcome 'NOT-AN-ERRNO' in "
			    "'perfgate-probe/perf_event'");
	assert_int_equal(m, PG_MEASURE_AUTO);
	assert_int_equal(why.len, 0);
	pg_buf_release(&why);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_auto_counter_available, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_auto_no_counter, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_given_modes_untouched, fake_setup,
						fake_teardown),
		cmocka_unit_test_setup_teardown(test_auto_probe_fails, fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests_name("measure", tests, NULL, NULL);
}
