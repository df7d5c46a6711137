#ifndef PG_STATS_TEST_H
#define PG_STATS_TEST_H

/* Helpers shared by the stats test suites (include after <cmocka.h>). */

#include <math.h>
#include <stdarg.h>
#include <string.h>

#include "stats/results.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Relative error of `got` against `want` (absolute when want is 0). */
static inline double relerr(double got, double want)
{
	if (got == want)
		return 0;
	if (want == 0)
		return fabs(got);
	return fabs(got - want) / fabs(want);
}

/* Fail unless `got` is within `tol` relative of `want`; track the worst
 * error seen in *worst. */
static inline void check_rel(double *worst, double got, double want, double tol,
			     const char *what, const char *name)
{
	double e = relerr(got, want);

	if (!(e <= tol))
		fail_msg("%s (%s): got %.17g, want %.17g (rel. error %.3g > %.3g)",
			 what, name, got, want, e, tol);
	if (e > *worst)
		*worst = e;
}

/* The series (name, unit) of `r`; fails the test when absent. */
static inline const pg_series *find(const pg_results *r, const char *name,
				    const char *unit)
{
	const pg_series *s = pg_results_find(r, name, unit);

	if (!s)
		fail_msg("no series '%s' '%s'", name, unit);
	return s;
}

/* The series holds exactly the `n` doubles given, bit for bit. */
static inline void assert_values(const pg_series *s, size_t n, ...)
{
	va_list ap;
	size_t i;

	assert_int_equal(s->n, n);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		double want = va_arg(ap, double);

		if (memcmp(&want, &s->values[i], sizeof(want)) != 0)
			fail_msg("%s %s value %zu: %.17g, want %.17g", s->name,
				 s->unit, i, s->values[i], want);
	}
	va_end(ap);
}

#endif
