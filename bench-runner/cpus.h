#ifndef PG_CPUS_H
#define PG_CPUS_H

#include <stddef.h>

#include "common/buf.h"

/*
 * CPU sets as the kernel writes them ("0-3,8,10-11"), read from sysfs, and
 * the choice of the CPUs a suite is pinned to.
 *
 * The root of /sys and /proc is "/" unless the environment variable
 * PERFGATE_SYSROOT names another directory: the tests build fake sysfs and
 * procfs trees there to check every branch deterministically.
 */

#define PG_MAX_CPUS 1024

typedef struct pg_cpuset {
	unsigned char on[PG_MAX_CPUS];
	size_t count;
} pg_cpuset;

/* Parse "0-3,8" (blanks allowed around commas, leading and trailing blanks
 * and newlines too; "" is the empty set). 0 or PG_EINPUT ("invalid CPU list '...'"). */
int pg_cpuset_parse(pg_cpuset *out, const char *text);

/* Append "0-3,8" (the kernel's notation; "" for the empty set). */
int pg_cpuset_format(pg_buf *out, const pg_cpuset *set);

int pg_cpuset_has(const pg_cpuset *set, size_t cpu);
void pg_cpuset_add(pg_cpuset *set, size_t cpu);

/* The path of `rel` ("sys/devices/...") under the system root. */
int pg_sys_path(pg_buf *out, const char *rel);

/* Read a small sysfs/procfs file `rel` (relative to the system root) into
 * `out`, trailing whitespace removed. PG_ENOTFOUND when it does not exist
 * (no message is set then), PG_EINFRA on other errors. */
int pg_sys_read(pg_buf *out, const char *rel);

/* The CPUs this process may run on (sched_getaffinity), intersected with
 * the online CPUs. */
int pg_cpus_allowed(pg_cpuset *out);

/* The CPUs isolated from the scheduler (isolcpus=), as the kernel lists
 * them in /sys/devices/system/cpu/isolated (empty when none). */
int pg_cpus_isolated(pg_cpuset *out);

/*
 * The CPUs to pin a suite to when the user gave none: the isolated CPUs
 * this process may use, when there are any; otherwise one allowed CPU that
 * is not CPU 0 (interrupts and housekeeping favour CPU 0): the highest
 * numbered one. When CPU 0 is the only allowed CPU, it is used. `why`
 * (not NULL) receives a static explanation: "isolated CPUs", "highest
 * allowed CPU other than CPU 0" or "CPU 0, the only allowed CPU".
 */
int pg_cpus_default(pg_cpuset *out, const char **why);

/* Pin the calling process (thread) to `set`. 0 or PG_EINFRA. */
int pg_cpus_pin(const pg_cpuset *set);

#endif
