#ifndef PG_FORMAT_UTIL_H
#define PG_FORMAT_UTIL_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"

/*
 * Text helpers shared by the renderers (gate/compare_format.c for
 * `perfgate compare`, gate/report*.c for the gate's reports): aligned text
 * tables, Markdown escaping, UTF-8 clean-up. Like all rendering, they
 * append to a pg_buf and never print.
 */

/* The display width of a UTF-8 string: its number of code points
 * (continuation bytes do not count). */
size_t pg_display_width(const char *s);

/* Append `s` with the Markdown metacharacters that mean something inline
 * or in a table cell (\ ` * _ | < [ ] ~ & $) escaped with a backslash,
 * and line breaks and other control characters turned into spaces, so a
 * name stays one table cell and renders as its text. */
void pg_md_escape(pg_buf *out, const char *s);

/* Append `s` with every invalid UTF-8 sequence (stray continuation bytes,
 * overlong forms, surrogates, code points beyond U+10FFFF, truncated
 * sequences) replaced by U+FFFD. With `printable`, C0 and C1 control
 * characters and DEL become '?' as well (for terminals, where they could
 * move the cursor or start an escape sequence). */
void pg_utf8_sanitize(pg_buf *out, const char *s, int printable);

/* `s` (NULL: "") made safe to print on a terminal (pg_utf8_sanitize()
 * with `printable`) into `tmp`, which is emptied first; returns tmp->ptr,
 * valid until `tmp` changes. For names that come from outside (a branch,
 * a store's manifest). */
const char *pg_utf8_printable(pg_buf *tmp, const char *s);

/*
 * pg_table: a text table whose columns are padded to their widest cell
 * (display width), separated by two spaces; a column is left- or
 * right-aligned. Trailing blanks are removed from every line and lines
 * left empty are not written.
 *
 *   pg_table t;
 *   static const int right[3] = { 0, 1, 1 };
 *   pg_table_init(&t, 3, right);
 *   cells = pg_table_add_row(&t, NULL);   // fill cells[0..2] with pg_buf_add*
 *   ...
 *   err = pg_table_render(out, &t);
 *   pg_table_release(&t);
 */
typedef struct pg_table {
	size_t ncols;
	const int *right;    /* borrowed: per column, nonzero = right-aligned */
	size_t nrows, alloc;
	pg_buf *cells;       /* nrows x ncols, row after row */
	const char **style;  /* per row: escape sequence or NULL (borrowed) */
	int failed;          /* an allocation failed */
} pg_table;

/* `right` must outlive the table. Never fails. */
void pg_table_init(pg_table *t, size_t ncols, const int *right);

/* Append a row and return its `ncols` cells (empty), valid until the next
 * pg_table_add_row(); NULL when out of memory (the table is then marked
 * failed and pg_table_render() fails). `style` (a string that outlives
 * the table, e.g. "\033[1;31m"), when not NULL, starts the row's line,
 * which then ends with "\033[0m"; it does not count in the widths. */
pg_buf *pg_table_add_row(pg_table *t, const char *style);

/* Append the table to `out`. 0 or PG_ENOMEM (also when adding a row or
 * filling a cell failed). */
int pg_table_render(pg_buf *out, const pg_table *t);

/* Free the cells; the table is empty (and usable) afterwards. Safe on
 * NULL. */
void pg_table_release(pg_table *t);

/* Append `root` as the machine-readable JSON of perfgate's reports (key
 * order kept, indent 2, 15 significant digits, a final newline) and
 * release it (it may be NULL: out of memory). 0 or PG_ENOMEM. */
int pg_json_render(pg_buf *out, json_t *root);

#endif
