#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "bench-runner/run.h"
#include "common/error.h"
#include "common/file.h"

static int sh(pg_run_result *r, const char *script, double timeout,
	      const pg_cpuset *cpus)
{
	char *argv[] = { "/bin/sh", "-c", (char *)script, NULL };
	pg_run_opts opts = { 0 };

	opts.argv = argv;
	opts.timeout = timeout;
	opts.cpus = cpus;
	pg_run_result_init(r);
	return pg_run_process(r, &opts);
}

static void test_output_and_status(void **state)
{
	pg_run_result r;
	pg_buf why = PG_BUF_INIT;

	(void)state;
	assert_int_equal(sh(&r, "echo out; echo err >&2; exit 7", 0, NULL), 0);
	assert_string_equal(r.out.ptr, "out\n");
	assert_string_equal(r.err.ptr, "err\n");
	assert_true(r.exited);
	assert_int_equal(r.status, 7);
	assert_false(pg_run_succeeded(&r));
	pg_run_describe(&why, &r, 0);
	assert_string_equal(why.ptr, "exited with status 7");
	pg_run_result_release(&r);

	assert_int_equal(sh(&r, "printf 'a%.0s' $(seq 1 100000)", 0, NULL), 0);
	assert_int_equal(r.out.len, 100000);
	assert_true(pg_run_succeeded(&r));
	pg_run_result_release(&r);
	pg_buf_release(&why);
}

static void test_signal(void **state)
{
	pg_run_result r;
	pg_buf why = PG_BUF_INIT;

	(void)state;
	assert_int_equal(sh(&r, "kill -SEGV $$", 0, NULL), 0);
	assert_true(r.signaled);
	assert_int_equal(r.signal, SIGSEGV);
	pg_run_describe(&why, &r, 0);
	assert_string_equal(why.ptr, "was killed by signal 11 (Segmentation fault)");
	pg_run_result_release(&r);
	pg_buf_release(&why);
}

static void test_timeout_kills_the_group(void **state)
{
	pg_run_result r;
	pg_buf why = PG_BUF_INIT;

	(void)state;
	/* the grandchild holds the pipes open: killing only the shell would
	 * leave the read waiting for it */
	assert_int_equal(sh(&r, "sleep 30 & sleep 30; echo never", 0.3, NULL), 0);
	assert_true(r.timed_out);
	assert_false(pg_run_succeeded(&r));
	assert_true(r.elapsed < 10);
	assert_string_equal(r.out.ptr, "");
	pg_run_describe(&why, &r, 0.3);
	assert_string_equal(why.ptr, "timed out after 0.3 s");
	pg_run_result_release(&r);
	pg_buf_release(&why);
}

static void test_stderr_keeps_the_end(void **state)
{
	pg_run_result r;

	(void)state;
	assert_int_equal(sh(&r, "seq 1 20000 >&2; echo last >&2", 0, NULL), 0);
	assert_int_equal(r.err.len, PG_RUN_STDERR_KEEP);
	assert_non_null(strstr(r.err.ptr, "20000\nlast\n"));
	assert_true(r.err.len >= 5 && !strcmp(r.err.ptr + r.err.len - 5, "last\n"));
	pg_run_result_release(&r);
}

static void test_output_cap(void **state)
{
	char *argv[] = { "/bin/sh", "-c", "yes", NULL };
	pg_run_opts opts = { 0 };
	pg_run_result r;
	pg_buf why = PG_BUF_INIT;

	(void)state;
	opts.argv = argv;
	opts.max_output = 1 << 20;
	pg_run_result_init(&r);
	assert_int_equal(pg_run_process(&r, &opts), 0);
	assert_true(r.output_capped);
	assert_true(r.out.len <= (size_t)1 << 20);
	pg_run_describe(&why, &r, 0);
	assert_string_equal(why.ptr, "printed more output than allowed");
	pg_run_result_release(&r);
	pg_buf_release(&why);
}

static void test_exec_failure(void **state)
{
	char *argv[] = { "/nonexistent/suite", NULL };
	pg_run_opts opts = { 0 };
	pg_run_result r;

	(void)state;
	opts.argv = argv;
	pg_run_result_init(&r);
	assert_int_equal(pg_run_process(&r, &opts), PG_EINFRA);
	assert_string_equal(pg_error_last(),
			    "cannot run '/nonexistent/suite': No such file or directory");
	pg_run_result_release(&r);
}

static void test_pinning(void **state)
{
	pg_cpuset allowed, one;
	pg_run_result r;
	char want[64];
	size_t cpu;

	(void)state;
	assert_int_equal(pg_cpus_allowed(&allowed), 0);
	for (cpu = PG_MAX_CPUS; cpu-- > 0;)
		if (allowed.on[cpu])
			break;
	memset(&one, 0, sizeof(one));
	pg_cpuset_add(&one, cpu);
	assert_int_equal(sh(&r, "sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status",
			    0, &one), 0);
	snprintf(want, sizeof(want), "%zu\n", cpu);
	assert_string_equal(r.out.ptr, want);
	pg_run_result_release(&r);
}

/* A variable set for the child alone: replaced where the environment has
 * it, added where it does not; the rest passed on. */
static void test_env_set(void **state)
{
	char *base[] = { "A=1", "PERFGATE_BENCHTIME=1s", "PERFGATE_BENCHTIMEX=2", NULL };
	char *none[] = { "A=1", NULL };
	char *argv[] = { "/bin/sh", "-c", "echo \"$A $PERFGATE_BENCHTIME $PERFGATE_BENCHTIMEX\"",
			 NULL };
	pg_run_opts opts = { 0 };
	pg_run_result r;
	char **env = NULL;

	(void)state;
	assert_int_equal(pg_run_env_set(&env, base, "PERFGATE_BENCHTIME", "100ms"), 0);
	assert_string_equal(env[0], "A=1");
	assert_string_equal(env[1], "PERFGATE_BENCHTIMEX=2");
	assert_string_equal(env[2], "PERFGATE_BENCHTIME=100ms");
	assert_null(env[3]);
	opts.argv = argv;
	opts.envp = env;
	pg_run_result_init(&r);
	assert_int_equal(pg_run_process(&r, &opts), 0);
	assert_string_equal(r.out.ptr, "1 100ms 2\n");
	pg_run_result_release(&r);
	pg_free_strv(env);

	assert_int_equal(pg_run_env_set(&env, none, "B", ""), 0);
	assert_string_equal(env[1], "B=");
	assert_null(env[2]);
	pg_free_strv(env);
	assert_int_equal(pg_run_env_set(&env, NULL, "B", "x"), 0);
	assert_string_equal(env[0], "B=x");
	assert_null(env[1]);
	pg_free_strv(env);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_and_status),
		cmocka_unit_test(test_signal),
		cmocka_unit_test(test_timeout_kills_the_group),
		cmocka_unit_test(test_stderr_keeps_the_end),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_exec_failure),
		cmocka_unit_test(test_pinning),
		cmocka_unit_test(test_env_set),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests_name("run", tests, NULL, NULL);
}
