/*
 * The quiet-host checks (bench-runner/doctor.c): every check, every
 * branch, on fake sysfs/procfs trees under PERFGATE_SYSROOT (the
 * perf_event probe's outcome then comes from perfgate-probe/perf_event).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/personality.h>
#include <cmocka.h>

#include "bench-runner/cpus.h"
#include "bench-runner/doctor.h"
#include "common/error.h"
#include "bench-runner/fake_sysroot.h"

#define CPU "sys/devices/system/cpu/"

/* A quiet host: CPU 1 isolated, 'performance', no turbo, no sibling, ASLR
 * on, idle, bare metal, counters available. */
static void quiet_tree(const char *root)
{
	fake_write(root, CPU "online", "0-3\n");
	fake_write(root, CPU "isolated", "1\n");
	fake_write(root, CPU "cpu1/cpufreq/scaling_governor", "performance\n");
	fake_write(root, CPU "intel_pstate/no_turbo", "1\n");
	fake_write(root, CPU "cpu1/topology/thread_siblings_list", "1\n");
	fake_write(root, CPU "smt/control", "on\n");
	fake_write(root, "proc/sys/kernel/randomize_va_space", "2\n");
	fake_write(root, "proc/loadavg", "0.10 0.20 0.30 1/100 4242\n");
	fake_write(root, "proc/cpuinfo", "processor\t: 0\nvendor_id\t: GenuineIntel\n"
		   "flags\t\t: fpu vme de pse tsc msr sse sse2 ht\n\n"
		   "processor\t: 1\nflags\t\t: fpu vme de pse tsc msr sse sse2 ht\n\n");
	fake_write(root, "sys/class/dmi/id/sys_vendor", "Dell Inc.\n");
	fake_write(root, "sys/class/dmi/id/product_name", "PowerEdge R640\n");
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "2\n");
	fake_write(root, "perfgate-probe/perf_event", "ok\n");
}

static int quiet_setup(void **state)
{
	fake_setup(state);
	quiet_tree(*state);
	return 0;
}

/* Run the checks for `cpus` ("1", "1,3"). */
static void run(pg_doctor_report *r, const char *cpus)
{
	pg_cpuset set;

	assert_int_equal(pg_cpuset_parse(&set, cpus), 0);
	assert_int_equal(pg_doctor_run(r, &set), 0);
}

/* The finding `id` has `level` and its message contains `part` (may be
 * NULL); returns it. */
static const pg_finding *expect(const pg_doctor_report *r, const char *id,
				pg_check_level level, const char *part)
{
	const pg_finding *f = pg_doctor_find(r, id);

	assert_non_null(f);
	if (f->level != level || (part && !strstr(f->message, part)))
		fail_msg("%s: %s '%s', expected %s with '%s'", id, pg_check_level_name(f->level),
			 f->message, pg_check_level_name(level), part ? part : "");
	/* a warning says how to fix it; nothing else does */
	if (level == PG_CHECK_WARN)
		assert_non_null(f->fix);
	else
		assert_null(f->fix);
	assert_null(strchr(f->message, '\n'));
	return f;
}

static void expect_fix(const pg_finding *f, const char *part)
{
	assert_non_null(f->fix);
	if (!strstr(f->fix, part))
		fail_msg("%s: fix '%s' lacks '%s'", f->check, f->fix, part);
}

static void expect_no_fix_part(const pg_finding *f, const char *part)
{
	if (f->fix && strstr(f->fix, part))
		fail_msg("%s: fix '%s' has '%s'", f->check, f->fix, part);
}

/* Run for `cpus` and check one finding. */
static void check_one(const char *cpus, const char *id, pg_check_level level,
		      const char *part, const char *fix_part)
{
	pg_doctor_report r;
	const pg_finding *f;

	run(&r, cpus);
	f = expect(&r, id, level, part);
	if (fix_part)
		expect_fix(f, fix_part);
	pg_doctor_report_release(&r);
}

/* ------------------------------------------------------------ the report */

static void test_quiet_host(void **state)
{
	static const char *const ids[] = {
		"governor", "turbo", "smt", "aslr", "load", "isolated", "virtualization",
		"perf_event",
	};
	pg_doctor_report r;
	pg_buf cpus = PG_BUF_INIT;
	size_t i;

	(void)state;
	run(&r, "1");
	assert_int_equal(r.n, 8);
	for (i = 0; i < r.n; i++) {
		assert_string_equal(r.items[i].check, ids[i]); /* fixed order */
		if (r.items[i].level != PG_CHECK_OK)
			fail_msg("%s: %s", r.items[i].check, r.items[i].message);
	}
	assert_int_equal(pg_doctor_warnings(&r), 0);
	pg_cpuset_format(&cpus, &r.cpus);
	assert_string_equal(cpus.ptr, "1");
	assert_null(r.cpus_why);
	assert_null(pg_doctor_find(&r, "nonsense"));
	pg_doctor_report_release(&r);
	assert_int_equal(r.n, 0);
	assert_null(r.items);
	pg_doctor_report_release(&r); /* twice is fine */
	pg_doctor_report_release(NULL);
	pg_buf_release(&cpus);
}

static void test_noisy_host(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	size_t i;

	fake_write(root, CPU "cpu1/cpufreq/scaling_governor", "powersave\n");
	fake_write(root, CPU "intel_pstate/no_turbo", "0\n");
	fake_write(root, CPU "cpu1/topology/thread_siblings_list", "1,3\n");
	fake_write(root, "proc/sys/kernel/randomize_va_space", "0\n");
	fake_write(root, "proc/loadavg", "3.50 2.00 1.00 4/200 4242\n");
	fake_remove(root, CPU "isolated");
	fake_write(root, "sys/class/dmi/id/sys_vendor", "QEMU\n");
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "3\n");
	fake_write(root, "perfgate-probe/perf_event", "EACCES\n");
	run(&r, "1");
	assert_int_equal(r.n, 8);
	assert_int_equal(pg_doctor_warnings(&r), 8);
	for (i = 0; i < r.n; i++) {
		assert_int_equal(r.items[i].level, PG_CHECK_WARN);
		assert_non_null(r.items[i].fix);
		assert_true(strlen(r.items[i].fix) > 0);
	}
	pg_doctor_report_release(&r);
}

static void test_arguments(void **state)
{
	pg_doctor_report r;
	pg_cpuset none;

	(void)state;
	memset(&none, 0, sizeof(none));
	assert_int_equal(pg_doctor_run(&r, &none), PG_EINPUT);
	assert_string_equal(pg_error_last(), "no CPU to check");
	assert_int_equal(r.n, 0);
	assert_null(r.items);
	assert_string_equal(pg_check_level_name(PG_CHECK_OK), "ok");
	assert_string_equal(pg_check_level_name(PG_CHECK_INFO), "info");
	assert_string_equal(pg_check_level_name(PG_CHECK_WARN), "warn");
}

/* Without CPUs, those pg_cpus_default() picks (from the real affinity mask
 * and the fake lists). */
static void test_default_cpus(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	pg_cpuset real;
	char list[32];
	size_t hi;

	real_affinity(&real);
	hi = cpuset_highest(&real);
	fake_write(root, CPU "online", "0-1023\n");
	snprintf(list, sizeof(list), "%zu\n", hi);
	fake_write(root, CPU "isolated", list);
	assert_int_equal(pg_doctor_run(&r, NULL), 0);
	assert_int_equal(r.cpus.count, 1);
	assert_true(pg_cpuset_has(&r.cpus, hi));
	assert_string_equal(r.cpus_why, "isolated CPUs");
	expect(&r, "isolated", PG_CHECK_OK, "is isolated");
	pg_doctor_report_release(&r);

	/* no CPU to choose: the error is passed on, the report left empty */
	if (!pg_cpuset_has(&real, 1023)) {
		fake_write(root, CPU "online", "1023\n");
		assert_int_equal(pg_doctor_run(&r, NULL), PG_EINFRA);
		assert_int_equal(r.n, 0);
	}
}

/* The live probe and the real files: whatever the host, one finding per
 * check, and a warning always has a fix. */
static void test_real_host(void **state)
{
	pg_doctor_report r;
	size_t i;

	(void)state;
	unsetenv("PERFGATE_SYSROOT");
	assert_int_equal(pg_doctor_run(&r, NULL), 0);
	assert_int_equal(r.n, 8);
	assert_non_null(r.cpus_why);
	for (i = 0; i < r.n; i++) {
		assert_non_null(r.items[i].message);
		assert_true((r.items[i].level == PG_CHECK_WARN) == (r.items[i].fix != NULL));
	}
	pg_doctor_report_release(&r);
}

/* ------------------------------------------------------------ governor */

static void test_governor(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;

	check_one("1", "governor", PG_CHECK_OK, "frequency governor 'performance' on CPU 1",
		  NULL);

	fake_write(root, CPU "cpu1/cpufreq/scaling_governor", "powersave\n");
	check_one("1", "governor", PG_CHECK_WARN, "frequency governor 'powersave' on CPU 1 "
		  "(not 'performance')", "sudo cpupower frequency-set -g performance");
	run(&r, "1");
	f = pg_doctor_find(&r, "governor");
	assert_string_equal(f->fix, "sudo cpupower frequency-set -g performance\n"
			    "echo performance | sudo tee "
			    "/sys/devices/system/cpu/cpu*/cpufreq/scaling_governor");
	pg_doctor_report_release(&r);

	/* several CPUs: only the ones that are not 'performance' are named */
	fake_write(root, CPU "cpu1/cpufreq/scaling_governor", "performance\n");
	fake_write(root, CPU "cpu2/cpufreq/scaling_governor", "performance\n");
	fake_write(root, CPU "cpu3/cpufreq/scaling_governor", "ondemand\n");
	run(&r, "1-3");
	f = expect(&r, "governor", PG_CHECK_WARN, "frequency governor 'ondemand' on CPU 3 ");
	assert_null(strstr(f->message, "CPU 1"));
	pg_doctor_report_release(&r);
	fake_write(root, CPU "cpu1/cpufreq/scaling_governor", "schedutil\n");
	check_one("1-3", "governor", PG_CHECK_WARN,
		  "'schedutil' on CPU 1, 'ondemand' on CPU 3 (not", NULL);
	fake_write(root, CPU "cpu3/cpufreq/scaling_governor", "performance\n");
	fake_write(root, CPU "cpu1/cpufreq/scaling_governor", "performance\n");
	check_one("1-3", "governor", PG_CHECK_OK, "'performance' on CPUs 1-3", NULL);

	/* only the checked CPUs count */
	fake_write(root, CPU "cpu0/cpufreq/scaling_governor", "powersave\n");
	check_one("1", "governor", PG_CHECK_OK, NULL, NULL);

	/* no cpufreq interface (virtual machines) */
	fake_remove(root, CPU "cpu1/cpufreq/scaling_governor");
	check_one("1", "governor", PG_CHECK_INFO, "no cpufreq interface: the frequency is "
		  "managed by the hypervisor or firmware", NULL);
	/* partly present: judged on the CPUs that have one */
	check_one("1-2", "governor", PG_CHECK_OK, "'performance' on CPU 2", NULL);

	/* unreadable */
	fake_mkdir(root, CPU "cpu1/cpufreq/scaling_governor");
	check_one("1", "governor", PG_CHECK_INFO, "cannot read the frequency governor: ", NULL);
}

/* ------------------------------------------------------------ turbo */

static void test_turbo(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;

	check_one("1", "turbo", PG_CHECK_OK, "turbo boost is off (intel_pstate/no_turbo is 1)",
		  NULL);
	fake_write(root, CPU "intel_pstate/no_turbo", "0\n");
	run(&r, "1");
	f = expect(&r, "turbo", PG_CHECK_WARN, "turbo boost is on (intel_pstate/no_turbo is 0)");
	assert_string_equal(f->fix, "echo 1 | sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo");
	pg_doctor_report_release(&r);
	fake_write(root, CPU "intel_pstate/no_turbo", "maybe\n");
	check_one("1", "turbo", PG_CHECK_INFO, "unexpected value 'maybe' in 'intel_pstate/no_turbo'",
		  NULL);
	fake_mkdir(root, CPU "intel_pstate/no_turbo");
	check_one("1", "turbo", PG_CHECK_INFO, "cannot tell whether turbo boost is on: ", NULL);

	/* acpi-cpufreq's global boost */
	fake_clear(root);
	quiet_tree(root);
	fake_remove(root, CPU "intel_pstate/no_turbo");
	check_one("1", "turbo", PG_CHECK_INFO, "no turbo/boost control: the frequency is "
		  "managed by the hypervisor or firmware", NULL);
	fake_write(root, CPU "cpufreq/boost", "1\n");
	run(&r, "1");
	f = expect(&r, "turbo", PG_CHECK_WARN, "turbo boost is on (cpufreq/boost is 1)");
	assert_string_equal(f->fix, "echo 0 | sudo tee /sys/devices/system/cpu/cpufreq/boost");
	pg_doctor_report_release(&r);
	fake_write(root, CPU "cpufreq/boost", "0\n");
	check_one("1", "turbo", PG_CHECK_OK, "turbo boost is off (cpufreq/boost is 0)", NULL);
	/* both: either one on is a warning */
	fake_write(root, CPU "intel_pstate/no_turbo", "0\n");
	check_one("1", "turbo", PG_CHECK_WARN, "intel_pstate/no_turbo is 0", "no_turbo");

	/* per-policy boost of the checked CPUs, when there is no global one */
	fake_remove(root, CPU "intel_pstate/no_turbo");
	fake_remove(root, CPU "cpufreq/boost");
	fake_write(root, CPU "cpu1/cpufreq/boost", "0\n");
	fake_write(root, CPU "cpu2/cpufreq/boost", "1\n");
	fake_write(root, CPU "cpu3/cpufreq/boost", "1\n");
	check_one("1", "turbo", PG_CHECK_OK, "cpu1/cpufreq/boost is 0", NULL);
	run(&r, "1-2");
	f = expect(&r, "turbo", PG_CHECK_WARN, "turbo boost is on (cpu2/cpufreq/boost is 1)");
	assert_string_equal(f->fix, "echo 0 | sudo tee /sys/devices/system/cpu/cpu2/cpufreq/boost");
	pg_doctor_report_release(&r);
	run(&r, "1-3");
	f = expect(&r, "turbo", PG_CHECK_WARN, "cpu2/cpufreq/boost is 1, cpu3/cpufreq/boost is 1");
	expect_fix(f, "cpu3/cpufreq/boost");
	pg_doctor_report_release(&r);
}

/* ------------------------------------------------------------ smt */

static void test_smt(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;

	check_one("1", "smt", PG_CHECK_OK, "no SMT sibling online for CPU 1", NULL);

	/* a sibling online */
	fake_write(root, CPU "cpu1/topology/thread_siblings_list", "1,3\n");
	run(&r, "1");
	f = expect(&r, "smt", PG_CHECK_WARN, "CPU 1 shares its core with SMT sibling CPU 3: ");
	assert_string_equal(f->fix, "keep the siblings idle: isolate both (isolcpus=1,3) and pin "
			    "to one (--cpus 1)\n"
			    "echo off | sudo tee /sys/devices/system/cpu/smt/control");
	pg_doctor_report_release(&r);
	/* the kernel cannot turn SMT off: no such fix */
	fake_write(root, CPU "smt/control", "notsupported\n");
	run(&r, "1");
	f = expect(&r, "smt", PG_CHECK_WARN, NULL);
	expect_no_fix_part(f, "smt/control");
	expect_fix(f, "isolcpus=1,3");
	pg_doctor_report_release(&r);
	fake_remove(root, CPU "smt/control");
	check_one("1", "smt", PG_CHECK_WARN, NULL, "echo off | sudo tee");

	/* the sibling is offline */
	fake_write(root, CPU "online", "0-2\n");
	check_one("1", "smt", PG_CHECK_OK, "no SMT sibling online for CPU 1 (offline: CPU 3)",
		  NULL);
	/* no online list: a sibling counts as online */
	fake_remove(root, CPU "online");
	check_one("1", "smt", PG_CHECK_WARN, "sibling CPU 3", NULL);
	fake_write(root, CPU "online", "0-7\n");

	/* both siblings checked: pin to one of them */
	fake_write(root, CPU "cpu3/topology/thread_siblings_list", "1,3\n");
	run(&r, "1,3");
	f = expect(&r, "smt", PG_CHECK_WARN, "CPU 1 shares its core with SMT sibling CPU 3, "
		   "CPU 3 with CPU 1");
	expect_fix(f, "isolcpus=1,3) and pin to one (--cpus 1)");
	pg_doctor_report_release(&r);
	/* two cores, each with a sibling; kernel notation with ranges */
	fake_write(root, CPU "cpu1/topology/thread_siblings_list", "0-1\n");
	fake_write(root, CPU "cpu3/topology/thread_siblings_list", "2-3\n");
	run(&r, "1,3");
	f = expect(&r, "smt", PG_CHECK_WARN, "CPU 1 shares its core with SMT sibling CPU 0, "
		   "CPU 3 with CPU 2");
	expect_fix(f, "isolcpus=0-3) and pin to one (--cpus 1,3)");
	pg_doctor_report_release(&r);

	/* no topology, unparsable topology */
	fake_remove(root, CPU "cpu1/topology/thread_siblings_list");
	check_one("1", "smt", PG_CHECK_INFO, "no CPU topology in sysfs", NULL);
	fake_write(root, CPU "cpu1/topology/thread_siblings_list", "one\n");
	check_one("1", "smt", PG_CHECK_INFO, "cannot read the CPU topology: cannot parse", NULL);
}

/* ------------------------------------------------------------ aslr */

static void test_aslr(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;
	int persona;

	check_one("1", "aslr", PG_CHECK_OK, "ASLR is on (kernel.randomize_va_space=2)", NULL);
	fake_write(root, "proc/sys/kernel/randomize_va_space", "1\n");
	check_one("1", "aslr", PG_CHECK_OK, "ASLR is on (kernel.randomize_va_space=1)", NULL);
	fake_write(root, "proc/sys/kernel/randomize_va_space", "0\n");
	run(&r, "1");
	f = expect(&r, "aslr", PG_CHECK_WARN, "memory layout is frozen, every run measures the "
		   "same arbitrary layout, biasing the result");
	assert_string_equal(f->fix, "sudo sysctl -w kernel.randomize_va_space=2");
	pg_doctor_report_release(&r);
	fake_write(root, "proc/sys/kernel/randomize_va_space", "7\n");
	check_one("1", "aslr", PG_CHECK_INFO, "unexpected kernel.randomize_va_space '7'", NULL);
	fake_remove(root, "proc/sys/kernel/randomize_va_space");
	check_one("1", "aslr", PG_CHECK_INFO, "cannot tell whether ASLR is on", NULL);
	fake_mkdir(root, "proc/sys/kernel/randomize_va_space");
	check_one("1", "aslr", PG_CHECK_INFO, "cannot tell whether ASLR is on: ", NULL);
	fake_clear(root);
	quiet_tree(root);

	/* setarch -R: this process (and the suites it starts) run unrandomised */
	persona = personality(0xffffffff);
	assert_true(persona != -1);
	personality((unsigned long)persona | ADDR_NO_RANDOMIZE);
	run(&r, "1");
	personality((unsigned long)persona);
	f = expect(&r, "aslr", PG_CHECK_WARN, "ADDR_NO_RANDOMIZE");
	expect_fix(f, "setarch -R");
	pg_doctor_report_release(&r);
	check_one("1", "aslr", PG_CHECK_OK, NULL, NULL);
}

/* ------------------------------------------------------------ load */

static void test_load(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;

	check_one("1", "load", PG_CHECK_OK, "load average 0.10 over the last minute on 4 online "
		  "CPUs (0.03 per CPU)", NULL);
	/* the threshold: more than 0.25 per online CPU */
	fake_write(root, "proc/loadavg", "1.00 0.20 0.30 1/100 4242\n");
	check_one("1", "load", PG_CHECK_OK, "(0.25 per CPU)", NULL);
	fake_write(root, "proc/loadavg", "1.04 0.20 0.30 1/100 4242\n");
	run(&r, "1");
	f = expect(&r, "load", PG_CHECK_WARN, "load average 1.04 over the last minute on 4 online "
		   "CPUs (0.26 per CPU, more than 0.25): other work competes");
	assert_string_equal(f->fix, "stop the other jobs on this host (top -o %CPU shows them)\n"
			    "use a dedicated runner for benchmarks");
	pg_doctor_report_release(&r);
	/* the number of online CPUs comes from the kernel's list */
	fake_write(root, CPU "online", "0-7\n");
	check_one("1", "load", PG_CHECK_OK, "on 8 online CPUs (0.13 per CPU)", NULL);
	fake_write(root, CPU "online", "0\n");
	fake_write(root, "proc/loadavg", "0.30 0.20 0.30 1/100 4242\n");
	check_one("0", "load", PG_CHECK_WARN, "on 1 online CPU (0.30 per CPU", NULL);
	/* only the 1-minute figure counts */
	fake_write(root, "proc/loadavg", "0.00 9.00 9.00 1/100 4242\n");
	check_one("0", "load", PG_CHECK_OK, "load average 0.00", NULL);
	/* unreadable */
	fake_write(root, "proc/loadavg", "high 0.20 0.30 1/100 4242\n");
	check_one("1", "load", PG_CHECK_INFO, "cannot tell the load: cannot parse", NULL);
	fake_write(root, "proc/loadavg", "-1.0 0.20 0.30 1/100 4242\n");
	check_one("1", "load", PG_CHECK_INFO, "cannot tell the load", NULL);
	fake_remove(root, "proc/loadavg");
	check_one("1", "load", PG_CHECK_INFO, "cannot tell the load: no proc/loadavg", NULL);
}

/* ------------------------------------------------------------ isolated */

static void test_isolated(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;
	pg_cpuset real;
	char list[64];
	size_t hi;

	check_one("1", "isolated", PG_CHECK_OK, "CPU 1 is isolated from the scheduler "
		  "(isolated: 1)", NULL);
	fake_write(root, CPU "isolated", "1-3\n");
	check_one("1-2", "isolated", PG_CHECK_OK, "CPUs 1-2 are isolated from the scheduler "
		  "(isolated: 1-3)", NULL);

	/* none isolated: the kernel command line that isolates the checked CPU */
	fake_write(root, CPU "isolated", "\n");
	run(&r, "3");
	f = expect(&r, "isolated", PG_CHECK_WARN, "no CPU is isolated from the scheduler: other "
		   "tasks, kernel threads, interrupts and the timer tick share CPU 3");
	assert_string_equal(f->fix, "add 'isolcpus=3 nohz_full=3 rcu_nocbs=3' to "
			    "GRUB_CMDLINE_LINUX in /etc/default/grub, then sudo update-grub and "
			    "reboot (perfgate run then pins to CPU 3)");
	pg_doctor_report_release(&r);
	fake_remove(root, CPU "isolated");
	check_one("2-3", "isolated", PG_CHECK_WARN, "share CPUs 2-3", "isolcpus=2-3 nohz_full=2-3 "
		  "rcu_nocbs=2-3");
	/* a single CPU cannot be isolated */
	fake_write(root, CPU "online", "0\n");
	check_one("0", "isolated", PG_CHECK_INFO, "with a single online CPU none can be", NULL);
	fake_write(root, CPU "online", "0-1023\n");

	/* some isolated, but not the checked ones: use the isolated ones this
	 * process may run on (pg_cpus_allowed: the real affinity mask) */
	real_affinity(&real);
	hi = cpuset_highest(&real);
	snprintf(list, sizeof(list), "%zu\n", hi);
	fake_write(root, CPU "isolated", list);
	run(&r, hi == 0 ? "1" : "0");
	f = expect(&r, "isolated", PG_CHECK_WARN, "is not isolated while CPU ");
	snprintf(list, sizeof(list), "perfgate run --cpus %zu", hi);
	assert_string_equal(f->fix, list);
	pg_doctor_report_release(&r);
	snprintf(list, sizeof(list), "%zu-%zu\n", hi, hi + 1);
	fake_write(root, CPU "isolated", list);
	snprintf(list, sizeof(list), "%zu-%zu", hi, hi + 2);
	run(&r, list);
	f = expect(&r, "isolated", PG_CHECK_WARN, NULL);
	snprintf(list, sizeof(list), "CPU %zu is not isolated while CPUs %zu-%zu are", hi + 2, hi,
		 hi + 1);
	assert_non_null(strstr(f->message, list));
	pg_doctor_report_release(&r);
	/* isolated CPUs outside this process's affinity */
	if (!pg_cpuset_has(&real, 1023)) {
		fake_write(root, CPU "isolated", "1023\n");
		run(&r, "1");
		f = expect(&r, "isolated", PG_CHECK_WARN, "CPU 1 is not isolated while CPU 1023 is");
		expect_fix(f, "outside this process's affinity: start perfgate with taskset -c 1023");
		pg_doctor_report_release(&r);
	}
	/* unparsable */
	fake_write(root, CPU "isolated", "1-\n");
	check_one("1", "isolated", PG_CHECK_INFO, "cannot tell which CPUs are isolated: cannot "
		  "parse", NULL);
}

/* ------------------------------------------------------------ virtualization */

static void dmi(const char *root, const char *vendor, const char *product)
{
	fake_write(root, "sys/class/dmi/id/sys_vendor", vendor);
	fake_write(root, "sys/class/dmi/id/product_name", product);
}

static void test_virtualization(void **state)
{
	static const struct {
		const char *vendor, *product, *name;
	} vms[] = {
		{ "QEMU", "Standard PC (Q35 + ICH9, 2009)", "(QEMU)" },
		{ "Red Hat", "KVM", "(KVM)" },
		{ "VMware, Inc.", "VMware Virtual Platform", "(VMware)" },
		{ "innotek GmbH", "VirtualBox", "(VirtualBox)" },
		{ "Xen", "HVM domU", "(Xen)" },
		{ "Microsoft Corporation", "Virtual Machine", "(Microsoft Hyper-V)" },
		{ "Amazon EC2", "m5.large", "(Amazon EC2)" },
		{ "Google", "Google Compute Engine", "(Google Compute Engine)" },
		{ "OpenStack Foundation", "OpenStack Nova", "(OpenStack)" },
	};
	static const struct {
		const char *vendor, *product;
	} metal[] = {
		{ "Dell Inc.", "PowerEdge R640" },
		{ "Microsoft Corporation", "Surface Laptop 4" },
		{ "Amazon EC2", "m5.metal" },
		{ "Google", "Eve" }, /* a Chromebook */
	};
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;
	size_t i;

	check_one("1", "virtualization", PG_CHECK_OK,
		  "no hypervisor detected (Dell Inc. PowerEdge R640)", NULL);
	for (i = 0; i < sizeof(vms) / sizeof(vms[0]); i++) {
		dmi(root, vms[i].vendor, vms[i].product);
		run(&r, "1");
		f = expect(&r, "virtualization", PG_CHECK_WARN, vms[i].name);
		assert_non_null(strstr(f->message, "virtual CPUs share physical cores with other "
				       "tenants"));
		assert_string_equal(f->fix, "run benchmarks on a dedicated or bare-metal runner\n"
				    "a virtual machine with dedicated physical cores (pinned vCPUs, "
				    "no overcommit)");
		pg_doctor_report_release(&r);
	}
	for (i = 0; i < sizeof(metal) / sizeof(metal[0]); i++) {
		dmi(root, metal[i].vendor, metal[i].product);
		check_one("1", "virtualization", PG_CHECK_OK, metal[i].product, NULL);
	}

	/* the CPU flag alone (no DMI: Firecracker, many cloud VMs) */
	fake_remove(root, "sys/class/dmi/id/sys_vendor");
	fake_remove(root, "sys/class/dmi/id/product_name");
	check_one("1", "virtualization", PG_CHECK_OK, "no hypervisor detected", NULL);
	fake_write(root, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu hypervisorx sse\n"
		   "bogomips\t: hypervisor\n\nprocessor\t: 1\nflags\t\t: fpu hypervisor\n");
	check_one("1", "virtualization", PG_CHECK_OK, NULL, NULL); /* the first flags line */
	fake_write(root, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu vme hypervisor lahf_lm\n");
	check_one("1", "virtualization", PG_CHECK_WARN, "virtual machine (the CPU flags include "
		  "'hypervisor')", NULL);
	fake_write(root, "proc/cpuinfo", "processor\t: 0\nflags\t: hypervisor");
	check_one("1", "virtualization", PG_CHECK_WARN, "'hypervisor'", NULL);
	/* named by the DMI even with the flag */
	dmi(root, "QEMU", "pc");
	check_one("1", "virtualization", PG_CHECK_WARN, "virtual machine (QEMU)", NULL);
	fake_remove(root, "sys/class/dmi/id/sys_vendor");
	fake_remove(root, "sys/class/dmi/id/product_name");
	/* Xen's own interface */
	fake_write(root, "proc/cpuinfo", "processor\t: 0\nflags\t\t: fpu\n");
	fake_write(root, "sys/hypervisor/type", "xen\n");
	check_one("1", "virtualization", PG_CHECK_WARN, "virtual machine (Xen)", NULL);
	fake_remove(root, "sys/hypervisor/type");
	/* nothing to go by */
	fake_remove(root, "proc/cpuinfo");
	check_one("1", "virtualization", PG_CHECK_INFO, "cannot tell whether this is a virtual "
		  "machine", NULL);
	/* file content is made printable ASCII in messages */
	dmi(root, "Acme \xc3\xa9tude\tCorp", "Box");
	run(&r, "1");
	f = expect(&r, "virtualization", PG_CHECK_OK, "(Acme ??tude?Corp Box)");
	pg_doctor_report_release(&r);
}

/* ------------------------------------------------------------ perf_event */

static void test_perf_event(void **state)
{
	char *root = *state;
	pg_doctor_report r;
	const pg_finding *f;

	check_one("1", "perf_event", PG_CHECK_OK, "the hardware instruction counter is available "
		  "(kernel.perf_event_paranoid=2)", NULL);
	/* no probe outcome: as if it succeeded */
	fake_remove(root, "perfgate-probe/perf_event");
	check_one("1", "perf_event", PG_CHECK_OK, "available", NULL);

	/* paranoid > 2: the sysctl that allows it */
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "3\n");
	fake_write(root, "perfgate-probe/perf_event", "EACCES\n");
	run(&r, "1");
	f = expect(&r, "perf_event", PG_CHECK_WARN, "kernel.perf_event_paranoid=3 forbids counting "
		   "instructions");
	assert_non_null(strstr(f->message, "instructions/op is unavailable"));
	assert_string_equal(f->fix, "sudo sysctl -w kernel.perf_event_paranoid=2");
	pg_doctor_report_release(&r);
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "4\n");
	check_one("1", "perf_event", PG_CHECK_WARN, "perf_event_paranoid=4", "paranoid=2");
	/* ... unless this process is privileged and the probe succeeds */
	fake_write(root, "perfgate-probe/perf_event", "ok\n");
	check_one("1", "perf_event", PG_CHECK_OK, "(kernel.perf_event_paranoid=4, but this "
		  "process is privileged)", NULL);

	/* no hardware counter: instructions through callgrind instead */
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "2\n");
	fake_write(root, "perfgate-probe/perf_event", "ENOENT\n");
	check_one("1", "perf_event", PG_CHECK_INFO, "the CPU offers no hardware instruction counter "
		  "to this process (common on virtual machines); `perfgate run --measure "
		  "callgrind` counts instructions instead", NULL);
	fake_write(root, "perfgate-probe/perf_event", "EOPNOTSUPP\n");
	check_one("1", "perf_event", PG_CHECK_INFO, "no hardware instruction counter", NULL);
	fake_write(root, "perfgate-probe/perf_event", "ENODEV\n");
	check_one("1", "perf_event", PG_CHECK_INFO, "no hardware instruction counter", NULL);
	fake_remove(root, "proc/sys/kernel/perf_event_paranoid");
	check_one("1", "perf_event", PG_CHECK_INFO, "no hardware instruction counter", NULL);

	/* denied although paranoid allows it: seccomp, a security module */
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "1\n");
	fake_write(root, "perfgate-probe/perf_event", "EPERM\n");
	run(&r, "1");
	f = expect(&r, "perf_event", PG_CHECK_WARN, "perf_event_open is denied (Operation not "
		   "permitted) although kernel.perf_event_paranoid=1: a seccomp filter");
	expect_fix(f, "--cap-add PERFMON");
	expect_fix(f, "perfgate run --measure callgrind");
	pg_doctor_report_release(&r);
	fake_write(root, "perfgate-probe/perf_event", "EACCES\n");
	check_one("1", "perf_event", PG_CHECK_WARN, "denied (Permission denied)", NULL);

	/* no perf events in the kernel, other failures */
	fake_write(root, "perfgate-probe/perf_event", "ENOSYS\n");
	check_one("1", "perf_event", PG_CHECK_INFO, "the kernel has no perf events", NULL);
	fake_write(root, "perfgate-probe/perf_event", "EINVAL\n");
	check_one("1", "perf_event", PG_CHECK_INFO, "cannot open a hardware instruction counter "
		  "(perf_event_open: Invalid argument)", NULL);
	fake_write(root, "perfgate-probe/perf_event", "EWHATEVER\n");
	check_one("1", "perf_event", PG_CHECK_INFO, "unknown outcome 'EWHATEVER'", NULL);
	/* an unparsable paranoid level is no level */
	fake_write(root, "proc/sys/kernel/perf_event_paranoid", "high\n");
	fake_write(root, "perfgate-probe/perf_event", "EACCES\n");
	run(&r, "1");
	f = expect(&r, "perf_event", PG_CHECK_WARN, "denied (Permission denied): a seccomp");
	pg_doctor_report_release(&r);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, quiet_setup, fake_teardown)
	const struct CMUnitTest tests[] = {
		T(test_quiet_host),
		T(test_noisy_host),
		T(test_arguments),
		T(test_default_cpus),
		T(test_real_host),
		T(test_governor),
		T(test_turbo),
		T(test_smt),
		T(test_aslr),
		T(test_load),
		T(test_isolated),
		T(test_virtualization),
		T(test_perf_event),
	};
#undef T

	return cmocka_run_group_tests_name("doctor", tests, NULL, NULL);
}
