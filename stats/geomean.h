#ifndef PG_GEOMEAN_H
#define PG_GEOMEAN_H

#include <stddef.h>

/* Geometric mean of n positive values (computed in log space, exponents
 * apart, so that neither the product nor the logarithms lose precision).
 * Returns 0, PG_EINPUT when n is 0 or a value is not positive (or is NaN or
 * infinite). */
int pg_geomean(double *out, const double *values, size_t n);

#endif
