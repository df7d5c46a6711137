#ifndef PG_UTEST_H
#define PG_UTEST_H

#include <stddef.h>

/*
 * Mann–Whitney U test, two-sided, as scipy.stats.mannwhitneyu(a, b,
 * alternative='two-sided', method=...) with a = old, b = new.
 *
 * Method: exact null distribution when there are no ties and both samples
 * have at most PG_UTEST_EXACT_MAX values; otherwise the normal
 * approximation with tie correction and continuity correction
 * (scipy's method='asymptotic', use_continuity=True). The chosen method is
 * reported so that the output can say which.
 */

#define PG_UTEST_EXACT_MAX 50

typedef enum pg_utest_method {
	PG_UTEST_EXACT = 0,
	PG_UTEST_ASYMPTOTIC = 1
} pg_utest_method;

typedef struct pg_utest {
	double u;              /* U statistic of `a` (scipy's statistic) */
	double p;              /* two-sided p-value */
	pg_utest_method method;
} pg_utest;

/* na, nb >= 1. Returns 0, PG_EINPUT (an empty sample), PG_ENOMEM.
 * When every value is tied the p-value is 1. */
int pg_utest_run(pg_utest *out, const double *a, size_t na, const double *b,
		 size_t nb);

/* Force a method (for tests against scipy); otherwise as pg_utest_run. */
int pg_utest_run_method(pg_utest *out, const double *a, size_t na,
			const double *b, size_t nb, pg_utest_method method);

/*
 * Hodges–Lehmann estimate of the shift b - a (the median of all na*nb
 * differences b_j - a_i) and its distribution-free (Moses) confidence
 * interval at `confidence`: the order statistics of the sorted
 * differences at the critical value of U (exact distribution under the
 * same rule as the test, else normal approximation). When the interval
 * would need more differences than exist it is the full range.
 * Returns 0, PG_EINPUT, PG_ENOMEM.
 *
 * Precisely, with D(1) <= ... <= D(M) the M = na nb differences b_j - a_i
 * and alpha = 1 - confidence:
 *   estimate  D((M + 1) / 2) for odd M, (D(M / 2) + D(M / 2 + 1)) / 2 for
 *             even M;
 *   interval  [D(k), D(M + 1 - k)] with
 *             exact:  k = #{u >= 0 : P(U <= u) <= alpha / 2} (compared with
 *                     a relative tolerance of 1e-9), i.e. 1 + the largest
 *                     u whose lower tail fits, so the coverage
 *                     1 - 2 P(U <= k - 1) is at least `confidence`;
 *             normal: k = floor(M / 2 + 1/2 - z sqrt(M (N + 1) / 12)),
 *                     z = Q^-1(alpha / 2), N = na + nb (the same rule with
 *                     the continuity-corrected normal tail, no tie
 *                     correction);
 *             k < 1: the full range [D(1), D(M)] (its coverage is then
 *                     below `confidence`, e.g. 2 vs 2 at 95%).
 * The k-th difference is found by selection without forming all M
 * differences: O((na + nb) log M) time, O(na + nb) memory.
 */
int pg_utest_shift(double *estimate, double *lo, double *hi, const double *a,
		   size_t na, const double *b, size_t nb, double confidence);

/*
 * P(U <= k) under the exact no-tie null distribution of U for sample sizes
 * (na, nb) (the distribution behind PG_UTEST_EXACT; exposed for tests and
 * for reports of the achieved confidence). Returns 0, PG_EINPUT (an empty
 * sample, or na * nb > 10000 with a size above PG_UTEST_EXACT_MAX: the
 * table would be too large), PG_ENOMEM.
 *
 * The exact distributions for sizes up to PG_UTEST_EXACT_MAX are computed
 * once per (na, nb) pair and cached for the life of the process; the cache
 * is thread-safe (lock-free, immutable tables), so pg_utest_run() and
 * pg_utest_shift() may be called from several threads at once.
 */
int pg_utest_exact_cdf(double *out, size_t k, size_t na, size_t nb);

/* Free the cached exact distributions (at exit, or in tests). NOT
 * thread-safe: no other thread may be inside a pg_utest_* function. The
 * cache refills on demand afterwards. */
void pg_utest_cache_release(void);

#endif
