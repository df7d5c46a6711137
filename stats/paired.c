#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "common/error.h"
#include "stats/compare.h"
#include "stats/decide.h"
#include "stats/decide_internal.h"
#include "stats/paired.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "stats/welch.h"
#include "common/banned.h"

/*
 * The paired analysis and the paired suite decision; documented in
 * paired.h. The suite decision reuses the decision rule's pieces from
 * decide.c (decide_internal.h): rules, exact rows, the correction, the
 * per-row decision with its mde, and the reasons.
 */

/* ------------------------------------------------------------ helpers */

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* mean and sample standard deviation (two-pass); sd = 0 when n < 2 or
 * every value is the same */
static void mean_sd(double *mean, double *sd, const double *v, size_t n)
{
	double m = 0, ss = 0, c = 0;
	size_t i;

	for (i = 0; i < n; i++)
		m += v[i];
	m /= (double)n;
	if (pg_decide__constant(v, n)) {
		*mean = v[0];
		*sd = 0;
		return;
	}
	for (i = 0; i < n; i++) {
		double e = v[i] - m;

		ss += e * e;
		c += e;
	}
	/* the corrected two-pass formula */
	*mean = m;
	*sd = n > 1 ? sqrt((ss - c * c / (double)n) / (double)(n - 1)) : 0;
}

/* ------------------------------------------------------------ Fieller */

int pg_paired_ratio_ci(double *lo, double *hi, const double *base,
		       const double *cand, size_t n, double confidence)
{
	double ma = 0, mb = 0, va = 0, vb = 0, c = 0, t, q, A, B, C, disc, s;
	size_t i;

	*lo = *hi = NAN;
	if (n < 2)
		return pg_error_set(PG_EINPUT, "too few pairs (%zu) for an interval", n);
	if (!(confidence > 0 && confidence < 1))
		return pg_error_set(PG_EINPUT, "invalid confidence level '%g'", confidence);
	for (i = 0; i < n; i++) {
		ma += base[i];
		mb += cand[i];
	}
	ma /= (double)n;
	mb /= (double)n;
	for (i = 0; i < n; i++) {
		double ea = base[i] - ma, eb = cand[i] - mb;

		va += ea * ea;
		vb += eb * eb;
		c += ea * eb;
	}
	va /= (double)(n - 1);
	vb /= (double)(n - 1);
	c /= (double)(n - 1);
	t = gsl_cdf_tdist_Qinv((1 - confidence) / 2, (double)(n - 1));
	q = t * t / (double)n;
	/* A r^2 - 2 B r + C <= 0 */
	A = ma * ma - q * va;
	B = ma * mb - q * c;
	C = mb * mb - q * vb;
	if (!(A > 0))
		return pg_error_set(PG_ENOTFOUND, "the interval of the ratio is unbounded");
	disc = B * B - A * C;
	/* r = mb / ma satisfies the inequality, so disc >= 0 but for rounding */
	s = disc > 0 ? sqrt(disc) : 0;
	*lo = (B - s) / A - 1;
	*hi = (B + s) / A - 1;
	return 0;
}

/* ------------------------------------------------------------ signed rank */

/* counts[w] = number of subsets of {1..n} with sum w, w = 0..n(n+1)/2
 * (exact in doubles: at most 2^n <= 2^50) */
static int signed_rank_counts(double **out, size_t n)
{
	size_t M = n * (n + 1) / 2, k, w, top = 0;
	double *c = calloc(M + 1, sizeof(double));

	*out = NULL;
	if (!c)
		return pg_error_set(PG_ENOMEM, "out of memory");
	c[0] = 1;
	for (k = 1; k <= n; k++) {
		top += k;
		for (w = top; w >= k; w--)
			c[w] += c[w - k];
	}
	*out = c;
	return 0;
}

typedef struct avg_rank {
	double a;   /* |d| */
	size_t i;
} avg_rank;

static int cmp_avg_rank(const void *pa, const void *pb)
{
	const avg_rank *a = pa, *b = pb;

	if (a->a != b->a)
		return a->a < b->a ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

/* Walsh averages of sorted d: w(i, j) = (d_i + d_j) / 2, i <= j; the k-th
 * smallest (1-based) by selection within per-row windows, as
 * utest.c's selection of differences: a random pivot among the remaining
 * candidates, the number below it counted in O(n) with a pointer (w is
 * non-decreasing in i and in j), every window cut to the side holding the
 * answer; once at most 2n candidates are left they are gathered and
 * sorted. Memory O(n). */
typedef struct walsh {
	const double *d;
	size_t n;
	size_t *L, *R, *plt, *ple;
	double *buf;
	uint64_t rng;
} walsh;

static double walsh_at(const walsh *s, size_t i, size_t j)
{
	return 0.5 * (s->d[i] + s->d[j]);
}

static uint64_t walsh_random(walsh *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

static void walsh_release(walsh *s)
{
	free(s->L);
	free(s->R);
	free(s->plt);
	free(s->ple);
	free(s->buf);
}

static int walsh_init(walsh *s, const double *sorted, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->d = sorted;
	s->n = n;
	s->L = malloc(n * sizeof(size_t));
	s->R = malloc(n * sizeof(size_t));
	s->plt = malloc(n * sizeof(size_t));
	s->ple = malloc(n * sizeof(size_t));
	s->buf = malloc(2 * n * sizeof(double) + sizeof(double));
	if (!s->L || !s->R || !s->plt || !s->ple || !s->buf) {
		walsh_release(s);
		memset(s, 0, sizeof(*s));
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	return 0;
}

static double walsh_kth(walsh *s, size_t k)
{
	size_t n = s->n, i, j, below, cand, cnt_lt, cnt_le, plt, ple;
	double pivot;

	s->rng = 0x9E3779B97F4A7C15ULL;
	for (i = 0; i < n; i++) {
		s->L[i] = i;
		s->R[i] = n;
	}
	for (;;) {
		below = cand = 0;
		for (i = 0; i < n; i++) {
			below += s->L[i] - i;
			cand += s->R[i] - s->L[i];
		}
		/* the answer is the (k - below)-th candidate */
		if (cand <= 2 * n) {
			size_t m = 0;

			for (i = 0; i < n; i++)
				for (j = s->L[i]; j < s->R[i]; j++)
					s->buf[m++] = walsh_at(s, i, j);
			qsort(s->buf, m, sizeof(double), cmp_double);
			return s->buf[k - below - 1] + 0.0;
		}
		/* a random candidate */
		{
			size_t r = (size_t)(walsh_random(s) % cand);

			for (i = 0; r >= s->R[i] - s->L[i]; i++)
				r -= s->R[i] - s->L[i];
			pivot = walsh_at(s, i, s->L[i] + r);
		}
		/* per row i: plt = first j (over 0..n) with w(i, j) >= pivot,
		 * ple = first j with w(i, j) > pivot; both non-increasing in i */
		cnt_lt = cnt_le = 0;
		plt = ple = n;
		for (i = 0; i < n; i++) {
			while (plt > 0 && walsh_at(s, i, plt - 1) >= pivot)
				plt--;
			while (ple > 0 && walsh_at(s, i, ple - 1) > pivot)
				ple--;
			s->plt[i] = plt > i ? plt : i;
			s->ple[i] = ple > i ? ple : i;
			cnt_lt += s->plt[i] - i;
			cnt_le += s->ple[i] - i;
		}
		if (k <= cnt_lt) {
			for (i = 0; i < n; i++)
				if (s->plt[i] < s->R[i])
					s->R[i] = s->plt[i];
		} else if (k > cnt_le) {
			for (i = 0; i < n; i++)
				if (s->ple[i] > s->L[i])
					s->L[i] = s->ple[i];
		} else {
			return pivot + 0.0;
		}
	}
}

/* the signed-rank test, the Hodges-Lehmann pseudo-median and its
 * interval; d holds the n differences (reordered: sorted on return) */
static int signed_rank(pg_paired *out, double *d, size_t n, double alpha)
{
	avg_rank *ar = NULL;
	double *counts = NULL;
	walsh sel;
	size_t i, j, q, nz = 0, M, k;
	double tie = 0, total, half = alpha / 2;
	int ties = 0, err = 0;

	memset(&sel, 0, sizeof(sel));
	ar = malloc(n * sizeof(*ar));
	if (!ar) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++)
		if (d[i] != 0) {
			ar[nz].a = fabs(d[i]);
			ar[nz].i = i;
			nz++;
		}
	qsort(ar, nz, sizeof(*ar), cmp_avg_rank);
	out->w_n = nz;
	out->w_plus = 0;
	for (i = 0; i < nz; i = j) {
		double rank;

		for (j = i + 1; j < nz && ar[j].a == ar[i].a; j++)
			;
		rank = ((double)i + 1 + (double)j) / 2; /* average of i+1..j */
		if (j - i > 1) {
			double t = (double)(j - i);

			ties = 1;
			tie += t * (t * t - 1);
		}
		for (q = i; q < j; q++)
			if (d[ar[q].i] > 0)
				out->w_plus += rank;
	}
	total = (double)nz * ((double)nz + 1) / 2;
	if (nz == 0) {
		out->w_p = 1;
		out->w_method = PG_UTEST_EXACT;
	} else if (!ties && nz <= PG_SIGNED_RANK_EXACT_MAX) {
		double lower = 0, upper = 0, all = ldexp(1.0, (int)nz);
		size_t w = (size_t)out->w_plus, M2 = nz * (nz + 1) / 2;

		if ((err = signed_rank_counts(&counts, nz)) < 0)
			goto cleanup;
		for (i = 0; i <= w; i++)
			lower += counts[i];
		for (i = w; i <= M2; i++)
			upper += counts[i];
		out->w_p = 2 * (lower < upper ? lower : upper) / all;
		if (out->w_p > 1)
			out->w_p = 1;
		out->w_method = PG_UTEST_EXACT;
	} else {
		double mn = total / 2;
		double var = ((double)nz * ((double)nz + 1) * (2 * (double)nz + 1) - tie / 2) / 24;
		double T = out->w_plus < total - out->w_plus ? out->w_plus : total - out->w_plus;
		double cc = T > mn ? 0.5 : T < mn ? -0.5 : 0;
		double z = var > 0 ? (T - mn - cc) / sqrt(var) : 0;

		out->w_p = 2 * gsl_cdf_ugaussian_Q(fabs(z));
		if (out->w_p > 1)
			out->w_p = 1;
		out->w_method = PG_UTEST_ASYMPTOTIC;
	}

	/* Hodges-Lehmann over all n differences (zeros included) */
	qsort(d, n, sizeof(double), cmp_double);
	if ((err = walsh_init(&sel, d, n)) < 0)
		goto cleanup;
	M = n * (n + 1) / 2;
	if (M % 2)
		out->hl = walsh_kth(&sel, M / 2 + 1);
	else
		out->hl = (walsh_kth(&sel, M / 2) + walsh_kth(&sel, M / 2 + 1)) / 2;
	if (nz == n && !ties && n <= PG_SIGNED_RANK_EXACT_MAX) {
		double cum = 0, all = ldexp(1.0, (int)n), thr = half * (1 + 1e-9);

		if (!counts && (err = signed_rank_counts(&counts, n)) < 0)
			goto cleanup;
		for (k = 0; k <= M; k++) {
			cum += counts[k];
			if (cum / all > thr)
				break;
		}
	} else {
		double sigma = sqrt((double)n * ((double)n + 1) * (2 * (double)n + 1) / 24);
		double x = (double)M / 2 + 0.5 - gsl_cdf_ugaussian_Qinv(half) * sigma;

		k = x < 1 ? 0 : (size_t)floor(x);
	}
	if (k > (M + 1) / 2)
		k = (M + 1) / 2;
	if (k == 0) {
		out->hl_low = d[0];
		out->hl_high = d[n - 1];
	} else {
		out->hl_low = walsh_kth(&sel, k);
		out->hl_high = walsh_kth(&sel, M + 1 - k);
	}

cleanup:
	walsh_release(&sel);
	free(counts);
	free(ar);
	return err;
}

/* ------------------------------------------------------------ analysis */

static int check_paired_opts(const pg_paired_opts *o)
{
	if (!(o->alpha > 0 && o->alpha < 1))
		return pg_error_set(PG_EINPUT, "alpha must be between 0 and 1");
	if (!(o->mde_level > 0 && o->mde_level < 1))
		return pg_error_set(PG_EINPUT, "the level of the mde must be between 0 and 1");
	if (o->direction != PG_LOWER_IS_BETTER && o->direction != PG_HIGHER_IS_BETTER)
		return pg_error_set(PG_EINPUT, "unknown direction");
	return 0;
}

static double median_of(double *tmp, const double *v, size_t n)
{
	memcpy(tmp, v, n * sizeof(double));
	qsort(tmp, n, sizeof(double), cmp_double);
	return pg_quantile_r8(tmp, n, 0.5);
}

/* the unpaired view: Welch on the logs (or values) of all samples */
static int unpaired(pg_paired *out, const double *base, size_t nb, const double *cand,
		    size_t nc, const pg_paired_opts *o, double *buf)
{
	pg_summary sa, sb;
	size_t i;
	int err;

	for (i = 0; i < nb; i++)
		buf[i] = out->log_scale ? log(base[i]) : base[i];
	if ((err = pg_summarize(&sa, buf, nb)) < 0)
		return err;
	for (i = 0; i < nc; i++)
		buf[i] = out->log_scale ? log(cand[i]) : cand[i];
	if ((err = pg_summarize(&sb, buf, nc)) < 0)
		return err;
	if ((err = pg_welch_test(&out->welch, &sa, &sb)) < 0)
		return err;
	if (out->log_scale) {
		double tq = out->welch.se > 0 ? gsl_cdf_tdist_Qinv(o->alpha / 2, out->welch.df) : 0;
		double mde = (gsl_cdf_tdist_Qinv(o->mde_level / 2, out->welch.df) +
			      gsl_cdf_tdist_Pinv(PG_MDE_POWER, out->welch.df)) * out->welch.se;

		out->welch_has_delta = out->welch_has_ci = out->welch_has_mde = 1;
		out->welch_delta_percent = pg_decide__percent(out->welch.diff, 1);
		out->welch_ci_low_percent = pg_decide__percent(out->welch.diff - tq * out->welch.se, 1);
		out->welch_ci_high_percent = pg_decide__percent(out->welch.diff + tq * out->welch.se, 1);
		out->welch_mde_percent = pg_decide__mde_percent(mde, 1, o->direction);
	} else if (sa.mean != 0) {
		double lo, hi, mde = (gsl_cdf_tdist_Qinv(o->mde_level / 2, out->welch.df) +
				      gsl_cdf_tdist_Pinv(PG_MDE_POWER, out->welch.df)) *
				     out->welch.se / fabs(sa.mean);

		out->welch_has_delta = out->welch_has_mde = 1;
		out->welch_delta_percent = 100.0 * out->welch.diff / fabs(sa.mean);
		out->welch_mde_percent = 100.0 * mde;
		if (sa.mean > 0) {
			err = pg_welch_ratio_ci(&lo, &hi, &sa, &sb, 1 - o->alpha);
			if (err == 0) {
				out->welch_has_ci = 1;
				out->welch_ci_low_percent = 100.0 * lo;
				out->welch_ci_high_percent = 100.0 * hi;
			} else if (err == PG_ENOTFOUND) {
				pg_error_clear();
			} else {
				return err;
			}
		}
	}
	return 0;
}

int pg_paired_analyze(pg_paired *out, const double *base, size_t n_base,
		      const double *cand, size_t n_cand, const pg_paired_opts *opts)
{
	static const pg_paired_opts defaults = PG_PAIRED_OPTS_INIT;
	size_t n = n_base < n_cand ? n_base : n_cand, i, nmax;
	double *d = NULL, *la = NULL, *lb = NULL, *buf = NULL;
	double ma, sa, mb, sb, scale = 0, med_scale = 0;
	int err = 0;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if ((err = check_paired_opts(opts)) < 0)
		return err;
	if (n < 2)
		return pg_error_set(PG_EINPUT, "too few pairs (%zu) for a paired test", n);
	for (i = 0; i < n_base; i++)
		if (!isfinite(base[i]))
			return pg_error_set(PG_EINPUT, "baseline value %zu is not a finite number",
					    i + 1);
	for (i = 0; i < n_cand; i++)
		if (!isfinite(cand[i]))
			return pg_error_set(PG_EINPUT, "candidate value %zu is not a finite number",
					    i + 1);

	nmax = n_base > n_cand ? n_base : n_cand;
	d = malloc(n * sizeof(double));
	la = malloc(n * sizeof(double));
	lb = malloc(n * sizeof(double));
	buf = malloc(nmax * sizeof(double));
	if (!d || !la || !lb || !buf) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	out->n = n;
	out->n_base = n_base;
	out->n_cand = n_cand;
	out->unpaired_left = nmax - n;
	out->log_scale = pg_decide__positive(base, n_base) && pg_decide__positive(cand, n_cand);
	for (i = 0; i < n; i++) {
		la[i] = out->log_scale ? log(base[i]) : base[i];
		lb[i] = out->log_scale ? log(cand[i]) : cand[i];
		d[i] = lb[i] - la[i];
	}
	{
		double m1, s1, m2, s2;

		mean_sd(&m1, &s1, la, n);
		mean_sd(&m2, &s2, lb, n);
		out->base_center = out->log_scale ? exp(m1) : m1;
		out->cand_center = out->log_scale ? exp(m2) : m2;
	}

	/* the paired t-test */
	mean_sd(&out->mean, &out->sd, d, n);
	out->se = out->sd / sqrt((double)n);
	out->df = (double)(n - 1);
	if (out->se > 0) {
		out->t = out->mean / out->se;
		out->p = 2 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
	} else if (out->mean == 0) {
		out->t = 0;
		out->p = 1;
	} else {
		out->t = out->mean > 0 ? INFINITY : -INFINITY;
		out->p = 0;
	}

	/* correlation of the pairs */
	mean_sd(&ma, &sa, la, n);
	mean_sd(&mb, &sb, lb, n);
	if (sa > 0 && sb > 0) {
		double c = 0;

		for (i = 0; i < n; i++)
			c += (la[i] - ma) * (lb[i] - mb);
		out->correlation = c / (double)(n - 1) / (sa * sb);
		if (out->correlation > 1)
			out->correlation = 1;
		else if (out->correlation < -1)
			out->correlation = -1;
	}

	/* the change, its interval, the mde */
	if (out->log_scale) {
		double tq = out->se > 0 ? gsl_cdf_tdist_Qinv(opts->alpha / 2, out->df) : 0;
		double mde = (gsl_cdf_tdist_Qinv(opts->mde_level / 2, out->df) +
			      gsl_cdf_tdist_Pinv(PG_MDE_POWER, out->df)) * out->se;

		out->has_delta = out->has_ci = out->has_mde = 1;
		out->delta_percent = pg_decide__percent(out->mean, 1);
		out->ci_low_percent = pg_decide__percent(out->mean - tq * out->se, 1);
		out->ci_high_percent = pg_decide__percent(out->mean + tq * out->se, 1);
		out->mde_percent = pg_decide__mde_percent(mde, 1, opts->direction);
	} else {
		double m, s;

		mean_sd(&m, &s, la, n); /* la holds the raw baseline values */
		scale = fabs(m);
		med_scale = fabs(median_of(buf, la, n));
		if (scale > 0) {
			double lo, hi, mde = (gsl_cdf_tdist_Qinv(opts->mde_level / 2, out->df) +
					      gsl_cdf_tdist_Pinv(PG_MDE_POWER, out->df)) * out->se;

			out->has_delta = out->has_mde = 1;
			out->delta_percent = 100.0 * out->mean / scale;
			out->mde_percent = 100.0 * mde / scale;
			if (m > 0) {
				err = pg_paired_ratio_ci(&lo, &hi, base, cand, n, 1 - opts->alpha);
				if (err == 0) {
					out->has_ci = 1;
					out->ci_low_percent = 100.0 * lo;
					out->ci_high_percent = 100.0 * hi;
				} else if (err == PG_ENOTFOUND) {
					pg_error_clear();
					err = 0;
				} else {
					goto cleanup;
				}
			}
		}
	}

	/* signed rank (sorts d) */
	if ((err = signed_rank(out, d, n, opts->alpha)) < 0)
		goto cleanup;
	if (out->log_scale) {
		out->has_hl_percent = 1;
		out->hl_percent = pg_decide__percent(out->hl, 1);
		out->hl_low_percent = pg_decide__percent(out->hl_low, 1);
		out->hl_high_percent = pg_decide__percent(out->hl_high, 1);
	} else if (med_scale > 0) {
		out->has_hl_percent = 1;
		out->hl_percent = 100.0 * out->hl / med_scale;
		out->hl_low_percent = 100.0 * out->hl_low / med_scale;
		out->hl_high_percent = 100.0 * out->hl_high / med_scale;
	}

	/* the unpaired view of all samples */
	err = unpaired(out, base, n_base, cand, n_cand, opts, buf);

cleanup:
	if (err < 0)
		memset(out, 0, sizeof(*out));
	free(d);
	free(la);
	free(lb);
	free(buf);
	return err;
}

/* ------------------------------------------------------------ suite */

void pg_paired_set_release(pg_paired_set *s)
{
	if (!s)
		return;
	pg_decision_set_release(&s->decision);
	pg_decision_set_release(&s->unpaired);
	free(s->rows);
	free(s->tested);
	s->rows = NULL;
	s->tested = NULL;
}

/* fill the work of a tested row from its analysis */
static void fill_work(pg_decide__work *w, pg_decide_row *r, const pg_paired *a,
		      const pg_series *so, const pg_series *sn, const pg_decide_opts *o,
		      double *buf)
{
	size_t n = a->n;

	w->tested = 1;
	w->paired = 1;
	w->log_scale = a->log_scale;
	w->se = a->se;
	w->df = a->df;
	r->raw_scale = !a->log_scale;
	r->has_p = 1;
	r->n_old = r->n_new = n;
	r->old_center = a->base_center;
	r->new_center = a->cand_center;
	if (!a->log_scale) {
		double m = 0;
		size_t i;

		for (i = 0; i < n; i++)
			m += so->values[i];
		w->mean_scale = fabs(m / (double)n);
	}
	if (o->test == PG_TEST_UTEST) {
		r->p_value = a->w_p;
		w->rank_test = 1;
		w->min_p = pg_decide__signed_rank_min_p(n);
		if (a->log_scale) {
			w->est = a->hl;
			w->lo = a->hl_low;
			w->hi = a->hl_high;
			r->has_ci = 1;
		} else {
			w->old_scale = fabs(median_of(buf, so->values, n));
			if (w->old_scale == 0) {
				w->inf_change = a->hl != 0;
				w->inf_sign = a->hl > 0 ? 1 : -1;
			} else {
				w->est = a->hl / w->old_scale;
				w->lo = a->hl_low / w->old_scale;
				w->hi = a->hl_high / w->old_scale;
				r->has_ci = 1;
			}
		}
	} else {
		r->p_value = a->p;
		if (a->log_scale) {
			double tq = a->se > 0 ? gsl_cdf_tdist_Qinv(o->alpha / 2, a->df) : 0;

			w->est = a->mean;
			w->lo = a->mean - tq * a->se;
			w->hi = a->mean + tq * a->se;
			r->has_ci = 1;
		} else if (w->mean_scale == 0) {
			w->inf_change = a->mean != 0;
			w->inf_sign = a->mean > 0 ? 1 : -1;
		} else {
			w->est = a->mean / w->mean_scale;
			if (a->has_ci) {
				w->lo = a->ci_low_percent / 100.0;
				w->hi = a->ci_high_percent / 100.0;
				r->has_ci = 1;
			}
		}
	}
	(void)sn;
}

int pg_paired_decide(pg_paired_set *out, const pg_results *old, const pg_results *new,
		     const pg_decide_opts *opts)
{
	static const pg_decide_opts defaults = PG_DECIDE_OPTS_INIT;
	pg_compare_opts copts = PG_COMPARE_OPTS_INIT;
	pg_comparison cmp = { 0 };
	pg_decision_set *d = &out->decision;
	pg_decide__work *w = NULL;
	double *pv = NULL, *buf = NULL, level;
	size_t i, m = 0, maxn = 1;
	int err;

	memset(out, 0, sizeof(*out));
	if (!opts)
		opts = &defaults;
	if ((err = pg_decide__check_opts(opts)) < 0)
		return err;
	d->opts = *opts;
	copts.alpha = opts->alpha;
	if ((err = pg_compare(&cmp, old, new, &copts)) < 0)
		return err;

	for (i = 0; i < old->nseries; i++)
		if (old->series[i].n > maxn)
			maxn = old->series[i].n;
	d->rows = calloc(cmp.nrows + 1, sizeof(*d->rows));
	out->rows = calloc(cmp.nrows + 1, sizeof(*out->rows));
	out->tested = calloc(cmp.nrows + 1, sizeof(*out->tested));
	w = calloc(cmp.nrows + 1, sizeof(*w));
	pv = malloc((cmp.nrows + 1) * sizeof(double));
	buf = malloc(maxn * sizeof(double));
	if (!d->rows || !out->rows || !out->tested || !w || !pv || !buf) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	d->nrows = cmp.nrows;

	/* pass 1: rules and classification */
	for (i = 0; i < cmp.nrows; i++) {
		err = pg_decide__classify(&d->rows[i], &w[i], &cmp.rows[i], old, new, opts, 1);
		if (err < 0)
			goto cleanup;
		if (err == 1) {
			w[i].tested = 1;
			m++;
		}
	}
	err = 0;
	level = opts->correction == PG_CORRECTION_NONE ? opts->alpha
		: opts->alpha / (double)(m ? m : 1);

	/* pass 2: the analyses */
	m = 0;
	for (i = 0; i < d->nrows; i++) {
		pg_paired_opts po = PG_PAIRED_OPTS_INIT;
		pg_decide_row *r = &d->rows[i];

		if (!w[i].tested)
			continue;
		po.alpha = opts->alpha;
		po.mde_level = level;
		po.direction = r->direction;
		if ((err = pg_paired_analyze(&out->rows[i], w[i].so->values, w[i].so->n,
					     w[i].sn->values, w[i].sn->n, &po)) < 0)
			goto cleanup;
		fill_work(&w[i], r, &out->rows[i], w[i].so, w[i].sn, opts, buf);
		if (pg_decide__unusable(r, &w[i]))
			continue;
		out->tested[i] = 1;
		pv[m++] = r->p_value;
	}
	d->ntested = m;

	/* pass 3: the correction, the decisions, the reasons */
	if ((err = pg_adjust_pvalues(pv, m, opts->correction)) < 0)
		goto cleanup;
	m = 0;
	for (i = 0; i < d->nrows; i++) {
		pg_decide_row *r = &d->rows[i];
		char tmp[sizeof(r->reason)];

		if (!w[i].tested)
			continue;
		r->p_adjusted = pv[m++];
		pg_decide__tested(r, &w[i], d);
		pg_decide__reason(r, &w[i], d);
		memcpy(tmp, r->reason, sizeof(tmp));
		pg_decide__printf(r->reason, sizeof(r->reason), "paired: %s", tmp);
	}
	pg_decision_set_count(d);

	/* the unpaired view */
	err = pg_decide(&out->unpaired, old, new, opts);

cleanup:
	if (err < 0)
		pg_paired_set_release(out);
	pg_comparison_release(&cmp);
	free(w);
	free(pv);
	free(buf);
	return err;
}
