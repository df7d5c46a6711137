#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "common/error.h"
#include "stats/compare.h"
#include "stats/decide.h"
#include "stats/decide_internal.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "stats/welch.h"
#include "common/banned.h"

/*
 * The gate's decision rule; the rule itself is documented in decide.h, the
 * analysis scale and the per-row work in decide_internal.h (shared with
 * the paired decision, stats/paired.c, and the sequential rule,
 * stats/sequential.c).
 */

/* 1.4826 MAD estimates a normal standard deviation */
#define MAD_TO_SD 1.4826

typedef pg_decide__work row_work;

pg_direction pg_unit_direction(const char *unit)
{
	size_t n = unit ? strlen(unit) : 0;

	if (n >= 2 && unit[n - 2] == '/' && unit[n - 1] == 's')
		return PG_HIGHER_IS_BETTER;
	return PG_LOWER_IS_BETTER;
}

int pg_decide_row_matches(const pg_decide_row *a, const pg_decide_row *b)
{
	return a->benchmark && b->benchmark && a->unit && b->unit &&
	       !strcmp(a->benchmark, b->benchmark) && !strcmp(a->unit, b->unit);
}

const pg_decide_row *pg_decision_set_find(const pg_decision_set *d, const pg_decide_row *like)
{
	size_t i;

	for (i = 0; d && i < d->nrows; i++)
		if (pg_decide_row_matches(&d->rows[i], like))
			return &d->rows[i];
	return NULL;
}

const char *pg_decision_name(pg_decision d)
{
	switch (d) {
	case PG_DECISION_UNCHANGED: return "unchanged";
	case PG_DECISION_REGRESSION: return "regression";
	case PG_DECISION_IMPROVEMENT: return "improvement";
	case PG_DECISION_NOISE: return "noise";
	case PG_DECISION_DRIFT: return "drift";
	case PG_DECISION_NEW: return "new";
	case PG_DECISION_REMOVED: return "removed";
	}
	return "unknown";
}

const char *pg_correction_name(pg_correction c)
{
	switch (c) {
	case PG_CORRECTION_HOLM: return "holm";
	case PG_CORRECTION_BH: return "bh";
	case PG_CORRECTION_NONE: return "none";
	}
	return "unknown";
}

int pg_correction_parse(pg_correction *out, const char *name)
{
	if (!strcmp(name, "holm"))
		*out = PG_CORRECTION_HOLM;
	else if (!strcmp(name, "bh"))
		*out = PG_CORRECTION_BH;
	else if (!strcmp(name, "none"))
		*out = PG_CORRECTION_NONE;
	else
		return pg_error_set(PG_EINPUT,
				    "unknown correction '%s' (expected holm, bh or none)",
				    name);
	return 0;
}

/* ------------------------------------------------------------ correction */

typedef struct pidx {
	double p;
	size_t i;
} pidx;

static int cmp_pidx(const void *pa, const void *pb)
{
	const pidx *a = pa, *b = pb;

	if (a->p != b->p)
		return a->p < b->p ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

int pg_adjust_pvalues(double *p, size_t m, pg_correction c)
{
	pidx *s = NULL;
	double run;
	size_t j, k = 0;

	if (c == PG_CORRECTION_NONE || m == 0) {
		for (j = 0; j < m; j++)
			if (!(p[j] >= 0 && p[j] <= 1))
				p[j] = NAN;
		return 0;
	}
	s = malloc(m * sizeof(*s));
	if (!s)
		return pg_error_set(PG_ENOMEM, "out of memory");
	/* a p-value that is not one (NaN, outside [0, 1]) is no test: out of
	 * the family, NaN (never below a level); a NaN would also break the
	 * sort's order */
	for (j = 0; j < m; j++) {
		if (!(p[j] >= 0 && p[j] <= 1)) {
			p[j] = NAN;
			continue;
		}
		s[k].p = p[j];
		s[k].i = j;
		k++;
	}
	qsort(s, k, sizeof(*s), cmp_pidx);
	if (c == PG_CORRECTION_HOLM) {
		/* step-down: adj(j) = max_{i <= j} min(1, (k - i + 1) p(i)) */
		run = 0;
		for (j = 0; j < k; j++) {
			double v = (double)(k - j) * s[j].p;

			if (v > 1)
				v = 1;
			if (v > run)
				run = v;
			p[s[j].i] = run;
		}
	} else {
		/* step-up: adj(j) = min_{i >= j} min(1, k p(i) / i) */
		run = 1;
		for (j = k; j-- > 0;) {
			double v = (double)k * s[j].p / (double)(j + 1);

			if (v < run)
				run = v;
			p[s[j].i] = run;
		}
	}
	free(s);
	return 0;
}

/* ------------------------------------------------------------ helpers */

/* snprintf into a fixed buffer, truncating (the reasons are one line of
 * at most 255 bytes; figures are short unless absurd) */
void pg_decide__printf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, len, fmt, ap);
	va_end(ap);
}

int pg_decide__constant(const double *v, size_t n)
{
	size_t i;

	for (i = 1; i < n; i++)
		if (v[i] != v[0])
			return 0;
	return 1;
}

int pg_decide__positive(const double *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!(v[i] > 0))
			return 0;
	return 1;
}

/* geometric mean when every value is positive, arithmetic mean otherwise */
double pg_decide__center(const double *v, size_t n)
{
	double sum = 0;
	size_t i;
	int pos = pg_decide__positive(v, n);

	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		sum += pos ? log(v[i]) : v[i];
	sum /= (double)n;
	return pos ? exp(sum) : sum;
}

static int series_constant(const pg_series *s)
{
	return pg_decide__constant(s->values, s->n);
}

static int series_positive(const pg_series *s)
{
	return pg_decide__positive(s->values, s->n);
}

static double series_center(const pg_series *s)
{
	return pg_decide__center(s->values, s->n);
}

double pg_decide__percent(double x, int log_scale)
{
	return log_scale ? 100.0 * expm1(x) : 100.0 * x;
}

double pg_decide__mde_percent(double mde, int log_scale, pg_direction dir)
{
	if (!log_scale)
		return 100.0 * mde;
	return dir == PG_LOWER_IS_BETTER ? 100.0 * expm1(mde) : -100.0 * expm1(-mde);
}

double pg_decide__threshold(double t, int worse, pg_direction dir, int log_scale)
{
	double frac = t / 100.0;

	if (!log_scale)
		return frac;
	/* lower is better: worse = up by t (log(1 + t)), better = down by t
	 * (-log(1 - t)); higher is better the other way round */
	if ((dir == PG_LOWER_IS_BETTER) == (worse != 0))
		return log1p(frac);
	return frac >= 1 ? INFINITY : -log1p(-frac);
}

/* the smallest two-sided exact U p-value with na + nb samples:
 * 2 / C(na + nb, na) */
double pg_decide__utest_min_p(size_t na, size_t nb)
{
	double lc = 0;
	size_t i;

	for (i = 1; i <= na; i++)
		lc += log((double)(nb + i) / (double)i);
	return 2.0 * exp(-lc);
}

/* the smallest two-sided exact signed-rank p-value with n pairs: 2 / 2^n */
double pg_decide__signed_rank_min_p(size_t n)
{
	return 2.0 * pow(2.0, -(double)n);
}

/* the smallest rank-test p-value with k runs per side (k pairs) */
static double rank_min_p(int paired, size_t k)
{
	return paired ? pg_decide__signed_rank_min_p(k) : pg_decide__utest_min_p(k, k);
}

/* ------------------------------------------------------------ tests */

static int summarize_values(pg_summary *out, double *buf, const pg_series *s,
			    int logs)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		buf[i] = logs ? log(s->values[i]) : s->values[i];
	return pg_summarize(out, buf, s->n);
}

/* Test one row: p-value, estimate and interval on the analysis scale,
 * Welch's se and df (for the mde), centres. */
static int test_row(pg_decide_row *row, row_work *w, const pg_decide_opts *o,
		    double *a, double *b)
{
	pg_summary sa, sb;
	pg_welch wt;
	double conf = 1.0 - o->alpha;
	int err;

	w->log_scale = series_positive(w->so) && series_positive(w->sn);
	row->raw_scale = !w->log_scale;
	if ((err = summarize_values(&sa, a, w->so, w->log_scale)) < 0 ||
	    (err = summarize_values(&sb, b, w->sn, w->log_scale)) < 0)
		return err;
	if ((err = pg_welch_test(&wt, &sa, &sb)) < 0)
		return err;
	w->se = wt.se;
	w->df = wt.df;
	w->tested = 1;
	row->has_p = 1;
	row->p_value = wt.p;
	row->old_center = w->log_scale ? exp(sa.mean) : sa.mean;
	row->new_center = w->log_scale ? exp(sb.mean) : sb.mean;

	if (o->test == PG_TEST_UTEST) {
		pg_utest u;
		double shift, lo, hi;

		/* ranks of the logs are the ranks of the values */
		if ((err = pg_utest_run(&u, w->so->values, w->so->n,
					w->sn->values, w->sn->n)) < 0)
			return err;
		row->p_value = u.p;
		w->rank_test = 1;
		w->min_p = pg_decide__utest_min_p(w->so->n, w->sn->n);
		/* a and b hold the logs (or the values) */
		if ((err = pg_utest_shift(&shift, &lo, &hi, a, w->so->n, b,
					  w->sn->n, conf)) < 0)
			return err;
		if (w->log_scale) {
			w->est = shift;
			w->lo = lo;
			w->hi = hi;
			row->has_ci = 1;
		} else {
			w->old_scale = fabs(sa.median);
			if (w->old_scale == 0) {
				w->inf_change = shift != 0;
				w->inf_sign = shift > 0 ? 1 : -1;
				w->est = 0;
			} else {
				w->est = shift / w->old_scale;
				w->lo = lo / w->old_scale;
				w->hi = hi / w->old_scale;
				row->has_ci = 1;
			}
		}
	} else if (w->log_scale) {
		double tq = w->se > 0 ? gsl_cdf_tdist_Qinv(o->alpha / 2, w->df) : 0;

		w->est = wt.diff;
		w->lo = wt.diff - tq * w->se;
		w->hi = wt.diff + tq * w->se;
		row->has_ci = 1;
	} else {
		w->old_scale = fabs(sa.mean);
		if (w->old_scale == 0) {
			w->inf_change = wt.diff != 0;
			w->inf_sign = wt.diff > 0 ? 1 : -1;
			w->est = 0;
		} else {
			double lo, hi;

			w->est = wt.diff / w->old_scale;
			if (sa.mean > 0) {
				err = pg_welch_ratio_ci(&lo, &hi, &sa, &sb, conf);
				if (err == 0) {
					w->lo = lo;
					w->hi = hi;
					row->has_ci = 1;
				} else if (err == PG_ENOTFOUND) {
					pg_error_clear(); /* no interval: not an error */
				} else {
					return err;
				}
			}
		}
	}
	/* on the raw scale the mde is relative to the old mean */
	if (!w->log_scale)
		w->mean_scale = fabs(sa.mean);
	return 0;
}

/* A test whose p-value or estimate is not finite (sums of values near
 * DBL_MAX overflow) has decided nothing: the row leaves the family as
 * noise, with the reason. 1 when that is so, else 0. */
int pg_decide__unusable(pg_decide_row *r, row_work *w)
{
	double p = r->p_value, est = w->est;

	if (p >= 0 && p <= 1 && (w->inf_change || isfinite(est))) {
		if (r->has_ci && !(isfinite(w->lo) && isfinite(w->hi)))
			r->has_ci = 0;
		return 0;
	}
	w->tested = 0;
	w->untestable = 1;
	r->has_p = 0;
	r->p_value = r->p_adjusted = 1;
	r->has_ci = 0;
	r->has_delta = 0;
	r->decision = PG_DECISION_NOISE;
	r->cannot_guard = 1;
	pg_decide__printf(r->reason, sizeof(r->reason), "noise: no test: the statistics of "
			  "these samples are not finite (p=%g, change %g); values this large "
			  "cannot be compared", p, est);
	return 1;
}

/* ------------------------------------------------------------ drift */

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* k co-moving rows of `eligible`, `other` moving the other way: enough
 * (need), or most of a small suite (a majority of at least
 * PG_DRIFT_MIN_MAJORITY rows), and dominant */
static int drift_qualifies(size_t k, size_t other, size_t need, size_t eligible)
{
	int enough = k >= need || (k >= PG_DRIFT_MIN_MAJORITY && 2 * k > eligible);

	return enough && k >= (size_t)PG_DRIFT_DOMINANCE * other;
}

static int detect_drift(pg_decision_set *d, row_work *w, double *buf)
{
	size_t i, eligible = 0, kpos = 0, kneg = 0, k, other, need, n;
	double centre, spread, upper, mad;
	int s;

	for (i = 0; i < d->nrows; i++) {
		if (!w[i].tested || !w[i].log_scale)
			continue;
		eligible++;
		if (d->rows[i].p_value < d->opts.alpha) {
			if (w[i].o_est > 0)
				kpos++;
			else if (w[i].o_est < 0)
				kneg++;
		}
	}
	if (kpos == kneg)
		return 0;
	s = kpos > kneg ? 1 : -1;
	k = s > 0 ? kpos : kneg;
	other = s > 0 ? kneg : kpos;
	need = (size_t)ceil(PG_DRIFT_MIN_SHARE * (double)eligible);
	if (need < PG_DRIFT_MIN_ROWS)
		need = PG_DRIFT_MIN_ROWS;
	if (!drift_qualifies(k, other, need, eligible))
		return 0;

	n = 0;
	for (i = 0; i < d->nrows; i++) {
		if (!w[i].tested || !w[i].log_scale ||
		    !(d->rows[i].p_value < d->opts.alpha) || !(s * w[i].o_est > 0))
			continue;
		w[i].in_cluster = 1;
		buf[n++] = s * w[i].o_est;
	}
	qsort(buf, n, sizeof(double), cmp_double);
	centre = pg_quantile_r8(buf, n, 0.5);
	for (i = 0; i < n; i++)
		buf[i] = fabs(buf[i] - centre);
	qsort(buf, n, sizeof(double), cmp_double);
	mad = pg_quantile_r8(buf, n, 0.5);
	spread = MAD_TO_SD * mad;
	upper = centre + PG_DRIFT_BAND_MADS * spread;

	d->drift_suspected = 1;
	d->drift_direction = s;
	d->drift_cluster = k;
	d->drift_percent = 100.0 * expm1(s * centre);
	d->drift_band_percent = 100.0 * expm1(s * upper);

	for (i = 0; i < d->nrows; i++) {
		pg_decide_row *r = &d->rows[i];
		double near;

		if (!w[i].tested || !w[i].log_scale)
			continue;
		if (!(s > 0 && r->decision == PG_DECISION_REGRESSION) &&
		    !(s < 0 && r->decision == PG_DECISION_IMPROVEMENT))
			continue;
		/* a row is never its own evidence */
		if (w[i].in_cluster && !drift_qualifies(k - 1, other, need, eligible - 1))
			continue;
		/* the bound nearest zero, in the drift's direction */
		if (r->has_ci)
			near = s > 0 ? w[i].o_lo : -w[i].o_hi;
		else
			near = s * w[i].o_est;
		if (near <= upper)
			r->decision = PG_DECISION_DRIFT;
	}
	return 0;
}

/* ------------------------------------------------------------ reasons */

static const char *corr_label(pg_correction c)
{
	return c == PG_CORRECTION_HOLM ? "Holm" : c == PG_CORRECTION_BH ? "BH" : NULL;
}

/* "p=0.0001 (Holm 0.004)" */
static void fmt_p(char *buf, size_t len, const pg_decide_row *r, pg_correction c)
{
	const char *l = corr_label(c);

	if (l)
		pg_decide__printf(buf, len, "p=%.2g (%s %.2g)", r->p_value, l, r->p_adjusted);
	else
		pg_decide__printf(buf, len, "p=%.2g", r->p_value);
}

/* "95% CI -2.1%..+3.0%" or "" */
static void fmt_ci(char *buf, size_t len, const pg_decide_row *r, double alpha)
{
	if (r->has_ci)
		pg_decide__printf(buf, len, "%g%% CI %+.1f%%..%+.1f%%", 100.0 * (1.0 - alpha),
			 r->ci_low_percent, r->ci_high_percent);
	else
		pg_decide__printf(buf, len, "no interval");
}

static void fmt_delta(char *buf, size_t len, const pg_decide_row *r)
{
	if (r->has_delta)
		pg_decide__printf(buf, len, "%+.1f%%", r->delta_percent);
	else
		pg_decide__printf(buf, len, "%.6g -> %.6g", r->old_center, r->new_center);
}

static void reason_deterministic(pg_decide_row *r)
{
	char tail[96];
	const char *sign = r->direction == PG_LOWER_IS_BETTER ? "" : "-";

	if (!r->has_delta)
		pg_decide__printf(tail, sizeof(tail), "%s", r->decision == PG_DECISION_REGRESSION
			 ? "from zero: beyond any threshold" : "improved from zero");
	else if (r->decision == PG_DECISION_REGRESSION)
		pg_decide__printf(tail, sizeof(tail), "%+.1f%% %s %s%g%% threshold", r->delta_percent,
			 r->direction == PG_LOWER_IS_BETTER ? ">" : "<", sign,
			 r->threshold_percent);
	else if (r->decision == PG_DECISION_IMPROVEMENT)
		pg_decide__printf(tail, sizeof(tail), "%+.1f%%, improved beyond %g%%",
			 r->delta_percent, r->threshold_percent);
	else if (r->delta_percent == 0)
		pg_decide__printf(tail, sizeof(tail), "no change");
	else
		pg_decide__printf(tail, sizeof(tail), "%+.1f%%, within \xc2\xb1%g%%",
			 r->delta_percent, r->threshold_percent);
	pg_decide__printf(r->reason, sizeof(r->reason), "deterministic: %.10g -> %.10g %s (%s)",
		 r->old_center, r->new_center, r->unit, tail);
}

void pg_decide__reason(pg_decide_row *r, const row_work *w,
		       const pg_decision_set *d)
{
	const pg_decide_opts *o = &d->opts;
	char p[64], ci[64], delta[64];
	int lower = r->direction == PG_LOWER_IS_BETTER;
	int on_ci = o->threshold_on == PG_THRESHOLD_ON_CI;
	double thr = r->threshold_percent;

	fmt_p(p, sizeof(p), r, o->correction);
	fmt_ci(ci, sizeof(ci), r, o->alpha);
	fmt_delta(delta, sizeof(delta), r);

	switch (r->decision) {
	case PG_DECISION_REGRESSION:
		if (on_ci)
			pg_decide__printf(r->reason, sizeof(r->reason),
				 "%s, %s %s the %s%g%% threshold, %s", delta, ci,
				 lower ? "above" : "below", lower ? "" : "-", thr, p);
		else
			pg_decide__printf(r->reason, sizeof(r->reason), "%s %s %s%g%% threshold, %s",
				 delta, lower ? ">" : "<", lower ? "" : "-", thr, p);
		return;
	case PG_DECISION_IMPROVEMENT:
		if (on_ci)
			pg_decide__printf(r->reason, sizeof(r->reason),
				 "improved: %s, %s beyond the %g%% threshold, %s", delta,
				 ci, thr, p);
		else
			pg_decide__printf(r->reason, sizeof(r->reason),
				 "improved: %s beyond the %g%% threshold, %s", delta, thr, p);
		return;
	case PG_DECISION_DRIFT:
		pg_decide__printf(r->reason, sizeof(r->reason),
			 "host drift: %s (%s) within the suite-wide shift of %+.1f%% "
			 "(band up to %+.1f%%, %zu co-moving rows), %s",
			 delta, ci, d->drift_percent, d->drift_band_percent,
			 d->drift_cluster, p);
		return;
	case PG_DECISION_NOISE:
		if (!r->has_mde) {
			double a = o->correction == PG_CORRECTION_NONE ? o->alpha
					: o->alpha / (double)d->ntested;

			if (w->paired)
				pg_decide__printf(r->reason, sizeof(r->reason),
					 "noise: the signed-rank test cannot reach p < %.2g "
					 "with %zu pairs (change %s); about %.0f pairs would",
					 a, r->n_old, delta, r->runs_needed);
			else
				pg_decide__printf(r->reason, sizeof(r->reason),
					 "noise: the U test cannot reach p < %.2g with %zu+%zu runs "
					 "(change %s); about %.0f runs per side would", a,
					 r->n_old, r->n_new, delta, r->runs_needed);
		} else if (w->paired) {
			pg_decide__printf(r->reason, sizeof(r->reason),
				 "noise: cannot detect less than %s%.1f%% with %zu pairs "
				 "(change %s, %s); about %.0f pairs, a quieter host "
				 "or instruction counts would guard %g%%",
				 lower ? "+" : "-", r->mde_percent, r->n_old,
				 delta, p, r->runs_needed, thr);
		} else {
			pg_decide__printf(r->reason, sizeof(r->reason),
				 "noise: cannot detect less than %s%.1f%% with %zu+%zu runs "
				 "(change %s, %s); about %.0f runs per side, a quieter host "
				 "or instruction counts would guard %g%%",
				 lower ? "+" : "-", r->mde_percent, r->n_old, r->n_new,
				 delta, p, r->runs_needed, thr);
		}
		return;
	default:
		break;
	}
	/* unchanged */
	if (!(r->p_adjusted < o->alpha)) {
		if (w->o_est <= w->thr_worse && w->o_est >= -w->thr_better && !w->inf_change)
			pg_decide__printf(r->reason, sizeof(r->reason), "%s: within \xc2\xb1%g%% (%s)",
				 delta, thr, ci);
		else
			pg_decide__printf(r->reason, sizeof(r->reason),
				 "%s but not significant: %s (%s)", delta, p, ci);
	} else if (w->o_est <= w->thr_worse && w->o_est >= -w->thr_better) {
		pg_decide__printf(r->reason, sizeof(r->reason),
			 "%s: significant, %s, but within the %g%% threshold (%s)",
			 delta, p, thr, ci);
	} else {
		pg_decide__printf(r->reason, sizeof(r->reason),
			 "%s but the %s reaches inside the %g%% threshold, %s", delta,
			 ci, thr, p);
	}
}

/* ------------------------------------------------------------ decide */

int pg_decide__check_opts(const pg_decide_opts *o)
{
	if (!(o->alpha > 0 && o->alpha < 1))
		return pg_error_set(PG_EINPUT, "alpha must be between 0 and 1");
	if (o->correction != PG_CORRECTION_HOLM && o->correction != PG_CORRECTION_BH &&
	    o->correction != PG_CORRECTION_NONE)
		return pg_error_set(PG_EINPUT, "unknown correction");
	if (o->threshold_on != PG_THRESHOLD_ON_ESTIMATE &&
	    o->threshold_on != PG_THRESHOLD_ON_CI)
		return pg_error_set(PG_EINPUT, "unknown threshold mode");
	if (o->test != PG_TEST_WELCH && o->test != PG_TEST_UTEST)
		return pg_error_set(PG_EINPUT, "unknown test");
	return 0;
}

/* decide a deterministic row: exact comparison */
static void decide_deterministic(pg_decide_row *r)
{
	double o = r->old_center, nw = r->new_center, worse;
	int lower = r->direction == PG_LOWER_IS_BETTER;

	r->deterministic = 1;
	r->decision = PG_DECISION_UNCHANGED;
	if (o == 0) {
		if (nw == 0) {
			r->has_delta = 1;
			r->delta_percent = 0;
			return;
		}
		/* an unbounded relative change */
		worse = lower ? nw - o : o - nw;
		r->decision = worse > 0 ? PG_DECISION_REGRESSION : PG_DECISION_IMPROVEMENT;
		return;
	}
	r->has_delta = 1;
	r->delta_percent = 100.0 * (nw - o) / fabs(o);
	r->has_ci = 1;
	r->ci_low_percent = r->ci_high_percent = r->delta_percent;
	worse = lower ? r->delta_percent : -r->delta_percent;
	if (worse > r->threshold_percent)
		r->decision = PG_DECISION_REGRESSION;
	else if (-worse > r->threshold_percent)
		r->decision = PG_DECISION_IMPROVEMENT;
}

/* after the correction: the mde, guard, decision of a tested row */
void pg_decide__tested(pg_decide_row *r, row_work *w, const pg_decision_set *d)
{
	const pg_decide_opts *o = &d->opts;
	int lower = r->direction == PG_LOWER_IS_BETTER;
	double level = o->correction == PG_CORRECTION_NONE ? o->alpha
			: o->alpha / (double)d->ntested;
	double n = (double)(r->n_old > r->n_new ? r->n_old : r->n_new);
	double worse_val, better_val;
	int sig, mde_ok = 1;

	/* the estimate, interval and delta in percent */
	if (w->inf_change) {
		w->o_est = (lower ? 1 : -1) * w->inf_sign * INFINITY;
	} else {
		r->has_delta = 1;
		r->delta_percent = pg_decide__percent(w->est, w->log_scale);
		w->o_est = lower ? w->est : -w->est;
	}
	if (r->has_ci) {
		r->ci_low_percent = pg_decide__percent(w->lo, w->log_scale);
		r->ci_high_percent = pg_decide__percent(w->hi, w->log_scale);
		w->o_lo = lower ? w->lo : -w->hi;
		w->o_hi = lower ? w->hi : -w->lo;
	}
	w->thr_worse = pg_decide__threshold(r->threshold_percent, 1, r->direction, w->log_scale);
	w->thr_better = pg_decide__threshold(r->threshold_percent, 0, r->direction, w->log_scale);

	/* the minimum detectable change (none when Welch's figures behind it
	 * are not finite: a U test can still test such a row) */
	if ((w->log_scale || w->mean_scale > 0) && isfinite(w->se) && isfinite(w->mean_scale)) {
		w->mde = (gsl_cdf_tdist_Qinv(level / 2, w->df) +
			  gsl_cdf_tdist_Pinv(PG_MDE_POWER, w->df)) * w->se;
		if (!w->log_scale)
			w->mde /= w->mean_scale;
		if (w->rank_test) {
			w->mde /= sqrt(3.0 / M_PI);
			if (w->min_p >= level)
				mde_ok = 0;
		}
		if (mde_ok) {
			r->has_mde = 1;
			r->mde_percent = pg_decide__mde_percent(w->mde, w->log_scale, r->direction);
			r->cannot_guard = r->mde_percent > r->threshold_percent;
			if (isinf(w->thr_worse) || !(w->mde > w->thr_worse))
				r->runs_needed = n;
			else
				r->runs_needed = ceil(n * (w->mde / w->thr_worse) *
						      (w->mde / w->thr_worse));
		} else {
			/* even complete separation is not significant */
			size_t k = 2;

			while (rank_min_p(w->paired, k) >= level)
				k++;
			r->cannot_guard = 1;
			r->runs_needed = (double)k;
			if (!isinf(w->thr_worse) && w->mde > w->thr_worse) {
				double x = ceil(n * (w->mde / w->thr_worse) * (w->mde / w->thr_worse));

				if (x > r->runs_needed)
					r->runs_needed = x;
			}
		}
	}

	sig = r->p_adjusted < o->alpha;
	if (o->threshold_on == PG_THRESHOLD_ON_CI && !w->inf_change) {
		worse_val = r->has_ci ? w->o_lo : -INFINITY;
		better_val = r->has_ci ? w->o_hi : INFINITY;
	} else {
		worse_val = better_val = w->o_est;
	}
	if (sig && w->o_est > 0 && worse_val > w->thr_worse)
		r->decision = PG_DECISION_REGRESSION;
	else if (sig && w->o_est < 0 && better_val < -w->thr_better)
		r->decision = PG_DECISION_IMPROVEMENT;
	else if (!sig && r->cannot_guard)
		r->decision = PG_DECISION_NOISE;
	else
		r->decision = PG_DECISION_UNCHANGED;
}

void pg_decide__exact(pg_decide_row *r)
{
	decide_deterministic(r);
	reason_deterministic(r);
}

int pg_decide__rule(pg_decide_row *r, const pg_decide_opts *o)
{
	pg_row_rule rule;

	rule.threshold_percent = PG_DEFAULT_THRESHOLD_PERCENT;
	rule.direction = pg_unit_direction(r->unit);
	if (o->rule)
		o->rule(o->rule_ctx, r->benchmark, r->unit, &rule);
	if (!(rule.threshold_percent > 0) || isinf(rule.threshold_percent))
		return pg_error_set(PG_EINPUT,
				    "invalid threshold %g%% for '%s' (%s): it must be a number above 0",
				    rule.threshold_percent, r->benchmark, r->unit);
	if (rule.direction != PG_LOWER_IS_BETTER && rule.direction != PG_HIGHER_IS_BETTER)
		return pg_error_set(PG_EINPUT, "invalid direction for '%s' (%s)",
				    r->benchmark, r->unit);
	r->threshold_percent = rule.threshold_percent;
	r->direction = rule.direction;
	return 0;
}

void pg_decision_set_count(pg_decision_set *d)
{
	size_t i;

	d->regressions = d->improvements = d->drift_rows = d->cannot_guard = 0;
	for (i = 0; i < d->nrows; i++) {
		const pg_decide_row *r = &d->rows[i];

		d->regressions += r->decision == PG_DECISION_REGRESSION;
		d->improvements += r->decision == PG_DECISION_IMPROVEMENT;
		d->drift_rows += r->decision == PG_DECISION_DRIFT;
		d->cannot_guard += r->cannot_guard != 0;
	}
}

int pg_decide__classify(pg_decide_row *r, row_work *w, const pg_compare_row *c,
			const pg_results *old, const pg_results *new,
			const pg_decide_opts *opts, int paired)
{
	int err;

	r->benchmark = c->benchmark;
	r->unit = c->unit;
	r->p_value = 1;
	r->p_adjusted = 1;
	if ((err = pg_decide__rule(r, opts)) < 0)
		return err;
	w->so = c->status != PG_ROW_ONLY_NEW ? pg_results_find(old, c->benchmark, c->unit) : NULL;
	w->sn = c->status != PG_ROW_ONLY_OLD ? pg_results_find(new, c->benchmark, c->unit) : NULL;
	r->n_old = w->so ? w->so->n : 0;
	r->n_new = w->sn ? w->sn->n : 0;
	if (w->so)
		r->old_center = series_center(w->so);
	if (w->sn)
		r->new_center = series_center(w->sn);

	if (c->status == PG_ROW_ONLY_OLD) {
		r->decision = PG_DECISION_REMOVED;
		pg_decide__printf(r->reason, sizeof(r->reason), "only in the baseline");
		return 0;
	}
	if (c->status == PG_ROW_ONLY_NEW) {
		r->decision = PG_DECISION_NEW;
		pg_decide__printf(r->reason, sizeof(r->reason), "only in the candidate");
		return 0;
	}
	if (r->n_old >= 2 && r->n_new >= 2 && series_constant(w->so) && series_constant(w->sn)) {
		r->old_center = w->so->values[0];
		r->new_center = w->sn->values[0];
		pg_decide__exact(r);
		return 0;
	}
	if (r->n_old < 2 || r->n_new < 2) {
		w->untestable = 1;
		r->decision = PG_DECISION_NOISE;
		r->cannot_guard = 1;
		if (r->old_center != 0) {
			r->has_delta = 1;
			r->delta_percent = 100.0 * (r->new_center - r->old_center) /
					   fabs(r->old_center);
		}
		if (paired)
			pg_decide__printf(r->reason, sizeof(r->reason),
					  "paired: too few pairs (%zu) for a test",
					  r->n_old < r->n_new ? r->n_old : r->n_new);
		else
			pg_decide__printf(r->reason, sizeof(r->reason),
					  "noise: too few samples (%zu+%zu runs) for a test",
					  r->n_old, r->n_new);
		return 0;
	}
	return 1;
}

int pg_decide(pg_decision_set *out, const pg_results *old, const pg_results *new,
	      const pg_decide_opts *opts)
{
	static const pg_decide_opts defaults = PG_DECIDE_OPTS_INIT;
	pg_compare_opts copts = PG_COMPARE_OPTS_INIT;
	pg_comparison cmp = { 0 };
	row_work *w = NULL;
	double *a = NULL, *b = NULL, *pv = NULL;
	size_t i, maxn = 1, m = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if ((err = pg_decide__check_opts(opts)) < 0)
		return err;
	out->opts = *opts;
	/* the rows in pg_compare's order (its own tests are not used) */
	copts.alpha = opts->alpha;
	if ((err = pg_compare(&cmp, old, new, &copts)) < 0)
		return err;

	for (i = 0; i < old->nseries; i++)
		if (old->series[i].n > maxn)
			maxn = old->series[i].n;
	for (i = 0; i < new->nseries; i++)
		if (new->series[i].n > maxn)
			maxn = new->series[i].n;
	out->rows = calloc(cmp.nrows + 1, sizeof(*out->rows));
	w = calloc(cmp.nrows + 1, sizeof(*w));
	a = malloc(maxn * sizeof(double));
	b = malloc(maxn * sizeof(double));
	pv = malloc((cmp.nrows + 1) * sizeof(double));
	if (!out->rows || !w || !a || !b || !pv) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	out->nrows = cmp.nrows;

	/* pass 1: rules, classification, tests */
	for (i = 0; i < cmp.nrows; i++) {
		pg_decide_row *r = &out->rows[i];

		if ((err = pg_decide__classify(r, &w[i], &cmp.rows[i], old, new, opts, 0)) < 0)
			goto cleanup;
		if (err == 0)
			continue;
		if ((err = test_row(r, &w[i], opts, a, b)) < 0)
			goto cleanup;
		if (!pg_decide__unusable(r, &w[i]))
			pv[m++] = r->p_value;
	}

	/* pass 2: the correction over the family */
	out->ntested = m;
	if ((err = pg_adjust_pvalues(pv, m, opts->correction)) < 0)
		goto cleanup;
	m = 0;
	for (i = 0; i < out->nrows; i++) {
		if (!w[i].tested)
			continue;
		out->rows[i].p_adjusted = pv[m++];
		pg_decide__tested(&out->rows[i], &w[i], out);
	}

	/* pass 3: host drift (pv is free again: the cluster's values) */
	if ((err = detect_drift(out, w, pv)) < 0)
		goto cleanup;

	/* pass 4: reasons and counts */
	for (i = 0; i < out->nrows; i++)
		if (w[i].tested)
			pg_decide__reason(&out->rows[i], &w[i], out);
	pg_decision_set_count(out);

cleanup:
	if (err < 0)
		pg_decision_set_release(out);
	pg_comparison_release(&cmp);
	free(w);
	free(a);
	free(b);
	free(pv);
	return err;
}

void pg_decision_set_release(pg_decision_set *d)
{
	if (!d)
		return;
	free(d->rows);
	d->rows = NULL;
	d->nrows = 0;
}
