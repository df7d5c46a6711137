#include <math.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "common/error.h"
#include "stats/summary.h"
#include "stats/utest.h"
#include "common/banned.h"

/*
 * Mann–Whitney U test, as scipy 1.10's mannwhitneyu(x=a, y=b,
 * alternative='two-sided'):
 *
 *   ranks    average ranks of the pooled sample (ties share their mean rank)
 *   U1       R1 - na (na + 1) / 2, R1 the rank sum of `a` (the reported U)
 *   U        max(U1, na nb - U1)
 *   exact    p = 2 P(U' >= trunc(U)) = 2 P(U' <= na nb - trunc(U)) under
 *            the no-tie null distribution, clipped to 1
 *   asympt.  z = (U - na nb / 2 - 0.5) / s,
 *            s = sqrt(na nb / 12 ((N + 1) - T / (N (N - 1)))),
 *            T = sum over tie groups of t^3 - t, N = na + nb;
 *            p = 2 Q(z), clipped to 1 (every value tied: s = 0, p = 1)
 *
 * The exact null distribution of U for sizes (m, n) is the distribution of
 * the rank sum of m values drawn from 1..N, minus m (m + 1) / 2. It is
 * computed by the subset-sum recurrence over the ranks i = 1..N,
 *   c[j][u] += c[j - 1][u - (i - j)]   (j = min(i, m) .. 1),
 * where c[j][u] counts the j-subsets of 1..i whose U-value
 * (sum - j (j + 1) / 2) is u: only additions of non-negative numbers, in
 * long double, so the counts have a relative error of a few ulps whatever
 * the sizes (and are exact below 2^64). Only u <= floor(mn / 2) is kept
 * (U is symmetric about mn / 2), so a table costs O(N m mn / 2) time and
 * O(m mn / 2) memory, m the smaller size. From the counts the lower CDF
 * P(U <= k), k = 0..floor(mn / 2), is stored as doubles.
 *
 * Cache: the CDF of each (min(na, nb), max(na, nb)) pair with both sizes at
 * most PG_UTEST_EXACT_MAX is computed once and kept for the life of the
 * process in a table of atomic pointers. Lookups are lock-free and
 * thread-safe: a thread that finds an empty slot computes the table and
 * publishes it with a compare-and-swap; if another thread won the race, its
 * table is used and ours is freed. Published tables are immutable. At most
 * 1275 tables, 3.4 MB, for every possible pair; a 50 x 50 table takes about
 * 20 ms to compute, all of them together about 3 s. pg_utest_cache_release()
 * frees them (not thread-safe; see utest.h). Larger sizes (forced exact
 * only) are computed per call and not cached.
 */

/* Largest na * nb for which pg_utest_run_method(PG_UTEST_EXACT) computes an
 * uncached exact distribution (about 8 MB and 1e8 additions at 100 x 100). */
#define UTEST_EXACT_FORCED_MAX_MN 10000

/* Relative tolerance of the comparison P(U <= u) <= alpha / 2 in the Moses
 * interval (see pg_utest_shift). */
#define PG_UTEST_CI_TOL 1e-9

typedef struct udist {
	size_t m, n;   /* m <= n */
	size_t kmax;   /* floor(m n / 2) */
	double cdf[];  /* cdf[k] = P(U <= k), k = 0..kmax */
} udist;

static _Atomic(udist *) udist_cache[PG_UTEST_EXACT_MAX + 1][PG_UTEST_EXACT_MAX + 1];

static int udist_compute(udist **out, size_t m, size_t n)
{
	long double *c = NULL;
	long double total, run;
	udist *d = NULL;
	size_t kmax, width, N, i, j, u, lim;
	int ret = 0;

	*out = NULL;
	if (m > n) {
		size_t t = m;

		m = n;
		n = t;
	}
	kmax = m * n / 2;
	width = kmax + 1;
	N = m + n;
	c = calloc((m + 1) * width, sizeof(*c));
	d = malloc(sizeof(*d) + width * sizeof(d->cdf[0]));
	if (!c || !d) {
		ret = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	d->m = m;
	d->n = n;
	d->kmax = kmax;
	c[0] = 1; /* the empty subset */
	for (i = 1; i <= N; i++) {
		lim = i < m ? i : m;
		/* rows j that can still grow into an m-subset: j >= m - (N - i) */
		for (j = lim; j >= 1; j--) {
			size_t shift = i - j;
			long double *dst = c + j * width;
			const long double *src = c + (j - 1) * width;

			if (j + (N - i) < m)
				break;
			if (shift > kmax)
				continue;
			/* rows j and j - 1 are distinct: any order will do */
			for (u = shift; u <= kmax; u++)
				dst[u] += src[u - shift];
		}
	}
	/* total = C(N, m) = 2 sum_{u <= kmax} - (mn even ? c[kmax] : 0) */
	run = 0;
	for (u = 0; u <= kmax; u++)
		run += c[m * width + u];
	total = 2 * run;
	if ((m * n) % 2 == 0)
		total -= c[m * width + kmax];
	run = 0;
	for (u = 0; u <= kmax; u++) {
		run += c[m * width + u];
		d->cdf[u] = (double)(run / total);
	}
	*out = d;
	d = NULL;

cleanup:
	free(c);
	free(d);
	return ret;
}

/* The exact distribution for (na, nb): from the cache when both sizes are
 * at most PG_UTEST_EXACT_MAX (*owned = NULL), else computed for this call
 * (*owned = the table, which the caller frees). */
static int udist_get(const udist **out, udist **owned, size_t na, size_t nb)
{
	size_t m = na < nb ? na : nb, n = na < nb ? nb : na;
	udist *d = NULL, *expected = NULL;
	int ret;

	*out = NULL;
	*owned = NULL;
	if (n > PG_UTEST_EXACT_MAX) {
		if (m * n > UTEST_EXACT_FORCED_MAX_MN)
			return pg_error_set(PG_EINPUT,
					    "exact U distribution too large for %zu x %zu samples",
					    na, nb);
		ret = udist_compute(owned, m, n);
		if (ret < 0)
			return ret;
		*out = *owned;
		return 0;
	}
	d = atomic_load_explicit(&udist_cache[m][n], memory_order_acquire);
	if (d) {
		*out = d;
		return 0;
	}
	ret = udist_compute(&d, m, n);
	if (ret < 0)
		return ret;
	if (atomic_compare_exchange_strong_explicit(&udist_cache[m][n], &expected,
						    d, memory_order_acq_rel,
						    memory_order_acquire)) {
		*out = d;
	} else {
		free(d); /* another thread published first */
		*out = expected;
	}
	return 0;
}

void pg_utest_cache_release(void)
{
	size_t m, n;

	for (m = 0; m <= PG_UTEST_EXACT_MAX; m++)
		for (n = 0; n <= PG_UTEST_EXACT_MAX; n++)
			free(atomic_exchange(&udist_cache[m][n], NULL));
}

int pg_utest_exact_cdf(double *out, size_t k, size_t na, size_t nb)
{
	const udist *d = NULL;
	udist *owned = NULL;
	size_t mn;
	int ret;

	*out = NAN;
	if (na == 0 || nb == 0)
		return pg_error_set(PG_EINPUT, "empty sample");
	ret = udist_get(&d, &owned, na, nb);
	if (ret < 0)
		return ret;
	mn = na * nb;
	if (k >= mn)
		*out = 1;
	else if (k <= d->kmax)
		*out = d->cdf[k];
	else /* P(U <= k) = 1 - P(U <= mn - k - 1) by symmetry */
		*out = 1 - d->cdf[mn - k - 1];
	free(owned);
	return 0;
}

typedef struct tagged {
	double v;
	int from_a;
} tagged;

static int cmp_tagged(const void *pa, const void *pb)
{
	double a = ((const tagged *)pa)->v;
	double b = ((const tagged *)pb)->v;

	return (a > b) - (a < b);
}

/* U1 (of `a`), the tie term sum(t^3 - t) and whether there are ties. */
static int rank_pooled(double *u1, double *tie_term, int *ties, const double *a,
		       size_t na, const double *b, size_t nb)
{
	tagged *pool = NULL;
	size_t N = na + nb, i, j;
	double r1 = 0, tt = 0;
	int ret = 0;

	*u1 = 0;
	*tie_term = 0;
	*ties = 0;
	pool = malloc(N * sizeof(*pool));
	if (!pool) {
		ret = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < na; i++) {
		pool[i].v = a[i];
		pool[i].from_a = 1;
	}
	for (i = 0; i < nb; i++) {
		pool[na + i].v = b[i];
		pool[na + i].from_a = 0;
	}
	qsort(pool, N, sizeof(*pool), cmp_tagged);
	for (i = 0; i < N; i = j) {
		double rank, t;
		size_t in_a = 0;

		for (j = i; j < N && pool[j].v == pool[i].v; j++)
			in_a += (size_t)pool[j].from_a;
		t = (double)(j - i);
		/* ranks i+1 .. j share their mean (i + 1 + j) / 2 */
		rank = ((double)(i + 1) + (double)j) / 2;
		r1 += rank * (double)in_a;
		if (j - i > 1) {
			*ties = 1;
			tt += t * t * t - t;
		}
	}
	*u1 = r1 - (double)na * ((double)na + 1) / 2;
	*tie_term = tt;

cleanup:
	free(pool);
	return ret;
}

static int check_sizes(size_t na, size_t nb)
{
	if (na == 0 || nb == 0)
		return pg_error_set(PG_EINPUT, "empty sample");
	if (na > SIZE_MAX / 2 / nb || na + nb > SIZE_MAX / sizeof(tagged))
		return pg_error_set(PG_EINPUT, "samples too large");
	return 0;
}

static int utest(pg_utest *out, const double *a, size_t na, const double *b,
		 size_t nb, int method)
{
	double u1 = 0, u2, umax, tie_term = 0, mn, N, s, z, p;
	const udist *d = NULL;
	udist *owned = NULL;
	int ties, ret;

	memset(out, 0, sizeof(*out));
	out->p = NAN;
	ret = check_sizes(na, nb);
	if (ret < 0)
		return ret;
	if (method != -1 && method != PG_UTEST_EXACT && method != PG_UTEST_ASYMPTOTIC)
		return pg_error_set(PG_EINPUT, "invalid U test method %d", method);
	ret = rank_pooled(&u1, &tie_term, &ties, a, na, b, nb);
	if (ret < 0)
		return ret;
	if (method == -1)
		method = !ties && na <= PG_UTEST_EXACT_MAX && nb <= PG_UTEST_EXACT_MAX ?
				 PG_UTEST_EXACT : PG_UTEST_ASYMPTOTIC;
	mn = (double)na * (double)nb;
	u2 = mn - u1;
	umax = u1 > u2 ? u1 : u2;
	out->u = u1;
	out->method = (pg_utest_method)method;

	if (method == PG_UTEST_EXACT) {
		/* scipy: 2 * sf(int(U)) = 2 * cdf(mn - int(U)) */
		size_t k = na * nb - (size_t)floor(umax);

		ret = udist_get(&d, &owned, na, nb);
		if (ret < 0)
			return ret;
		/* k > kmax: P(U <= k) >= 1/2, so p >= 1 */
		p = k <= d->kmax ? 2 * d->cdf[k] : 1;
		free(owned);
	} else {
		N = (double)na + (double)nb;
		s = sqrt(mn / 12 * ((N + 1) - tie_term / (N * (N - 1))));
		if (!(s > 0)) {
			p = 1; /* every value tied */
		} else {
			z = (umax - mn / 2 - 0.5) / s;
			p = 2 * gsl_cdf_ugaussian_Q(z);
		}
	}
	out->p = p > 1 ? 1 : p < 0 ? 0 : p;
	return 0;
}

int pg_utest_run(pg_utest *out, const double *a, size_t na, const double *b,
		 size_t nb)
{
	return utest(out, a, na, b, nb, -1);
}

int pg_utest_run_method(pg_utest *out, const double *a, size_t na,
			const double *b, size_t nb, pg_utest_method method)
{
	return utest(out, a, na, b, nb, (int)method);
}

/* ---------------------------------------------------------------- shift */

/*
 * Selection of the k-th smallest of the na * nb differences b[j] - a[i]
 * (a, b sorted ascending) without forming them all: the differences are an
 * implicit matrix whose rows (fixed i) increase with j and whose columns
 * decrease with i. Each row keeps a window [L[i], R[i]) of candidate
 * columns; a pivot is drawn from the candidates (the sample quantile of a
 * few random candidates nearest the target rank), the number of
 * differences below it (and not above it) is counted in O(na + nb) with
 * two pointers (the rounded difference is monotone in both operands, so
 * the per-row counts only grow with i), and every window is cut to the side
 * that holds the k-th smallest. Each round removes at least the pivot and,
 * on average, a constant fraction of the candidates; once at most na + nb
 * remain they are gathered and the answer picked by quickselect. Expected cost
 * O((na + nb) log(na nb)) per order statistic, memory O(na + nb). The
 * pseudo-random generator is local and seeded with a constant, so results
 * and running times are reproducible and there is no shared state. The
 * result is one of the differences exactly (-0 is returned as +0).
 */
typedef struct diffsel {
	const double *a, *b;
	size_t na, nb;
	size_t *L, *R, *plt, *ple; /* na each */
	size_t *pre;               /* na + 1 */
	double *buf;               /* na + nb */
	uint64_t rng;
} diffsel;

static void diffsel_release(diffsel *s)
{
	free(s->L);
	free(s->R);
	free(s->plt);
	free(s->ple);
	free(s->pre);
	free(s->buf);
}

static int diffsel_init(diffsel *s, const double *a, size_t na, const double *b,
			size_t nb)
{
	memset(s, 0, sizeof(*s));
	s->a = a;
	s->b = b;
	s->na = na;
	s->nb = nb;
	s->L = malloc(na * sizeof(*s->L));
	s->R = malloc(na * sizeof(*s->R));
	s->plt = malloc(na * sizeof(*s->plt));
	s->ple = malloc(na * sizeof(*s->ple));
	s->pre = malloc((na + 1) * sizeof(*s->pre));
	s->buf = malloc((na + nb) * sizeof(*s->buf));
	if (!s->L || !s->R || !s->plt || !s->ple || !s->pre || !s->buf) {
		diffsel_release(s);
		memset(s, 0, sizeof(*s));
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	return 0;
}

static uint64_t diffsel_random(diffsel *s)
{
	/* xorshift64* */
	s->rng ^= s->rng >> 12;
	s->rng ^= s->rng << 25;
	s->rng ^= s->rng >> 27;
	return s->rng * 0x2545F4914F6CDD1DULL;
}

/* The k-th smallest (0-based) of s->buf[0..m), reordering it: quickselect
 * with random pivots and a three-way partition (many equal values are
 * fine). */
static double select_kth(diffsel *s, size_t m, size_t k)
{
	double *v = s->buf;
	size_t lo = 0, hi = m; /* the answer is in v[lo..hi) */

	for (;;) {
		double pivot, t;
		size_t lt = lo, i = lo, gt = hi;

		if (hi - lo == 1)
			return v[lo];
		pivot = v[lo + (size_t)(diffsel_random(s) % (hi - lo))];
		/* v[lo..lt) < pivot, v[lt..i) == pivot, v[gt..hi) > pivot */
		while (i < gt) {
			if (v[i] < pivot) {
				t = v[i];
				v[i++] = v[lt];
				v[lt++] = t;
			} else if (v[i] > pivot) {
				t = v[i];
				v[i] = v[--gt];
				v[gt] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return pivot;
	}
}

/* A pivot for the k-th (1-based) of the `cand` candidates: the sample
 * quantile at k / cand of DIFFSEL_SAMPLE random candidates (as in Floyd and
 * Rivest's SELECT), which lands near the answer, so that few rounds are
 * needed (about 5 per order statistic for 50 x 50, against 10 with a
 * single random pivot). */
#define DIFFSEL_SAMPLE 15

static double diffsel_pivot(diffsel *s, size_t cand, size_t k)
{
	double smp[DIFFSEL_SAMPLE];
	size_t t, i, r, pos;

	/* s->pre[i] = candidates in rows < i */
	s->pre[0] = 0;
	for (i = 0; i < s->na; i++)
		s->pre[i + 1] = s->pre[i] + (s->R[i] - s->L[i]);
	for (t = 0; t < DIFFSEL_SAMPLE; t++) {
		size_t lo = 0, hi = s->na;
		double v;

		r = (size_t)(diffsel_random(s) % cand);
		/* the row i with pre[i] <= r < pre[i + 1] */
		while (hi - lo > 1) {
			size_t mid = lo + (hi - lo) / 2;

			if (s->pre[mid] <= r)
				lo = mid;
			else
				hi = mid;
		}
		i = lo;
		v = s->b[s->L[i] + (r - s->pre[i])] - s->a[i];
		/* insertion sort */
		for (i = t; i > 0 && smp[i - 1] > v; i--)
			smp[i] = smp[i - 1];
		smp[i] = v;
	}
	pos = (size_t)(((double)k - 0.5) / (double)cand * DIFFSEL_SAMPLE);
	return smp[pos < DIFFSEL_SAMPLE ? pos : DIFFSEL_SAMPLE - 1];
}

/* k is 1-based, 1 <= k <= na nb. */
static double diffsel_kth(diffsel *s, size_t k)
{
	const double *a = s->a, *b = s->b;
	size_t na = s->na, nb = s->nb, i, j, jl, je;
	size_t below, cand, cnt_lt, cnt_le;
	double pivot;

	s->rng = 0x9E3779B97F4A7C15ULL;
	for (i = 0; i < na; i++) {
		s->L[i] = 0;
		s->R[i] = nb;
	}
	for (;;) {
		below = cand = 0;
		for (i = 0; i < na; i++) {
			below += s->L[i];
			cand += s->R[i] - s->L[i];
		}
		/* invariant: the answer is the (k - below)-th candidate */
		if (cand <= na + nb) {
			size_t m = 0;

			for (i = 0; i < na; i++)
				for (j = s->L[i]; j < s->R[i]; j++)
					s->buf[m++] = b[j] - a[i];
			return select_kth(s, m, k - below - 1) + 0.0;
		}
		pivot = diffsel_pivot(s, cand, k - below);

		cnt_lt = cnt_le = 0;
		jl = je = 0;
		for (i = 0; i < na; i++) {
			while (jl < nb && b[jl] - a[i] < pivot)
				jl++;
			while (je < nb && b[je] - a[i] <= pivot)
				je++;
			s->plt[i] = jl;
			s->ple[i] = je;
			cnt_lt += jl;
			cnt_le += je;
		}
		if (k <= cnt_lt) {
			for (i = 0; i < na; i++)
				if (s->plt[i] < s->R[i])
					s->R[i] = s->plt[i];
		} else if (k > cnt_le) {
			for (i = 0; i < na; i++)
				if (s->ple[i] > s->L[i])
					s->L[i] = s->ple[i];
		} else {
			return pivot + 0.0;
		}
	}
}

/*
 * Order statistics used (1-based, D(1) <= ... <= D(M) the M = na nb sorted
 * differences b_j - a_i):
 *   estimate  D((M + 1) / 2) for odd M, (D(M / 2) + D(M / 2 + 1)) / 2 for
 *             even M
 *   interval  [D(k), D(M + 1 - k)], where, with alpha = 1 - confidence,
 *             exact:  k = 1 + the largest u with P(U <= u) <= alpha / 2,
 *                     i.e. k = #{u >= 0 : P(U <= u) <= alpha / 2}, so the
 *                     coverage 1 - 2 P(U <= k - 1) is at least `confidence`
 *                     (the comparison allows a relative 1e-9, so that a
 *                     coverage of exactly `confidence`, e.g. 3 vs 3 at 0.90
 *                     where P(U <= 0) = 1/20, counts although 1 - 0.90 rounds
 *                     below 0.1); as R's wilcox.test(conf.int = TRUE) except
 *                     that R moves one order statistic inwards when
 *                     P(U <= u) equals alpha / 2 exactly;
 *             normal: k = floor(M / 2 + 1/2 - z sqrt(M (N + 1) / 12)),
 *                     z = Q^-1(alpha / 2): the same rule with P(U <= k - 1)
 *                     from the normal approximation with continuity
 *                     correction and no tie correction;
 *             k < 1 (too few differences for the confidence): the full
 *             range [D(1), D(M)], whose coverage is then below
 *             `confidence`.
 * "exact" applies under the test's rule: no ties in the pooled sample and
 * both sizes at most PG_UTEST_EXACT_MAX.
 */
int pg_utest_shift(double *estimate, double *lo, double *hi, const double *a,
		   size_t na, const double *b, size_t nb, double confidence)
{
	double *sa = NULL, *sb = NULL;
	double alpha, half;
	const udist *d = NULL;
	udist *owned = NULL;
	diffsel sel;
	size_t M, k, i, j;
	int ties = 0, ret = 0;

	memset(&sel, 0, sizeof(sel));

	*estimate = *lo = *hi = NAN;
	ret = check_sizes(na, nb);
	if (ret < 0)
		goto cleanup;
	if (!(confidence > 0 && confidence < 1)) {
		ret = pg_error_set(PG_EINPUT, "invalid confidence level '%g'",
				   confidence);
		goto cleanup;
	}
	sa = malloc(na * sizeof(*sa));
	sb = malloc(nb * sizeof(*sb));
	if (!sa || !sb) {
		ret = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	memcpy(sa, a, na * sizeof(*sa));
	memcpy(sb, b, nb * sizeof(*sb));
	pg_sort_doubles(sa, na);
	pg_sort_doubles(sb, nb);
	/* ties in the pooled sample: merge the two sorted samples */
	for (i = 1; i < na && !ties; i++)
		ties = sa[i] == sa[i - 1];
	for (i = 1; i < nb && !ties; i++)
		ties = sb[i] == sb[i - 1];
	for (i = 0, j = 0; i < na && j < nb && !ties;) {
		if (sa[i] == sb[j])
			ties = 1;
		else if (sa[i] < sb[j])
			i++;
		else
			j++;
	}

	ret = diffsel_init(&sel, sa, na, sb, nb);
	if (ret < 0)
		goto cleanup;
	M = na * nb;
	if (M % 2)
		*estimate = diffsel_kth(&sel, M / 2 + 1);
	else
		*estimate = (diffsel_kth(&sel, M / 2) +
			     diffsel_kth(&sel, M / 2 + 1)) / 2;

	alpha = 1 - confidence;
	half = alpha / 2;
	if (!ties && na <= PG_UTEST_EXACT_MAX && nb <= PG_UTEST_EXACT_MAX) {
		ret = udist_get(&d, &owned, na, nb);
		if (ret < 0)
			goto cleanup;
		double thr = half * (1 + PG_UTEST_CI_TOL);

		for (k = 0; k <= d->kmax && d->cdf[k] <= thr; k++)
			;
	} else {
		double sigma = sqrt((double)M * ((double)na + (double)nb + 1) / 12);
		double x = (double)M / 2 + 0.5 - gsl_cdf_ugaussian_Qinv(half) * sigma;

		k = x < 1 ? 0 : (size_t)floor(x);
	}
	if (k > (M + 1) / 2)
		k = (M + 1) / 2;
	if (k == 0) {
		*lo = sb[0] - sa[na - 1] + 0.0;
		*hi = sb[nb - 1] - sa[0] + 0.0;
	} else {
		*lo = diffsel_kth(&sel, k);
		*hi = diffsel_kth(&sel, M + 1 - k);
	}

cleanup:
	diffsel_release(&sel);
	free(owned);
	free(sa);
	free(sb);
	return ret;
}
