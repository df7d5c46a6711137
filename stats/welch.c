#include <math.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

#include "common/error.h"
#include "stats/welch.h"
#include "common/banned.h"

/*
 * Welch's t-test and Fieller's interval for the ratio of the means.
 *
 * The p-value is 2 Q(|t|; df) with GSL's upper tail (never 1 - P, which
 * would lose every digit of a tiny p-value), as scipy computes
 * 2 * stdtr(df, -|t|).
 */

static int check_sides(const pg_summary *a, const pg_summary *b)
{
	if (a->n < 2 || b->n < 2)
		return pg_error_set(PG_EINPUT, "too few samples");
	return 0;
}

int pg_welch_test(pg_welch *out, const pg_summary *a, const pg_summary *b)
{
	double va, vb, sa2, sb2, se2;
	int ret;

	memset(out, 0, sizeof(*out));
	ret = check_sides(a, b);
	if (ret < 0)
		return ret;

	va = a->stddev * a->stddev;
	vb = b->stddev * b->stddev;
	sa2 = va / (double)a->n;
	sb2 = vb / (double)b->n;
	se2 = sa2 + sb2;
	out->diff = b->mean - a->mean;

	if (se2 == 0) {
		/* zero variance on both sides: the difference is exact */
		out->se = 0;
		out->df = (double)(a->n + b->n - 2);
		if (a->mean == b->mean) {
			out->t = 0;
			out->p = 1;
		} else {
			out->t = a->mean > b->mean ? INFINITY : -INFINITY;
			out->p = 0;
		}
		return 0;
	}
	out->se = sqrt(se2);
	out->t = (a->mean - b->mean) / out->se;
	/* Welch–Satterthwaite, (sa2 + sb2)^2 / (sa2^2/(na-1) + sb2^2/(nb-1)),
	 * on the variances scaled by the larger one so that the squares
	 * cannot underflow or overflow; one term may be 0 (a constant side),
	 * and df then is n - 1 of the other side. */
	{
		double scale = sa2 > sb2 ? sa2 : sb2, x = sa2 / scale, y = sb2 / scale;

		out->df = (x + y) * (x + y) /
			  (x * x / (double)(a->n - 1) + y * y / (double)(b->n - 1));
	}
	out->p = 2.0 * gsl_cdf_tdist_Q(fabs(out->t), out->df);
	if (out->p > 1)
		out->p = 1;
	return 0;
}

/*
 * Fieller: with sa2 = va/na, sb2 = vb/nb, c = t_crit^2, the set of ratios r
 * with (mb - r ma)^2 <= c (sb2 + r^2 sa2) is {r : A r^2 - 2 P r + C <= 0}
 * where A = ma^2 - c sa2, P = ma mb, C = mb^2 - c sb2. It is a bounded
 * interval exactly when A > 0; its ends are the roots of the quadratic. The
 * discriminant P^2 - A C equals c (sb2 A + mb^2 sa2), which is computed in
 * that form (no cancellation, and visibly >= 0 when A > 0); the roots are
 * taken as q / A and C / q with q = P + sign(P) sqrt(disc), the stable pair.
 */
int pg_welch_ratio_ci(double *lo, double *hi, const pg_summary *a,
		      const pg_summary *b, double confidence)
{
	pg_welch w;
	double ma = a->mean, mb = b->mean, sa2, sb2, tc, c, A, P, C, disc, q;
	double r1, r2;
	int ret;

	*lo = NAN;
	*hi = NAN;
	if (!(confidence > 0 && confidence < 1))
		return pg_error_set(PG_EINPUT, "invalid confidence level '%g'",
				    confidence);
	ret = pg_welch_test(&w, a, b);
	if (ret < 0)
		return ret;
	if (ma == 0)
		return pg_error_set(PG_ENOTFOUND,
				    "confidence interval is unbounded: the old mean is 0");
	if (w.se == 0) {
		*lo = *hi = mb / ma - 1.0;
		return 0;
	}
	sa2 = a->stddev * a->stddev / (double)a->n;
	sb2 = b->stddev * b->stddev / (double)b->n;
	tc = gsl_cdf_tdist_Qinv((1.0 - confidence) / 2.0, w.df);
	c = tc * tc;
	A = ma * ma - c * sa2;
	if (!(A > 0))
		return pg_error_set(PG_ENOTFOUND,
				    "confidence interval is unbounded: the old mean is not significantly different from 0");
	P = ma * mb;
	C = mb * mb - c * sb2;
	disc = c * (sb2 * A + mb * mb * sa2);
	q = P >= 0 ? P + sqrt(disc) : P - sqrt(disc);
	if (q == 0) {
		/* P == 0 and disc == 0: the double root 0 */
		r1 = r2 = 0;
	} else {
		r1 = q / A;
		r2 = C / q;
	}
	*lo = (r1 < r2 ? r1 : r2) - 1.0;
	*hi = (r1 < r2 ? r2 : r1) - 1.0;
	return 0;
}
