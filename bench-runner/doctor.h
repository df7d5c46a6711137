#ifndef PG_DOCTOR_H
#define PG_DOCTOR_H

#include <stddef.h>

#include "bench-runner/cpus.h"

/*
 * Quiet-host checks: what makes this machine a noisy place to benchmark,
 * and the command that fixes it. `perfgate doctor` prints them alone and
 * `perfgate run` before a run. This is library code: it never prints; it
 * returns findings, which gate/doctor_report.c renders.
 *
 * Every check gives exactly one finding, in this order, with a stable id:
 *
 *   id              reads (relative to the system root, see cpus.h)
 *   governor        sys/devices/system/cpu/cpuN/cpufreq/scaling_governor
 *                   for each checked CPU N
 *   turbo           sys/devices/system/cpu/intel_pstate/no_turbo,
 *                   sys/devices/system/cpu/cpufreq/boost,
 *                   sys/devices/system/cpu/cpuN/cpufreq/boost
 *   smt             sys/devices/system/cpu/cpuN/topology/thread_siblings_list,
 *                   sys/devices/system/cpu/online
 *   aslr            proc/sys/kernel/randomize_va_space and this process's
 *                   personality (setarch -R)
 *   load            proc/loadavg (the 1-minute figure) and
 *                   sys/devices/system/cpu/online
 *   isolated        sys/devices/system/cpu/isolated (and the affinity of
 *                   this process, through pg_cpus_allowed())
 *   virtualization  proc/cpuinfo ("flags ... hypervisor"),
 *                   sys/hypervisor/type, sys/class/dmi/id/sys_vendor,
 *                   sys/class/dmi/id/product_name
 *   perf_event      proc/sys/kernel/perf_event_paranoid and a live
 *                   perf_event_open() probe (see below)
 *
 * Levels: PG_CHECK_WARN when the host is noisier than it could be (the
 * finding then has a `fix`), PG_CHECK_OK when the check passed,
 * PG_CHECK_INFO when it does not apply or cannot be answered here (no
 * cpufreq interface, an unreadable file, no hardware counter).
 *
 * Thresholds:
 *  - load: a warning when the 1-minute load average exceeds
 *    PG_DOCTOR_LOAD_PER_CPU (0.25) times the number of online CPUs, i.e.
 *    when on average more than a quarter of the machine was busy over the
 *    last minute. A benchmark pinned to one CPU then shares that CPU (and
 *    the caches and memory bandwidth of the others) with other work a
 *    good part of the time; an idle machine stays well below (0.0-0.1).
 *  - perf_event: perf_event_paranoid above 2 forbids unprivileged
 *    processes to count even their own user-space instructions.
 *
 * The perf_event probe opens a PERF_COUNT_HW_INSTRUCTIONS counter (user
 * space only) on the calling process and closes it at once. When the
 * environment variable PERFGATE_SYSROOT is set (the tests' fake system
 * root), the probe is never run: its outcome is read from the file
 * <root>/perfgate-probe/perf_event, which holds "ok" or an errno name
 * ("ENOENT", "EOPNOTSUPP", "ENODEV", "EACCES", "EPERM", "ENOSYS", ...); an
 * absent file reads as "ok".
 */

typedef enum pg_check_level {
	PG_CHECK_OK = 0,
	PG_CHECK_INFO,
	PG_CHECK_WARN
} pg_check_level;

typedef struct pg_finding {
	const char *check;    /* the stable id above (a static string) */
	pg_check_level level;
	char *message;        /* one line, lowercase, no full stop; owned by the report */
	char *fix;            /* warnings: what fixes it, one alternative per line
			       * (commands, or advice where no command can);
			       * NULL otherwise. Owned by the report. */
} pg_finding;

typedef struct pg_doctor_report {
	pg_finding *items;
	size_t n;
	size_t alloc;
	pg_cpuset cpus;       /* the CPUs that were checked */
	const char *cpus_why; /* why those, when pg_doctor_run() chose them:
			       * pg_cpus_default()'s reason (a static string);
			       * NULL when the caller gave them */
} pg_doctor_report;

#define PG_DOCTOR_LOAD_PER_CPU 0.25

/* Zero the report (optional: pg_doctor_run() does it). */
void pg_doctor_report_init(pg_doctor_report *r);

/* Free the findings and their strings; the report is empty afterwards.
 * Safe on NULL and on an empty report. */
void pg_doctor_report_release(pg_doctor_report *r);

/*
 * Run every check for the CPUs in `pinned` (the CPUs the suite will be
 * pinned to), or for pg_cpus_default()'s choice when `pinned` is NULL.
 * `out` is overwritten (not released first: pass an initialised or
 * released report). A check that cannot read its files gives an INFO
 * finding, not an error. Returns 0, PG_EINPUT (an empty `pinned`),
 * PG_EINFRA (pinned NULL and no CPU could be chosen) or PG_ENOMEM; on
 * failure `out` is left empty.
 */
int pg_doctor_run(pg_doctor_report *out, const pg_cpuset *pinned);

/* The number of PG_CHECK_WARN findings. */
size_t pg_doctor_warnings(const pg_doctor_report *r);

/* The finding of check `id`, or NULL. */
const pg_finding *pg_doctor_find(const pg_doctor_report *r, const char *id);

/*
 * The perf_event probe alone: can this process open a hardware instruction
 * counter (user space only)? *out = 0 when it can, else the errno value of
 * perf_event_open() (ENOENT, EOPNOTSUPP, ENODEV: no counter; EACCES,
 * EPERM: denied; ENOSYS: no perf events). Under PERFGATE_SYSROOT the fake
 * outcome of <root>/perfgate-probe/perf_event (see above). 0, PG_EINFRA
 * (an unreadable or unknown fake outcome) or PG_ENOMEM.
 */
int pg_doctor_probe_instructions(int *out);

/* "ok", "info", "warn". */
const char *pg_check_level_name(pg_check_level level);

#endif
