/*
 * perfgate profile: the top functions of pprof CPU profiles, and the
 * functions whose share grew or shrank between two sets of profiles (with
 * a differential flame graph).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/cmd.h"
#include "gate/format_util.h"
#include "gate/profile_files.h"
#include "gate/profile_svg.h"
#include "stats/profile.h"
#include "common/banned.h"

static const char profile_usage[] =
	"usage: perfgate profile top [options] FILE...\n"
	"   or: perfgate profile diff [options] BASE NEW\n"
	"   or: perfgate profile diff [options] --base FILE... --new FILE...\n"
	"\n"
	"Read pprof profiles (gzipped or not), as written by perfgate's harness\n"
	"(-cpuprofile), 'perfgate run --profile' or Go's runtime/pprof. 'top' lists\n"
	"the functions that take the largest share of the samples; 'diff' those\n"
	"whose flat share grew or shrank from BASE to NEW, in percentage points of\n"
	"each profile's own total. Several files on one side (runs of the same\n"
	"benchmark) are merged first.\n"
	"\n"
	"    --sample-type T     T or T/UNIT (default cpu/nanoseconds if present,\n"
	"                        else the first sample type)\n"
	"    --label KEY=VALUE   only the samples with this label (benchmark=Hash)\n"
	"    --format F          text (default) or json\n"
	"    -n N                show at most N functions (diff: N that grew and N\n"
	"                        that shrank; default 20, 0 for all)\n"
	"  top:\n"
	"    --cum               sort by cumulative share (default: flat share)\n"
	"  diff:\n"
	"    --base FILE         add FILE to the base side (repeatable)\n"
	"    --new FILE          add FILE to the new side (repeatable)\n"
	"    --min-growth P      show the functions whose flat share changed by\n"
	"                        more than P points (default 2)\n"
	"    --svg FILE          write a differential flame graph (SVG) to FILE\n"
	"\n"
	"exit status: 0 done, 2 usage or input error, 3 cannot write the SVG\n";

enum { OPT_CUM = 256, OPT_SAMPLE_TYPE, OPT_LABEL, OPT_FORMAT, OPT_BASE, OPT_NEW,
       OPT_MIN_GROWTH, OPT_SVG };

typedef struct profile_opts {
	int diff;                /* the subcommand: 0 top, 1 diff */
	const char *name;        /* "top" or "diff" */
	int cum;
	const char *sample_type;
	const char *label;       /* "key=value" as given */
	pg_buf label_key;
	const char *label_value;
	int json;
	size_t limit;            /* 0: all */
	double min_growth;
	const char *svg;
	const char **base, **news, **files;
	size_t nbase, nnew, nfiles;
} profile_opts;

static int parse_min_growth(double *out, const char *s)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v >= 0 && v <= 100))
		return pg_error_set(PG_EINPUT, "--min-growth must be a number of points "
				    "from 0 to 100, not '%s'", s);
	*out = v;
	return 0;
}

/* Parse the subcommand's options; returns -1 to go on, else an exit status. */
static int parse_options(profile_opts *o, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cum", no_argument, NULL, OPT_CUM },
		{ "sample-type", required_argument, NULL, OPT_SAMPLE_TYPE },
		{ "label", required_argument, NULL, OPT_LABEL },
		{ "format", required_argument, NULL, OPT_FORMAT },
		{ "base", required_argument, NULL, OPT_BASE },
		{ "new", required_argument, NULL, OPT_NEW },
		{ "min-growth", required_argument, NULL, OPT_MIN_GROWTH },
		{ "svg", required_argument, NULL, OPT_SVG },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *key;
	size_t key_len;
	int c, err, idx = -1;

	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":hn:", longopts, &idx)) != -1) {
		err = 0;
		if (((!o->diff && (c == OPT_BASE || c == OPT_NEW || c == OPT_MIN_GROWTH ||
				   c == OPT_SVG)) || (o->diff && c == OPT_CUM)) && idx >= 0)
			return pg_usage_error(profile_usage, "profile %s: --%s is an option of "
					      "'profile %s'", o->name, longopts[idx].name,
					      o->diff ? "top" : "diff");
		idx = -1;
		switch (c) {
		case OPT_CUM:
			o->cum = 1;
			break;
		case OPT_SAMPLE_TYPE:
			o->sample_type = optarg;
			break;
		case OPT_LABEL:
			if ((err = pg_profile_label_spec(&key, &key_len, &o->label_value,
							 optarg)) < 0)
				break;
			o->label = optarg;
			pg_buf_reset(&o->label_key);
			err = pg_buf_add(&o->label_key, key, key_len);
			break;
		case OPT_FORMAT:
			if (!strcmp(optarg, "text"))
				o->json = 0;
			else if (!strcmp(optarg, "json"))
				o->json = 1;
			else
				err = pg_error_set(PG_EINPUT,
						   "unknown format '%s' (expected text or json)", optarg);
			break;
		case 'n':
			err = pg_parse_count(&o->limit, "-n", optarg, 0);
			break;
		case OPT_BASE:
			o->base[o->nbase++] = optarg;
			break;
		case OPT_NEW:
			o->news[o->nnew++] = optarg;
			break;
		case OPT_MIN_GROWTH:
			err = parse_min_growth(&o->min_growth, optarg);
			break;
		case OPT_SVG:
			o->svg = optarg;
			break;
		case 'h':
			fputs(profile_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK);
		case ':':
			return pg_usage_error(profile_usage, "profile %s: option '%s' needs a value",
					      o->name, argv[optind - 1]);
		default:
			return pg_usage_error(profile_usage, "profile %s: unknown option '%s'",
					      o->name, argv[optind - 1]);
		}
		if (err < 0)
			return pg_usage_error(profile_usage, "profile %s: %s", o->name,
					      pg_error_last());
	}
	for (; optind < argc; optind++)
		o->files[o->nfiles++] = argv[optind];
	if (!o->diff) {
		if (o->nfiles == 0)
			return pg_usage_error(profile_usage, "profile top: expected at least one FILE");
		return -1;
	}
	if (o->nbase == 0 && o->nnew == 0 && o->nfiles == 2) {
		o->base[o->nbase++] = o->files[0];
		o->news[o->nnew++] = o->files[1];
	} else if (o->nfiles != 0 || o->nbase == 0 || o->nnew == 0) {
		return pg_usage_error(profile_usage,
				      "profile diff: expected BASE and NEW, or --base and --new");
	}
	return -1;
}

static int read_side(pg_profile *out, const profile_opts *o, const char **files, size_t n)
{
	return pg_profile_read_files(out, files, n, o->label ? o->label_key.ptr : NULL,
				     o->label_value);
}

static void add_name(pg_buf *cell, const char *name)
{
	pg_utf8_sanitize(cell, name, 1);
}

static void add_file_list(pg_buf *out, const char *const *files, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		pg_buf_addf(out, "%s%s", i ? "," : "", files[i]);
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

/* A JSON string of a name that may not be valid UTF-8. */
static json_t *name_json(const char *name)
{
	pg_buf b = PG_BUF_INIT;
	json_t *j;

	pg_utf8_sanitize(&b, name, 0);
	j = pg_buf_failed(&b) ? NULL : json_string(b.ptr);
	pg_buf_release(&b);
	return j;
}

static json_t *label_json(const profile_opts *o)
{
	return o->label ? json_string(o->label) : json_null();
}

/* ------------------------------------------------------------ top */

static int render_top_text(pg_buf *out, const pg_profile_top *t, const profile_opts *o)
{
	static const int right[6] = { 1, 1, 1, 1, 1, 0 };
	size_t shown = o->limit && o->limit < t->n ? o->limit : t->n, i;
	double sum = 0;
	pg_table tab;
	pg_buf *cell;
	int err;

	pg_buf_adds(out, "files: ");
	add_file_list(out, o->files, o->nfiles);
	if (o->label)
		pg_buf_addf(out, "\nlabel: %s", o->label);
	pg_buf_addf(out, "\ntype: %s/%s, total ", t->type, t->unit);
	pg_profile_add_amount(out, t->total, t->unit);
	pg_buf_addf(out, " in %lld samples\nshowing %zu of %zu functions, by %s share\n\n",
		    (long long)t->nsamples, shown, t->n, o->cum ? "cumulative" : "flat");
	pg_table_init(&tab, 6, right);
	if ((cell = pg_table_add_row(&tab, NULL))) {
		pg_buf_adds(&cell[0], "flat");
		pg_buf_adds(&cell[1], "flat%");
		pg_buf_adds(&cell[2], "sum%");
		pg_buf_adds(&cell[3], "cum");
		pg_buf_adds(&cell[4], "cum%");
		pg_buf_adds(&cell[5], "name");
	}
	for (i = 0; i < shown; i++) {
		const pg_profile_func *f = &t->funcs[i];

		if (!(cell = pg_table_add_row(&tab, NULL)))
			break;
		sum += f->flat_percent;
		pg_profile_add_amount(&cell[0], f->flat, t->unit);
		pg_buf_addf(&cell[1], "%.2f%%", f->flat_percent);
		pg_buf_addf(&cell[2], "%.2f%%", sum);
		pg_profile_add_amount(&cell[3], f->cum, t->unit);
		pg_buf_addf(&cell[4], "%.2f%%", f->cum_percent);
		add_name(&cell[5], f->name);
	}
	err = pg_table_render(out, &tab);
	pg_table_release(&tab);
	if (err < 0)
		return err;
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

static int render_top_json(pg_buf *out, const pg_profile_top *t, const profile_opts *o)
{
	size_t shown = o->limit && o->limit < t->n ? o->limit : t->n, i;
	json_t *funcs = json_array(), *root;

	for (i = 0; funcs && i < shown; i++) {
		const pg_profile_func *f = &t->funcs[i];
		json_t *j = json_pack("{s:o, s:f, s:f, s:I, s:I}", "name", name_json(f->name),
				      "flat_percent", f->flat_percent,
				      "cum_percent", f->cum_percent,
				      "flat", (json_int_t)f->flat, "cum", (json_int_t)f->cum);

		if (!j || json_array_append_new(funcs, j) < 0) {
			json_decref(funcs);
			funcs = NULL;
		}
	}
	if (!funcs)
		return pg_error_set(PG_ENOMEM, "out of memory");
	root = json_pack("{s:i, s:o, s:o, s:s, s:s, s:I, s:I, s:s, s:I, s:o}",
			 "version", 1,
			 "files", string_array(o->files, o->nfiles),
			 "label", label_json(o),
			 "sample_type", t->type, "unit", t->unit,
			 "total", (json_int_t)t->total,
			 "samples", (json_int_t)t->nsamples,
			 "sort", o->cum ? "cum" : "flat",
			 "nfunctions", (json_int_t)t->n,
			 "functions", funcs);
	return pg_json_render(out, root);
}

static int profile_top(profile_opts *o)
{
	pg_profile p;
	pg_profile_top t = { 0 };
	pg_buf out = PG_BUF_INIT;
	int status, err;

	pg_profile_init(&p);
	if ((err = read_side(&p, o, o->files, o->nfiles)) < 0 ||
	    (err = pg_profile_top_compute(&t, &p, o->sample_type, o->cum)) < 0 ||
	    (err = o->json ? render_top_json(&out, &t, o) : render_top_text(&out, &t, o)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	fwrite(out.ptr, 1, out.len, stdout);
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_buf_release(&out);
	pg_profile_top_release(&t);
	pg_profile_release(&p);
	return status;
}

/* ------------------------------------------------------------ diff */

/* The rows shown: grown[0..ngrown) (largest growth first) and
 * shrunk[0..nshrunk) (largest shrink first), as indices into d->funcs. */
typedef struct diff_rows {
	size_t *grown, *shrunk;
	size_t ngrown, nshrunk;
	size_t all_grown, all_shrunk; /* before the -n limit */
} diff_rows;

static int select_rows(diff_rows *r, const pg_profile_diff *d, const profile_opts *o)
{
	size_t i;

	memset(r, 0, sizeof(*r));
	r->grown = calloc(d->n ? d->n : 1, sizeof(*r->grown));
	r->shrunk = calloc(d->n ? d->n : 1, sizeof(*r->shrunk));
	if (!r->grown || !r->shrunk)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < d->n; i++)
		if (d->funcs[i].growth_points > o->min_growth)
			r->grown[r->all_grown++] = i;
	for (i = d->n; i-- > 0;)
		if (d->funcs[i].growth_points < -o->min_growth)
			r->shrunk[r->all_shrunk++] = i;
	r->ngrown = o->limit && o->limit < r->all_grown ? o->limit : r->all_grown;
	r->nshrunk = o->limit && o->limit < r->all_shrunk ? o->limit : r->all_shrunk;
	return 0;
}

static int diff_table(pg_buf *out, const pg_profile_diff *d, const size_t *rows, size_t n)
{
	static const int right[4] = { 1, 1, 1, 0 };
	pg_table tab;
	pg_buf *cell;
	size_t i;
	int err;

	pg_table_init(&tab, 4, right);
	if ((cell = pg_table_add_row(&tab, NULL))) {
		pg_buf_adds(&cell[0], "base%");
		pg_buf_adds(&cell[1], "new%");
		pg_buf_adds(&cell[2], "growth");
		pg_buf_adds(&cell[3], "name");
	}
	for (i = 0; i < n; i++) {
		const pg_profile_diff_func *f = &d->funcs[rows[i]];

		if (!(cell = pg_table_add_row(&tab, NULL)))
			break;
		pg_buf_addf(&cell[0], "%.2f%%", f->base_flat_percent);
		pg_buf_addf(&cell[1], "%.2f%%", f->new_flat_percent);
		pg_buf_addf(&cell[2], "%+.2f", f->growth_points);
		add_name(&cell[3], f->name);
	}
	err = pg_table_render(out, &tab);
	pg_table_release(&tab);
	return err;
}

static void diff_heading(pg_buf *out, const char *verb, size_t shown, size_t all,
			 const profile_opts *o)
{
	if (all == 0) {
		pg_buf_addf(out, "no function %s by more than %g points\n", verb, o->min_growth);
		return;
	}
	pg_buf_addf(out, "%s by more than %g points", verb, o->min_growth);
	if (shown < all)
		pg_buf_addf(out, " (%zu of %zu shown)", shown, all);
	pg_buf_adds(out, ":\n");
}

static int render_diff_text(pg_buf *out, const pg_profile_diff *d, const diff_rows *r,
			    const profile_opts *o)
{
	int err;

	pg_buf_adds(out, "base: ");
	add_file_list(out, o->base, o->nbase);
	pg_buf_adds(out, " (total ");
	pg_profile_add_amount(out, d->base_total, d->unit);
	pg_buf_addf(out, " in %lld samples)\nnew:  ", (long long)d->base_samples);
	add_file_list(out, o->news, o->nnew);
	pg_buf_adds(out, " (total ");
	pg_profile_add_amount(out, d->new_total, d->unit);
	pg_buf_addf(out, " in %lld samples)\n", (long long)d->new_samples);
	if (o->label)
		pg_buf_addf(out, "label: %s\n", o->label);
	pg_buf_addf(out, "type: %s/%s; flat shares, each of its own profile's total\n\n",
		    d->type, d->unit);
	diff_heading(out, "grew", r->ngrown, r->all_grown, o);
	if (r->ngrown && (err = diff_table(out, d, r->grown, r->ngrown)) < 0)
		return err;
	pg_buf_addch(out, '\n');
	diff_heading(out, "shrank", r->nshrunk, r->all_shrunk, o);
	if (r->nshrunk && (err = diff_table(out, d, r->shrunk, r->nshrunk)) < 0)
		return err;
	if (o->svg)
		pg_buf_addf(out, "\ndifferential flame graph: %s\n", o->svg);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

static json_t *diff_func_json(const pg_profile_diff_func *f)
{
	return json_pack("{s:o, s:f, s:f, s:f, s:f, s:f}",
			 "name", name_json(f->name),
			 "base_flat_percent", f->base_flat_percent,
			 "new_flat_percent", f->new_flat_percent,
			 "growth_points", f->growth_points,
			 "base_cum_percent", f->base_cum_percent,
			 "new_cum_percent", f->new_cum_percent);
}

static int render_diff_json(pg_buf *out, const pg_profile_diff *d, const diff_rows *r,
			    const profile_opts *o)
{
	json_t *funcs = json_array(), *root;
	size_t i;

	/* by growth: the grown ones (largest first), then the shrunk ones
	 * (largest shrink last) */
	for (i = 0; funcs && i < r->ngrown + r->nshrunk; i++) {
		size_t k = i < r->ngrown ? r->grown[i] : r->shrunk[r->nshrunk - 1 - (i - r->ngrown)];
		json_t *j = diff_func_json(&d->funcs[k]);

		if (!j || json_array_append_new(funcs, j) < 0) {
			json_decref(funcs);
			funcs = NULL;
		}
	}
	if (!funcs)
		return pg_error_set(PG_ENOMEM, "out of memory");
	root = json_pack("{s:i, s:o, s:o, s:o, s:s, s:s, s:I, s:I, s:I, s:I, s:f, s:o, s:o}",
			 "version", 1,
			 "base_files", string_array(o->base, o->nbase),
			 "new_files", string_array(o->news, o->nnew),
			 "label", label_json(o),
			 "sample_type", d->type, "unit", d->unit,
			 "base_total", (json_int_t)d->base_total,
			 "new_total", (json_int_t)d->new_total,
			 "base_samples", (json_int_t)d->base_samples,
			 "new_samples", (json_int_t)d->new_samples,
			 "min_growth", o->min_growth,
			 "svg", o->svg ? json_string(o->svg) : json_null(),
			 "functions", funcs);
	return pg_json_render(out, root);
}

static int profile_diff(profile_opts *o)
{
	pg_profile base, next;
	pg_profile_diff d = { 0 };
	pg_profile_svg_opts svg_opts = PG_PROFILE_SVG_OPTS_INIT;
	diff_rows rows = { 0 };
	pg_buf out = PG_BUF_INIT, svg = PG_BUF_INIT, title = PG_BUF_INIT;
	int status, err;

	pg_profile_init(&base);
	pg_profile_init(&next);
	if ((err = read_side(&base, o, o->base, o->nbase)) < 0 ||
	    (err = read_side(&next, o, o->news, o->nnew)) < 0 ||
	    (err = pg_profile_diff_compute(&d, &base, &next, o->sample_type)) < 0 ||
	    (err = select_rows(&rows, &d, o)) < 0)
		goto fail;
	if (o->svg) {
		pg_buf_adds(&title, "perfgate profile diff: ");
		add_file_list(&title, o->base, o->nbase);
		pg_buf_adds(&title, " \xE2\x86\x92 ");
		add_file_list(&title, o->news, o->nnew);
		if (o->label)
			pg_buf_addf(&title, " (%s)", o->label);
		if (pg_buf_failed(&title)) {
			err = PG_ENOMEM;
			goto fail;
		}
		svg_opts.title = title.ptr;
		if ((err = pg_profile_svg(&svg, &base, &next, o->sample_type, &svg_opts)) < 0 ||
		    (err = pg_file_write_atomic(o->svg, svg.ptr, svg.len)) < 0)
			goto fail;
	}
	if ((err = o->json ? render_diff_json(&out, &d, &rows, o) :
			     render_diff_text(&out, &d, &rows, o)) < 0)
		goto fail;
	fwrite(out.ptr, 1, out.len, stdout);
	status = pg_finish_stdout(PG_EXIT_OK);
	goto cleanup;

fail:
	status = pg_die_code(err);
cleanup:
	free(rows.grown);
	free(rows.shrunk);
	pg_buf_release(&out);
	pg_buf_release(&svg);
	pg_buf_release(&title);
	pg_profile_diff_release(&d);
	pg_profile_release(&base);
	pg_profile_release(&next);
	return status;
}

int cmd_profile(int argc, char **argv)
{
	profile_opts o;
	int status;

	memset(&o, 0, sizeof(o));
	pg_buf_init(&o.label_key, 0);
	o.limit = 20;
	o.min_growth = 2;
	if (argc < 2)
		return pg_usage_error(profile_usage, "profile: expected a subcommand, top or diff");
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		fputs(profile_usage, stdout);
		return pg_finish_stdout(PG_EXIT_OK);
	}
	if (!strcmp(argv[1], "top"))
		o.diff = 0;
	else if (!strcmp(argv[1], "diff"))
		o.diff = 1;
	else
		return pg_usage_error(profile_usage, "profile: unknown subcommand '%s' "
				      "(expected top or diff)", argv[1]);
	o.name = argv[1];
	o.base = calloc((size_t)argc + 1, sizeof(*o.base));
	o.news = calloc((size_t)argc + 1, sizeof(*o.news));
	o.files = calloc((size_t)argc + 1, sizeof(*o.files));
	if (!o.base || !o.news || !o.files) {
		status = pg_die_code(pg_error_set(PG_ENOMEM, "out of memory"));
		goto cleanup;
	}
	status = parse_options(&o, argc - 1, argv + 1);
	if (status >= 0)
		goto cleanup;
	status = o.diff ? profile_diff(&o) : profile_top(&o);

cleanup:
	free(o.base);
	free(o.news);
	free(o.files);
	pg_buf_release(&o.label_key);
	return status;
}
