/*
 * The gate's Markdown report, for pull-request comments and
 * $GITHUB_STEP_SUMMARY:
 *
 *   ## ❌ perfgate: REGRESSION
 *
 *   1 of 30 benchmark metrics slower than allowed (...) vs baseline ...
 *
 *   Baseline 1a2b3c4 (...), branch main · candidate 5d6e7f8 · Welch's t-test ...
 *
 *   ### Regressions
 *
 *   | benchmark | unit | old | new | delta | 95% CI | threshold | reason |
 *   ...
 *
 *   <details><summary>All 30 benchmark metrics: 1 regression, ...</summary>
 *
 *   | benchmark | unit | old | new | delta | 95% CI | decision | reason |
 *   ...
 *
 *   </details>
 *
 *   ### Warnings
 *
 *   - ...
 *
 * Every name, unit, reason and warning is escaped (pg_md_escape), so it
 * stays in its table cell and renders as its text.
 */
#include <string.h>

#include "common/error.h"
#include "gate/compare_format.h"
#include "gate/format_util.h"
#include "gate/gate_confirm.h"
#include "gate/report.h"
#include "gate/report_internal.h"
#include "common/banned.h"

/* Markdown text: valid UTF-8, metacharacters escaped. */
static void md(pg_buf *out, const char *s)
{
	pg_buf clean = PG_BUF_INIT;

	pg_utf8_sanitize(&clean, s, 0);
	if (pg_buf_failed(&clean))
		out->failed = 1;
	pg_md_escape(out, clean.ptr);
	pg_buf_release(&clean);
}

static const char *verdict_emoji(pg_verdict v)
{
	switch (v) {
	case PG_VERDICT_PASS:
		return "\u2705";        /* white heavy check mark */
	case PG_VERDICT_REGRESSION:
		return "\u274c";        /* cross mark */
	case PG_VERDICT_NO_BASELINE:
		return "\u26a0\ufe0f";  /* warning sign */
	default:
		return "\u2757";        /* heavy exclamation mark */
	}
}

static void render_context(pg_buf *out, const pg_report *r)
{
	const pg_decide_opts *opts = r->decision ? &r->decision->opts : r->settings;
	const char *sep = "";
	size_t mark = out->len;

	if (r->baseline_commit || r->baseline_source) {
		pg_buf_adds(out, "Baseline ");
		pg_report_add_baseline(out, r, md);
		if (r->baseline_branch) {
			pg_buf_adds(out, ", branch ");
			md(out, r->baseline_branch);
		}
		sep = " \u00b7 ";
	}
	if (r->candidate_commit || r->candidate_branch) {
		pg_buf_addf(out, "%s%s", sep, *sep ? "candidate " : "Candidate ");
		if (r->candidate_commit)
			pg_report_add_commit(out, r->candidate_commit, md);
		if (r->candidate_branch) {
			pg_buf_adds(out, r->candidate_commit ? " on " : "");
			md(out, r->candidate_branch);
		}
		if (r->candidate_dirty)
			pg_buf_adds(out, " (with uncommitted changes)");
		sep = " \u00b7 ";
	}
	if (opts) {
		pg_buf_adds(out, sep);
		pg_report_add_settings(out, r);
	}
	if (out->len > mark)
		pg_buf_adds(out, "\n\n");
}

/* The cells old, new, delta, CI of a row. */
static void row_figures(pg_buf *out, const pg_decide_row *row, int bold_delta)
{
	if (row->decision != PG_DECISION_NEW)
		pg_format_value(out, row->old_center, row->unit);
	pg_buf_adds(out, " | ");
	if (row->decision != PG_DECISION_REMOVED)
		pg_format_value(out, row->new_center, row->unit);
	pg_buf_adds(out, " | ");
	if (bold_delta && row->has_delta)
		pg_buf_adds(out, "**");
	pg_report_add_delta(out, row);
	if (bold_delta && row->has_delta)
		pg_buf_adds(out, "**");
	pg_buf_adds(out, " | ");
	pg_report_add_ci(out, row);
}

static void render_regressions(pg_buf *out, const pg_report *r)
{
	const pg_decision_set *d = r->decision;
	size_t i;

	pg_buf_addf(out, "### Regressions\n\n"
		    "| benchmark | unit | old | new | delta | %g%% CI | threshold | reason |\n"
		    "|:--|:--|--:|--:|--:|:--|--:|:--|\n", 100.0 * (1.0 - d->opts.alpha));
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];

		if (row->decision != PG_DECISION_REGRESSION)
			continue;
		pg_buf_adds(out, "| ");
		md(out, row->benchmark);
		pg_buf_adds(out, " | ");
		md(out, row->unit);
		pg_buf_adds(out, " | ");
		row_figures(out, row, 1);
		pg_buf_addf(out, " | %s%g%% | ",
			    row->direction == PG_HIGHER_IS_BETTER ? "-" : "+",
			    row->threshold_percent);
		pg_report_add_detail(out, row, md);
		pg_report_add_unpaired(out, r, i);
		pg_buf_adds(out, " |\n");
	}
	pg_buf_addch(out, '\n');
}

/* The rows of d in a <details> block: every row of r->decision (`r`
 * given: the unpaired view beside an A/B's rows), or with r NULL the
 * first pass's suspects. */
static void render_all(pg_buf *out, const pg_report *r, const pg_decision_set *d,
		       const pg_report_counts *c)
{
	static const struct {
		pg_decision d;
		const char *one, *many;
	} order[] = {
		{ PG_DECISION_REGRESSION, "regression", "regressions" },
		{ PG_DECISION_IMPROVEMENT, "improvement", "improvements" },
		{ PG_DECISION_DRIFT, "drift", "drift" },
		{ PG_DECISION_NOISE, "noisy", "noisy" },
		{ PG_DECISION_UNCHANGED, "unchanged", "unchanged" },
		{ PG_DECISION_NEW, "new", "new" },
		{ PG_DECISION_REMOVED, "removed", "removed" },
	};
	const char *sep = ": ";
	size_t i;

	if (r)
		pg_buf_addf(out, "<details><summary>All %zu %s", c->rows,
			    pg_report_metrics_word(c->rows));
	else
		pg_buf_addf(out, "<details><summary>The first pass's %zu %s",
			    c->decision[PG_DECISION_REGRESSION] + c->decision[PG_DECISION_DRIFT],
			    c->decision[PG_DECISION_REGRESSION] + c->decision[PG_DECISION_DRIFT] == 1 ?
			    "suspect" : "suspects");
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (c->decision[order[i].d] && (r || order[i].d == PG_DECISION_REGRESSION ||
						order[i].d == PG_DECISION_DRIFT)) {
			size_t n = c->decision[order[i].d];

			pg_buf_addf(out, "%s%zu %s", sep, n, n == 1 ? order[i].one :
				    order[i].many);
			sep = ", ";
		}
	pg_buf_addf(out, "</summary>\n\n"
		    "| benchmark | unit | old | new | delta | %g%% CI | decision | reason |\n"
		    "|:--|:--|--:|--:|--:|:--|:--|:--|\n", 100.0 * (1.0 - d->opts.alpha));
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];
		int regression = row->decision == PG_DECISION_REGRESSION;

		if (!r && !pg_confirm_is_suspect(row))
			continue;
		pg_buf_adds(out, "| ");
		md(out, row->benchmark);
		pg_buf_adds(out, " | ");
		md(out, row->unit);
		pg_buf_adds(out, " | ");
		row_figures(out, row, regression);
		pg_buf_addf(out, " | %s%s%s | ", regression ? "**" : "",
			    pg_decision_name(row->decision), regression ? "**" : "");
		pg_report_add_detail(out, row, md);
		if (r)
			pg_report_add_unpaired(out, r, i);
		pg_buf_adds(out, " |\n");
	}
	pg_buf_adds(out, "\n</details>\n\n");
}

struct notes_ctx {
	pg_buf *out;
	int any;
};

static int add_note(void *ctx, pg_note_kind kind, const char *text)
{
	struct notes_ctx *n = ctx;

	(void)kind;
	if (!n->any++)
		pg_buf_adds(n->out, "### Warnings\n\n");
	pg_buf_adds(n->out, "- ");
	pg_buf_adds(n->out, text);
	return pg_buf_addch(n->out, '\n');
}

int pg_report_markdown(pg_buf *out, const pg_report *r)
{
	struct notes_ctx notes = { out, 0 };
	pg_report_counts c;
	int err;

	pg_report_count(&c, r);
	pg_buf_addf(out, "## %s perfgate: %s\n\n", verdict_emoji(r->verdict),
		    pg_verdict_title(r->verdict));
	pg_report_add_sentence(out, r, md);
	pg_buf_adds(out, "\n\n");
	render_context(out, r);
	if (r->decision_title) {
		pg_buf_adds(out, r->first_pass ? "Decided by: " : "Measured by: ");
		md(out, r->decision_title);
		pg_buf_adds(out, "\n\n");
	}
	if (r->decision) {
		if (c.decision[PG_DECISION_REGRESSION])
			render_regressions(out, r);
		if (c.rows)
			render_all(out, r, r->decision, &c);
	}
	if (r->first_pass) {
		pg_report fp = *r;
		pg_report_counts fc;

		fp.decision = r->first_pass;
		fp.first_pass = NULL;
		pg_report_count(&fc, &fp);
		pg_buf_adds(out, "First pass (it nominated the suspects that were measured again; "
			    "its other rows are in the table above): ");
		md(out, r->first_pass_title ? r->first_pass_title : "");
		pg_buf_adds(out, "\n\n");
		if (fc.decision[PG_DECISION_REGRESSION] + fc.decision[PG_DECISION_DRIFT])
			render_all(out, NULL, r->first_pass, &fc);
	}
	if ((err = pg_report_each_note(r, md, add_note, &notes)) < 0)
		return err;
	if (notes.any)
		pg_buf_addch(out, '\n');
	if (r->nprofiles) {
		size_t i, k;

		pg_buf_adds(out, "### What grew in the profiles\n\n");
		for (i = 0; i < r->nprofiles; i++) {
			const pg_report_profile *p = &r->profiles[i];

			pg_buf_adds(out, "**");
			md(out, p->benchmark);
			pg_buf_adds(out, "**");
			if (p->note) {
				pg_buf_adds(out, ": ");
				md(out, p->note);
				pg_buf_adds(out, "\n\n");
				continue;
			}
			if (p->svg_url) {
				pg_buf_adds(out, " (flame graph: `");
				pg_utf8_sanitize(out, p->svg_url, 1);
				pg_buf_adds(out, "`)");
			}
			if (!p->nfunctions) {
				pg_buf_adds(out, ": no function's share grew by more than 2 points\n\n");
				continue;
			}
			pg_buf_adds(out, "\n\n| function | base | new | growth |\n|:--|--:|--:|--:|\n");
			for (k = 0; k < p->nfunctions; k++) {
				pg_buf_adds(out, "| ");
				md(out, p->functions[k].name);
				pg_buf_addf(out, " | %.1f%% | %.1f%% | %+.1f points |\n",
					    p->functions[k].base_flat_percent,
					    p->functions[k].new_flat_percent,
					    p->functions[k].growth_points);
			}
			pg_buf_addch(out, '\n');
		}
	}
	if (r->artifacts_url) {
		/* a code span shows the location as it is; md() would put
		 * backslashes into it */
		pg_buf_adds(out, "Artifacts: ");
		if (strchr(r->artifacts_url, '`') || strpbrk(r->artifacts_url, "\r\n")) {
			md(out, r->artifacts_url);
		} else {
			pg_buf_addch(out, '`');
			pg_utf8_sanitize(out, r->artifacts_url, 1);
			pg_buf_addch(out, '`');
		}
		pg_buf_addch(out, '\n');
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}
