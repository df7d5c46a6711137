/*
 * CPU sets and the CPUs a suite is pinned to (bench-runner/cpus.c), with
 * fake sysfs trees under PERFGATE_SYSROOT. pg_cpus_allowed() intersects the
 * real affinity mask of this process with the fake online list, so the
 * fake lists are built from the real mask.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "bench-runner/cpus.h"
#include "common/buf.h"
#include "common/error.h"
#include "bench-runner/fake_sysroot.h"

static void expect_set(const pg_cpuset *s, const char *want)
{
	pg_buf b = PG_BUF_INIT;

	assert_int_equal(pg_cpuset_format(&b, s), 0);
	assert_string_equal(b.ptr, want);
	pg_buf_release(&b);
}

static void test_parse_ranges_and_singles(void **state)
{
	pg_cpuset s;
	size_t i;

	(void)state;
	assert_int_equal(pg_cpuset_parse(&s, "0-3,8"), 0);
	assert_int_equal(s.count, 5);
	for (i = 0; i <= 3; i++)
		assert_true(pg_cpuset_has(&s, i));
	assert_false(pg_cpuset_has(&s, 4));
	assert_true(pg_cpuset_has(&s, 8));
	assert_false(pg_cpuset_has(&s, 9));

	/* as the kernel writes them: trailing newline; blanks tolerated */
	assert_int_equal(pg_cpuset_parse(&s, "2,4-5\n"), 0);
	expect_set(&s, "2,4-5");
	assert_int_equal(pg_cpuset_parse(&s, "  1, 3 \n"), 0);
	expect_set(&s, "1,3");
	assert_int_equal(pg_cpuset_parse(&s, "1023"), 0);
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, 1023));
	/* overlapping ranges count each CPU once */
	assert_int_equal(pg_cpuset_parse(&s, "0-2,1-3,2"), 0);
	assert_int_equal(s.count, 4);

	/* the empty set */
	assert_int_equal(pg_cpuset_parse(&s, ""), 0);
	assert_int_equal(s.count, 0);
	assert_int_equal(pg_cpuset_parse(&s, "\n"), 0);
	assert_int_equal(s.count, 0);
}

static void test_parse_invalid(void **state)
{
	static const char *const bad[] = {
		"a", "3-1", "1,", "1-", "-1", "1,,2", ",1", "1024", "0-1024",
		"0-3x", "1;2", "1.5", "99999999999999999999", "1--2", "0x1",
		"1 2", "0-3 8",
	};
	char want[128];
	pg_cpuset s;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pg_error_clear();
		assert_int_equal(pg_cpuset_parse(&s, "7"), 0);
		assert_int_equal(pg_cpuset_parse(&s, bad[i]), PG_EINPUT);
		snprintf(want, sizeof(want), "invalid CPU list '%s'", bad[i]);
		assert_string_equal(pg_error_last(), want);
		/* nothing half-parsed is left behind */
		assert_int_equal(s.count, 0);
		assert_false(pg_cpuset_has(&s, 7));
	}
	/* text after a newline is not ignored; the message stays one line */
	assert_int_equal(pg_cpuset_parse(&s, "1\nfoo"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "invalid CPU list '1'");
	assert_int_equal(pg_cpuset_parse(&s, " 1-2\n"), 0);
	assert_int_equal(s.count, 2);
}

static void test_format_round_trip(void **state)
{
	static const char *const lists[] = {
		"0", "5", "0-3", "0-3,8,10-11", "0,2,4", "1023", "0-1023", "1-2,1022-1023",
	};
	pg_cpuset s, again;
	pg_buf b = PG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		assert_int_equal(pg_cpuset_parse(&s, lists[i]), 0);
		pg_buf_reset(&b);
		assert_int_equal(pg_cpuset_format(&b, &s), 0);
		assert_string_equal(b.ptr, lists[i]);
		assert_int_equal(pg_cpuset_parse(&again, b.ptr), 0);
		assert_memory_equal(&again, &s, sizeof(s));
	}
	/* ranges are merged, the notation is canonical */
	assert_int_equal(pg_cpuset_parse(&s, "3,1,2,0"), 0);
	expect_set(&s, "0-3");
	memset(&s, 0, sizeof(s));
	expect_set(&s, "");
	/* format appends */
	pg_buf_reset(&b);
	pg_buf_adds(&b, "cpus=");
	assert_int_equal(pg_cpuset_parse(&s, "1,3"), 0);
	assert_int_equal(pg_cpuset_format(&b, &s), 0);
	assert_string_equal(b.ptr, "cpus=1,3");
	pg_buf_release(&b);
}

static void test_add_and_has(void **state)
{
	pg_cpuset s;

	(void)state;
	memset(&s, 0, sizeof(s));
	pg_cpuset_add(&s, 3);
	pg_cpuset_add(&s, 3);
	assert_int_equal(s.count, 1);
	pg_cpuset_add(&s, PG_MAX_CPUS); /* out of range: ignored */
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, 3));
	assert_false(pg_cpuset_has(&s, PG_MAX_CPUS));
	assert_false(pg_cpuset_has(&s, (size_t)-1));
}

static void test_sys_path_and_read(void **state)
{
	pg_buf b = PG_BUF_INIT, want = PG_BUF_INIT;
	char *root = *state;

	unsetenv("PERFGATE_SYSROOT");
	assert_int_equal(pg_sys_path(&b, "proc/loadavg"), 0);
	assert_string_equal(b.ptr, "/proc/loadavg");
	setenv("PERFGATE_SYSROOT", "", 1); /* empty: the real root */
	pg_buf_reset(&b);
	assert_int_equal(pg_sys_path(&b, "proc/loadavg"), 0);
	assert_string_equal(b.ptr, "/proc/loadavg");

	setenv("PERFGATE_SYSROOT", root, 1);
	pg_buf_reset(&b);
	assert_int_equal(pg_sys_path(&b, "proc/loadavg"), 0);
	pg_buf_addf(&want, "%s/proc/loadavg", root);
	assert_string_equal(b.ptr, want.ptr);

	/* trailing whitespace goes */
	fake_write(root, "sys/devices/system/cpu/online", "0-3\n\n");
	pg_buf_reset(&b);
	assert_int_equal(pg_sys_read(&b, "sys/devices/system/cpu/online"), 0);
	assert_string_equal(b.ptr, "0-3");

	/* absent: PG_ENOTFOUND and no message */
	pg_error_clear();
	pg_buf_reset(&b);
	assert_int_equal(pg_sys_read(&b, "sys/devices/system/cpu/isolated"), PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "");
	assert_int_equal(b.len, 0);

	/* present but unreadable: PG_EINFRA naming the file */
	fake_mkdir(root, "proc/sys/kernel/randomize_va_space");
	assert_int_equal(pg_sys_read(&b, "proc/sys/kernel/randomize_va_space"), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "randomize_va_space"));

	pg_buf_release(&b);
	pg_buf_release(&want);
}

static void test_isolated(void **state)
{
	pg_cpuset s;
	char *root = *state;

	assert_int_equal(pg_cpus_isolated(&s), 0); /* no file: none */
	assert_int_equal(s.count, 0);
	fake_write(root, "sys/devices/system/cpu/isolated", "\n");
	assert_int_equal(pg_cpus_isolated(&s), 0);
	assert_int_equal(s.count, 0);
	fake_write(root, "sys/devices/system/cpu/isolated", "2-3\n");
	assert_int_equal(pg_cpus_isolated(&s), 0);
	expect_set(&s, "2-3");
	fake_write(root, "sys/devices/system/cpu/isolated", "2-x\n");
	assert_int_equal(pg_cpus_isolated(&s), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "cannot parse 'sys/devices/system/cpu/isolated'"));
}

static void test_allowed_is_affinity_and_online(void **state)
{
	pg_cpuset real, s;
	size_t hi;
	char *root = *state;
	char list[32];

	real_affinity(&real);
	hi = cpuset_highest(&real);

	/* no online list: the affinity mask */
	assert_int_equal(pg_cpus_allowed(&s), 0);
	assert_memory_equal(&s, &real, sizeof(s));
	/* every CPU online: the affinity mask */
	fake_write(root, "sys/devices/system/cpu/online", "0-1023\n");
	assert_int_equal(pg_cpus_allowed(&s), 0);
	assert_memory_equal(&s, &real, sizeof(s));
	/* one CPU online */
	snprintf(list, sizeof(list), "%zu\n", hi);
	fake_write(root, "sys/devices/system/cpu/online", list);
	assert_int_equal(pg_cpus_allowed(&s), 0);
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, hi));
	/* an unparsable online list */
	fake_write(root, "sys/devices/system/cpu/online", "zero\n");
	assert_int_equal(pg_cpus_allowed(&s), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "'zero'"));
}

static void test_default_isolated(void **state)
{
	pg_cpuset real, s;
	const char *why = NULL;
	size_t hi;
	char list[64];
	char *root = *state;

	real_affinity(&real);
	hi = cpuset_highest(&real);
	fake_write(root, "sys/devices/system/cpu/online", "0-1023\n");
	/* isolated CPUs this process may use: those */
	snprintf(list, sizeof(list), "%zu\n", hi);
	fake_write(root, "sys/devices/system/cpu/isolated", list);
	assert_int_equal(pg_cpus_default(&s, &why), 0);
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, hi));
	assert_string_equal(why, "isolated CPUs");
	/* isolated CPUs outside the affinity mask are left out */
	if (!pg_cpuset_has(&real, 1023)) {
		snprintf(list, sizeof(list), "%zu,1023\n", hi);
		fake_write(root, "sys/devices/system/cpu/isolated", list);
		assert_int_equal(pg_cpus_default(&s, &why), 0);
		assert_int_equal(s.count, 1);
		assert_true(pg_cpuset_has(&s, hi));
		assert_string_equal(why, "isolated CPUs");
	}
}

static void test_default_highest_but_0(void **state)
{
	pg_cpuset real, s;
	const char *why = NULL;
	size_t hi, lo = 0, i;
	char list[64];
	char *root = *state;

	real_affinity(&real);
	hi = cpuset_highest(&real);
	if (hi == 0)
		skip(); /* only CPU 0 here: see test_default_only_cpu0 */
	for (i = 1; i < PG_MAX_CPUS; i++)
		if (real.on[i]) {
			lo = i;
			break;
		}
	fake_write(root, "sys/devices/system/cpu/online", "0-1023\n");
	fake_write(root, "sys/devices/system/cpu/isolated", "\n");
	assert_int_equal(pg_cpus_default(&s, &why), 0);
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, hi));
	assert_string_equal(why, "highest allowed CPU other than CPU 0");

	/* the highest *allowed* CPU: the online list restricts the choice */
	snprintf(list, sizeof(list), "0,%zu\n", lo);
	fake_write(root, "sys/devices/system/cpu/online", list);
	assert_int_equal(pg_cpus_default(&s, &why), 0);
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, lo));

	/* isolated CPUs that this process may not use do not count */
	if (!pg_cpuset_has(&real, 1023)) {
		fake_write(root, "sys/devices/system/cpu/online", "0-1023\n");
		fake_write(root, "sys/devices/system/cpu/isolated", "1023\n");
		assert_int_equal(pg_cpus_default(&s, &why), 0);
		assert_true(pg_cpuset_has(&s, hi));
		assert_int_equal(s.count, 1);
		assert_string_equal(why, "highest allowed CPU other than CPU 0");
	}
}

static void test_default_only_cpu0(void **state)
{
	pg_cpuset real, s;
	const char *why = NULL;
	char *root = *state;

	real_affinity(&real);
	if (!pg_cpuset_has(&real, 0))
		skip(); /* this process may not run on CPU 0 */
	fake_write(root, "sys/devices/system/cpu/online", "0\n");
	assert_int_equal(pg_cpus_default(&s, &why), 0);
	assert_int_equal(s.count, 1);
	assert_true(pg_cpuset_has(&s, 0));
	assert_string_equal(why, "CPU 0, the only allowed CPU");
}

static void test_default_none(void **state)
{
	pg_cpuset real, s;
	const char *why = NULL;
	char *root = *state;

	real_affinity(&real);
	if (pg_cpuset_has(&real, 1023))
		skip();
	fake_write(root, "sys/devices/system/cpu/online", "1023\n");
	assert_int_equal(pg_cpus_default(&s, &why), PG_EINFRA);
	assert_string_equal(pg_error_last(), "no CPU available to run on");
	assert_int_equal(s.count, 0);
	/* errors reading the lists are passed on */
	fake_write(root, "sys/devices/system/cpu/online", "0-1023\n");
	fake_write(root, "sys/devices/system/cpu/isolated", "x\n");
	assert_int_equal(pg_cpus_default(&s, &why), PG_EINFRA);
}

static void test_pin(void **state)
{
	pg_cpuset real, s, after;

	(void)state;
	unsetenv("PERFGATE_SYSROOT");
	real_affinity(&real);
	/* pin to the highest CPU, check, then restore */
	memset(&s, 0, sizeof(s));
	pg_cpuset_add(&s, cpuset_highest(&real));
	assert_int_equal(pg_cpus_pin(&s), 0);
	real_affinity(&after);
	assert_memory_equal(&after, &s, sizeof(s));
	assert_int_equal(pg_cpus_pin(&real), 0);
	real_affinity(&after);
	assert_memory_equal(&after, &real, sizeof(real));
	/* the empty set cannot be pinned to */
	memset(&s, 0, sizeof(s));
	assert_int_equal(pg_cpus_pin(&s), PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "cannot pin to CPUs ''"));
	real_affinity(&after);
	assert_memory_equal(&after, &real, sizeof(real));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_ranges_and_singles),
		cmocka_unit_test(test_parse_invalid),
		cmocka_unit_test(test_format_round_trip),
		cmocka_unit_test(test_add_and_has),
		cmocka_unit_test_setup_teardown(test_sys_path_and_read, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_isolated, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_allowed_is_affinity_and_online, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_default_isolated, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_default_highest_but_0, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_default_only_cpu0, fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_default_none, fake_setup, fake_teardown),
		cmocka_unit_test(test_pin),
	};

	return cmocka_run_group_tests_name("cpus", tests, NULL, NULL);
}
