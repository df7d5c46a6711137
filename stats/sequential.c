#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/map.h"
#include "stats/compare.h"
#include "stats/decide.h"
#include "stats/decide_internal.h"
#include "stats/paired.h"
#include "stats/sequential.h"
#include "stats/summary.h"
#include "stats/welch.h"
#include "common/banned.h"

/*
 * The sequential rule of perfgate gate --count auto; documented in
 * sequential.h. Per look and row: the change on the analysis scale (as
 * decide.c: logs, or the raw scale when a value is <= 0), its standard
 * error and degrees of freedom (Welch's, or the paired t-test's), two
 * intervals (efficacy and futility levels), the mde at the efficacy level
 * and its projection to max_runs.
 */

/* one row's analysis at one look */
typedef struct seq_est {
	int log_scale;
	double est;               /* analysis scale */
	double se, df;
	double se_max, df_max;    /* projected to max_runs */
	double scale;             /* raw scale: |mean old| (0: no relative change) */
	int has_eff, has_fut;
	double eff_lo, eff_hi, fut_lo, fut_hi; /* analysis scale */
} seq_est;

const char *pg_seq_status_name(pg_seq_status st)
{
	switch (st) {
	case PG_SEQ_UNDECIDED: return "undecided";
	case PG_SEQ_UNCHANGED: return "unchanged";
	case PG_SEQ_REGRESSED: return "regressed";
	case PG_SEQ_IMPROVED: return "improved";
	case PG_SEQ_EXACT: return "exact";
	case PG_SEQ_HOPELESS: return "hopeless";
	case PG_SEQ_ABSENT: return "absent";
	}
	return "unknown";
}

/* ------------------------------------------------------------ state */

static size_t planned_looks(const pg_seq_opts *o)
{
	return 1 + (o->max_runs - o->min_runs + o->batch - 1) / o->batch;
}

/* the runs per side of the plan's look (1-based) */
static size_t planned_runs(const pg_seq_opts *o, size_t look)
{
	size_t n = o->min_runs + (look - 1) * o->batch;

	return n < o->max_runs ? n : o->max_runs;
}

/* the efficacy share of the error budget of a look (1-based, <= K): alpha
 * / K, or with spend_rho the power family's increment alpha ((n_k / N)^rho
 * - (n_{k-1} / N)^rho), n_0 = 0, N = max_runs; the shares sum to alpha */
static double eff_share(const pg_seq_state *s, size_t look)
{
	const pg_seq_opts *o = &s->opts;
	double n = (double)o->max_runs, hi, lo;

	if (!(o->spend_rho > 0))
		return o->decide.alpha / (double)s->looks_planned;
	if (look >= s->looks_planned)
		hi = 1;
	else
		hi = pow((double)planned_runs(o, look) / n, o->spend_rho);
	lo = look > 1 ? pow((double)planned_runs(o, look - 1) / n, o->spend_rho) : 0;
	return o->decide.alpha * (hi - lo);
}

int pg_sequential_init(pg_seq_state *out, const pg_seq_opts *opts)
{
	static const pg_seq_opts defaults = PG_SEQ_OPTS_INIT;
	int err;

	memset(out, 0, sizeof(*out));
	pg_map_init(&out->index);
	if (!opts)
		opts = &defaults;
	if ((err = pg_decide__check_opts(&opts->decide)) < 0)
		return err;
	if (opts->decide.test != PG_TEST_WELCH)
		return pg_error_set(PG_EINPUT, "the sequential rule needs test welch");
	if (opts->min_runs < 2)
		return pg_error_set(PG_EINPUT,
				    "the sequential rule needs at least 2 runs at the first look");
	if (opts->batch < 1)
		return pg_error_set(PG_EINPUT,
				    "the sequential rule needs a batch of at least 1 run");
	if (opts->max_runs < opts->min_runs)
		return pg_error_set(PG_EINPUT,
				    "the maximum number of runs (%zu) is below the minimum (%zu)",
				    opts->max_runs, opts->min_runs);
	if (!(opts->spend_rho >= 0) || !isfinite(opts->spend_rho))
		return pg_error_set(PG_EINPUT, "the spending exponent must be a number >= 0");
	out->opts = *opts;
	out->looks_planned = planned_looks(opts);
	out->level_fut = opts->decide.alpha / (double)out->looks_planned;
	out->level_eff = eff_share(out, 1);
	return 0;
}

void pg_sequential_gate_plan(pg_seq_opts *out, const pg_decide_opts *decide,
			     size_t baseline_runs)
{
	static const pg_seq_opts defaults = PG_SEQ_OPTS_INIT;

	*out = defaults;
	if (decide)
		out->decide = *decide;
	out->max_runs = baseline_runs < PG_SEQ_GATE_MAX_RUNS ? baseline_runs : PG_SEQ_GATE_MAX_RUNS;
	if (out->max_runs < 2)
		out->max_runs = 2;
	out->min_runs = out->max_runs < 5 ? out->max_runs : 5;
	out->batch = 5;
	out->baseline_fixed = 1;
	out->spend_rho = PG_SEQ_GATE_RHO;
}

void pg_sequential_release(pg_seq_state *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->nrows; i++)
		free(s->rows[i].benchmark); /* unit shares the allocation */
	free(s->rows);
	s->rows = NULL;
	s->nrows = s->rows_alloc = 0;
	pg_map_release(&s->index);
}

void pg_sequential_final_opts(pg_decide_opts *out, const pg_seq_state *s)
{
	*out = s->opts.decide;
	out->alpha = eff_share(s, s->looks ? s->looks : s->looks_planned);
}

static int row_key(pg_buf *key, const char *benchmark, const char *unit)
{
	pg_buf_reset(key);
	pg_buf_add(key, benchmark, strlen(benchmark) + 1);
	pg_buf_add(key, unit, strlen(unit));
	return pg_buf_failed(key) ? pg_error_set(PG_ENOMEM, "out of memory") : 0;
}

const pg_seq_row *pg_sequential_row(const pg_seq_state *s, const char *benchmark,
				    const char *unit)
{
	pg_buf key = PG_BUF_INIT;
	const pg_seq_row *r = NULL;
	size_t idx;

	if (row_key(&key, benchmark, unit) == 0 &&
	    pg_map_get(&idx, &s->index, key.ptr, key.len) == 0)
		r = &s->rows[idx];
	pg_buf_release(&key);
	return r;
}

int pg_sequential_needs_runs(const pg_seq_state *s, const char *benchmark,
			     const char *unit)
{
	const pg_seq_row *r;

	if (s->stopped)
		return 0;
	r = pg_sequential_row(s, benchmark, unit);
	return !r || !r->final;
}

/* the index of the state's row of (benchmark, unit), created (undecided)
 * when new (s->rows may move) */
static int get_row(size_t *out, pg_seq_state *s, pg_buf *key,
		   const char *benchmark, const char *unit)
{
	size_t idx, lb = strlen(benchmark), lu = strlen(unit);
	char *names;
	int err;

	if ((err = row_key(key, benchmark, unit)) < 0)
		return err;
	if (pg_map_get(&idx, &s->index, key->ptr, key->len) == 0) {
		*out = idx;
		return 0;
	}
	if (s->nrows == s->rows_alloc) {
		size_t na = s->rows_alloc ? 2 * s->rows_alloc : 16;
		pg_seq_row *nr = realloc(s->rows, na * sizeof(*nr));

		if (!nr)
			return pg_error_set(PG_ENOMEM, "out of memory");
		s->rows = nr;
		s->rows_alloc = na;
	}
	names = malloc(lb + lu + 2);
	if (!names)
		return pg_error_set(PG_ENOMEM, "out of memory");
	memcpy(names, benchmark, lb + 1);
	memcpy(names + lb + 1, unit, lu + 1);
	if ((err = pg_map_put(&s->index, key->ptr, key->len, s->nrows)) < 0) {
		free(names);
		return err;
	}
	memset(&s->rows[s->nrows], 0, sizeof(s->rows[0]));
	s->rows[s->nrows].benchmark = names;
	s->rows[s->nrows].unit = names + lb + 1;
	*out = s->nrows++;
	return 0;
}

/* ------------------------------------------------------------ analysis */

static double tq(double a, double df)
{
	return gsl_cdf_tdist_Qinv(a / 2, df);
}

static double welch_df(double va, double na, double vb, double nb)
{
	double ea = va / na, eb = vb / nb, den;

	den = ea * ea / (na - 1) + eb * eb / (nb - 1);
	if (!(den > 0))
		return na + nb - 2;
	return (ea + eb) * (ea + eb) / den;
}

/* the log-scale (or raw-scale paired/unpaired) analysis of one row */
static int analyse(seq_est *e, const pg_seq_state *s, const pg_series *so,
		   const pg_series *sn, double a_e, double a_f, double *x, double *y)
{
	const pg_seq_opts *o = &s->opts;
	double nmax = (double)o->max_runs;
	size_t i, n;
	int err;

	memset(e, 0, sizeof(*e));
	e->log_scale = pg_decide__positive(so->values, so->n) &&
		       pg_decide__positive(sn->values, sn->n);
	if (o->paired) {
		double m = 0, ss = 0, mb = 0, np;

		n = so->n < sn->n ? so->n : sn->n;
		for (i = 0; i < n; i++) {
			x[i] = e->log_scale ? log(sn->values[i]) - log(so->values[i])
					    : sn->values[i] - so->values[i];
			m += x[i];
			mb += so->values[i];
		}
		m /= (double)n;
		mb /= (double)n;
		if (!pg_decide__constant(x, n))
			for (i = 0; i < n; i++)
				ss += (x[i] - m) * (x[i] - m);
		else
			m = x[0];
		e->se = sqrt(ss / (double)(n - 1) / (double)n);
		e->df = (double)(n - 1);
		np = (double)n > nmax ? (double)n : nmax;
		e->se_max = e->se * sqrt((double)n / np);
		e->df_max = np - 1;
		if (e->log_scale) {
			e->est = m;
		} else {
			e->scale = fabs(mb);
			if (e->scale > 0) {
				e->est = m / e->scale;
				e->se /= e->scale;
				e->se_max /= e->scale;
			}
			if (mb > 0) {
				err = pg_paired_ratio_ci(&e->eff_lo, &e->eff_hi, so->values,
							 sn->values, n, 1 - a_e);
				if (err == 0)
					e->has_eff = 1;
				else if (err != PG_ENOTFOUND)
					return err;
				err = pg_paired_ratio_ci(&e->fut_lo, &e->fut_hi, so->values,
							 sn->values, n, 1 - a_f);
				if (err == 0)
					e->has_fut = 1;
				else if (err != PG_ENOTFOUND)
					return err;
				pg_error_clear();
			}
			return 0;
		}
	} else {
		pg_summary sa, sb;
		pg_welch w;
		double va, vb, no, nn;

		for (i = 0; i < so->n; i++)
			x[i] = e->log_scale ? log(so->values[i]) : so->values[i];
		for (i = 0; i < sn->n; i++)
			y[i] = e->log_scale ? log(sn->values[i]) : sn->values[i];
		if ((err = pg_summarize(&sa, x, so->n)) < 0 ||
		    (err = pg_summarize(&sb, y, sn->n)) < 0 ||
		    (err = pg_welch_test(&w, &sa, &sb)) < 0)
			return err;
		e->se = w.se;
		e->df = w.df;
		va = sa.stddev * sa.stddev;
		vb = sb.stddev * sb.stddev;
		no = (double)so->n;
		nn = (double)sn->n;
		if (!o->baseline_fixed && no < nmax)
			no = nmax;
		if (nn < nmax)
			nn = nmax;
		e->se_max = sqrt(va / no + vb / nn);
		e->df_max = welch_df(va, no, vb, nn);
		if (e->log_scale) {
			e->est = w.diff;
		} else {
			e->scale = fabs(sa.mean);
			if (e->scale > 0) {
				e->est = w.diff / e->scale;
				e->se /= e->scale;
				e->se_max /= e->scale;
			}
			if (sa.mean > 0) {
				err = pg_welch_ratio_ci(&e->eff_lo, &e->eff_hi, &sa, &sb, 1 - a_e);
				if (err == 0)
					e->has_eff = 1;
				else if (err != PG_ENOTFOUND)
					return err;
				err = pg_welch_ratio_ci(&e->fut_lo, &e->fut_hi, &sa, &sb, 1 - a_f);
				if (err == 0)
					e->has_fut = 1;
				else if (err != PG_ENOTFOUND)
					return err;
				pg_error_clear();
			}
			return 0;
		}
	}
	/* the log scale: t intervals */
	e->has_eff = e->has_fut = 1;
	if (e->se > 0) {
		e->eff_lo = e->est - tq(a_e, e->df) * e->se;
		e->eff_hi = e->est + tq(a_e, e->df) * e->se;
		e->fut_lo = e->est - tq(a_f, e->df) * e->se;
		e->fut_hi = e->est + tq(a_f, e->df) * e->se;
	} else {
		e->eff_lo = e->eff_hi = e->fut_lo = e->fut_hi = e->est;
	}
	return 0;
}

/* ------------------------------------------------------------ a look */

/* decide one tested row at this look */
static void judge(pg_seq_row *r, const seq_est *e, const pg_seq_state *s, double a_e,
		  double a_e_max)
{
	int lower = r->direction == PG_LOWER_IS_BETTER;
	double tw = pg_decide__threshold(r->threshold_percent, 1, r->direction, e->log_scale);
	double tb = pg_decide__threshold(r->threshold_percent, 0, r->direction, e->log_scale);
	double e_lo = lower ? e->eff_lo : -e->eff_hi, e_hi = lower ? e->eff_hi : -e->eff_lo;
	double f_hi = lower ? e->fut_hi : -e->fut_lo;
	int has_rel = e->log_scale || e->scale > 0;
	double mde, mde_max, hw_max = INFINITY;

	r->raw_scale = !e->log_scale;
	r->has_delta = has_rel;
	r->delta_percent = has_rel ? pg_decide__percent(e->est, e->log_scale) : 0;
	r->has_ci = e->has_eff && e->has_fut;
	if (e->has_eff) {
		r->eff_low_percent = pg_decide__percent(e->eff_lo, e->log_scale);
		r->eff_high_percent = pg_decide__percent(e->eff_hi, e->log_scale);
	}
	if (e->has_fut) {
		r->fut_low_percent = pg_decide__percent(e->fut_lo, e->log_scale);
		r->fut_high_percent = pg_decide__percent(e->fut_hi, e->log_scale);
	}
	r->has_mde = has_rel;
	if (has_rel) {
		mde = (tq(a_e, e->df) + gsl_cdf_tdist_Pinv(PG_MDE_POWER, e->df)) * e->se;
		mde_max = (tq(a_e_max, e->df_max) + gsl_cdf_tdist_Pinv(PG_MDE_POWER, e->df_max)) *
			  e->se_max;
		hw_max = tq(s->level_fut, e->df_max) * e->se_max;
		r->mde_percent = pg_decide__mde_percent(mde, e->log_scale, r->direction);
		r->mde_max_percent = pg_decide__mde_percent(mde_max, e->log_scale, r->direction);
		r->halfwidth_max_percent = pg_decide__mde_percent(hw_max, e->log_scale, PG_LOWER_IS_BETTER);
	}

	if (e->has_eff && e_lo > tw)
		r->status = PG_SEQ_REGRESSED;
	else if (e->has_eff && e_hi < -tb)
		r->status = PG_SEQ_IMPROVED;
	else if (e->has_fut && f_hi < tw)
		r->status = PG_SEQ_UNCHANGED;
	else if (s->opts.stop_hopeless && has_rel && hw_max >= tw && !(e->has_eff && e_lo > 0))
		r->status = PG_SEQ_HOPELESS;
	else
		r->status = PG_SEQ_UNDECIDED;
	r->final = r->status == PG_SEQ_REGRESSED || r->status == PG_SEQ_IMPROVED ||
		   r->status == PG_SEQ_UNCHANGED;
}

static void reason(pg_seq_row *r, const pg_seq_state *s, int at_max)
{
	const char *what = s->opts.paired ? "pairs" : "runs";
	size_t n = r->n_new;
	char ci_e[96], ci_f[96], delta[32];
	int lower = r->direction == PG_LOWER_IS_BETTER;
	double thr = r->threshold_percent;

	if (r->has_delta)
		pg_decide__printf(delta, sizeof(delta), "%+.1f%%", r->delta_percent);
	else
		pg_decide__printf(delta, sizeof(delta), "no relative change");
	if (r->has_ci) {
		pg_decide__printf(ci_e, sizeof(ci_e), "%.4g%% CI %+.1f%%..%+.1f%%",
				  100.0 * (1 - s->level_eff), r->eff_low_percent,
				  r->eff_high_percent);
		pg_decide__printf(ci_f, sizeof(ci_f), "%.4g%% CI %+.1f%%..%+.1f%%",
				  100.0 * (1 - s->level_fut), r->fut_low_percent,
				  r->fut_high_percent);
	} else {
		pg_decide__printf(ci_e, sizeof(ci_e), "no interval");
		pg_decide__printf(ci_f, sizeof(ci_f), "no interval");
	}
	switch (r->status) {
	case PG_SEQ_REGRESSED:
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "clearly regressed after %zu %s: %s, %s beyond the %s%g%% threshold",
				  n, what, delta, ci_e, lower ? "" : "-", thr);
		return;
	case PG_SEQ_IMPROVED:
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "clearly improved after %zu %s: %s, %s beyond the %s%g%% threshold",
				  n, what, delta, ci_e, lower ? "-" : "+", thr);
		return;
	case PG_SEQ_UNCHANGED:
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "clearly unchanged after %zu %s: %s, %s inside the %s%g%% threshold",
				  n, what, delta, ci_f, lower ? "+" : "-", thr);
		return;
	case PG_SEQ_HOPELESS:
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "cannot be decided by %zu %s: %s; even unchanged, its interval "
				  "there would reach +%.1f%% >= %g%% (minimum detectable change "
				  "at %zu %s %s%.1f%%)", s->opts.max_runs, what, delta,
				  r->halfwidth_max_percent, thr, s->opts.max_runs, what,
				  lower ? "+" : "-", r->mde_max_percent);
		return;
	default:
		break;
	}
	if (!at_max) {
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "undecided after %zu %s: %s, %s reaches the %s%g%% threshold",
				  n, what, delta, ci_e, lower ? "+" : "-", thr);
	} else if (r->has_mde && r->mde_percent > thr) {
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "undecided at the maximum (%zu %s): %s, minimum detectable "
				  "change %s%.1f%% > %g%% threshold",
				  n, what, delta, lower ? "+" : "-", r->mde_percent, thr);
	} else {
		pg_decide__printf(r->reason, sizeof(r->reason),
				  "undecided at the maximum (%zu %s): %s, %s reaches the "
				  "%s%g%% threshold (the change is close to it)",
				  n, what, delta, ci_e, lower ? "+" : "-", thr);
	}
}

int pg_sequential_step(pg_seq_verdict *out, pg_seq_state *s, const pg_results *old,
		       const pg_results *new)
{
	pg_compare_opts copts = PG_COMPARE_OPTS_INIT;
	pg_comparison cmp = { 0 };
	pg_buf key = PG_BUF_INIT;
	size_t *idx = NULL;
	char *judged = NULL;
	const pg_series **so = NULL, **sn = NULL;
	double *x = NULL, *y = NULL, a_e, a_f, a_e_max;
	size_t i, m = 0, maxn = 2, runs = 0, look;
	int err = 0, at_max, holding, pending_below_max = 0;

	memset(out, 0, sizeof(*out));
	if (s->stopped || s->looks >= s->looks_planned)
		return pg_error_set(PG_EINPUT, "the sequential plan has no look left");
	look = s->looks + 1;
	copts.alpha = s->opts.decide.alpha;
	if ((err = pg_compare(&cmp, old, new, &copts)) < 0)
		return err;
	idx = calloc(cmp.nrows + 1, sizeof(*idx));
	so = calloc(cmp.nrows + 1, sizeof(*so));
	sn = calloc(cmp.nrows + 1, sizeof(*sn));
	judged = calloc(cmp.nrows + 1, 1);
	if (!idx || !so || !sn || !judged) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}

	/* pass 1: rows, rules, classification; the family of this look */
	for (i = 0; i < cmp.nrows; i++) {
		const pg_compare_row *c = &cmp.rows[i];

		if ((err = get_row(&idx[i], s, &key, c->benchmark, c->unit)) < 0)
			goto cleanup;
	}
	for (i = 0; i < cmp.nrows; i++) {
		const pg_compare_row *c = &cmp.rows[i];
		pg_seq_row *r = &s->rows[idx[i]];
		pg_decide_row tmp;

		memset(&tmp, 0, sizeof(tmp));
		tmp.benchmark = c->benchmark;
		tmp.unit = c->unit;
		if ((err = pg_decide__rule(&tmp, &s->opts.decide)) < 0)
			goto cleanup;
		so[i] = c->status != PG_ROW_ONLY_NEW ? pg_results_find(old, c->benchmark, c->unit) : NULL;
		sn[i] = c->status != PG_ROW_ONLY_OLD ? pg_results_find(new, c->benchmark, c->unit) : NULL;
		if (so[i] && so[i]->n > maxn)
			maxn = so[i]->n;
		if (sn[i] && sn[i]->n > maxn)
			maxn = sn[i]->n;
		if (r->final || r->status == PG_SEQ_EXACT)
			continue;
		r->threshold_percent = tmp.threshold_percent;
		r->direction = tmp.direction;
		r->look = look;
		r->n_old = so[i] ? so[i]->n : 0;
		r->n_new = sn[i] ? sn[i]->n : 0;
		if (!so[i] || !sn[i]) {
			r->status = PG_SEQ_ABSENT;
			pg_decide__printf(r->reason, sizeof(r->reason), "%s",
					  so[i] ? "only in the baseline" : "only in the candidate");
			continue;
		}
		if (s->opts.paired)
			r->n_old = r->n_new = so[i]->n < sn[i]->n ? so[i]->n : sn[i]->n;
		if (so[i]->n >= 2 && sn[i]->n >= 2 &&
		    pg_decide__constant(so[i]->values, so[i]->n) &&
		    pg_decide__constant(sn[i]->values, sn[i]->n)) {
			pg_decide_row d;

			memset(&d, 0, sizeof(d));
			d.benchmark = c->benchmark;
			d.unit = c->unit;
			d.threshold_percent = r->threshold_percent;
			d.direction = r->direction;
			d.old_center = so[i]->values[0];
			d.new_center = sn[i]->values[0];
			pg_decide__exact(&d);
			r->status = PG_SEQ_EXACT;
			r->final = 1;
			r->has_delta = d.has_delta;
			r->delta_percent = d.delta_percent;
			memcpy(r->reason, d.reason, sizeof(r->reason));
			continue;
		}
		if (r->n_old < 2 || r->n_new < 2 || so[i]->n < 2 || sn[i]->n < 2)
			continue;
		m++;
	}
	/* decided rows stay in the family (so that a verdict's level is the
	 * one the final decision uses) */
	for (i = 0; i < cmp.nrows; i++)
		if (s->rows[idx[i]].final && s->rows[idx[i]].status != PG_SEQ_EXACT)
			m++;
	s->m = m;
	a_f = s->opts.decide.alpha / (double)s->looks_planned;
	a_e = eff_share(s, look);
	a_e_max = eff_share(s, s->looks_planned);
	if (s->opts.decide.correction != PG_CORRECTION_NONE) {
		a_e /= (double)(m ? m : 1);
		a_e_max /= (double)(m ? m : 1);
	}
	s->level_eff = a_e;
	s->level_fut = a_f;

	x = malloc(maxn * sizeof(double));
	y = malloc(maxn * sizeof(double));
	if (!x || !y) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}

	/* pass 2: analyse and judge the rows that are still open */
	for (i = 0; i < cmp.nrows; i++) {
		pg_seq_row *r = &s->rows[idx[i]];
		seq_est e;

		if (r->final || r->status == PG_SEQ_ABSENT || r->status == PG_SEQ_EXACT)
			continue;
		if (r->n_new > runs)
			runs = r->n_new;
		if (r->n_old < 2 || r->n_new < 2) {
			r->status = PG_SEQ_UNDECIDED;
			r->has_ci = r->has_mde = r->has_delta = 0;
			pg_decide__printf(r->reason, sizeof(r->reason),
					  "undecided: too few samples (%zu+%zu) for a test",
					  r->n_old, r->n_new);
			pending_below_max |= r->n_new < s->opts.max_runs;
			continue;
		}
		if ((err = analyse(&e, s, so[i], sn[i], a_e, a_f, x, y)) < 0)
			goto cleanup;
		judge(r, &e, s, a_e, a_e_max);
		judged[i] = 1;
		if (r->status == PG_SEQ_UNDECIDED ||
		    (r->status == PG_SEQ_HOPELESS && !s->opts.stop_hopeless))
			pending_below_max |= r->n_new < s->opts.max_runs;
	}
	for (i = 0; i < cmp.nrows; i++) {
		const pg_seq_row *r = &s->rows[idx[i]];

		if (r->final && r->n_new > runs)
			runs = r->n_new;
	}

	/* the verdict */
	s->looks = look;
	out->look = look;
	out->looks_planned = s->looks_planned;
	out->runs = runs;
	out->level_eff = a_e;
	out->level_fut = a_f;
	for (i = 0; i < cmp.nrows; i++) {
		switch (s->rows[idx[i]].status) {
		case PG_SEQ_UNDECIDED: out->undecided++; break;
		case PG_SEQ_UNCHANGED: out->unchanged++; break;
		case PG_SEQ_REGRESSED: out->regressed++; break;
		case PG_SEQ_IMPROVED: out->improved++; break;
		case PG_SEQ_EXACT: out->exact++; break;
		case PG_SEQ_HOPELESS: out->hopeless++; break;
		case PG_SEQ_ABSENT: out->absent++; break;
		}
	}
	out->all_decided = out->undecided == 0 && out->hopeless == 0;
	holding = out->undecided || (out->hopeless && !s->opts.stop_hopeless); /* want more runs */
	at_max = look >= s->looks_planned || !pending_below_max;
	out->stop = !holding || at_max;
	if (out->stop) {
		s->stopped = 1;
		out->at_max = look >= s->looks_planned || (holding && !pending_below_max);
		out->runs_saved = runs < s->opts.max_runs ? s->opts.max_runs - runs : 0;
	} else {
		out->next_runs = runs + s->opts.batch;
		if (out->next_runs > s->opts.max_runs)
			out->next_runs = s->opts.max_runs;
	}
	for (i = 0; i < cmp.nrows; i++) {
		pg_seq_row *r = &s->rows[idx[i]];

		if (judged[i])
			reason(r, s, out->stop && r->status == PG_SEQ_UNDECIDED);
	}

cleanup:
	pg_comparison_release(&cmp);
	pg_buf_release(&key);
	free(idx);
	free(judged);
	free(so);
	free(sn);
	free(x);
	free(y);
	return err;
}
