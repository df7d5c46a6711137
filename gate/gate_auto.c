#include <string.h>

#include "common/error.h"
#include "gate/gate_auto.h"
#include "common/banned.h"

int pg_gate_auto_summary(pg_buf *out, const pg_seq_verdict *v, const pg_seq_state *s,
			 size_t baseline_runs)
{
	size_t max = s->opts.max_runs;

	pg_buf_addf(out, "--count auto: %zu run%s of at most %zu (", v->runs,
		    v->runs == 1 ? "" : "s", max);
	if (v->all_decided)
		pg_buf_adds(out, "every benchmark metric decided");
	else if (!v->at_max)
		pg_buf_addf(out, "the others cannot be decided by %zu runs", max);
	else
		pg_buf_adds(out, "the plan's last look");
	pg_buf_addf(out, "); %zu run%s saved; %zu undecided, %zu hopeless at the stop",
		    v->runs_saved, v->runs_saved == 1 ? "" : "s", v->undecided, v->hopeless);
	/* a baseline of fewer runs than the gate's maximum caps the plan */
	if (!v->all_decided && max < PG_SEQ_GATE_MAX_RUNS &&
	    baseline_runs < PG_SEQ_GATE_MAX_RUNS)
		pg_buf_addf(out, "; the stored baseline's %zu runs cap the plan at %zu runs "
			    "(%zu look%s): a baseline of %d runs (perfgate baseline refresh -n %d) "
			    "lets more benchmark metrics be decided", baseline_runs, max,
			    v->looks_planned, v->looks_planned == 1 ? "" : "s",
			    PG_SEQ_GATE_MAX_RUNS, PG_SEQ_GATE_MAX_RUNS);
	return pg_buf_failed(out) ? pg_error_set(PG_ENOMEM, "out of memory") : 0;
}

void pg_gate_auto_annotate(pg_decision_set *d, const pg_seq_state *s)
{
	size_t i;

	for (i = 0; i < d->nrows; i++) {
		pg_decide_row *row = &d->rows[i];
		const pg_seq_row *r;

		if (row->decision != PG_DECISION_NOISE && row->decision != PG_DECISION_UNCHANGED)
			continue;
		r = pg_sequential_row(s, row->benchmark, row->unit);
		if (!r || (r->status != PG_SEQ_HOPELESS && r->status != PG_SEQ_UNDECIDED) ||
		    !r->reason[0])
			continue;
		memcpy(row->reason, r->reason, sizeof(row->reason));
		row->reason[sizeof(row->reason) - 1] = '\0';
		if (r->status == PG_SEQ_HOPELESS && r->has_mde &&
		    r->mde_max_percent > row->threshold_percent && !row->cannot_guard) {
			row->cannot_guard = 1;
			row->decision = PG_DECISION_NOISE;
		}
	}
	pg_decision_set_count(d);
}
