#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "stats/summary.h"
#include "common/banned.h"

/*
 * Descriptive statistics.
 *
 * Mean and variance use the corrected two-pass algorithm (Chan, Golub &
 * LeVeque, "Algorithms for computing the sample variance", 1983): a first
 * pass for the mean, refined by the mean of the residuals, then
 * sum((x - m)^2) - (sum(x - m))^2 / n. A sample whose values are all equal
 * gets exactly that value as its mean and a standard deviation of exactly 0
 * (the Welch test relies on this to recognise zero variance).
 */

static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa;
	double b = *(const double *)pb;

	return (a > b) - (a < b);
}

void pg_sort_doubles(double *values, size_t n)
{
	if (n > 1)
		qsort(values, n, sizeof(*values), cmp_double);
}

/*
 * Hyndman–Fan type 8. The plotting position is computed as
 * h = ((3n + 1) p + 1) / 3, which is (n + 1/3) p + 1/3 with a single
 * rounding of the 1/3: for the median (p = 0.5) h is then exact, and so is
 * the result (the middle value, or the midpoint of the middle two).
 * Out-of-range p is clamped to [0, 1]; NaN p or n == 0 give NaN.
 */
double pg_quantile_r8(const double *sorted, size_t n, double p)
{
	double h, t;
	size_t j;

	if (n == 0 || isnan(p))
		return NAN;
	if (p < 0)
		p = 0;
	if (p > 1)
		p = 1;
	h = ((3.0 * (double)n + 1.0) * p + 1.0) / 3.0; /* 1-based */
	if (h <= 1.0)
		return sorted[0];
	if (h >= (double)n)
		return sorted[n - 1];
	j = (size_t)floor(h); /* 1 <= j < n */
	t = h - (double)j;
	if (t == 0.0 || sorted[j - 1] == sorted[j])
		return sorted[j - 1];
	return sorted[j - 1] + t * (sorted[j] - sorted[j - 1]);
}

void pg_tukey_fences(double *lo, double *hi, const double *sorted, size_t n)
{
	double q1 = pg_quantile_r8(sorted, n, 0.25);
	double q3 = pg_quantile_r8(sorted, n, 0.75);
	double iqr = q3 - q1;

	*lo = q1 - 1.5 * iqr;
	*hi = q3 + 1.5 * iqr;
}

/* Number of values outside the fences of `sorted` (n >= 4; 0 otherwise,
 * matching pg_drop_outliers). */
static size_t count_outliers(const double *sorted, size_t n)
{
	double lo, hi;
	size_t i, count = 0;

	if (n < 4)
		return 0;
	pg_tukey_fences(&lo, &hi, sorted, n);
	for (i = 0; i < n; i++)
		if (sorted[i] < lo || sorted[i] > hi)
			count++;
	return count;
}

int pg_summarize(pg_summary *out, const double *values, size_t n)
{
	double *sorted = NULL;
	double sum = 0, mean, dev, sdev = 0, ssq = 0;
	size_t i;
	int ret = 0;

	memset(out, 0, sizeof(*out));
	if (n == 0) {
		ret = pg_error_set(PG_EINPUT, "cannot summarize an empty sample");
		goto cleanup;
	}
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		ret = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	memcpy(sorted, values, n * sizeof(*sorted));
	pg_sort_doubles(sorted, n);

	out->n = n;
	out->min = sorted[0];
	out->max = sorted[n - 1];
	out->median = pg_quantile_r8(sorted, n, 0.5);
	out->outliers = count_outliers(sorted, n);

	if (out->min == out->max) {
		/* all equal: exact, whatever rounding would say */
		out->mean = out->min;
		out->stddev = 0;
		goto cleanup;
	}
	for (i = 0; i < n; i++)
		sum += values[i];
	mean = sum / (double)n;
	/* first correction: mean of the residuals */
	for (i = 0; i < n; i++)
		sdev += values[i] - mean;
	mean += sdev / (double)n;
	sdev = 0;
	for (i = 0; i < n; i++) {
		dev = values[i] - mean;
		sdev += dev;
		ssq += dev * dev;
	}
	/* keep the mean inside the sample's range (rounding) */
	if (mean < out->min)
		mean = out->min;
	if (mean > out->max)
		mean = out->max;
	out->mean = mean;
	if (n >= 2) {
		double var = (ssq - sdev * sdev / (double)n) / (double)(n - 1);

		out->stddev = var > 0 ? sqrt(var) : 0;
	}

cleanup:
	free(sorted);
	return ret;
}

size_t pg_drop_outliers(double *out, const double *values, size_t n)
{
	double *sorted = NULL;
	double lo, hi;
	size_t i, kept = 0;

	if (n < 4) {
		if (n > 0 && out != values)
			memmove(out, values, n * sizeof(*out));
		return n;
	}
	sorted = malloc(n * sizeof(*sorted));
	if (!sorted) {
		pg_error_set(PG_ENOMEM, "out of memory");
		return (size_t)-1;
	}
	memcpy(sorted, values, n * sizeof(*sorted));
	pg_sort_doubles(sorted, n);
	pg_tukey_fences(&lo, &hi, sorted, n);
	/* forward copy: safe when out == values */
	for (i = 0; i < n; i++) {
		double v = values[i];

		if (v >= lo && v <= hi)
			out[kept++] = v;
	}
	free(sorted);
	return kept;
}
