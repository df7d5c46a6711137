#ifndef PG_SUMMARY_H
#define PG_SUMMARY_H

#include <stddef.h>

/* Descriptive statistics of one sample. */
typedef struct pg_summary {
	size_t n;
	double mean;
	double median;
	double stddev;   /* sample standard deviation (n - 1 denominator); 0 when n < 2 */
	double min;
	double max;
	size_t outliers; /* values outside the Tukey fences (whether or not
			  * they were dropped) */
} pg_summary;

/* Summarise `n` values (n >= 1). `outliers` is counted too (0 when n < 4,
 * as pg_drop_outliers keeps everything then). Mean and deviation use the
 * corrected two-pass algorithm; when all values are equal the mean is that
 * value and the deviation exactly 0. Returns 0, PG_EINPUT when n is 0,
 * PG_ENOMEM. */
int pg_summarize(pg_summary *out, const double *values, size_t n);

/* Quantile `p` (0..1) of `n` sorted values by the Hyndman–Fan type 8 rule
 * (R's quantile(type = 8), the median-unbiased one):
 * h = (n + 1/3) p + 1/3, interpolated between the neighbouring order
 * statistics and clamped to the sample's range. p outside [0, 1] is
 * clamped; NaN p or n == 0 give NaN. The median (p = 0.5) is exact. */
double pg_quantile_r8(const double *sorted, size_t n, double p);

/* Tukey fences of `n` sorted values: Q1 - 1.5 IQR and Q3 + 1.5 IQR, with
 * R8 quartiles. A value v is an outlier when v < lo or v > hi (the fences
 * themselves are inside). */
void pg_tukey_fences(double *lo, double *hi, const double *sorted, size_t n);

/* Copy the values of `values` that lie within the Tukey fences to `out`
 * (which has room for n values), keeping their order; returns how many
 * were kept. Returns n (all kept) when n < 4, where quartiles mean little.
 * `out` may be `values` (filtering in place).
 * Returns (size_t)-1 with PG_ENOMEM set on allocation failure. */
size_t pg_drop_outliers(double *out, const double *values, size_t n);

/* Sort ascending (helper for the above; NaN-free input). */
void pg_sort_doubles(double *values, size_t n);

#endif
