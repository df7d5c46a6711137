#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/map.h"
#include "stats/compare.h"
#include "stats/geomean.h"
#include "stats/welch.h"
#include "common/banned.h"

/* A row under construction: which series of each side, and its unit's
 * rank (order of first appearance) for the grouping. */
struct row_ref {
	const pg_series *old;
	const pg_series *new;
	size_t unit_rank;
	size_t order;
};

static int cmp_row_ref(const void *pa, const void *pb)
{
	const struct row_ref *a = pa, *b = pb;

	if (a->unit_rank != b->unit_rank)
		return a->unit_rank < b->unit_rank ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

static int unit_rank(size_t *out, pg_map *units, const char *unit)
{
	return pg_map_upsert(out, NULL, units, unit, strlen(unit), units->count);
}

/* Summarise one side; with drop_outliers the summary describes the kept
 * values and `outliers` says how many were removed. `kept` receives the
 * values the test uses (room for s->n). */
static int summarize_side(pg_summary *out, double *kept, size_t *nkept,
			  const pg_series *s, int drop_outliers)
{
	size_t outliers;
	int err;

	if ((err = pg_summarize(out, s->values, s->n)) < 0)
		return err;
	if (!drop_outliers) {
		memcpy(kept, s->values, s->n * sizeof(double));
		*nkept = s->n;
		return 0;
	}
	*nkept = pg_drop_outliers(kept, s->values, s->n);
	if (*nkept == (size_t)-1)
		return PG_ENOMEM;
	outliers = s->n - *nkept;
	if ((err = pg_summarize(out, kept, *nkept)) < 0)
		return err;
	out->outliers = outliers;
	return 0;
}

/* delta in percent of `to` relative to `from`; 0 when both are zero */
static int relative_change(double *out, double from, double to)
{
	if (from == 0.0) {
		if (to != 0.0)
			return -1;
		*out = 0.0;
		return 0;
	}
	*out = 100.0 * (to / from - 1.0);
	return 0;
}

static int compare_welch(pg_compare_row *row, const pg_compare_opts *opts)
{
	pg_welch w;
	double lo, hi;
	int err;

	if (relative_change(&row->delta_percent, row->old.mean, row->new.mean) == 0)
		row->has_delta = 1;
	else
		row->note = "zero mean";
	if ((err = pg_welch_test(&w, &row->old, &row->new)) < 0)
		return err;
	row->has_p = 1;
	row->p_value = w.p;
	if (row->old.mean == 0.0) {
		/* no ratio, so no interval; the delta is 0 or "zero mean" */
		if (!row->note)
			row->note = "both means zero";
		return 0;
	}
	err = pg_welch_ratio_ci(&lo, &hi, &row->old, &row->new, opts->confidence);
	if (err == PG_ENOTFOUND) {
		row->note = "interval unbounded: old mean not distinguishable from 0";
		return 0;
	}
	if (err < 0)
		return err;
	row->has_ci = 1;
	row->ci_low_percent = 100.0 * lo;
	row->ci_high_percent = 100.0 * hi;
	return 0;
}

static int compare_utest(pg_compare_row *row, const double *a, size_t na,
			 const double *b, size_t nb, const pg_compare_opts *opts)
{
	pg_utest u;
	double shift, lo, hi;
	int err;

	if ((err = pg_utest_run(&u, a, na, b, nb)) < 0)
		return err;
	row->has_p = 1;
	row->p_value = u.p;
	row->utest_method = (int)u.method;
	if ((err = pg_utest_shift(&shift, &lo, &hi, a, na, b, nb,
				  opts->confidence)) < 0)
		return err;
	if (row->old.median == 0.0) {
		if (shift == 0.0 && row->new.median == 0.0) {
			row->has_delta = 1;
			row->delta_percent = 0.0;
			row->note = "both medians zero"; /* no interval */
		} else {
			row->note = "zero median";
		}
		return 0;
	}
	row->has_delta = 1;
	row->delta_percent = 100.0 * shift / fabs(row->old.median);
	row->has_ci = 1;
	row->ci_low_percent = 100.0 * lo / fabs(row->old.median);
	row->ci_high_percent = 100.0 * hi / fabs(row->old.median);
	return 0;
}

static int compare_pair(pg_compare_row *row, const struct row_ref *ref,
			const pg_compare_opts *opts, double *a, double *b)
{
	size_t na = 0, nb = 0;
	int err;

	if ((err = summarize_side(&row->old, a, &na, ref->old, opts->drop_outliers)) < 0 ||
	    (err = summarize_side(&row->new, b, &nb, ref->new, opts->drop_outliers)) < 0)
		return err;
	if (na < 2 || nb < 2) {
		row->note = "too few samples";
		if (relative_change(&row->delta_percent, row->old.mean, row->new.mean) == 0)
			row->has_delta = 1;
		return 0;
	}
	if (opts->test == PG_TEST_UTEST)
		err = compare_utest(row, a, na, b, nb, opts);
	else
		err = compare_welch(row, opts);
	if (err < 0)
		return err;
	row->significant = row->has_p && row->p_value < opts->alpha;
	return 0;
}

static int add_geomeans(pg_comparison *c)
{
	double *olds = NULL, *news = NULL;
	size_t i = 0, j, k, n;
	int err = 0;

	olds = malloc((c->nrows + 1) * sizeof(double));
	news = malloc((c->nrows + 1) * sizeof(double));
	c->geomean = calloc(c->nrows + 1, sizeof(*c->geomean));
	if (!olds || !news || !c->geomean) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* rows are grouped by unit: one pass per group */
	while (i < c->nrows) {
		const char *unit = c->rows[i].unit;

		for (j = i; j < c->nrows && !strcmp(c->rows[j].unit, unit); j++)
			;
		n = 0;
		for (k = i; k < j; k++) {
			const pg_compare_row *r = &c->rows[k];
			double o, nw;

			if (r->status != PG_ROW_COMPARED)
				continue;
			o = c->opts.test == PG_TEST_UTEST ? r->old.median : r->old.mean;
			nw = c->opts.test == PG_TEST_UTEST ? r->new.median : r->new.mean;
			if (o > 0 && nw > 0) {
				olds[n] = o;
				news[n] = nw;
				n++;
			}
		}
		if (n > 0) {
			pg_geomean_row *g = &c->geomean[c->ngeomean];

			g->unit = unit;
			g->n = n;
			if ((err = pg_geomean(&g->old, olds, n)) < 0 ||
			    (err = pg_geomean(&g->new, news, n)) < 0)
				goto cleanup;
			g->delta_percent = 100.0 * (g->new / g->old - 1.0);
			c->ngeomean++;
		}
		i = j;
	}

cleanup:
	free(olds);
	free(news);
	return err;
}

int pg_compare(pg_comparison *out, const pg_results *old,
	       const pg_results *new, const pg_compare_opts *opts)
{
	struct row_ref *refs = NULL;
	pg_map units = PG_MAP_INIT;
	double *a = NULL, *b = NULL;
	size_t nrefs = 0, maxn = 1, i;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!(opts->alpha > 0 && opts->alpha < 1))
		return pg_error_set(PG_EINPUT, "alpha must be between 0 and 1");
	if (!(opts->confidence > 0 && opts->confidence < 1))
		return pg_error_set(PG_EINPUT, "confidence must be between 0 and 1");
	out->opts = *opts;

	refs = calloc(old->nseries + new->nseries + 1, sizeof(*refs));
	if (!refs) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < old->nseries; i++) {
		const pg_series *s = &old->series[i];
		struct row_ref *r = &refs[nrefs];

		r->old = s;
		r->new = pg_results_find(new, s->name, s->unit);
		r->order = nrefs++;
		if ((err = unit_rank(&r->unit_rank, &units, s->unit)) < 0)
			goto cleanup;
	}
	for (i = 0; i < new->nseries; i++) {
		const pg_series *s = &new->series[i];
		struct row_ref *r;

		if (pg_results_find(old, s->name, s->unit))
			continue;
		r = &refs[nrefs];
		r->new = s;
		r->order = nrefs++;
		if ((err = unit_rank(&r->unit_rank, &units, s->unit)) < 0)
			goto cleanup;
	}
	qsort(refs, nrefs, sizeof(*refs), cmp_row_ref);

	for (i = 0; i < nrefs; i++) {
		if (refs[i].old && refs[i].old->n > maxn)
			maxn = refs[i].old->n;
		if (refs[i].new && refs[i].new->n > maxn)
			maxn = refs[i].new->n;
	}
	a = malloc(maxn * sizeof(double));
	b = malloc(maxn * sizeof(double));
	out->rows = calloc(nrefs + 1, sizeof(*out->rows));
	if (!a || !b || !out->rows) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < nrefs; i++) {
		const struct row_ref *ref = &refs[i];
		pg_compare_row *row = &out->rows[i];
		size_t unused;

		row->benchmark = ref->old ? ref->old->name : ref->new->name;
		row->unit = ref->old ? ref->old->unit : ref->new->unit;
		if (ref->old && ref->new) {
			row->status = PG_ROW_COMPARED;
			err = compare_pair(row, ref, opts, a, b);
		} else if (ref->old) {
			row->status = PG_ROW_ONLY_OLD;
			err = summarize_side(&row->old, a, &unused, ref->old,
					     opts->drop_outliers);
		} else {
			row->status = PG_ROW_ONLY_NEW;
			err = summarize_side(&row->new, b, &unused, ref->new,
					     opts->drop_outliers);
		}
		if (err < 0)
			goto cleanup;
		out->nrows++;
	}
	err = add_geomeans(out);

cleanup:
	if (err < 0)
		pg_comparison_release(out);
	free(refs);
	free(a);
	free(b);
	pg_map_release(&units);
	return err;
}

void pg_comparison_release(pg_comparison *c)
{
	if (!c)
		return;
	free(c->rows);
	free(c->geomean);
	c->rows = NULL;
	c->geomean = NULL;
	c->nrows = 0;
	c->ngeomean = 0;
}
