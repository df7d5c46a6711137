#ifndef PG_HOST_H
#define PG_HOST_H

#include "bench-runner/cpus.h"
#include "stats/results.h"

/*
 * The host fingerprint recorded with every results file, as configuration
 * lines, so that a later comparison can tell whether baseline and
 * candidate ran on comparable hosts:
 *   cpu:          the CPU model ("AMD EPYC 7B13")
 *   kernel:       "Linux 6.1.0-13-amd64"
 *   governor:     the frequency governor of the first pinned CPU, or
 *                 "none" without a cpufreq interface
 *   pinned-cpus:  the CPU list the suite ran on, or "none"
 * (sysfs and procfs are read through pg_sys_read, so PERFGATE_SYSROOT
 * applies.)
 */
int pg_host_fingerprint(pg_results *r, const pg_cpuset *pinned);

/* The keys above, for code that compares fingerprints. */
extern const char *const pg_host_keys[];

#endif
