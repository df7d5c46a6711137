#ifndef PG_DOCTOR_REPORT_H
#define PG_DOCTOR_REPORT_H

#include <jansson.h>
#include <stdio.h>

#include "bench-runner/doctor.h"
#include "common/buf.h"

/*
 * Rendering of the quiet-host findings (bench-runner/doctor.h), shared by
 * `perfgate doctor` (stdout) and `perfgate run` (stderr, before a run).
 *
 * Text: one line per finding, the level in a column, the check id, the
 * message; a warning's fix on the following lines, one alternative each:
 *
 *   warn  governor        frequency governor 'powersave' on CPU 1 (not ...
 *                         fix: sudo cpupower frequency-set -g performance
 *                          or: echo performance | sudo tee /sys/devices/...
 *   ok    aslr            ASLR is on (kernel.randomize_va_space=2): ...
 */

/* Append the findings (only the warnings when `warnings_only`) to `out`.
 * 0 or PG_ENOMEM. */
int pg_doctor_render(pg_buf *out, const pg_doctor_report *r, int warnings_only);

/* The summary line (with its newline): "this host looks quiet", or "2
 * warnings: this host is not quiet; results will be noisier" -- with
 * `require_quiet`, "...; failing because of --require-quiet". */
int pg_doctor_render_summary(pg_buf *out, const pg_doctor_report *r, int require_quiet);

/* Print the findings and the summary line to `f` (only the warnings, and
 * the summary only when there are some, when `warnings_only`). Returns 0,
 * PG_ENOMEM, or PG_EINFRA when writing to `f` failed. */
int pg_doctor_print(FILE *f, const pg_doctor_report *r, int warnings_only);

/* {"cpus": "1", "findings": [{"check", "level", "message", "fix"}],
 *  "warnings": N} (fix is null when there is none): a new reference the
 * caller releases with json_decref(), or NULL when out of memory. */
json_t *pg_doctor_to_json(const pg_doctor_report *r);

#endif
