#ifndef PG_MEASURE_H
#define PG_MEASURE_H

#include "common/buf.h"
#include "gate/config.h"

/*
 * --measure auto: measure natively (time; perfgate's harness then reports
 * the hardware instructions/op next to ns/op) where this process can open
 * a hardware instruction counter, else count instructions under callgrind
 * exactly as --measure callgrind does. Resolved once, before anything
 * runs, so that everything downstream (the runs, the A/B, the
 * confirmation, the reports) sees time or callgrind.
 */

/*
 * The concrete mode for `mode` into *out: time or callgrind as they are;
 * auto by the probe of bench-runner/doctor.h
 * (pg_doctor_probe_instructions(), which PERFGATE_SYSROOT fakes). For
 * auto, why it was chosen is appended to `why` (one lowercase phrase, e.g.
 * "the hardware instruction counter is available" or "no hardware
 * instruction counter (perf_event_open: No such file or directory)");
 * `why` is untouched otherwise. 0, PG_EINFRA (the probe could not answer:
 * an unknown fake outcome) or PG_ENOMEM; *out is unchanged on failure.
 */
int pg_measure_resolve(pg_measure_mode *out, pg_buf *why, pg_measure_mode mode);

/* On stderr, what auto chose (`mode`, time or callgrind) and `why`:
 * "perfgate <cmd>: --measure auto: <why>: counting instructions under
 * callgrind". */
void pg_measure_announce(const char *cmd, pg_measure_mode mode, const char *why);

/* The results' "measure" configuration line for time chosen by auto:
 * "time, chosen by --measure auto: <why>"; for callgrind, ", chosen by
 * --measure auto: <why>" goes after pg_callgrind_describe()'s line. */
#define PG_MEASURE_AUTO_NOTE ", chosen by --measure auto: "

#endif
