/*
 * The gate's reports: what the renderers share (counts, the verdict
 * sentence, the notes: see gate/report_internal.h) and the JSON report.
 * The terminal, Markdown, JUnit and annotation renderers live in
 * gate/report_<format>.c.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "gate/compare_format.h"
#include "gate/format_util.h"
#include "gate/report.h"
#include "gate/report_internal.h"
#include "common/banned.h"

/* regressions named in the verdict line, rows named in the cannot-guard
 * note before "and N more" */
#define VERDICT_MAX_NAMED 3
#define CANNOT_GUARD_MAX_NAMED 3

const char *pg_verdict_name(pg_verdict v)
{
	switch (v) {
	case PG_VERDICT_PASS:
		return "pass";
	case PG_VERDICT_REGRESSION:
		return "regression";
	case PG_VERDICT_NO_BASELINE:
		return "no-baseline";
	default:
		return "error";
	}
}

const char *pg_verdict_title(pg_verdict v)
{
	switch (v) {
	case PG_VERDICT_PASS:
		return "PASS";
	case PG_VERDICT_REGRESSION:
		return "REGRESSION";
	case PG_VERDICT_NO_BASELINE:
		return "NO BASELINE";
	default:
		return "ERROR";
	}
}

const char *pg_report_decision_label(pg_decision d)
{
	return d == PG_DECISION_REGRESSION ? "REGRESSION" : pg_decision_name(d);
}

void pg_report_plain(pg_buf *out, const char *s)
{
	pg_utf8_sanitize(out, s, 1);
}

void pg_report_raw(pg_buf *out, const char *s)
{
	pg_buf_adds(out, s);
}

void pg_report_count(pg_report_counts *out, const pg_report *r)
{
	const pg_decision_set *d = r->decision;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!d)
		return;
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];

		out->rows++;
		if ((unsigned)row->decision < PG_REPORT_NDECISIONS)
			out->decision[row->decision]++;
		if (row->decision != PG_DECISION_NEW && row->decision != PG_DECISION_REMOVED)
			out->compared++;
		if (row->cannot_guard)
			out->cannot_guard++;
	}
}

const char *pg_report_metrics_word(size_t n)
{
	return n == 1 ? "benchmark metric" : "benchmark metrics";
}

static int is_hex_commit(const char *s)
{
	size_t n = strspn(s, "0123456789abcdefABCDEF");

	return n >= 12 && !s[n];
}

void pg_report_add_commit(pg_buf *out, const char *commit, pg_escape_fn esc)
{
	if (is_hex_commit(commit))
		pg_buf_add(out, commit, 7);
	else
		esc(out, commit);
}

void pg_report_add_row_name(pg_buf *out, const pg_decide_row *row, pg_escape_fn esc)
{
	esc(out, row->benchmark);
	pg_buf_addch(out, ' ');
	esc(out, row->unit);
}

void pg_report_add_change(pg_buf *out, const pg_decide_row *row)
{
	if (row->has_delta && isfinite(row->delta_percent))
		pg_buf_addf(out, "%+.1f%%", row->delta_percent);
	else
		pg_buf_adds(out, "?");
	if (row->direction == PG_HIGHER_IS_BETTER)
		pg_buf_addf(out, " < -%g%%", row->threshold_percent);
	else
		pg_buf_addf(out, " > %g%%", row->threshold_percent);
}

void pg_report_add_delta(pg_buf *out, const pg_decide_row *row)
{
	if (row->has_delta && isfinite(row->delta_percent))
		pg_buf_addf(out, "%+.2f%%", row->delta_percent);
}

void pg_report_add_ci(pg_buf *out, const pg_decide_row *row)
{
	if (row->has_ci && isfinite(row->ci_low_percent) && isfinite(row->ci_high_percent))
		pg_buf_addf(out, "[%+.1f%%, %+.1f%%]", row->ci_low_percent,
			    row->ci_high_percent);
}

void pg_report_add_detail(pg_buf *out, const pg_decide_row *row, pg_escape_fn esc)
{
	if (row->reason[0]) {
		/* the reason is a fixed-size array: never read past it */
		char reason[sizeof(row->reason)];

		memcpy(reason, row->reason, sizeof(reason));
		reason[sizeof(reason) - 1] = '\0';
		esc(out, reason);
		return;
	}
	if (row->decision == PG_DECISION_NEW) {
		pg_buf_adds(out, "only in the candidate");
		return;
	}
	if (row->decision == PG_DECISION_REMOVED) {
		pg_buf_adds(out, "only in the baseline");
		return;
	}
	if (row->has_p && isfinite(row->p_value))
		pg_buf_addf(out, "p=%.3f ", row->p_value);
	pg_buf_addf(out, "n=%zu+%zu", row->n_old, row->n_new);
}

void pg_report_add_figures(pg_buf *out, const pg_report *r, const pg_decide_row *row)
{
	double alpha = r->decision ? r->decision->opts.alpha : 0.05;

	if (row->decision != PG_DECISION_NEW) {
		pg_buf_adds(out, "old ");
		pg_format_value(out, row->old_center, row->unit);
	}
	if (row->decision != PG_DECISION_REMOVED) {
		pg_buf_adds(out, row->decision != PG_DECISION_NEW ? ", new " : "new ");
		pg_format_value(out, row->new_center, row->unit);
	}
	if (row->has_delta && isfinite(row->delta_percent))
		pg_buf_addf(out, ", delta %+.2f%%", row->delta_percent);
	if (row->has_ci && isfinite(row->ci_low_percent) && isfinite(row->ci_high_percent))
		pg_buf_addf(out, ", %g%% CI [%+.1f%%, %+.1f%%]", 100.0 * (1.0 - alpha),
			    row->ci_low_percent, row->ci_high_percent);
	if (row->has_p && isfinite(row->p_value)) {
		pg_buf_addf(out, ", p=%.3g", row->p_value);
		if (isfinite(row->p_adjusted) && row->p_adjusted != row->p_value)
			pg_buf_addf(out, " (adjusted %.3g)", row->p_adjusted);
	}
	if (row->deterministic)
		pg_buf_adds(out, ", compared exactly");
	if (row->decision != PG_DECISION_NEW && row->decision != PG_DECISION_REMOVED)
		pg_buf_addf(out, ", n=%zu+%zu", row->n_old, row->n_new);
	if (row->has_mde && isfinite(row->mde_percent))
		pg_buf_addf(out, ", minimum detectable change %.1f%%", row->mde_percent);
}

int pg_report_add_baseline(pg_buf *out, const pg_report *r, pg_escape_fn esc)
{
	if (r->baseline_commit) {
		pg_report_add_commit(out, r->baseline_commit, esc);
		if (r->baseline_source) {
			pg_buf_adds(out, " (");
			esc(out, r->baseline_source);
			pg_buf_adds(out, ")");
		}
		return 1;
	}
	if (r->baseline_source) {
		pg_buf_adds(out, "(");
		esc(out, r->baseline_source);
		pg_buf_adds(out, ")");
		return 1;
	}
	return 0;
}

/* "slower" when every regression is a time or a rate, else "worse" (more
 * bytes or allocations are not slower). */
static const char *worse_word(const pg_decision_set *d)
{
	size_t i;

	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];
		size_t n = strlen(row->unit);

		if (row->decision != PG_DECISION_REGRESSION)
			continue;
		if (strncmp(row->unit, "ns/", 3) && strncmp(row->unit, "sec/", 4) &&
		    !(n > 2 && !strcmp(row->unit + n - 2, "/s")))
			return "worse";
	}
	return "slower";
}

static void add_vs_baseline(pg_buf *out, const pg_report *r, pg_escape_fn esc)
{
	size_t mark = out->len;

	pg_buf_adds(out, " vs baseline ");
	if (!pg_report_add_baseline(out, r, esc))
		pg_buf_truncate(out, mark);
}

/* "; 1 improvement, 3 drift, 2 cannot guard their threshold" */
static void add_tail(pg_buf *out, const pg_report_counts *c)
{
	const char *sep = "; ";

	if (c->decision[PG_DECISION_IMPROVEMENT]) {
		pg_buf_addf(out, "%s%zu %s", sep, c->decision[PG_DECISION_IMPROVEMENT],
			    c->decision[PG_DECISION_IMPROVEMENT] == 1 ? "improvement" :
			    "improvements");
		sep = ", ";
	}
	if (c->decision[PG_DECISION_DRIFT]) {
		pg_buf_addf(out, "%s%zu attributed to host drift", sep,
			    c->decision[PG_DECISION_DRIFT]);
		sep = ", ";
	}
	if (c->cannot_guard)
		pg_buf_addf(out, "%s%zu cannot guard %s threshold", sep, c->cannot_guard,
			    c->cannot_guard == 1 ? "its" : "their");
}

static void add_regression_sentence(pg_buf *out, const pg_report *r,
				    const pg_report_counts *c, pg_escape_fn esc)
{
	const pg_decision_set *d = r->decision;
	size_t i, named = 0, nreg = c->decision[PG_DECISION_REGRESSION];

	pg_buf_addf(out, "%zu of %zu %s %s than allowed", nreg, c->compared,
		    pg_report_metrics_word(c->compared), d ? worse_word(d) : "slower");
	for (i = 0; d && i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];

		if (row->decision != PG_DECISION_REGRESSION)
			continue;
		if (named == VERDICT_MAX_NAMED) {
			pg_buf_addf(out, ", and %zu more", nreg - named);
			break;
		}
		pg_buf_adds(out, named ? ", " : " (");
		pg_report_add_row_name(out, row, esc);
		pg_buf_addch(out, ' ');
		pg_report_add_change(out, row);
		named++;
	}
	if (named)
		pg_buf_addch(out, ')');
	add_vs_baseline(out, r, esc);
	add_tail(out, c);
}

void pg_report_add_sentence(pg_buf *out, const pg_report *r, pg_escape_fn esc)
{
	pg_report_counts c;

	pg_report_count(&c, r);
	switch (r->verdict) {
	case PG_VERDICT_PASS:
		pg_buf_addf(out, "no regression beyond thresholds in %zu %s", c.compared,
			    pg_report_metrics_word(c.compared));
		add_vs_baseline(out, r, esc);
		add_tail(out, &c);
		break;
	case PG_VERDICT_REGRESSION:
		add_regression_sentence(out, r, &c, esc);
		break;
	case PG_VERDICT_NO_BASELINE:
		if (r->error) {
			esc(out, r->error);
		} else {
			pg_buf_adds(out, "no baseline found");
			if (r->baseline_branch) {
				pg_buf_adds(out, " for branch '");
				esc(out, r->baseline_branch);
				pg_buf_adds(out, "'");
			}
		}
		pg_buf_adds(out, r->exit_code ? " (failing: --missing-baseline fail)" :
			    " (passing: --missing-baseline pass)");
		break;
	default:
		esc(out, r->error && r->error[0] ? r->error : "unknown error");
		break;
	}
}

static const char *test_name(pg_test_kind test, int paired)
{
	if (test == PG_TEST_UTEST)
		return paired ? "Wilcoxon's signed-rank test on log ratios" : "Mann-Whitney U test";
	return paired ? "paired t-test on log ratios" : "Welch's t-test on log values";
}

void pg_report_add_settings(pg_buf *out, const pg_report *r)
{
	const pg_decide_opts *opts = r->decision ? &r->decision->opts : r->settings;

	if (!opts)
		return;
	if (r->first_pass && r->paired && !r->first_pass_paired) {
		pg_buf_addf(out, "%s (first pass), %s (unpaired: %s beside it) for the suspects "
			    "measured again", test_name(opts->test, 0), test_name(opts->test, 1),
			    test_name(opts->test, 0));
	} else if (r->paired) {
		pg_buf_addf(out, "%s (unpaired: %s beside it)", test_name(opts->test, 1),
			    test_name(opts->test, 0));
	} else {
		pg_buf_adds(out, test_name(opts->test, 0));
	}
	pg_buf_addf(out, ", alpha=%g, ", opts->alpha);
	if (opts->correction == PG_CORRECTION_NONE)
		pg_buf_adds(out, "no correction");
	else
		pg_buf_addf(out, "%s correction", pg_correction_name(opts->correction));
	pg_buf_adds(out, opts->threshold_on == PG_THRESHOLD_ON_CI ?
		    ", thresholds on the confidence bound" : ", thresholds on the estimate");
}

/* The unpaired view in `ps` of `row`, row i of the table it is rendered
 * in; its index in ps into *pi (when pi is not NULL). */
static const pg_decide_row *paired_view(const pg_paired_set *ps, const pg_decide_row *row,
					size_t i, size_t *pi)
{
	size_t k;

	if (!ps)
		return NULL;
	/* an A/B's own rows are in the same order: try the same index first */
	for (k = 0; k <= ps->unpaired.nrows; k++) {
		size_t at = k ? k - 1 : i;

		if (at < ps->unpaired.nrows && pg_decide_row_matches(&ps->unpaired.rows[at], row)) {
			if (pi)
				*pi = at;
			return &ps->unpaired.rows[at];
		}
	}
	return NULL;
}

/* The paired set row i of r->decision was decided by: the
 * confirmation's for a confirmed row, the first pass's (NULL when that
 * was not an A/B) for a row the confirmation did not measure again. */
static const pg_paired_set *row_paired_set(const pg_report *r, size_t i)
{
	return r->confirmed && !r->confirmed[i] ? r->first_pass_paired : r->paired;
}

const pg_decide_row *pg_report_unpaired(const pg_report *r, size_t i, size_t *pi)
{
	if (!r->decision || i >= r->decision->nrows)
		return NULL;
	return paired_view(row_paired_set(r, i), &r->decision->rows[i], i, pi);
}

void pg_report_add_unpaired(pg_buf *out, const pg_report *r, size_t i)
{
	const pg_decide_row *u = pg_report_unpaired(r, i, NULL);

	if (!u || !u->has_p || !isfinite(u->p_value))
		return;
	pg_buf_addf(out, "; unpaired p=%.2g", u->p_value);
	if (isfinite(u->p_adjusted) && u->p_adjusted != u->p_value)
		pg_buf_addf(out, " (adjusted %.2g)", u->p_adjusted);
	pg_buf_addf(out, ", %s", pg_decision_name(u->decision));
}

const pg_decide_row *pg_report_first_pass_row(const pg_report *r, size_t i)
{
	if (!r->first_pass || !r->confirmed || !r->decision || i >= r->decision->nrows ||
	    !r->confirmed[i])
		return NULL;
	return pg_decision_set_find(r->first_pass, &r->decision->rows[i]);
}

int pg_report_add_first_pass(pg_buf *out, const pg_report *r, size_t i)
{
	const pg_decide_row *fp = pg_report_first_pass_row(r, i);

	if (!fp)
		return 0;
	pg_buf_addf(out, "first pass: %s, ", pg_decision_name(fp->decision));
	pg_report_add_figures(out, r, fp);
	return 1;
}

/* ------------------------------------------------------------ notes */

static int note_hosts(const pg_report *r, pg_buf *t, pg_escape_fn esc)
{
	size_t i;

	if (!r->nhost_differences)
		return 0;
	pg_buf_adds(t, "baseline and candidate ran on different hosts (");
	for (i = 0; i < r->nhost_differences; i++) {
		if (i)
			pg_buf_adds(t, "; ");
		esc(t, r->host_differences[i]);
	}
	pg_buf_adds(t, "): changes may come from the hosts, not the code");
	return 1;
}

static int note_drift(const pg_report *r, const pg_report_counts *c, pg_buf *t)
{
	const pg_decision_set *d = r->decision;
	size_t n = c->decision[PG_DECISION_DRIFT];

	if (!d || !d->drift_suspected)
		return 0;
	if (d->drift_cluster)
		pg_buf_addf(t, "suspected host drift: %zu of %zu %s moved together",
			    d->drift_cluster, c->compared, pg_report_metrics_word(c->compared));
	else
		pg_buf_adds(t, "suspected host drift: many benchmark metrics moved together");
	if (isfinite(d->drift_percent))
		pg_buf_addf(t, ", by about %+.1f%%", d->drift_percent);
	if (d->drift_direction)
		pg_buf_addf(t, " (the host seems to have been %s during the candidate's run)",
			    d->drift_direction > 0 ? "slower" : "faster");
	if (n)
		pg_buf_addf(t, "; %zu %s within that band %s labelled drift, neither "
			    "regression nor improvement", n,
			    n == 1 ? "change" : "changes", n == 1 ? "is" : "are");
	pg_buf_adds(t, "; rerun the gate, or compare on a quieter, dedicated runner");
	return 1;
}

static int note_cannot_guard(const pg_report *r, const pg_report_counts *c,
			     pg_buf *t, pg_escape_fn esc)
{
	const pg_decision_set *d = r->decision;
	size_t i, named = 0;

	if (!d || !c->cannot_guard)
		return 0;
	pg_buf_addf(t, "%zu of %zu %s cannot guard %s threshold (the smallest "
		    "slowdown %s can detect is larger): ", c->cannot_guard, c->compared,
		    pg_report_metrics_word(c->compared),
		    c->cannot_guard == 1 ? "its" : "their",
		    c->cannot_guard == 1 ? "it" : "they");
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];

		if (!row->cannot_guard)
			continue;
		if (named == CANNOT_GUARD_MAX_NAMED) {
			pg_buf_addf(t, ", and %zu more", c->cannot_guard - named);
			break;
		}
		if (named)
			pg_buf_adds(t, ", ");
		pg_report_add_row_name(t, row, esc);
		if (row->has_mde && isfinite(row->mde_percent))
			pg_buf_addf(t, " detects %.1f%% > %g%%", row->mde_percent,
				    row->threshold_percent);
		if (row->runs_needed > 0 && isfinite(row->runs_needed) &&
		    row->runs_needed < 1e9)
			pg_buf_addf(t, " (about %.0f runs per side needed)",
				    ceil(row->runs_needed));
		named++;
	}
	pg_buf_adds(t, "; to fix: more runs (-n), a quieter host (see perfgate doctor), "
		    "or instruction counts (instructions/op)");
	return 1;
}

/* " regression +20.3%" */
static void add_verdict(pg_buf *t, const pg_decide_row *row)
{
	pg_buf_addf(t, " %s ", pg_decision_name(row->decision));
	if (row->has_delta && isfinite(row->delta_percent))
		pg_buf_addf(t, "%+.1f%%", row->delta_percent);
	else
		pg_buf_adds(t, "?");
}

/* "the confirmation measured the first pass's 2 suspects again and
 * cleared 1: Hash ns/op regression +20.3% -> regression +19.8%
 * (confirmed), ..." */
static int note_confirmation(const pg_report *r, pg_buf *t, pg_escape_fn esc)
{
	const pg_decision_set *d = r->decision;
	size_t i, n = 0, named = 0, cleared = 0;

	for (i = 0; d && r->confirmed && i < d->nrows; i++)
		if (r->confirmed[i]) {
			n++;
			cleared += d->rows[i].decision != PG_DECISION_REGRESSION;
		}
	if (!n)
		return 0;
	pg_buf_addf(t, "the confirmation measured the first pass's %zu %s again and cleared "
		    "%zu: ", n, n == 1 ? "suspect" : "suspects", cleared);
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i], *fp = pg_report_first_pass_row(r, i);

		if (!fp)
			continue;
		if (named == CANNOT_GUARD_MAX_NAMED) {
			pg_buf_addf(t, ", and %zu more", n - named);
			break;
		}
		if (named++)
			pg_buf_adds(t, ", ");
		pg_report_add_row_name(t, row, esc);
		add_verdict(t, fp);
		pg_buf_adds(t, " ->");
		add_verdict(t, row);
		pg_buf_adds(t, row->decision == PG_DECISION_REGRESSION ? " (confirmed)" :
			    " (cleared)");
	}
	return 1;
}

int pg_report_each_note(const pg_report *r, pg_escape_fn esc, pg_note_fn fn, void *ctx)
{
	pg_report_counts c;
	pg_buf t = PG_BUF_INIT;
	size_t i;
	int err = 0;

	pg_report_count(&c, r);
	for (i = 0; i < r->nwarnings; i++) {
		pg_buf_reset(&t);
		esc(&t, r->warnings[i]);
		if (pg_buf_failed(&t) || (err = fn(ctx, PG_NOTE_WARNING, t.ptr)) < 0)
			goto cleanup;
	}
	pg_buf_reset(&t);
	if (note_hosts(r, &t, esc) &&
	    (pg_buf_failed(&t) || (err = fn(ctx, PG_NOTE_HOSTS, t.ptr)) < 0))
		goto cleanup;
	pg_buf_reset(&t);
	if (note_drift(r, &c, &t) &&
	    (pg_buf_failed(&t) || (err = fn(ctx, PG_NOTE_DRIFT, t.ptr)) < 0))
		goto cleanup;
	pg_buf_reset(&t);
	if (note_cannot_guard(r, &c, &t, esc) &&
	    (pg_buf_failed(&t) || (err = fn(ctx, PG_NOTE_CANNOT_GUARD, t.ptr)) < 0))
		goto cleanup;
	pg_buf_reset(&t);
	if (note_confirmation(r, &t, esc) &&
	    (pg_buf_failed(&t) || (err = fn(ctx, PG_NOTE_CONFIRMATION, t.ptr)) < 0))
		goto cleanup;

cleanup:
	if (!err && pg_buf_failed(&t))
		err = PG_ENOMEM;
	pg_buf_release(&t);
	return err;
}

/* ------------------------------------------------------------ json */

static json_t *num_or_null(int present, double v)
{
	return present && isfinite(v) ? json_real(v) : json_null();
}

/* A JSON string (invalid UTF-8 replaced, which jansson would refuse), or
 * null for NULL. */
static json_t *str_or_null(const char *s)
{
	pg_buf b = PG_BUF_INIT;
	json_t *j;

	if (!s)
		return json_null();
	if ((j = json_string(s)))
		return j;
	pg_utf8_sanitize(&b, s, 0);
	j = pg_buf_failed(&b) ? NULL : json_string(b.ptr);
	pg_buf_release(&b);
	return j;
}

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, str_or_null(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

static json_t *copy_or_null(const json_t *j)
{
	return j ? json_deep_copy(j) : json_null();
}

/* Each json_object_set_new() takes the value (or frees it when it fails,
 * and fails for a NULL value or object), so an object is built with one
 * check at the end: `bad` collects the failures. */
#define SET(obj, key, value) (bad |= json_object_set_new((obj), (key), (value)))

static json_t *side_json(int present, double center, size_t n)
{
	json_t *o;
	int bad = 0;

	if (!present)
		return json_null();
	o = json_object();
	SET(o, "center", num_or_null(1, center));
	SET(o, "n", json_integer((json_int_t)n));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *runs_needed_json(double runs)
{
	if (!(runs > 0) || !isfinite(runs))
		return json_null();
	if (runs > 1e15)
		return json_real(runs);
	return json_integer((json_int_t)ceil(runs));
}

/* An A/B row's other views: the pairs ({"n", "correlation",
 * "signed_rank_p"}) and the unpaired analysis of the same samples
 * ({"decision", "delta_percent", ..., "p_adjusted", "mde_percent"}). */
static json_t *pairs_json(const pg_paired *pp)
{
	json_t *o = json_object();
	int bad = 0;

	SET(o, "n", json_integer((json_int_t)pp->n));
	SET(o, "correlation", num_or_null(1, pp->correlation));
	SET(o, "signed_rank_p", num_or_null(1, pp->w_p));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *unpaired_json(const pg_decide_row *u)
{
	json_t *o = json_object();
	int bad = 0;

	SET(o, "decision", json_string(pg_decision_name(u->decision)));
	SET(o, "delta_percent", num_or_null(u->has_delta, u->delta_percent));
	SET(o, "ci_low_percent", num_or_null(u->has_ci, u->ci_low_percent));
	SET(o, "ci_high_percent", num_or_null(u->has_ci, u->ci_high_percent));
	SET(o, "p_value", num_or_null(u->has_p, u->p_value));
	SET(o, "p_adjusted", num_or_null(u->has_p, u->p_adjusted));
	SET(o, "mde_percent", num_or_null(u->has_mde, u->mde_percent));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* row i of r->decision (`final`), or of r->first_pass */
static json_t *row_json(const pg_report *r, size_t i, int final)
{
	const pg_decide_row *row = final ? &r->decision->rows[i] : &r->first_pass->rows[i];
	const pg_paired_set *ps = final ? row_paired_set(r, i) : r->first_pass_paired;
	char reason[sizeof(row->reason)];
	json_t *o = json_object();
	const pg_decide_row *u = NULL;
	size_t pi = 0;
	int bad = 0;

	/* a row carries the paired figures of the A/B that decided it: the
	 * confirmation's, or the first pass's (first_pass_paired), if any */
	u = final ? pg_report_unpaired(r, i, &pi) : paired_view(ps, row, i, &pi);

	memcpy(reason, row->reason, sizeof(reason));
	reason[sizeof(reason) - 1] = '\0';
	SET(o, "benchmark", str_or_null(row->benchmark));
	SET(o, "unit", str_or_null(row->unit));
	SET(o, "direction", json_string(row->direction == PG_HIGHER_IS_BETTER ?
					"higher-is-better" : "lower-is-better"));
	SET(o, "decision", json_string(pg_decision_name(row->decision)));
	SET(o, "old", side_json(row->decision != PG_DECISION_NEW, row->old_center,
				row->n_old));
	SET(o, "new", side_json(row->decision != PG_DECISION_REMOVED, row->new_center,
				row->n_new));
	SET(o, "delta_percent", num_or_null(row->has_delta, row->delta_percent));
	SET(o, "ci_low_percent", num_or_null(row->has_ci, row->ci_low_percent));
	SET(o, "ci_high_percent", num_or_null(row->has_ci, row->ci_high_percent));
	SET(o, "p_value", num_or_null(row->has_p, row->p_value));
	SET(o, "p_adjusted", num_or_null(row->has_p, row->p_adjusted));
	SET(o, "threshold_percent", num_or_null(1, row->threshold_percent));
	SET(o, "mde_percent", num_or_null(row->has_mde, row->mde_percent));
	SET(o, "cannot_guard", json_boolean(row->cannot_guard));
	SET(o, "runs_needed", runs_needed_json(row->runs_needed));
	SET(o, "deterministic", json_boolean(row->deterministic));
	SET(o, "reason", reason[0] ? str_or_null(reason) : json_null());
	SET(o, "pairs", u && ps->tested && ps->tested[pi] ? pairs_json(&ps->rows[pi]) :
							    json_null());
	SET(o, "unpaired", u ? unpaired_json(u) : json_null());
	SET(o, "confirmed", json_boolean(final && r->confirmed && r->confirmed[i]));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static const char *threshold_on_name(pg_threshold_on t)
{
	return t == PG_THRESHOLD_ON_CI ? "ci" : "estimate";
}

static json_t *settings_json(const pg_report *r)
{
	const pg_decide_opts *opts = r->decision ? &r->decision->opts : r->settings;
	json_t *o = json_object();
	int bad = 0;

	SET(o, "alpha", opts ? num_or_null(1, opts->alpha) : json_null());
	SET(o, "correction", opts ? json_string(pg_correction_name(opts->correction)) :
	    json_null());
	SET(o, "threshold_on", opts ? json_string(threshold_on_name(opts->threshold_on)) :
	    json_null());
	SET(o, "test", opts ? json_string(opts->test == PG_TEST_UTEST ? "utest" : "welch") :
	    json_null());
	SET(o, "measure", str_or_null(r->measure));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *summary_json(const pg_report_counts *c)
{
	json_t *o = json_object();
	int bad = 0;

#define COUNT(key, n) SET(o, key, json_integer((json_int_t)(n)))
	COUNT("rows", c->rows);
	COUNT("compared", c->compared);
	COUNT("regressions", c->decision[PG_DECISION_REGRESSION]);
	COUNT("improvements", c->decision[PG_DECISION_IMPROVEMENT]);
	COUNT("unchanged", c->decision[PG_DECISION_UNCHANGED]);
	COUNT("noise", c->decision[PG_DECISION_NOISE]);
	COUNT("drift", c->decision[PG_DECISION_DRIFT]);
	COUNT("new", c->decision[PG_DECISION_NEW]);
	COUNT("removed", c->decision[PG_DECISION_REMOVED]);
	COUNT("cannot_guard", c->cannot_guard);
#undef COUNT
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static json_t *drift_json(const pg_decision_set *d)
{
	int suspected = d && d->drift_suspected;
	json_t *o = json_object();
	int bad = 0;

	SET(o, "suspected", json_boolean(suspected));
	SET(o, "percent", num_or_null(suspected, suspected ? d->drift_percent : 0));
	SET(o, "direction", suspected && d->drift_direction ?
	    json_string(d->drift_direction > 0 ? "slower" : "faster") : json_null());
	SET(o, "band_percent", num_or_null(suspected, suspected ? d->drift_band_percent : 0));
	SET(o, "cluster", json_integer(suspected ? (json_int_t)d->drift_cluster : 0));
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* "profiles": [{"benchmark", "functions": [{"name", "base_flat_percent",
 * "new_flat_percent", "growth_points"}], "svg", "note"}] */
static json_t *profiles_json(const pg_report *r)
{
	json_t *list = json_array();
	size_t i, k;

	for (i = 0; list && i < r->nprofiles; i++) {
		const pg_report_profile *p = &r->profiles[i];
		json_t *fns = json_array(), *o;

		for (k = 0; fns && k < p->nfunctions; k++)
			json_array_append_new(fns, json_pack("{s:o, s:o, s:o, s:o}",
				"name", str_or_null(p->functions[k].name),
				"base_flat_percent", num_or_null(1, p->functions[k].base_flat_percent),
				"new_flat_percent", num_or_null(1, p->functions[k].new_flat_percent),
				"growth_points", num_or_null(1, p->functions[k].growth_points)));
		o = json_pack("{s:o, s:o, s:o, s:o}", "benchmark", str_or_null(p->benchmark),
			      "functions", fns ? fns : json_array(),
			      "svg", str_or_null(p->svg_url), "note", str_or_null(p->note));
		if (!o || json_array_append_new(list, o) < 0) {
			json_decref(list);
			return NULL;
		}
	}
	return list;
}

json_t *pg_report_json(const pg_report *r)
{
	const pg_decision_set *d = r->decision;
	json_t *root = json_object(), *o, *rows;
	pg_report_counts c;
	size_t i;
	int bad = 0;

	pg_report_count(&c, r);
	SET(root, "version", json_integer(1));
	SET(root, "perfgate_version", str_or_null(r->perfgate_version));
	SET(root, "verdict", json_string(pg_verdict_name(r->verdict)));
	SET(root, "exit_code", json_integer(r->exit_code));
	SET(root, "error", str_or_null(r->error));
	SET(root, "project", str_or_null(r->project));

	o = json_object();
	SET(o, "commit", str_or_null(r->baseline_commit));
	SET(o, "source", str_or_null(r->baseline_source));
	SET(o, "branch", str_or_null(r->baseline_branch));
	SET(root, "baseline", o);

	o = json_object();
	SET(o, "commit", str_or_null(r->candidate_commit));
	SET(o, "dirty", json_boolean(r->candidate_dirty));
	SET(o, "branch", str_or_null(r->candidate_branch));
	SET(root, "candidate", o);

	o = json_object();
	SET(o, "baseline", copy_or_null(r->baseline_host));
	SET(o, "candidate", copy_or_null(r->candidate_host));
	SET(o, "differences", string_array(r->host_differences, r->nhost_differences));
	SET(root, "hosts", o);

	SET(root, "drift", drift_json(d));
	SET(root, "settings", settings_json(r));
	SET(root, "summary", summary_json(&c));
	SET(root, "warnings", string_array(r->warnings, r->nwarnings));
	SET(root, "artifacts", str_or_null(r->artifacts_url));

	rows = json_array();
	for (i = 0; rows && d && i < d->nrows; i++)
		if (json_array_append_new(rows, row_json(r, i, 1)) < 0) {
			bad = 1;
			break;
		}
	SET(root, "rows", rows);
	SET(root, "profiles", profiles_json(r));
	SET(root, "measured_by", str_or_null(r->decision_title));
	if (r->first_pass) {
		json_t *fp = json_object(), *fprows = json_array();

		for (i = 0; fprows && i < r->first_pass->nrows; i++)
			if (json_array_append_new(fprows, row_json(r, i, 0)) < 0)
				bad = 1;
		if (fp) {
			json_object_set_new(fp, "measured_by", str_or_null(r->first_pass_title));
			json_object_set_new(fp, "rows", fprows ? fprows : json_array());
		}
		SET(root, "first_pass", fp);
	} else {
		SET(root, "first_pass", json_null());
	}
	if (bad) {
		json_decref(root);
		return NULL;
	}
	return root;
}

int pg_report_json_render(pg_buf *out, const pg_report *r)
{
	return pg_json_render(out, pg_report_json(r));
}
