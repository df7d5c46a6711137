/*
 * Quiet-host checks (see doctor.h): each check reads a few sysfs/procfs
 * files through pg_sys_read() (so that PERFGATE_SYSROOT can fake them) and
 * adds exactly one finding to the report.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/personality.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/perf_event.h>
#endif

#include "bench-runner/doctor.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/banned.h"

#define CPU_DIR "sys/devices/system/cpu"

void pg_doctor_report_init(pg_doctor_report *r)
{
	memset(r, 0, sizeof(*r));
}

void pg_doctor_report_release(pg_doctor_report *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->n; i++) {
		free(r->items[i].message);
		free(r->items[i].fix);
	}
	free(r->items);
	pg_doctor_report_init(r);
}

size_t pg_doctor_warnings(const pg_doctor_report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->n; i++)
		if (r->items[i].level == PG_CHECK_WARN)
			n++;
	return n;
}

const pg_finding *pg_doctor_find(const pg_doctor_report *r, const char *id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (!strcmp(r->items[i].check, id))
			return &r->items[i];
	return NULL;
}

const char *pg_check_level_name(pg_check_level level)
{
	switch (level) {
	case PG_CHECK_OK:
		return "ok";
	case PG_CHECK_INFO:
		return "info";
	case PG_CHECK_WARN:
		return "warn";
	}
	return "?";
}

/* ------------------------------------------------------------ helpers */

/* Values read from files end up in messages: keep them printable ASCII
 * (and valid UTF-8 for the JSON report). `keep` is a byte to leave alone. */
static void sanitize(pg_buf *b, int keep)
{
	size_t i;

	for (i = 0; i < b->len; i++) {
		unsigned char c = (unsigned char)b->ptr[i];

		if ((c < 0x20 || c > 0x7e) && c != keep)
			b->ptr[i] = '?';
	}
}

/*
 * Add one finding made of `msg` and `fix` (an empty `fix` means none).
 * The buffers are emptied (their memory moves into the report).
 */
static int emit(pg_doctor_report *r, const char *check, pg_check_level level,
		pg_buf *msg, pg_buf *fix)
{
	pg_finding f = { check, level, NULL, NULL };

	if (pg_buf_failed(msg) || pg_buf_failed(fix))
		return pg_error_set(PG_ENOMEM, "out of memory");
	sanitize(msg, -1);
	sanitize(fix, '\n');
	if (r->n == r->alloc) {
		size_t alloc = r->alloc ? 2 * r->alloc : 8;
		pg_finding *items = realloc(r->items, alloc * sizeof(*items));

		if (!items)
			return pg_error_set(PG_ENOMEM, "out of memory");
		r->items = items;
		r->alloc = alloc;
	}
	if (!(f.message = pg_buf_detach(msg, NULL)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (fix->len && !(f.fix = pg_buf_detach(fix, NULL))) {
		free(f.message);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	pg_buf_release(fix);
	r->items[r->n++] = f;
	return 0;
}

/* Read `rel` (printf-style) into `out`, replacing its content. 0,
 * PG_ENOTFOUND, PG_EINFRA (message set) or PG_ENOMEM. */
static int read_sysf(pg_buf *out, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int read_sysf(pg_buf *out, const char *fmt, ...)
{
	pg_buf rel = PG_BUF_INIT;
	va_list ap;
	int err;

	pg_buf_reset(out);
	va_start(ap, fmt);
	err = pg_buf_vaddf(&rel, fmt, ap);
	va_end(ap);
	if (err == 0)
		err = pg_sys_read(out, rel.ptr);
	pg_buf_release(&rel);
	return err;
}

/* A CPU list file; *present tells whether it exists. An unparsable list
 * is PG_EINFRA with a message. */
static int read_cpuset(pg_cpuset *out, int *present, const char *rel)
{
	pg_buf text = PG_BUF_INIT;
	int err;

	memset(out, 0, sizeof(*out));
	*present = 0;
	err = read_sysf(&text, "%s", rel);
	if (err == PG_ENOTFOUND) {
		err = 0;
	} else if (err == 0) {
		*present = 1;
		if (pg_cpuset_parse(out, text.ptr) < 0)
			err = pg_error_set(PG_EINFRA, "cannot parse '%s': invalid CPU list '%s'",
					   rel, text.ptr);
	}
	pg_buf_release(&text);
	return err;
}

/* "CPU 1" or "CPUs 1-3,5". */
static void add_cpus(pg_buf *b, const pg_cpuset *s)
{
	pg_buf_adds(b, s->count == 1 ? "CPU " : "CPUs ");
	pg_cpuset_format(b, s);
}

/* "1-3,5" */
static void add_list(pg_buf *b, const pg_cpuset *s)
{
	pg_cpuset_format(b, s);
}

/* The number of online CPUs: the kernel's list, else sysconf(). */
static int online_cpus(pg_cpuset *online, int *known)
{
	int err = read_cpuset(online, known, CPU_DIR "/online");

	if (err < 0)
		return err;
	if (!*known || online->count == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		size_t i;

		memset(online, 0, sizeof(*online));
		*known = 0;
		for (i = 0; n > 0 && i < (size_t)n; i++)
			pg_cpuset_add(online, i);
	}
	return 0;
}

/* ------------------------------------------------------------ governor */

static int check_governor(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, val = PG_BUF_INIT;
	pg_buf bad = PG_BUF_INIT, error = PG_BUF_INIT;
	pg_cpuset good;
	size_t cpu, nread = 0, nbad = 0;
	pg_check_level level;
	int err = 0;

	memset(&good, 0, sizeof(good));
	for (cpu = 0; cpu < PG_MAX_CPUS; cpu++) {
		if (!r->cpus.on[cpu])
			continue;
		err = read_sysf(&val, CPU_DIR "/cpu%zu/cpufreq/scaling_governor", cpu);
		if (err == PG_ENOMEM)
			goto cleanup;
		if (err == PG_ENOTFOUND)
			continue;
		if (err < 0) {
			if (!error.len)
				pg_buf_adds(&error, pg_error_last());
			continue;
		}
		nread++;
		if (!strcmp(val.ptr, "performance")) {
			pg_cpuset_add(&good, cpu);
		} else {
			pg_buf_addf(&bad, "%s'%s' on CPU %zu", nbad ? ", " : "", val.ptr, cpu);
			nbad++;
		}
	}
	err = 0;
	if (pg_buf_failed(&bad) || pg_buf_failed(&error)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (nbad) {
		level = PG_CHECK_WARN;
		pg_buf_addf(&msg, "frequency governor %s (not 'performance'): the clock speed "
			    "follows the load, so timings drift with it", bad.ptr);
		pg_buf_adds(&fix, "sudo cpupower frequency-set -g performance\n"
			    "echo performance | sudo tee /sys/devices/system/cpu/cpu*/cpufreq/"
			    "scaling_governor");
	} else if (error.len) {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "cannot read the frequency governor: %s", error.ptr);
	} else if (nread == 0) {
		level = PG_CHECK_INFO;
		pg_buf_adds(&msg, "no cpufreq interface: the frequency is managed by the "
			    "hypervisor or firmware");
	} else {
		level = PG_CHECK_OK;
		pg_buf_adds(&msg, "frequency governor 'performance' on ");
		add_cpus(&msg, &good);
	}
	err = emit(r, "governor", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&val);
	pg_buf_release(&bad);
	pg_buf_release(&error);
	return err;
}

/* ------------------------------------------------------------ turbo */

/*
 * One boost control: `rel` holds `on_value` when boost is on. Adds a
 * description to `warn` (and a fix line) when on, to `ok` when off, to
 * `info` when unreadable or unexpected. *seen is set when the file exists.
 */
static int turbo_source(pg_buf *warn, pg_buf *ok, pg_buf *info, pg_buf *fix, int *seen,
			const char *rel, const char *on_value, const char *off_value)
{
	pg_buf val = PG_BUF_INIT;
	const char *name = rel;
	int err;

	err = read_sysf(&val, "%s", rel);
	if (err == PG_ENOMEM)
		goto cleanup;
	if (err == PG_ENOTFOUND) {
		err = 0;
		goto cleanup;
	}
	*seen = 1;
	/* name the control as in the kernel's documentation: intel_pstate/no_turbo */
	if (!strncmp(rel, CPU_DIR "/", sizeof(CPU_DIR)))
		name = rel + sizeof(CPU_DIR);
	if (err < 0) {
		pg_buf_addf(info, "%s%s", info->len ? "; " : "", pg_error_last());
	} else if (!strcmp(val.ptr, on_value)) {
		pg_buf_addf(warn, "%s%s is %s", warn->len ? ", " : "", name, on_value);
		pg_buf_addf(fix, "%secho %s | sudo tee /%s", fix->len ? "\n" : "", off_value,
			    rel);
	} else if (!strcmp(val.ptr, off_value)) {
		pg_buf_addf(ok, "%s%s is %s", ok->len ? ", " : "", name, off_value);
	} else {
		pg_buf_addf(info, "%sunexpected value '%s' in '%s'", info->len ? "; " : "",
			    val.ptr, name);
	}
	err = 0;

cleanup:
	pg_buf_release(&val);
	return err;
}

static int check_turbo(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, warn = PG_BUF_INIT;
	pg_buf ok = PG_BUF_INIT, info = PG_BUF_INIT, rel = PG_BUF_INIT;
	pg_check_level level;
	int err = 0, seen = 0;
	size_t cpu;

	if ((err = turbo_source(&warn, &ok, &info, &fix, &seen,
				CPU_DIR "/intel_pstate/no_turbo", "0", "1")) < 0 ||
	    (err = turbo_source(&warn, &ok, &info, &fix, &seen,
				CPU_DIR "/cpufreq/boost", "1", "0")) < 0)
		goto cleanup;
	/* without a global control, the per-policy one (amd-pstate, acpi-cpufreq
	 * on recent kernels) of each checked CPU */
	for (cpu = 0; !seen && cpu < PG_MAX_CPUS; cpu++) {
		int cpu_seen = 0;

		if (!r->cpus.on[cpu])
			continue;
		pg_buf_reset(&rel);
		pg_buf_addf(&rel, CPU_DIR "/cpu%zu/cpufreq/boost", cpu);
		if (pg_buf_failed(&rel)) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		if ((err = turbo_source(&warn, &ok, &info, &fix, &cpu_seen, rel.ptr,
					"1", "0")) < 0)
			goto cleanup;
	}
	if (pg_buf_failed(&warn) || pg_buf_failed(&ok) || pg_buf_failed(&info)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (warn.len) {
		level = PG_CHECK_WARN;
		pg_buf_addf(&msg, "turbo boost is on (%s): the clock speed then depends on the "
			    "temperature and on how busy the other cores are", warn.ptr);
	} else if (ok.len) {
		level = PG_CHECK_OK;
		pg_buf_addf(&msg, "turbo boost is off (%s)", ok.ptr);
	} else if (info.len) {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "cannot tell whether turbo boost is on: %s", info.ptr);
	} else {
		level = PG_CHECK_INFO;
		pg_buf_adds(&msg, "no turbo/boost control: the frequency is managed by the "
			    "hypervisor or firmware");
	}
	if (level != PG_CHECK_WARN)
		pg_buf_reset(&fix);
	err = emit(r, "turbo", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&warn);
	pg_buf_release(&ok);
	pg_buf_release(&info);
	pg_buf_release(&rel);
	return err;
}

/* ------------------------------------------------------------ smt */

static int check_smt(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, val = PG_BUF_INIT;
	pg_buf pairs = PG_BUF_INIT, offline = PG_BUF_INIT, error = PG_BUF_INIT;
	pg_cpuset online, siblings, both, keep, alone;
	size_t cpu, s, nread = 0, npairs = 0;
	pg_check_level level;
	int err = 0, online_known = 0;

	memset(&both, 0, sizeof(both));
	memset(&keep, 0, sizeof(keep));
	memset(&alone, 0, sizeof(alone));
	err = read_cpuset(&online, &online_known, CPU_DIR "/online");
	if (err == PG_ENOMEM)
		goto cleanup;
	if (err < 0 || online.count == 0)
		online_known = 0; /* then every sibling counts as online */
	for (cpu = 0; cpu < PG_MAX_CPUS; cpu++) {
		int cpu_alone = 1, kept = 1;

		if (!r->cpus.on[cpu])
			continue;
		err = read_sysf(&val, CPU_DIR "/cpu%zu/topology/thread_siblings_list", cpu);
		if (err == PG_ENOMEM)
			goto cleanup;
		if (err == PG_ENOTFOUND)
			continue;
		if (err == 0 && pg_cpuset_parse(&siblings, val.ptr) < 0)
			err = pg_error_set(PG_EINFRA,
					   "cannot parse '" CPU_DIR "/cpu%zu/topology/"
					   "thread_siblings_list': invalid CPU list '%s'", cpu, val.ptr);
		if (err < 0) {
			if (!error.len)
				pg_buf_adds(&error, pg_error_last());
			continue;
		}
		nread++;
		for (s = 0; s < PG_MAX_CPUS; s++) {
			if (s == cpu || !siblings.on[s])
				continue;
			if (online_known && !online.on[s]) {
				pg_buf_addf(&offline, "%sCPU %zu", offline.len ? ", " : "", s);
				continue;
			}
			cpu_alone = 0;
			if (!npairs)
				pg_buf_addf(&pairs, "CPU %zu shares its core with SMT sibling CPU %zu",
					    cpu, s);
			else
				pg_buf_addf(&pairs, ", CPU %zu with CPU %zu", cpu, s);
			npairs++;
			pg_cpuset_add(&both, s);
			if (keep.on[s])
				kept = 0; /* pin to one CPU per core: the lower one */
		}
		pg_cpuset_add(&both, cpu);
		if (kept)
			pg_cpuset_add(&keep, cpu);
		if (cpu_alone)
			pg_cpuset_add(&alone, cpu);
	}
	err = 0;
	if (pg_buf_failed(&pairs) || pg_buf_failed(&offline) || pg_buf_failed(&error)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if (npairs) {
		pg_buf control = PG_BUF_INIT;
		int cerr;

		level = PG_CHECK_WARN;
		pg_buf_addf(&msg, "%s: whatever runs on a sibling competes for the core's "
			    "execution units and caches", pairs.ptr);
		pg_buf_adds(&fix, "keep the siblings idle: isolate both (isolcpus=");
		add_list(&fix, &both);
		pg_buf_adds(&fix, ") and pin to one (--cpus ");
		add_list(&fix, &keep);
		pg_buf_adds(&fix, ")");
		/* turning SMT off only works where the kernel can */
		cerr = read_sysf(&control, CPU_DIR "/smt/control");
		if (cerr == PG_ENOMEM) {
			pg_buf_release(&control);
			err = cerr;
			goto cleanup;
		}
		if (cerr < 0 || !strcmp(control.ptr, "on"))
			pg_buf_adds(&fix, "\necho off | sudo tee /sys/devices/system/cpu/smt/control");
		pg_buf_release(&control);
	} else if (error.len) {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "cannot read the CPU topology: %s", error.ptr);
	} else if (nread == 0) {
		level = PG_CHECK_INFO;
		pg_buf_adds(&msg, "no CPU topology in sysfs: cannot tell whether SMT siblings "
			    "share the cores");
	} else {
		level = PG_CHECK_OK;
		pg_buf_adds(&msg, "no SMT sibling online for ");
		add_cpus(&msg, &alone);
		if (offline.len)
			pg_buf_addf(&msg, " (offline: %s)", offline.ptr);
	}
	err = emit(r, "smt", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&val);
	pg_buf_release(&pairs);
	pg_buf_release(&offline);
	pg_buf_release(&error);
	return err;
}

/* ------------------------------------------------------------ aslr */

static int check_aslr(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, val = PG_BUF_INIT;
	pg_check_level level;
	int err, persona;

	err = read_sysf(&val, "proc/sys/kernel/randomize_va_space");
	if (err == PG_ENOMEM)
		goto cleanup;
	persona = personality(0xffffffff);
	if (err == 0 && !strcmp(val.ptr, "0")) {
		level = PG_CHECK_WARN;
		pg_buf_adds(&msg, "ASLR is off (kernel.randomize_va_space=0): memory layout is "
			    "frozen, every run measures the same arbitrary layout, biasing the "
			    "result");
		pg_buf_adds(&fix, "sudo sysctl -w kernel.randomize_va_space=2");
	} else if (persona != -1 && (persona & ADDR_NO_RANDOMIZE)) {
		level = PG_CHECK_WARN;
		pg_buf_adds(&msg, "ASLR is off for this process and its children (personality "
			    "ADDR_NO_RANDOMIZE, e.g. setarch -R): memory layout is frozen, every "
			    "run measures the same arbitrary layout, biasing the result");
		pg_buf_adds(&fix, "run perfgate without setarch -R");
	} else if (err == 0 && (!strcmp(val.ptr, "1") || !strcmp(val.ptr, "2"))) {
		level = PG_CHECK_OK;
		pg_buf_addf(&msg, "ASLR is on (kernel.randomize_va_space=%s): every run samples "
			    "a new memory layout", val.ptr);
	} else if (err == 0) {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "unexpected kernel.randomize_va_space '%s'", val.ptr);
	} else if (err == PG_ENOTFOUND) {
		level = PG_CHECK_INFO;
		pg_buf_adds(&msg, "cannot tell whether ASLR is on: no kernel.randomize_va_space");
	} else {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "cannot tell whether ASLR is on: %s", pg_error_last());
	}
	err = emit(r, "aslr", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&val);
	return err;
}

/* ------------------------------------------------------------ load */

static int check_load(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, val = PG_BUF_INIT;
	pg_check_level level;
	pg_cpuset online;
	int err, known;
	double load = 0, per;
	char *end = NULL;

	err = read_sysf(&val, "proc/loadavg");
	if (err == PG_ENOMEM)
		goto cleanup;
	if (err == 0) {
		errno = 0;
		load = strtod(val.ptr, &end);
		if (errno || end == val.ptr || (*end && *end != ' ') || !(load >= 0))
			err = pg_error_set(PG_EINFRA, "cannot parse 'proc/loadavg': '%s'", val.ptr);
	}
	if (err < 0) {
		level = PG_CHECK_INFO;
		if (err == PG_ENOTFOUND)
			pg_buf_adds(&msg, "cannot tell the load: no proc/loadavg");
		else
			pg_buf_addf(&msg, "cannot tell the load: %s", pg_error_last());
		err = emit(r, "load", level, &msg, &fix);
		goto cleanup;
	}
	if ((err = online_cpus(&online, &known)) < 0) {
		if (err == PG_ENOMEM)
			goto cleanup;
		pg_buf_addf(&msg, "cannot tell the load per CPU: %s", pg_error_last());
		err = emit(r, "load", PG_CHECK_INFO, &msg, &fix);
		goto cleanup;
	}
	if (online.count == 0)
		pg_cpuset_add(&online, 0);
	per = load / (double)online.count;
	pg_buf_addf(&msg, "load average %.2f over the last minute on %zu online CPU%s "
		    "(%.2f per CPU", load, online.count, online.count == 1 ? "" : "s", per);
	if (per > PG_DOCTOR_LOAD_PER_CPU) {
		level = PG_CHECK_WARN;
		pg_buf_addf(&msg, ", more than %.2f): other work competes for the CPUs, caches "
			    "and memory bandwidth", PG_DOCTOR_LOAD_PER_CPU);
		pg_buf_adds(&fix, "stop the other jobs on this host (top -o %CPU shows them)\n"
			    "use a dedicated runner for benchmarks");
	} else {
		level = PG_CHECK_OK;
		pg_buf_adds(&msg, ")");
	}
	err = emit(r, "load", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&val);
	return err;
}

/* ------------------------------------------------------------ isolated */

static int check_isolated(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT;
	pg_cpuset isolated, allowed, outside, usable, online;
	pg_check_level level;
	int err, present, known;
	size_t cpu;

	memset(&outside, 0, sizeof(outside));
	memset(&usable, 0, sizeof(usable));
	err = read_cpuset(&isolated, &present, CPU_DIR "/isolated");
	if (err == PG_ENOMEM)
		goto cleanup;
	if (err < 0) {
		pg_buf_addf(&msg, "cannot tell which CPUs are isolated: %s", pg_error_last());
		err = emit(r, "isolated", PG_CHECK_INFO, &msg, &fix);
		goto cleanup;
	}
	for (cpu = 0; cpu < PG_MAX_CPUS; cpu++)
		if (r->cpus.on[cpu] && !isolated.on[cpu])
			pg_cpuset_add(&outside, cpu);
	if (isolated.count == 0) {
		if ((err = online_cpus(&online, &known)) == PG_ENOMEM)
			goto cleanup;
		if (err == 0 && online.count == 1) {
			level = PG_CHECK_INFO;
			pg_buf_adds(&msg, "no CPU is isolated from the scheduler, and with a single "
				    "online CPU none can be");
		} else {
			level = PG_CHECK_WARN;
			pg_buf_adds(&msg, "no CPU is isolated from the scheduler: other tasks, kernel "
				    "threads, interrupts and the timer tick share ");
			add_cpus(&msg, &r->cpus);
			pg_buf_adds(&msg, " with the benchmark");
			pg_buf_adds(&fix, "add 'isolcpus=");
			add_list(&fix, &r->cpus);
			pg_buf_adds(&fix, " nohz_full=");
			add_list(&fix, &r->cpus);
			pg_buf_adds(&fix, " rcu_nocbs=");
			add_list(&fix, &r->cpus);
			pg_buf_adds(&fix, "' to GRUB_CMDLINE_LINUX in /etc/default/grub, then "
				    "sudo update-grub and reboot (perfgate run then pins to ");
			add_cpus(&fix, &r->cpus);
			pg_buf_adds(&fix, ")");
		}
		err = 0;
	} else if (outside.count == 0) {
		level = PG_CHECK_OK;
		add_cpus(&msg, &r->cpus);
		pg_buf_adds(&msg, r->cpus.count == 1 ? " is" : " are");
		pg_buf_adds(&msg, " isolated from the scheduler (isolated: ");
		add_list(&msg, &isolated);
		pg_buf_adds(&msg, ")");
	} else {
		level = PG_CHECK_WARN;
		add_cpus(&msg, &outside);
		pg_buf_adds(&msg, outside.count == 1 ? " is" : " are");
		pg_buf_adds(&msg, " not isolated while ");
		add_cpus(&msg, &isolated);
		pg_buf_adds(&msg, isolated.count == 1 ? " is" : " are");
		pg_buf_adds(&msg, ": the benchmark shares ");
		add_cpus(&msg, &outside);
		pg_buf_adds(&msg, " with other tasks, kernel threads, interrupts and the timer "
			    "tick");
		if ((err = pg_cpus_allowed(&allowed)) == PG_ENOMEM)
			goto cleanup;
		if (err < 0)
			memset(&allowed, 0, sizeof(allowed));
		err = 0;
		for (cpu = 0; cpu < PG_MAX_CPUS; cpu++)
			if (isolated.on[cpu] && allowed.on[cpu])
				pg_cpuset_add(&usable, cpu);
		if (usable.count) {
			pg_buf_adds(&fix, "perfgate run --cpus ");
			add_list(&fix, &usable);
		} else {
			pg_buf_adds(&fix, "the isolated CPUs are outside this process's affinity: "
				    "start perfgate with taskset -c ");
			add_list(&fix, &isolated);
			pg_buf_adds(&fix, " (or outside the cgroup/cpuset that excludes them)");
		}
	}
	err = emit(r, "isolated", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	return err;
}

/* ------------------------------------------------------------ virtualization */

/* Whether the first "flags" line of /proc/cpuinfo lists "hypervisor". */
static int cpuinfo_has_hypervisor(const char *text)
{
	const char *line = text;

	while (line && *line) {
		const char *eol = strchr(line, '\n');
		const char *p = line;
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		if (len >= 5 && !strncmp(p, "flags", 5)) {
			const char *end = line + len;

			p += 5;
			while (p < end && (*p == ' ' || *p == '\t'))
				p++;
			if (p < end && *p == ':') {
				p++;
				while (p < end) {
					const char *w;

					while (p < end && (*p == ' ' || *p == '\t'))
						p++;
					w = p;
					while (p < end && *p != ' ' && *p != '\t')
						p++;
					if (p - w == 10 && !strncmp(w, "hypervisor", 10))
						return 1;
				}
				return 0;
			}
		}
		line = eol ? eol + 1 : NULL;
	}
	return 0;
}

/* The hypervisor named by the DMI vendor and product, or NULL. */
static const char *dmi_hypervisor(const char *vendor, const char *product)
{
	static const struct {
		const char *pattern;
		const char *name;
	} table[] = {
		{ "QEMU", "QEMU" },
		{ "KVM", "KVM" },
		{ "VMware", "VMware" },
		{ "VirtualBox", "VirtualBox" },
		{ "innotek", "VirtualBox" },
		{ "Xen", "Xen" },
		{ "Google Compute Engine", "Google Compute Engine" },
		{ "OpenStack", "OpenStack" },
		{ "Parallels", "Parallels" },
		{ "BHYVE", "bhyve" },
		{ "DigitalOcean", "DigitalOcean" },
	};
	size_t i;

	/* Microsoft also sells laptops, Amazon bare-metal instances */
	if (strcasestr(vendor, "Microsoft") && strcasestr(product, "Virtual Machine"))
		return "Microsoft Hyper-V";
	if (strcasestr(vendor, "Amazon EC2") && !strcasestr(product, "metal"))
		return "Amazon EC2";
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (strcasestr(vendor, table[i].pattern) || strcasestr(product, table[i].pattern))
			return table[i].name;
	return NULL;
}

static int check_virtualization(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, cpuinfo = PG_BUF_INIT;
	pg_buf vendor = PG_BUF_INIT, product = PG_BUF_INIT, hvtype = PG_BUF_INIT;
	const char *name = NULL;
	int err, nread = 0, flag = 0;

	if ((err = read_sysf(&cpuinfo, "proc/cpuinfo")) == PG_ENOMEM)
		goto cleanup;
	if (err == 0) {
		nread++;
		flag = cpuinfo_has_hypervisor(cpuinfo.ptr);
	}
	if ((err = read_sysf(&hvtype, "sys/hypervisor/type")) == PG_ENOMEM)
		goto cleanup;
	if (err < 0)
		pg_buf_reset(&hvtype);
	else
		nread++;
	if ((err = read_sysf(&vendor, "sys/class/dmi/id/sys_vendor")) == PG_ENOMEM)
		goto cleanup;
	if (err < 0)
		pg_buf_reset(&vendor);
	else
		nread++;
	if ((err = read_sysf(&product, "sys/class/dmi/id/product_name")) == PG_ENOMEM)
		goto cleanup;
	if (err < 0)
		pg_buf_reset(&product);
	else
		nread++;

	name = dmi_hypervisor(vendor.ptr, product.ptr);
	if (!name && hvtype.len)
		name = !strcasecmp(hvtype.ptr, "xen") ? "Xen" : hvtype.ptr;
	if (name || flag) {
		if (name)
			pg_buf_addf(&msg, "virtual machine (%s)", name);
		else
			pg_buf_adds(&msg, "virtual machine (the CPU flags include 'hypervisor')");
		pg_buf_adds(&msg, ": virtual CPUs share physical cores with other tenants, whose "
			    "load this machine can neither see nor control");
		pg_buf_adds(&fix, "run benchmarks on a dedicated or bare-metal runner\n"
			    "a virtual machine with dedicated physical cores (pinned vCPUs, "
			    "no overcommit)");
		err = emit(r, "virtualization", PG_CHECK_WARN, &msg, &fix);
	} else if (nread == 0) {
		pg_buf_adds(&msg, "cannot tell whether this is a virtual machine: no proc/cpuinfo, "
			    "no DMI identification");
		err = emit(r, "virtualization", PG_CHECK_INFO, &msg, &fix);
	} else {
		pg_buf_adds(&msg, "no hypervisor detected");
		if (vendor.len || product.len)
			pg_buf_addf(&msg, " (%s%s%s)", vendor.ptr,
				    vendor.len && product.len ? " " : "", product.ptr);
		err = emit(r, "virtualization", PG_CHECK_OK, &msg, &fix);
	}

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&cpuinfo);
	pg_buf_release(&vendor);
	pg_buf_release(&product);
	pg_buf_release(&hvtype);
	return err;
}

/* ------------------------------------------------------------ perf_event */

static const struct {
	const char *name;
	int value;
} errno_names[] = {
	{ "EPERM", EPERM }, { "ENOENT", ENOENT }, { "EACCES", EACCES },
	{ "ENODEV", ENODEV }, { "EOPNOTSUPP", EOPNOTSUPP }, { "ENOTSUP", ENOTSUP },
	{ "ENOSYS", ENOSYS }, { "EINVAL", EINVAL }, { "EBUSY", EBUSY },
	{ "EMFILE", EMFILE }, { "E2BIG", E2BIG }, { "EFAULT", EFAULT },
	{ "ESRCH", ESRCH }, { "EINTR", EINTR },
};

int pg_doctor_probe_instructions(int *out)
{
	const char *root = getenv("PERFGATE_SYSROOT");

	*out = 0;
	if (root && *root) {
		pg_buf val = PG_BUF_INIT;
		size_t i;
		int err = read_sysf(&val, "perfgate-probe/perf_event");

		if (err == 0 && strcmp(val.ptr, "ok")) {
			err = pg_error_set(PG_EINFRA, "unknown outcome '%s' in "
					   "'perfgate-probe/perf_event'", val.ptr);
			for (i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
				if (!strcmp(val.ptr, errno_names[i].name)) {
					*out = errno_names[i].value;
					err = 0;
				}
		}
		pg_buf_release(&val);
		return err == PG_ENOTFOUND ? 0 : err;
	}
#if defined(__linux__) && defined(SYS_perf_event_open)
	{
		struct perf_event_attr attr;
		long fd;

		memset(&attr, 0, sizeof(attr));
		attr.size = sizeof(attr);
		attr.type = PERF_TYPE_HARDWARE;
		attr.config = PERF_COUNT_HW_INSTRUCTIONS;
		attr.disabled = 1;
		attr.exclude_kernel = 1;
		attr.exclude_hv = 1;
		fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd < 0)
			*out = errno;
		else
			close((int)fd);
	}
#else
	*out = ENOSYS;
#endif
	return 0;
}

static int check_perf_event(pg_doctor_report *r)
{
	pg_buf msg = PG_BUF_INIT, fix = PG_BUF_INIT, val = PG_BUF_INIT;
	pg_check_level level;
	int err, probe = 0, paranoid = 0, known = 0;
	char *end = NULL;
	long v;

	err = read_sysf(&val, "proc/sys/kernel/perf_event_paranoid");
	if (err == PG_ENOMEM)
		goto cleanup;
	if (err == 0) {
		errno = 0;
		v = strtol(val.ptr, &end, 10);
		if (!errno && end != val.ptr && !*end && v >= -1000 && v <= 1000) {
			paranoid = (int)v;
			known = 1;
		}
	}
	if ((err = pg_doctor_probe_instructions(&probe)) == PG_ENOMEM)
		goto cleanup;
	if (err < 0) {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "cannot tell whether instructions can be counted: %s",
			    pg_error_last());
	} else if (probe == 0) {
		level = PG_CHECK_OK;
		pg_buf_adds(&msg, "the hardware instruction counter is available");
		if (known)
			pg_buf_addf(&msg, " (kernel.perf_event_paranoid=%d%s)", paranoid,
				    paranoid > 2 ? ", but this process is privileged" : "");
	} else if (known && paranoid > 2) {
		level = PG_CHECK_WARN;
		pg_buf_addf(&msg, "kernel.perf_event_paranoid=%d forbids counting instructions "
			    "(perf_event_open: %s): instructions/op is unavailable",
			    paranoid, strerror(probe));
		pg_buf_adds(&fix, "sudo sysctl -w kernel.perf_event_paranoid=2");
	} else if (probe == ENOENT || probe == EOPNOTSUPP || probe == ENODEV) {
		level = PG_CHECK_INFO;
		pg_buf_adds(&msg, "the CPU offers no hardware instruction counter to this process "
			    "(common on virtual machines); `perfgate run --measure callgrind` "
			    "counts instructions instead");
	} else if (probe == EACCES || probe == EPERM) {
		level = PG_CHECK_WARN;
		pg_buf_addf(&msg, "perf_event_open is denied (%s)", strerror(probe));
		if (known)
			pg_buf_addf(&msg, " although kernel.perf_event_paranoid=%d", paranoid);
		pg_buf_adds(&msg, ": a seccomp filter (a container's default profile) or a "
			    "security module blocks it; instructions/op is unavailable");
		pg_buf_adds(&fix, "in a container: docker run --cap-add PERFMON ... "
			    "(podman likewise)\n"
			    "perfgate run --measure callgrind (counts instructions without "
			    "perf events)");
	} else if (probe == ENOSYS) {
		level = PG_CHECK_INFO;
		pg_buf_adds(&msg, "the kernel has no perf events (perf_event_open: ENOSYS); "
			    "`perfgate run --measure callgrind` counts instructions instead");
	} else {
		level = PG_CHECK_INFO;
		pg_buf_addf(&msg, "cannot open a hardware instruction counter (perf_event_open: "
			    "%s); `perfgate run --measure callgrind` counts instructions instead",
			    strerror(probe));
	}
	err = emit(r, "perf_event", level, &msg, &fix);

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&fix);
	pg_buf_release(&val);
	return err;
}

/* ------------------------------------------------------------ all */

int pg_doctor_run(pg_doctor_report *out, const pg_cpuset *pinned)
{
	static int (*const checks[])(pg_doctor_report *) = {
		check_governor, check_turbo, check_smt, check_aslr,
		check_load, check_isolated, check_virtualization, check_perf_event,
	};
	size_t i;
	int err = 0;

	pg_doctor_report_init(out);
	if (pinned) {
		if (pinned->count == 0)
			return pg_error_set(PG_EINPUT, "no CPU to check");
		out->cpus = *pinned;
		out->cpus_why = NULL;
	} else if ((err = pg_cpus_default(&out->cpus, &out->cpus_why)) < 0) {
		goto cleanup;
	}
	for (i = 0; i < sizeof(checks) / sizeof(checks[0]); i++)
		if ((err = checks[i](out)) < 0)
			goto cleanup;

cleanup:
	if (err < 0)
		pg_doctor_report_release(out);
	return err;
}
