#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gate/format_util.h"
#include "common/banned.h"

size_t pg_display_width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void pg_md_escape(pg_buf *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f) {
			pg_buf_addch(out, ' ');
			continue;
		}
		if (strchr("\\`*_|<[]~&$", c))
			pg_buf_addch(out, '\\');
		pg_buf_addch(out, c);
	}
}

/* The length of the valid UTF-8 sequence at s (1 to 4), or 0 when the
 * bytes there are not one. */
static size_t utf8_seq(const unsigned char *s)
{
	unsigned long cp;
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xC2 && s[0] <= 0xDF)
		n = 2, cp = s[0] & 0x1F;
	else if (s[0] >= 0xE0 && s[0] <= 0xEF)
		n = 3, cp = s[0] & 0x0F;
	else if (s[0] >= 0xF0 && s[0] <= 0xF4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xC0) != 0x80) /* also stops at the NUL */
			return 0;
		cp = (cp << 6) | (s[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

void pg_utf8_sanitize(pg_buf *out, const char *s, int printable)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p) {
		size_t n = utf8_seq(p);

		if (!n) {
			pg_buf_adds(out, "\xEF\xBF\xBD"); /* U+FFFD */
			p++;
		} else if (printable && n == 1 && (*p < 0x20 || *p == 0x7f)) {
			pg_buf_addch(out, '?');
			p++;
		} else if (printable && n == 2 && p[0] == 0xC2 && p[1] < 0xA0) {
			pg_buf_addch(out, '?'); /* U+0080..U+009F, e.g. CSI */
			p += 2;
		} else {
			pg_buf_add(out, p, n);
			p += n;
		}
	}
}

const char *pg_utf8_printable(pg_buf *tmp, const char *s)
{
	pg_buf_reset(tmp);
	pg_utf8_sanitize(tmp, s ? s : "", 1);
	return tmp->ptr;
}

/* ------------------------------------------------------------ tables */

void pg_table_init(pg_table *t, size_t ncols, const int *right)
{
	t->ncols = ncols;
	t->right = right;
	t->nrows = 0;
	t->alloc = 0;
	t->cells = NULL;
	t->style = NULL;
	t->failed = 0;
}

/* Room for one more row. 0 or PG_ENOMEM. */
static int table_grow(pg_table *t)
{
	size_t alloc = t->alloc ? 2 * t->alloc : 16;
	pg_buf *cells;
	const char **styles;

	if (t->nrows < t->alloc)
		return 0;
	cells = realloc(t->cells, alloc * t->ncols * sizeof(*cells));
	if (!cells)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->cells = cells;
	styles = realloc(t->style, alloc * sizeof(*styles));
	if (!styles)
		return pg_error_set(PG_ENOMEM, "out of memory");
	t->style = styles;
	t->alloc = alloc;
	return 0;
}

pg_buf *pg_table_add_row(pg_table *t, const char *style)
{
	pg_buf *row;
	size_t j;

	if (t->failed || table_grow(t) < 0) {
		t->failed = 1;
		return NULL;
	}
	row = &t->cells[t->nrows * t->ncols];
	for (j = 0; j < t->ncols; j++)
		pg_buf_init(&row[j], 0);
	t->style[t->nrows++] = style;
	return row;
}

static void pad(pg_buf *out, size_t n)
{
	while (n--)
		pg_buf_addch(out, ' ');
}

int pg_table_render(pg_buf *out, const pg_table *t)
{
	size_t *width = NULL, i, j;
	pg_buf line = PG_BUF_INIT;
	int err = 0;

	if (t->failed)
		return pg_error_set(PG_ENOMEM, "out of memory");
	width = calloc(t->ncols ? t->ncols : 1, sizeof(*width));
	if (!width)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < t->nrows * t->ncols; i++) {
		size_t w = pg_display_width(t->cells[i].ptr);

		if (pg_buf_failed(&t->cells[i])) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		if (w > width[i % t->ncols])
			width[i % t->ncols] = w;
	}
	for (i = 0; i < t->nrows; i++) {
		const pg_buf *row = &t->cells[i * t->ncols];

		pg_buf_reset(&line);
		for (j = 0; j < t->ncols; j++) {
			size_t w = pg_display_width(row[j].ptr);

			if (j)
				pg_buf_adds(&line, "  ");
			if (t->right && t->right[j])
				pad(&line, width[j] - w);
			pg_buf_adds(&line, row[j].ptr);
			if (!t->right || !t->right[j])
				pad(&line, width[j] - w);
		}
		pg_buf_rtrim(&line);
		if (!line.len)
			continue;
		if (t->style[i])
			pg_buf_adds(out, t->style[i]);
		pg_buf_add(out, line.ptr, line.len);
		pg_buf_adds(out, t->style[i] ? "\033[0m\n" : "\n");
	}
	if (pg_buf_failed(&line) || pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	pg_buf_release(&line);
	free(width);
	return err;
}

void pg_table_release(pg_table *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->nrows * t->ncols; i++)
		pg_buf_release(&t->cells[i]);
	free(t->cells);
	free(t->style);
	pg_table_init(t, t->ncols, t->right);
}

int pg_json_render(pg_buf *out, json_t *root)
{
	char *text = NULL;
	int err = 0;

	if (!root)
		return pg_error_set(PG_ENOMEM, "out of memory");
	text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
	if (!text) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	pg_buf_adds(out, text);
	pg_buf_addch(out, '\n');
	if (pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	free(text);
	json_decref(root);
	return err;
}
