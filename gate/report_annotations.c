/*
 * GitHub Actions workflow commands for the gate's findings, one per line:
 *
 *   ::error title=perfgate%3A regression in Hash/fnv1a-64K (ns/op)::Hash/fnv1a-64K ns/op +16.2% > 5% vs baseline ...
 *   ::warning title=perfgate%3A suspected host drift::suspected host drift: ...
 *
 * The runner's escaping (actions/runner ActionCommand, @actions/core
 * toCommandValue): in the message, % CR LF become %25 %0D %0A; in a
 * property value, : and , also become %3A and %2C ("," separates
 * properties, "::" ends them). % is escaped first, so "%0A" in a name
 * comes out as "%250A" and reads back as itself.
 */
#include <string.h>

#include "common/error.h"
#include "gate/format_util.h"
#include "gate/report.h"
#include "gate/report_internal.h"
#include "common/banned.h"

/* GitHub shows at most 10 annotations of one kind per step: beyond that
 * many regressions, the rest share one. */
#define MAX_PER_KIND 10

static void escape(pg_buf *out, const char *s, int property)
{
	pg_buf clean = PG_BUF_INIT;
	const char *p;

	pg_utf8_sanitize(&clean, s, 0);
	for (p = clean.ptr; *p; p++) {
		switch (*p) {
		case '%':
			pg_buf_adds(out, "%25");
			break;
		case '\r':
			pg_buf_adds(out, "%0D");
			break;
		case '\n':
			pg_buf_adds(out, "%0A");
			break;
		case ':':
			pg_buf_adds(out, property ? "%3A" : ":");
			break;
		case ',':
			pg_buf_adds(out, property ? "%2C" : ",");
			break;
		default:
			pg_buf_addch(out, *p);
			break;
		}
	}
	if (pg_buf_failed(&clean))
		pg_buf_adds(out, "\xEF\xBF\xBD"); /* the message set says why */
	pg_buf_release(&clean);
}

/* "::<command> title=<title>::<message>\n" */
static void command(pg_buf *out, const char *cmd, const char *title,
		    const char *message)
{
	pg_buf_addf(out, "::%s title=", cmd);
	escape(out, title, 1);
	pg_buf_adds(out, "::");
	escape(out, message, 0);
	pg_buf_addch(out, '\n');
}

static void add_vs(pg_buf *m, const pg_report *r)
{
	size_t mark = m->len;

	pg_buf_adds(m, " vs baseline ");
	if (!pg_report_add_baseline(m, r, pg_report_raw))
		pg_buf_truncate(m, mark);
}

static void regression(pg_buf *out, const pg_report *r, size_t i, pg_buf *t, pg_buf *m)
{
	const pg_decide_row *row = &r->decision->rows[i];

	pg_buf_reset(t);
	pg_buf_reset(m);
	pg_buf_adds(t, "perfgate: regression in ");
	pg_buf_adds(t, row->benchmark);
	pg_buf_adds(t, " (");
	pg_buf_adds(t, row->unit);
	pg_buf_adds(t, ")");
	pg_report_add_row_name(m, row, pg_report_raw);
	pg_buf_addch(m, ' ');
	pg_report_add_change(m, row);
	add_vs(m, r);
	pg_buf_adds(m, ": ");
	pg_report_add_figures(m, r, row);
	if (row->reason[0]) {
		pg_buf_adds(m, "; ");
		pg_report_add_detail(m, row, pg_report_raw);
	}
	pg_report_add_unpaired(m, r, i);
	pg_buf_adds(m, "; ");
	if (!pg_report_add_first_pass(m, r, i))
		pg_buf_truncate(m, m->len - 2);
	command(out, "error", t->ptr, m->ptr);
}

/* the regressions beyond the first MAX_PER_KIND - 1, in one annotation */
static void more_regressions(pg_buf *out, const pg_report *r, size_t from,
			     size_t n, pg_buf *m)
{
	const pg_decision_set *d = r->decision;
	size_t i, k = 0;

	pg_buf_reset(m);
	pg_buf_addf(m, "%zu more regressions:", n);
	for (i = from; i < d->nrows; i++) {
		const pg_decide_row *row = &d->rows[i];

		if (row->decision != PG_DECISION_REGRESSION)
			continue;
		pg_buf_adds(m, k++ ? ", " : " ");
		pg_report_add_row_name(m, row, pg_report_raw);
		pg_buf_addch(m, ' ');
		pg_report_add_change(m, row);
	}
	command(out, "error", "perfgate: more regressions", m->ptr);
}

static int add_note(void *ctx, pg_note_kind kind, const char *text)
{
	static const char *const titles[] = {
		[PG_NOTE_WARNING] = "perfgate",
		[PG_NOTE_HOSTS] = "perfgate: different hosts",
		[PG_NOTE_DRIFT] = "perfgate: suspected host drift",
		[PG_NOTE_CANNOT_GUARD] = "perfgate: thresholds that cannot be guarded",
		[PG_NOTE_CONFIRMATION] = "perfgate: suspects measured again",
	};
	pg_buf *out = ctx;

	command(out, kind == PG_NOTE_CONFIRMATION ? "notice" : "warning", titles[kind], text);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_report_annotations(pg_buf *out, const pg_report *r)
{
	const pg_decision_set *d = r->decision;
	pg_buf t = PG_BUF_INIT, m = PG_BUF_INIT;
	pg_report_counts c;
	size_t i, shown = 0;
	int err = 0;

	pg_report_count(&c, r);
	if (r->verdict == PG_VERDICT_ERROR || r->verdict == PG_VERDICT_NO_BASELINE) {
		int fails = r->verdict == PG_VERDICT_ERROR || r->exit_code;

		pg_report_add_sentence(&m, r, pg_report_raw);
		command(out, fails ? "error" : "warning",
			r->verdict == PG_VERDICT_ERROR ? "perfgate: error" :
			"perfgate: no baseline", m.ptr);
	}
	for (i = 0; d && i < d->nrows; i++) {
		if (d->rows[i].decision != PG_DECISION_REGRESSION)
			continue;
		if (c.decision[PG_DECISION_REGRESSION] > MAX_PER_KIND &&
		    shown == MAX_PER_KIND - 1) {
			more_regressions(out, r, i, c.decision[PG_DECISION_REGRESSION] - shown, &m);
			break;
		}
		regression(out, r, i, &t, &m);
		shown++;
	}
	if (pg_buf_failed(&t) || pg_buf_failed(&m)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_report_each_note(r, pg_report_raw, add_note, out)) < 0)
		goto cleanup;
	if (pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	pg_buf_release(&t);
	pg_buf_release(&m);
	return err;
}
