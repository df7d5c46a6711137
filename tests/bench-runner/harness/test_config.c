/*
 * Configuration lines (bench-runner/harness/config.c): the built-in keys,
 * the compilers of the registered benchmarks, notes, and the user's
 * pg_bench_add_config() lines.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench-runner/harness/internal.h"

PG_BENCH(One)
{
	(void)b;
}

static void nop(pg_bench *b)
{
	(void)b;
}

static char *block(const char *argv0, const char *notes)
{
	static char text[4096];
	pg_bench_sb sb = PG_BENCH_SB_INIT;

	pg_bench_config_block(&sb, argv0, notes);
	assert_false(sb.failed);
	snprintf(text, sizeof(text), "%s", pg_bench_sb_str(&sb));
	pg_bench_sb_release(&sb);
	return text;
}

/* the value of `key` in `text`, or NULL */
static const char *value(const char *text, const char *key)
{
	static char v[512];
	const char *p = text;
	size_t klen = strlen(key);

	while (*p) {
		const char *nl = strchr(p, '\n');

		assert_non_null(nl); /* every line ends in a newline */
		if (!strncmp(p, key, klen) && p[klen] == ':' && p[klen + 1] == ' ') {
			snprintf(v, sizeof(v), "%.*s", (int)(nl - p - klen - 2), p + klen + 2);
			return v;
		}
		p = nl + 1;
	}
	return NULL;
}

static int teardown(void **state)
{
	(void)state;
	pg_bench_config_reset();
	return 0;
}

static void test_builtin_lines(void **state)
{
	const char *text = block("./build/examples/example-suite", NULL);

	(void)state;
	assert_true(!strncmp(text, "goos: ", 6)); /* first, as go test prints it */
	assert_string_equal(value(text, "goos"), "linux");
	assert_string_equal(value(text, "goarch"), pg_bench_goarch());
	assert_string_equal(value(text, "pkg"), "example-suite");
	assert_string_equal(value(text, "compiler"), PG_BENCH_COMPILER);
	assert_string_equal(value(block("suite", NULL), "pkg"), "suite");
	assert_string_equal(value(block(NULL, NULL), "pkg"), "unknown");
	assert_string_equal(value(block("", NULL), "pkg"), "unknown");
}

static void test_cpu_line_from_proc_cpuinfo(void **state)
{
	char line[512], model[512] = "";
	FILE *f = fopen("/proc/cpuinfo", "r");

	(void)state;
	if (f) {
		while (fgets(line, sizeof(line), f)) {
			char *colon = strchr(line, ':');

			if (strncmp(line, "model name", 10) || !colon)
				continue;
			snprintf(model, sizeof(model), "%s", colon + 2);
			model[strcspn(model, "\n")] = '\0';
			break;
		}
		fclose(f);
	}
	if (*model)
		assert_string_equal(value(block("s", NULL), "cpu"), model);
	else
		assert_null(value(block("s", NULL), "cpu")); /* Go omits it too */
}

static void test_notes_and_user_lines(void **state)
{
	const char *text;

	(void)state;
	assert_int_equal(pg_bench_add_config("opt", "-O%d", 3), 0);
	assert_int_equal(pg_bench_add_config("pkg", "mylib"), 0);
	text = block("s", "instructions: unavailable (x)\n");
	assert_string_equal(value(text, "pkg"), "mylib");
	assert_string_equal(value(text, "opt"), "-O3");
	/* notes after the built-in lines, user lines last */
	assert_non_null(strstr(text, "\ninstructions: unavailable (x)\nopt: -O3\n"));
	assert_null(strstr(text, "pkg: s\n"));
}

static void test_distinct_compilers_joined(void **state)
{
	char want[256];

	(void)state;
	pg_bench_register("FromOtherCompiler", nop, "clang 99.0.0");
	pg_bench_register("FromOtherCompiler2", nop, "clang 99.0.0");
	pg_bench_register("FromSameCompiler", nop, PG_BENCH_COMPILER);
	snprintf(want, sizeof(want), "%s, clang 99.0.0", PG_BENCH_COMPILER);
	assert_string_equal(value(block("s", NULL), "compiler"), want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_builtin_lines, teardown),
		cmocka_unit_test_teardown(test_cpu_line_from_proc_cpuinfo, teardown),
		cmocka_unit_test_teardown(test_notes_and_user_lines, teardown),
		cmocka_unit_test_teardown(test_distinct_compilers_joined, teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
