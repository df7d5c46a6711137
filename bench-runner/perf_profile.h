#ifndef PG_PERF_PROFILE_H
#define PG_PERF_PROFILE_H

#include <stddef.h>

#include "bench-runner/run.h"
#include "common/buf.h"

/*
 * Profiles of suites that do not use perfgate's harness, with Linux perf:
 * one run of the suite under `perf record -F HZ -g -e cpu-clock`, its
 * samples read back with `perf script` and written as one gzipped pprof
 * profile (sample types samples/count and cpu/nanoseconds, functions as
 * perf symbolized them, "[unknown]" frames named after their module). The
 * profile covers the whole run: perf cannot tell benchmarks apart, so it
 * has no benchmark label.
 */

/* Whether perf can profile a process here: 0, or PG_EINFRA with the
 * reason ("perf is not installed (Debian package linux-perf)", "perf
 * record does not work here: <its message>"). */
int pg_perf_check(void);

/* Profile one run of `run->argv` (with its CPUs, priority and timeout)
 * into `out_path` (a .pb.gz file). `hz`: the sampling rate. The run's
 * stdout is discarded; a failed run is PG_EINFRA naming how it ended, with
 * its stderr tail appended to `stderr_tail` (may be NULL). */
int pg_perf_profile(const pg_run_opts *run, const char *out_path, int hz,
		    pg_buf *stderr_tail);

/* Convert `perf script -F comm,tid,period,ip,sym,dso,event` output into a
 * gzipped pprof profile in `out` (exposed for tests). 0, PG_EINPUT (no
 * samples), PG_ENOMEM. */
int pg_perf_script_to_pprof(pg_buf *out, const char *script, size_t len,
			    int hz);

#endif
