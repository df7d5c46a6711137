#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gate/compare_format.h"
#include "gate/format_util.h"
#include "common/banned.h"

int pg_format_parse(pg_format *out, const char *name)
{
	if (!strcmp(name, "text"))
		*out = PG_FORMAT_TEXT;
	else if (!strcmp(name, "json"))
		*out = PG_FORMAT_JSON;
	else if (!strcmp(name, "csv"))
		*out = PG_FORMAT_CSV;
	else if (!strcmp(name, "markdown") || !strcmp(name, "md"))
		*out = PG_FORMAT_MARKDOWN;
	else
		return pg_error_set(PG_EINPUT,
				    "unknown format '%s' (expected text, json, csv or markdown)",
				    name);
	return 0;
}

static const char *test_name(pg_test_kind t)
{
	return t == PG_TEST_UTEST ? "utest" : "welch";
}

static const char *row_method(const pg_compare_row *row, pg_test_kind t)
{
	if (!row->has_p)
		return NULL;
	if (t == PG_TEST_WELCH)
		return "welch";
	return row->utest_method == PG_UTEST_EXACT ? "exact" : "asymptotic";
}

static const char *status_name(pg_row_status s)
{
	switch (s) {
	case PG_ROW_ONLY_OLD:
		return "only_old";
	case PG_ROW_ONLY_NEW:
		return "only_new";
	default:
		return "compared";
	}
}

/* ------------------------------------------------------------ values */

static int is_time_unit(const char *unit)
{
	return !strncmp(unit, "ns/", 3);
}

/* `x` with four significant digits, trailing zeros kept so that columns
 * line up ("10.60"); unscaled integers below 10^4 as they are ("15",
 * "1009" allocs/op). */
static int add_sig4(pg_buf *out, double x, const char *suffix, int scaled)
{
	double ax = fabs(x);
	int decimals;

	if (ax == 0.0 || (!scaled && ax < 1e4 && x == floor(x)))
		return pg_buf_addf(out, "%.0f%s", x, suffix);
	if (ax < 1e-3 || ax >= 1e4)
		return pg_buf_addf(out, "%.3e%s", x, suffix);
	decimals = 3 - (int)floor(log10(ax));
	if (decimals < 0)
		decimals = 0;
	return pg_buf_addf(out, "%.*f%s", decimals, x, suffix);
}

int pg_format_value(pg_buf *out, double v, const char *unit)
{
	static const struct {
		double from, scale;
		const char *suffix;
	} times[] = { { 1e9, 1e9, "s" }, { 1e6, 1e6, "ms" }, { 1e3, 1e3, "µs" },
		      { 0, 1, "ns" } },
	  si[] = { { 1e12, 1e12, "T" }, { 1e9, 1e9, "G" }, { 1e6, 1e6, "M" },
		   { 1e4, 1e3, "k" }, { 0, 1, "" } };
	double av = fabs(v);
	size_t i;

	if (is_time_unit(unit)) {
		for (i = 0; av < times[i].from && times[i].from > 0; i++)
			;
		return add_sig4(out, v / times[i].scale, times[i].suffix,
				times[i].scale != 1);
	}
	for (i = 0; av < si[i].from && si[i].from > 0; i++)
		;
	return add_sig4(out, v / si[i].scale, si[i].suffix, si[i].scale != 1);
}

/* "12.35µs ± 2.1%" */
static int format_summary(pg_buf *out, const pg_summary *s, const char *unit,
			  pg_test_kind test)
{
	double center = test == PG_TEST_UTEST ? s->median : s->mean;
	double cv;

	pg_format_value(out, center, unit);
	if (s->n < 2 || s->mean == 0.0)
		return pg_buf_adds(out, "      ");
	cv = 100.0 * s->stddev / fabs(s->mean);
	return pg_buf_addf(out, cv < 10 ? " ± %.1f%%" : " ± %.0f%%", cv);
}

static int format_percent(pg_buf *out, double pct)
{
	return pg_buf_addf(out, "%+.2f%%", pct);
}

static int format_ci(pg_buf *out, const pg_compare_row *row)
{
	if (!row->has_ci)
		return 0;
	return pg_buf_addf(out, "[%+.1f%%, %+.1f%%]", row->ci_low_percent,
			   row->ci_high_percent);
}

static int format_detail(pg_buf *out, const pg_compare_row *row,
			 pg_test_kind test)
{
	if (row->status == PG_ROW_ONLY_OLD)
		return pg_buf_adds(out, "(only in old)");
	if (row->status == PG_ROW_ONLY_NEW)
		return pg_buf_adds(out, "(only in new)");
	pg_buf_adds(out, "(");
	if (row->has_p)
		pg_buf_addf(out, "p=%.3f ", row->p_value);
	pg_buf_addf(out, "n=%zu+%zu", row->old.n, row->new.n);
	if (test == PG_TEST_UTEST && row->has_p)
		pg_buf_adds(out, row->utest_method == PG_UTEST_EXACT ? ", exact" :
				 ", normal approx.");
	if (row->note)
		pg_buf_addf(out, ", %s", row->note);
	return pg_buf_adds(out, ")");
}

/* ------------------------------------------------------------ text */

#define TEXT_COLS 6

/* Render rows [from, to) (one unit) plus the unit's geomean. */
static int render_text_group(pg_buf *out, const pg_comparison *c, size_t from,
			     size_t to, const pg_geomean_row *g)
{
	static const int right[TEXT_COLS] = { 0, 1, 1, 1, 0, 0 };
	pg_table t;
	pg_buf *cell;
	size_t i;
	pg_test_kind test = c->opts.test;
	const char *unit = c->rows[from].unit;
	int err;

	pg_table_init(&t, TEXT_COLS, right);
	/* header */
	if ((cell = pg_table_add_row(&t, NULL))) {
		pg_buf_adds(&cell[0], unit);
		pg_buf_adds(&cell[1], "old");
		pg_buf_adds(&cell[2], "new");
		pg_buf_adds(&cell[3], "delta");
		pg_buf_addf(&cell[4], "%g%% CI", 100.0 * c->opts.confidence);
	}
	for (i = from; i < to; i++) {
		const pg_compare_row *row = &c->rows[i];

		if (!(cell = pg_table_add_row(&t, NULL)))
			break;
		pg_buf_adds(&cell[0], row->benchmark);
		if (row->status != PG_ROW_ONLY_NEW)
			format_summary(&cell[1], &row->old, unit, test);
		if (row->status != PG_ROW_ONLY_OLD)
			format_summary(&cell[2], &row->new, unit, test);
		if (row->status == PG_ROW_COMPARED) {
			if (row->has_p && !row->significant)
				pg_buf_adds(&cell[3], "~");
			else if (row->has_delta)
				format_percent(&cell[3], row->delta_percent);
			else
				pg_buf_adds(&cell[3], "?");
			format_ci(&cell[4], row);
		}
		format_detail(&cell[5], row, test);
	}
	if (g && (cell = pg_table_add_row(&t, NULL))) {
		pg_buf_adds(&cell[0], "geomean");
		pg_format_value(&cell[1], g->old, unit);
		pg_format_value(&cell[2], g->new, unit);
		format_percent(&cell[3], g->delta_percent);
	}
	err = pg_table_render(out, &t);
	pg_table_release(&t);
	return err;
}

static const pg_geomean_row *find_geomean(const pg_comparison *c,
					  const char *unit)
{
	size_t i;

	for (i = 0; i < c->ngeomean; i++)
		if (!strcmp(c->geomean[i].unit, unit))
			return &c->geomean[i];
	return NULL;
}

static void add_file_list(pg_buf *out, const char *const *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pg_buf_addf(out, "%s%s", i ? "," : "", files[i]);
}

static int render_text(pg_buf *out, const pg_comparison *c,
		       const pg_compare_inputs *in)
{
	size_t i = 0, j;
	int err;

	pg_buf_adds(out, "old: ");
	add_file_list(out, in->old_files, in->nold);
	pg_buf_adds(out, "\nnew: ");
	add_file_list(out, in->new_files, in->nnew);
	if (c->opts.test == PG_TEST_UTEST)
		pg_buf_addf(out, "\ntest: Mann-Whitney U (exact without ties and n<=%d,"
			    " else normal approx.), alpha=%g",
			    PG_UTEST_EXACT_MAX, c->opts.alpha);
	else
		pg_buf_addf(out, "\ntest: Welch's t-test, alpha=%g", c->opts.alpha);
	pg_buf_addf(out, ", outliers %s\n",
		    c->opts.drop_outliers ? "dropped (Tukey fences)" : "kept");
	while (i < c->nrows) {
		const char *unit = c->rows[i].unit;

		for (j = i; j < c->nrows && !strcmp(c->rows[j].unit, unit); j++)
			;
		pg_buf_addch(out, '\n');
		if ((err = render_text_group(out, c, i, j, find_geomean(c, unit))) < 0)
			return err;
		i = j;
	}
	pg_buf_addf(out, "\n~: no significant change (p >= %g); ± is the "
		    "coefficient of variation\n", c->opts.alpha);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ markdown */

static void md_geomean(pg_buf *out, const pg_comparison *c, const char *unit)
{
	const pg_geomean_row *g = find_geomean(c, unit);

	if (!g)
		return;
	pg_buf_adds(out, "| **geomean** | ");
	pg_format_value(out, g->old, unit);
	pg_buf_adds(out, " | ");
	pg_format_value(out, g->new, unit);
	pg_buf_addf(out, " | %+.2f%% | | |\n", g->delta_percent);
}

static int render_markdown(pg_buf *out, const pg_comparison *c)
{
	const char *unit = NULL;
	pg_test_kind test = c->opts.test;
	size_t i;

	for (i = 0; i < c->nrows; i++) {
		const pg_compare_row *row = &c->rows[i];

		if (!unit || strcmp(unit, row->unit)) {
			if (unit) {
				md_geomean(out, c, unit);
				pg_buf_addch(out, '\n');
			}
			unit = row->unit;
			pg_buf_adds(out, "### ");
			pg_md_escape(out, unit);
			pg_buf_addf(out, "\n\n| benchmark | old | new | delta | %g%% CI | p (n) |\n"
				    "|:--|--:|--:|--:|:--|:--|\n", 100.0 * c->opts.confidence);
		}
		pg_buf_adds(out, "| ");
		pg_md_escape(out, row->benchmark);
		pg_buf_adds(out, " | ");
		if (row->status != PG_ROW_ONLY_NEW)
			format_summary(out, &row->old, unit, test);
		pg_buf_adds(out, " | ");
		if (row->status != PG_ROW_ONLY_OLD)
			format_summary(out, &row->new, unit, test);
		pg_buf_adds(out, " | ");
		if (row->status == PG_ROW_COMPARED) {
			if (row->has_p && !row->significant) {
				pg_buf_adds(out, "~");
			} else if (row->has_delta) {
				pg_buf_adds(out, row->significant ? "**" : "");
				format_percent(out, row->delta_percent);
				pg_buf_adds(out, row->significant ? "**" : "");
			} else {
				pg_buf_adds(out, "?");
			}
		}
		pg_buf_adds(out, " | ");
		format_ci(out, row);
		pg_buf_adds(out, " | ");
		format_detail(out, row, test);
		pg_buf_adds(out, " |\n");
	}
	if (unit)
		md_geomean(out, c, unit);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ csv */

static void csv_field(pg_buf *out, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		pg_buf_adds(out, s);
		return;
	}
	pg_buf_addch(out, '"');
	for (; *s; s++) {
		if (*s == '"')
			pg_buf_addch(out, '"');
		pg_buf_addch(out, *s);
	}
	pg_buf_addch(out, '"');
}

static void csv_num(pg_buf *out, int present, double v)
{
	pg_buf_addch(out, ',');
	if (present)
		pg_buf_addf(out, "%.17g", v);
}

static void csv_summary(pg_buf *out, int present, const pg_summary *s)
{
	csv_num(out, present, (double)s->n);
	csv_num(out, present, s->mean);
	csv_num(out, present, s->median);
	csv_num(out, present, s->stddev);
	csv_num(out, present, s->min);
	csv_num(out, present, s->max);
	csv_num(out, present, (double)s->outliers);
}

static int render_csv(pg_buf *out, const pg_comparison *c)
{
	size_t i;

	pg_buf_adds(out, "benchmark,unit,status,"
		    "old_n,old_mean,old_median,old_stddev,old_min,old_max,old_outliers,"
		    "new_n,new_mean,new_median,new_stddev,new_min,new_max,new_outliers,"
		    "delta_percent,ci_low_percent,ci_high_percent,p_value,significant,"
		    "method,note\r\n");
	for (i = 0; i < c->nrows; i++) {
		const pg_compare_row *row = &c->rows[i];
		const char *method = row_method(row, c->opts.test);

		csv_field(out, row->benchmark);
		pg_buf_addch(out, ',');
		csv_field(out, row->unit);
		pg_buf_addf(out, ",%s", status_name(row->status));
		csv_summary(out, row->status != PG_ROW_ONLY_NEW, &row->old);
		csv_summary(out, row->status != PG_ROW_ONLY_OLD, &row->new);
		csv_num(out, row->has_delta, row->delta_percent);
		csv_num(out, row->has_ci, row->ci_low_percent);
		csv_num(out, row->has_ci, row->ci_high_percent);
		csv_num(out, row->has_p, row->p_value);
		pg_buf_addf(out, ",%s,%s,", row->significant ? "true" : "false",
			    method ? method : "");
		if (row->note)
			csv_field(out, row->note);
		pg_buf_adds(out, "\r\n");
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ json */

static json_t *num_or_null(int present, double v)
{
	return present && isfinite(v) ? json_real(v) : json_null();
}

static json_t *summary_to_json(const pg_summary *s)
{
	return json_pack("{s:I, s:o, s:o, s:o, s:o, s:o, s:I}",
			 "n", (json_int_t)s->n, "mean", num_or_null(1, s->mean),
			 "median", num_or_null(1, s->median),
			 "stddev", num_or_null(1, s->stddev),
			 "min", num_or_null(1, s->min), "max", num_or_null(1, s->max),
			 "outliers", (json_int_t)s->outliers);
}

json_t *pg_compare_row_to_json(const pg_compare_row *row, pg_test_kind test)
{
	const char *method = row_method(row, test);

	return json_pack("{s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o, s:o, s:b, s:o, s:o}",
			 "benchmark", row->benchmark,
			 "unit", row->unit,
			 "status", status_name(row->status),
			 "old", row->status != PG_ROW_ONLY_NEW ? summary_to_json(&row->old) : json_null(),
			 "new", row->status != PG_ROW_ONLY_OLD ? summary_to_json(&row->new) : json_null(),
			 "delta_percent", num_or_null(row->has_delta, row->delta_percent),
			 "ci_low_percent", num_or_null(row->has_ci, row->ci_low_percent),
			 "ci_high_percent", num_or_null(row->has_ci, row->ci_high_percent),
			 "p_value", num_or_null(row->has_p, row->p_value),
			 "significant", row->significant,
			 "method", method ? json_string(method) : json_null(),
			 "note", row->note ? json_string(row->note) : json_null());
}

static json_t *string_array(const char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *pg_compare_to_json(const pg_comparison *c, const pg_compare_inputs *in)
{
	json_t *root = NULL, *rows = NULL, *geo = NULL;
	size_t i;

	rows = json_array();
	geo = json_array();
	if (!rows || !geo)
		goto fail;
	for (i = 0; i < c->nrows; i++) {
		json_t *r = pg_compare_row_to_json(&c->rows[i], c->opts.test);

		if (!r || json_array_append_new(rows, r) < 0)
			goto fail;
	}
	for (i = 0; i < c->ngeomean; i++) {
		const pg_geomean_row *g = &c->geomean[i];
		json_t *r = json_pack("{s:s, s:I, s:f, s:f, s:f}", "unit", g->unit,
				      "n", (json_int_t)g->n, "old", g->old, "new", g->new,
				      "delta_percent", g->delta_percent);

		if (!r || json_array_append_new(geo, r) < 0)
			goto fail;
	}
	root = json_pack("{s:i, s:s, s:f, s:f, s:s, s:o, s:o, s:o, s:o}",
			 "version", 1,
			 "test", test_name(c->opts.test),
			 "alpha", c->opts.alpha,
			 "confidence", c->opts.confidence,
			 "outliers", c->opts.drop_outliers ? "drop" : "keep",
			 "old_files", string_array(in->old_files, in->nold),
			 "new_files", string_array(in->new_files, in->nnew),
			 "rows", rows, "geomean", geo);
	return root;

fail:
	json_decref(rows);
	json_decref(geo);
	return NULL;
}

static int render_json(pg_buf *out, const pg_comparison *c,
		       const pg_compare_inputs *in)
{
	return pg_json_render(out, pg_compare_to_json(c, in));
}

int pg_compare_render(pg_buf *out, const pg_comparison *c,
		      const pg_compare_inputs *in, pg_format format)
{
	switch (format) {
	case PG_FORMAT_JSON:
		return render_json(out, c, in);
	case PG_FORMAT_CSV:
		return render_csv(out, c);
	case PG_FORMAT_MARKDOWN:
		return render_markdown(out, c);
	default:
		return render_text(out, c, in);
	}
}
