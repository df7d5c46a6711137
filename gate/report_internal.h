#ifndef PG_REPORT_INTERNAL_H
#define PG_REPORT_INTERNAL_H

#include <stddef.h>

#include "common/buf.h"
#include "gate/report.h"

/*
 * What the renderers of the gate's reports (gate/report*.c) share: the
 * counts, the verdict sentence, the notes, the wording of a row. Not for
 * use outside gate/report*.c.
 *
 * Functions taking a pg_escape_fn pass every piece of user text (names,
 * units, commits, sources, warnings, reasons) through it: pg_report_plain
 * for plain text, pg_md_escape for Markdown. Figures and fixed wording are
 * added as they are.
 */

typedef void (*pg_escape_fn)(pg_buf *out, const char *s);

/* Plain text: `s` with invalid UTF-8 replaced and control characters
 * shown as '?' (see pg_utf8_sanitize). */
void pg_report_plain(pg_buf *out, const char *s);

/* Raw: `s` as it is (for text that is escaped afterwards as a whole, as
 * the annotations are). */
void pg_report_raw(pg_buf *out, const char *s);

#define PG_REPORT_NDECISIONS 7 /* PG_DECISION_UNCHANGED .. PG_DECISION_REMOVED */

typedef struct pg_report_counts {
	size_t rows;                              /* every row */
	size_t compared;                          /* rows neither new nor removed */
	size_t decision[PG_REPORT_NDECISIONS];    /* rows per pg_decision */
	size_t cannot_guard;
} pg_report_counts;

/* Count the rows of r->decision (all zero without one). */
void pg_report_count(pg_report_counts *out, const pg_report *r);

/* "PASS", "REGRESSION", "NO BASELINE", "ERROR". */
const char *pg_verdict_title(pg_verdict v);

/* The name of a decision as the tables show it: "REGRESSION" in capitals
 * (so it stands out without colour), the others as pg_decision_name(). */
const char *pg_report_decision_label(pg_decision d);

/* The first 7 characters of a full hexadecimal commit id, else the
 * string as it is. */
void pg_report_add_commit(pg_buf *out, const char *commit, pg_escape_fn esc);

/* "benchmark metric" or "benchmark metrics". */
const char *pg_report_metrics_word(size_t n);

/* "Hash/fnv1a-64K ns/op" */
void pg_report_add_row_name(pg_buf *out, const pg_decide_row *row, pg_escape_fn esc);

/* The change against the threshold: "+16.2% > 5%" (lower is better),
 * "-12.0% < -5%" (higher is better); "?" without a delta. */
void pg_report_add_change(pg_buf *out, const pg_decide_row *row);

/* "+16.21%"; "" without a delta. */
void pg_report_add_delta(pg_buf *out, const pg_decide_row *row);

/* "[+14.0%, +18.5%]"; "" without an interval. */
void pg_report_add_ci(pg_buf *out, const pg_decide_row *row);

/* The row's reason, or when it has none "p=0.001 n=10+10" ("only in the
 * candidate" / "only in the baseline" for new and removed rows). */
void pg_report_add_detail(pg_buf *out, const pg_decide_row *row, pg_escape_fn esc);

/* The row's figures on one line: "old 41.20µs, new 47.88µs, delta
 * +16.21%, 95% CI [+14.0%, +18.5%], p=1.2e-05 (adjusted 0.0004), n=10+10,
 * minimum detectable change 3.1%" (what exists of it; "compared exactly"
 * for deterministic rows). */
void pg_report_add_figures(pg_buf *out, const pg_report *r, const pg_decide_row *row);

/* "1a2b3c4 (store: merge base of HEAD and origin/main)", or "(file:
 * old.txt)" without a commit; nothing without either. Returns whether it
 * added anything. */
int pg_report_add_baseline(pg_buf *out, const pg_report *r, pg_escape_fn esc);

/* "Welch's t-test on log values, alpha=0.05, holm correction, thresholds
 * on the estimate" (from the decision's options, else r->settings;
 * nothing without either). An A/B (r->paired): "paired t-test on log
 * ratios (unpaired Welch's t-test beside it), ..." (with test utest
 * Wilcoxon's signed-rank test and the Mann-Whitney U test); with a first
 * pass that was not an A/B, its test "(first pass), " before the
 * confirmation's "... for the suspects measured again". */
void pg_report_add_settings(pg_buf *out, const pg_report *r);

/* The unpaired view of row i of r->decision: the row of the same
 * benchmark and unit in the paired set that decided it (r->paired; with
 * r->confirmed, r->paired for the confirmation's rows and
 * r->first_pass_paired for the others), or NULL; `*pi` (may be NULL) its
 * index in that set. */
const pg_decide_row *pg_report_unpaired(const pg_report *r, size_t i, size_t *pi);

/* "; unpaired p=0.0031 (adjusted 0.019), regression" for a row with an
 * unpaired view (the test's p beside the paired one); nothing otherwise. */
void pg_report_add_unpaired(pg_buf *out, const pg_report *r, size_t i);

/* The first pass's row of row i of r->decision when that row is the
 * confirmation's (r->confirmed[i]), else NULL. */
const pg_decide_row *pg_report_first_pass_row(const pg_report *r, size_t i);

/* For a confirmed row i: "first pass: regression, old 41.20µs, new
 * 47.88µs, delta +16.21%, ..." (its first-pass decision and figures);
 * returns 1. Nothing (0) for other rows. */
int pg_report_add_first_pass(pg_buf *out, const pg_report *r, size_t i);

/* The verdict's explanation, one line without a newline, e.g. "2 of 30
 * benchmark metrics slower than allowed (Hash/fnv1a-64K ns/op +16.2% >
 * 5%, ...) vs baseline 1a2b3c4 (...)". */
void pg_report_add_sentence(pg_buf *out, const pg_report *r, pg_escape_fn esc);

/* The notes every report carries besides the rows. */
typedef enum pg_note_kind {
	PG_NOTE_WARNING = 0,   /* one of r->warnings */
	PG_NOTE_HOSTS,         /* the host fingerprints differ */
	PG_NOTE_DRIFT,         /* host drift suspected */
	PG_NOTE_CANNOT_GUARD,  /* rows that cannot guard their threshold */
	PG_NOTE_CONFIRMATION   /* the first pass's suspects, measured again */
} pg_note_kind;

/* Called with each note's text (one line, no newline); a negative return
 * stops the walk and is returned. */
typedef int (*pg_note_fn)(void *ctx, pg_note_kind kind, const char *text);

/* Call `fn` for every note, in the order above. 0, PG_ENOMEM, or what
 * `fn` returned. */
int pg_report_each_note(const pg_report *r, pg_escape_fn esc, pg_note_fn fn, void *ctx);

#endif
