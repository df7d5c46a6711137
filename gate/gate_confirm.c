#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/file.h"
#include "gate/gate_confirm.h"
#include "common/banned.h"

void pg_confirm_merge_init(pg_confirm_merge *m)
{
	memset(m, 0, sizeof(*m));
}

void pg_confirm_merge_release(pg_confirm_merge *m)
{
	if (!m)
		return;
	free(m->final.rows);
	free(m->confirmed);
	pg_free_strv(m->notes);
	pg_confirm_merge_init(m);
}

int pg_confirm_is_suspect(const pg_decide_row *row)
{
	return row->decision == PG_DECISION_REGRESSION || row->decision == PG_DECISION_DRIFT;
}

int pg_confirm_merge_build(pg_confirm_merge *out, const pg_decision_set *first,
			   const pg_decision_set *confirmation)
{
	size_t i;
	int err = 0;

	out->final = *first;
	out->final.rows = calloc(first->nrows + 1, sizeof(*out->final.rows));
	out->confirmed = calloc(first->nrows + 1, 1);
	if (!out->final.rows || !out->confirmed) {
		out->final.nrows = 0;
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (i = 0; i < first->nrows; i++) {
		const pg_decide_row *row = &first->rows[i], *c;

		out->final.rows[i] = *row;
		if (!pg_confirm_is_suspect(row))
			continue;
		if ((c = pg_decision_set_find(confirmation, row))) {
			out->final.rows[i] = *c;
			out->confirmed[i] = 1;
			out->nconfirmed++;
		} else if ((err = pg_strv_pushf(&out->notes, &out->nnotes, "the confirmation did not "
						"measure %s %s again: the first pass's %s stands",
						row->benchmark, row->unit,
						pg_decision_name(row->decision))) < 0) {
			return err;
		}
	}
	for (i = 0; confirmation && i < confirmation->nrows; i++) {
		const pg_decide_row *c = &confirmation->rows[i], *row;

		if (c->decision != PG_DECISION_REGRESSION)
			continue;
		row = pg_decision_set_find(first, c);
		if (row && pg_confirm_is_suspect(row))
			continue;
		if ((err = pg_strv_pushf(&out->notes, &out->nnotes, "the confirmation found %s %s "
					 "regressed (%+.1f%%), but the first pass did not suspect it "
					 "(%s): it does not fail the gate; rerun the gate to check it",
					 c->benchmark, c->unit, c->delta_percent,
					 row ? pg_decision_name(row->decision) : "not measured")) < 0)
			return err;
	}
	pg_decision_set_count(&out->final);
	return 0;
}
