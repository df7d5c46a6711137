/*
 * The gate's terminal report: what was compared, one table per unit in
 * the style of `perfgate compare`, the notes, and the verdict as the last
 * line.
 *
 *   baseline:  1a2b3c4 (store: merge base of HEAD and origin/main), branch main
 *   candidate: 5d6e7f8 on feature/x
 *   decision:  Welch's t-test on log values, alpha=0.05, holm correction, ...
 *
 *   ns/op               old      new    delta  95% CI            decision    reason
 *   Hash/fnv1a-64K  41.20µs  47.88µs  +16.21%  [+14.0%, +18.5%]  REGRESSION  ...
 *
 *   warning: ...
 *   perfgate: REGRESSION: 1 of 30 benchmark metrics slower than allowed (...)
 */
#include <string.h>

#include "common/error.h"
#include "gate/compare_format.h"
#include "gate/format_util.h"
#include "gate/gate_confirm.h"
#include "gate/report.h"
#include "gate/report_internal.h"
#include "common/banned.h"

#define COLS 7

#define STYLE_REGRESSION "\033[1;31m"   /* bold red */
#define STYLE_IMPROVEMENT "\033[32m"    /* green */
#define STYLE_WARN "\033[33m"           /* yellow: drift, noise */
#define STYLE_PASS "\033[1;32m"         /* bold green */

static const char *row_style(const pg_decide_row *row)
{
	switch (row->decision) {
	case PG_DECISION_REGRESSION:
		return STYLE_REGRESSION;
	case PG_DECISION_IMPROVEMENT:
		return STYLE_IMPROVEMENT;
	case PG_DECISION_DRIFT:
	case PG_DECISION_NOISE:
		return STYLE_WARN;
	default:
		return NULL;
	}
}

static const char *verdict_style(pg_verdict v)
{
	switch (v) {
	case PG_VERDICT_PASS:
		return STYLE_PASS;
	case PG_VERDICT_NO_BASELINE:
		return STYLE_WARN;
	default:
		return STYLE_REGRESSION;
	}
}

/* whether render_tables shows row i of d: every row, or with
 * `suspects_only` the first pass's suspects */
static int shown(const pg_decision_set *d, size_t i, int suspects_only)
{
	return !suspects_only || pg_confirm_is_suspect(&d->rows[i]);
}

/* One unit's rows [from, to) of d; `r` when d is r->decision (the
 * unpaired view beside an A/B's rows), else NULL. */
static int render_group(pg_buf *out, const pg_report *r, const pg_decision_set *d,
			size_t from, size_t to, int color, int suspects_only)
{
	static const int right[COLS] = { 0, 1, 1, 1, 0, 0, 0 };
	pg_table t;
	pg_buf *cell;
	size_t i;
	int err;

	pg_table_init(&t, COLS, right);
	if ((cell = pg_table_add_row(&t, NULL))) {
		pg_report_plain(&cell[0], d->rows[from].unit);
		pg_buf_adds(&cell[1], "old");
		pg_buf_adds(&cell[2], "new");
		pg_buf_adds(&cell[3], "delta");
		pg_buf_addf(&cell[4], "%g%% CI", 100.0 * (1.0 - d->opts.alpha));
		pg_buf_adds(&cell[5], "decision");
	}
	for (i = from; i < to; i++) {
		const pg_decide_row *row = &d->rows[i];

		if (!shown(d, i, suspects_only))
			continue;
		if (!(cell = pg_table_add_row(&t, color ? row_style(row) : NULL)))
			break;
		pg_report_plain(&cell[0], row->benchmark);
		if (row->decision != PG_DECISION_NEW)
			pg_format_value(&cell[1], row->old_center, row->unit);
		if (row->decision != PG_DECISION_REMOVED)
			pg_format_value(&cell[2], row->new_center, row->unit);
		pg_report_add_delta(&cell[3], row);
		pg_report_add_ci(&cell[4], row);
		pg_buf_adds(&cell[5], pg_report_decision_label(row->decision));
		pg_report_add_detail(&cell[6], row, pg_report_plain);
		if (r)
			pg_report_add_unpaired(&cell[6], r, i);
	}
	err = pg_table_render(out, &t);
	pg_table_release(&t);
	return err;
}

static int render_tables(pg_buf *out, const pg_report *r, const pg_decision_set *d,
			 int color, int suspects_only)
{
	size_t i = 0, j, k;
	int err, any;

	while (i < d->nrows) {
		const char *unit = d->rows[i].unit;

		any = 0;
		for (j = i; j < d->nrows && !strcmp(d->rows[j].unit, unit); j++)
			;
		for (k = i; k < j; k++)
			any |= shown(d, k, suspects_only);
		if (any) {
			pg_buf_addch(out, '\n');
			if ((err = render_group(out, r, d, i, j, color, suspects_only)) < 0)
				return err;
		}
		i = j;
	}
	return 0;
}

static void render_header(pg_buf *out, const pg_report *r)
{
	const pg_decide_opts *opts = r->decision ? &r->decision->opts : r->settings;

	if (r->baseline_commit || r->baseline_source) {
		pg_buf_adds(out, "baseline:  ");
		pg_report_add_baseline(out, r, pg_report_plain);
		if (r->baseline_branch) {
			pg_buf_adds(out, ", branch ");
			pg_report_plain(out, r->baseline_branch);
		}
		pg_buf_addch(out, '\n');
	}
	if (r->candidate_commit || r->candidate_branch) {
		pg_buf_adds(out, "candidate: ");
		if (r->candidate_commit)
			pg_report_add_commit(out, r->candidate_commit, pg_report_plain);
		if (r->candidate_branch) {
			pg_buf_adds(out, r->candidate_commit ? " on " : "");
			pg_report_plain(out, r->candidate_branch);
		}
		if (r->candidate_dirty)
			pg_buf_adds(out, " (with uncommitted changes)");
		pg_buf_addch(out, '\n');
	}
	if (opts) {
		pg_buf_adds(out, "decision:  ");
		pg_report_add_settings(out, r);
		pg_buf_addch(out, '\n');
	}
}

static int add_note(void *ctx, pg_note_kind kind, const char *text)
{
	pg_buf *out = ctx;

	if (kind == PG_NOTE_WARNING)
		pg_buf_adds(out, "warning: ");
	pg_buf_adds(out, text);
	return pg_buf_addch(out, '\n');
}

int pg_report_terminal(pg_buf *out, const pg_report *r, int color)
{
	size_t start = out->len;
	int err;

	render_header(out, r);
	if (r->first_pass) {
		/* its suspects; its other rows are in the final table */
		pg_buf_adds(out, "\nfirst pass: ");
		pg_report_plain(out, r->first_pass_title ? r->first_pass_title : "");
		pg_buf_adds(out, "; its suspects:\n");
		if ((err = render_tables(out, NULL, r->first_pass, color, 1)) < 0)
			return err;
	}
	if (r->decision && (r->first_pass || r->decision_title)) {
		pg_buf_adds(out, r->first_pass ? "\ndecided by: " : "\nmeasured by: ");
		pg_report_plain(out, r->decision_title ? r->decision_title : "");
		if (r->first_pass)
			pg_buf_adds(out, "; the other rows are the first pass's");
		pg_buf_addch(out, '\n');
	}
	if (r->decision && (err = render_tables(out, r, r->decision, color, 0)) < 0)
		return err;
	if (out->len > start)
		pg_buf_addch(out, '\n');
	if ((err = pg_report_each_note(r, pg_report_plain, add_note, out)) < 0)
		return err;
	for (size_t i = 0; i < r->nprofiles; i++) {
		const pg_report_profile *p = &r->profiles[i];

		pg_buf_adds(out, "profile of ");
		pg_report_plain(out, p->benchmark);
		if (p->note) {
			pg_buf_adds(out, ": ");
			pg_report_plain(out, p->note);
			pg_buf_addch(out, '\n');
			continue;
		}
		pg_buf_adds(out, p->nfunctions ? ": grew the most:\n" :
				 ": no function's share grew by more than 2 points\n");
		for (size_t k = 0; k < p->nfunctions; k++) {
			pg_buf_addf(out, "  %+6.1f points  %5.1f%% -> %5.1f%%  ",
				    p->functions[k].growth_points,
				    p->functions[k].base_flat_percent,
				    p->functions[k].new_flat_percent);
			pg_report_plain(out, p->functions[k].name);
			pg_buf_addch(out, '\n');
		}
		if (p->svg_url) {
			pg_buf_adds(out, "  flame graph: ");
			pg_report_plain(out, p->svg_url);
			pg_buf_addch(out, '\n');
		}
	}
	if (r->artifacts_url) {
		pg_buf_adds(out, "artifacts: ");
		pg_report_plain(out, r->artifacts_url);
		pg_buf_addch(out, '\n');
	}
	if (color)
		pg_buf_adds(out, verdict_style(r->verdict));
	pg_buf_addf(out, "perfgate: %s: ", pg_verdict_title(r->verdict));
	pg_report_add_sentence(out, r, pg_report_plain);
	pg_buf_adds(out, color ? "\033[0m\n" : "\n");
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}
