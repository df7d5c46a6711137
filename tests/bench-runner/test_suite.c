#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench-runner/suite.h"
#include "common/error.h"

/* A suite that counts its invocations in a file and prints 100 + the
 * count; misbehaves on the invocation named by $FAIL_AT. */
static const char script[] =
	"n=$(( $(cat \"$STATE\" 2>/dev/null || echo 0) + 1 )); echo $n >\"$STATE\"\n"
	"echo 'pkg: fake'\n"
	"if [ \"$n\" = \"${FAIL_AT:-0}\" ]; then echo dying >&2; exit 4; fi\n"
	"echo \"BenchmarkX 10 $((100 + n)) ns/op\"\n";

static double fake_now;

static double fake_clock(void)
{
	fake_now += 10;
	return fake_now;
}

struct seen {
	char log[512];
};

static void progress(void *ctx, const pg_suite_progress *p)
{
	struct seen *s = ctx;
	size_t len = strlen(s->log);

	snprintf(s->log + len, sizeof(s->log) - len, "%s%zu/%zu%s ",
		 p->finished ? "+" : "-", p->index, p->total, p->warmup ? "w" : "");
}

static void setup_state(char *path, size_t size, const char *fail_at)
{
	snprintf(path, size, "/tmp/pg-suite-test-%ld", (long)getpid());
	unlink(path);
	setenv("STATE", path, 1);
	if (fail_at)
		setenv("FAIL_AT", fail_at, 1);
	else
		unsetenv("FAIL_AT");
}

static void test_warmup_runs_and_start_times(void **state)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	pg_suite_opts opts = { 0 };
	pg_suite_result res;
	struct seen seen = { "" };
	char path[64];
	const pg_series *x;

	(void)state;
	setup_state(path, sizeof(path), NULL);
	opts.run.argv = argv;
	opts.count = 3;
	opts.warmup = 2;
	opts.clock = fake_clock;
	opts.progress = progress;
	opts.progress_ctx = &seen;
	fake_now = 1000;
	pg_suite_result_init(&res);
	assert_int_equal(pg_suite_run(&res, &opts), 0);
	assert_int_equal(res.ncompleted, 3);
	x = pg_results_find(&res.merged, "X", "ns/op");
	assert_non_null(x);
	/* invocations 1 and 2 were the warm-up */
	assert_int_equal(x->n, 3);
	assert_true(x->values[0] == 103 && x->values[1] == 104 && x->values[2] == 105);
	assert_int_equal(x->iters[2], 10);
	assert_true(pg_results_find(&res.runs[1], "X", "ns/op")->values[0] == 104);
	/* start times from the injected clock: one reading per run */
	assert_true(res.start_times[0] == 1030 && res.start_times[1] == 1040 &&
		    res.start_times[2] == 1050);
	assert_string_equal(pg_results_config(&res.merged, "pkg"), "fake");
	assert_string_equal(seen.log, "-1/5w +1/5w -2/5w +2/5w -3/5 +3/5 -4/5 +4/5 -5/5 +5/5 ");
	pg_suite_result_release(&res);
	unlink(path);
}

static void test_failure_keeps_completed_runs(void **state)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	pg_suite_opts opts = { 0 };
	pg_suite_result res;
	char path[64];

	(void)state;
	setup_state(path, sizeof(path), "4");
	opts.run.argv = argv;
	opts.count = 5;
	opts.warmup = 1;
	pg_suite_result_init(&res);
	assert_int_equal(pg_suite_run(&res, &opts), PG_EINFRA);
	assert_string_equal(pg_error_last(), "run 3 of 5: '/bin/sh' exited with status 4");
	assert_int_equal(res.ncompleted, 2);
	assert_int_equal(pg_results_find(&res.merged, "X", "ns/op")->n, 2);
	assert_string_equal(res.failure_stderr.ptr, "dying\n");
	pg_suite_result_release(&res);
	unlink(path);
}

static void test_bad_options(void **state)
{
	pg_suite_opts opts = { 0 };
	pg_suite_result res;

	(void)state;
	pg_suite_result_init(&res);
	assert_int_equal(pg_suite_run(&res, &opts), PG_EINPUT);
	pg_suite_result_release(&res);
	pg_suite_result_release(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_warmup_runs_and_start_times),
		cmocka_unit_test(test_failure_keeps_completed_runs),
		cmocka_unit_test(test_bad_options),
	};

	return cmocka_run_group_tests_name("suite", tests, NULL, NULL);
}
