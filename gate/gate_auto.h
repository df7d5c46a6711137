#ifndef PG_GATE_AUTO_H
#define PG_GATE_AUTO_H

#include <stddef.h>

#include "common/buf.h"
#include "stats/decide.h"
#include "stats/sequential.h"

/*
 * perfgate gate --count auto: what the gate says about the sequential
 * rule (stats/sequential.h) once it stopped, in the warning that ends the
 * measurement and in the rows of the final decision.
 */

/*
 * Append the warning about the stop `v` of the plan of `s` against a
 * stored baseline of `baseline_runs` runs:
 *   "--count auto: 5 runs of at most 10 (WHY); 5 runs saved; 0 undecided,
 *   0 hopeless at the stop"
 * WHY: "every benchmark metric decided"; "the others cannot be decided
 * by 10 runs" (the open rows are all hopeless, the stop came before the
 * maximum); "the plan's last look" (the maximum). When the stop left rows
 * open and the baseline's count caps the plan below 30 runs, a last
 * clause says so and how to lift the cap. 0 or PG_ENOMEM.
 */
int pg_gate_auto_summary(pg_buf *out, const pg_seq_verdict *v, const pg_seq_state *s,
			 size_t baseline_runs);

/*
 * The rows of the final decision `d` that the rule left open at the stop
 * (HOPELESS, or UNDECIDED at the maximum) and that `d` calls noise or
 * unchanged take the rule's reason, which says what the maximum number of
 * runs could see (the minimum detectable change projected to it); a
 * HOPELESS row whose projected minimum detectable change exceeds its
 * threshold cannot guard it even at the maximum: an unchanged one becomes
 * noise (cannot_guard, counted in d->cannot_guard). Rows the rule does
 * not know, and regressions, improvements and drift, are left as they are.
 */
void pg_gate_auto_annotate(pg_decision_set *d, const pg_seq_state *s);

#endif
