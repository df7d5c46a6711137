#include <math.h>

#include "common/error.h"
#include "stats/geomean.h"
#include "common/banned.h"

/*
 * exp(mean(log x)), computed so that the result has a relative error of a
 * few ulps whatever the magnitudes: each value is split as m 2^e
 * (frexp, m in [0.5, 1)); the exponents are summed exactly as integers and
 * the small logarithms log m with Neumaier's compensated summation. With
 * E = sum e = q n + r (0 <= r < n),
 *   geomean = 2^q exp((sum log m + r ln 2) / n),
 * where the argument of exp stays within (-ln 2, ln 2). (exp(mean(log x))
 * computed directly loses |log x| ulps: 1.5e-13 relative around 1e300.)
 *
 * A value that is not positive, or not finite (NaN, inf), is refused with
 * PG_EINPUT.
 */
int pg_geomean(double *out, const double *values, size_t n)
{
	double sum = 0, comp = 0;
	long long esum = 0, q, r;
	size_t i;

	*out = NAN;
	if (n == 0)
		return pg_error_set(PG_EINPUT,
				    "cannot take the geometric mean of no values");
	for (i = 0; i < n; i++) {
		double v = values[i], m, l, t;
		int e;

		if (!(v > 0) || isinf(v))
			return pg_error_set(PG_EINPUT,
					    "cannot take the geometric mean of '%g': not a positive number",
					    v);
		m = frexp(v, &e);
		esum += e;
		l = log(m);
		t = sum + l;
		if (fabs(sum) >= fabs(l))
			comp += (sum - t) + l;
		else
			comp += (l - t) + sum;
		sum = t;
	}
	/* floor division of the exponent sum */
	q = esum / (long long)n;
	r = esum % (long long)n;
	if (r < 0) {
		r += (long long)n;
		q -= 1;
	}
	*out = ldexp(exp(((sum + comp) + (double)r * M_LN2) / (double)n), (int)q);
	return 0;
}
