#ifndef PG_WELCH_H
#define PG_WELCH_H

#include "stats/summary.h"

/*
 * Welch's unequal-variance t-test on two summaries (uses n, mean, stddev),
 * two-sided, as scipy.stats.ttest_ind(a, b, equal_var=False) with
 * a = old, b = new:
 *   t  = (mean_a - mean_b) / sqrt(va/na + vb/nb)
 *   df = Welch–Satterthwaite
 *   p  = 2 * Q_t(|t|; df) (GSL's t distribution)
 *
 * Degenerate cases (documented in the README):
 *  - n < 2 on a side: PG_EINPUT ("too few samples"), no test.
 *  - zero variance on both sides: equal means give t = 0, p = 1; different
 *    means give p = 0 and t = +-inf (the difference is exact); df is set to
 *    na + nb - 2; se = 0.
 *  - zero variance on one side only: the formula holds (df from the other
 *    side).
 */
typedef struct pg_welch {
	double t;
	double df;
	double p;
	double diff; /* mean_b - mean_a */
	double se;   /* standard error of diff */
} pg_welch;

int pg_welch_test(pg_welch *out, const pg_summary *a, const pg_summary *b);

/*
 * Confidence interval for the relative change mean_b / mean_a - 1 (as a
 * fraction; multiply by 100 for percent) at `confidence` (e.g. 0.95), by
 * Fieller's theorem with the Welch degrees of freedom: the set of ratios r
 * with (mean_b - r mean_a)^2 <= t^2 (vb/nb + r^2 va/na), t the two-sided
 * critical value. This interval excludes 0 exactly when the Welch test is
 * significant at alpha = 1 - confidence.
 *
 * Returns 0, PG_EINPUT when n < 2 on a side or confidence is not in (0, 1),
 * PG_ENOTFOUND when the interval is unbounded (mean_a is not significantly
 * different from 0, i.e. mean_a^2 <= t^2 va/na; always when mean_a is 0).
 * When both variances are zero the interval is the point [d, d],
 * d = mean_b / mean_a - 1. On failure *lo and *hi are NaN.
 */
int pg_welch_ratio_ci(double *lo, double *hi, const pg_summary *a,
		      const pg_summary *b, double confidence);

#endif
