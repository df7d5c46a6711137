/*
 * The Go benchmark format of a result line (testing.BenchmarkResult's
 * String and MemString), and the small string builder the printing side
 * uses. Nothing here runs while a benchmark is timed.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ------------------------------------------------------------ pg_bench_sb */

static int sb_grow(pg_bench_sb *sb, size_t extra)
{
	size_t want, cap;
	char *p;

	if (sb->failed)
		return -1;
	if (extra > SIZE_MAX - sb->len - 1) {
		sb->failed = 1;
		return -1;
	}
	want = sb->len + extra + 1;
	if (want <= sb->cap)
		return 0;
	cap = sb->cap ? sb->cap : 64;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 ? want : cap * 2;
	p = realloc(sb->ptr, cap);
	if (!p) {
		sb->failed = 1;
		return -1;
	}
	sb->ptr = p;
	sb->cap = cap;
	return 0;
}

void pg_bench_sb_add(pg_bench_sb *sb, const char *s, size_t len)
{
	if (sb_grow(sb, len))
		return;
	memcpy(sb->ptr + sb->len, s, len);
	sb->len += len;
	sb->ptr[sb->len] = '\0';
}

void pg_bench_sb_addf(pg_bench_sb *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		sb->failed = 1;
		return;
	}
	if (sb_grow(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->ptr + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

const char *pg_bench_sb_str(const pg_bench_sb *sb)
{
	return sb->ptr ? sb->ptr : "";
}

void pg_bench_sb_reset(pg_bench_sb *sb)
{
	sb->len = 0;
	sb->failed = 0;
	if (sb->ptr)
		sb->ptr[0] = '\0';
}

void pg_bench_sb_release(pg_bench_sb *sb)
{
	if (!sb)
		return;
	free(sb->ptr);
	sb->ptr = NULL;
	sb->len = 0;
	sb->cap = 0;
	sb->failed = 0;
}

/* ------------------------------------------------------------ format */

void pg_bench_pretty(pg_bench_sb *sb, double x, const char *unit)
{
	/* Go's testing.prettyPrint (Go 1.20 and later): ten places before
	 * the decimal point, four significant figures for small numbers,
	 * decimal points aligned. */
	double y = fabs(x);
	int width, prec;

	if (y == 0 || y >= 999.95) {
		width = 10;
		prec = 0;
	} else if (y >= 99.995) {
		width = 12;
		prec = 1;
	} else if (y >= 9.9995) {
		width = 13;
		prec = 2;
	} else if (y >= 0.99995) {
		width = 14;
		prec = 3;
	} else if (y >= 0.099995) {
		width = 15;
		prec = 4;
	} else if (y >= 0.0099995) {
		width = 16;
		prec = 5;
	} else if (y >= 0.00099995) {
		width = 17;
		prec = 6;
	} else {
		width = 18;
		prec = 7;
	}
	pg_bench_sb_addf(sb, "%*.*f %s", width, prec, x, unit);
}

static const pg_bench_metric *find_metric(const pg_bench_result *r,
					  const char *unit)
{
	size_t i;

	for (i = 0; i < r->nmetrics; i++)
		if (!strcmp(r->metrics[i].unit, unit))
			return &r->metrics[i];
	return NULL;
}

static int builtin_unit(const char *unit, int mem_printed)
{
	if (!strcmp(unit, "ns/op") || !strcmp(unit, "MB/s"))
		return 1;
	/* B/op and allocs/op overrides are printed by the memory part when
	 * it is printed, and as ordinary metrics otherwise (Go drops them
	 * then; we never drop a reported figure). */
	return mem_printed && (!strcmp(unit, "B/op") || !strcmp(unit, "allocs/op"));
}

typedef struct extra {
	const char *unit;
	double value;
} extra;

static int extra_cmp(const void *a, const void *b)
{
	return strcmp(((const extra *)a)->unit, ((const extra *)b)->unit);
}

void pg_bench_format_result(pg_bench_sb *sb, const pg_bench_result *r,
			    int width)
{
	extra extras[PG_BENCH_MAX_METRICS + 1];
	const pg_bench_metric *m;
	int mem_printed = r->mem && r->mem_available;
	size_t nextra = 0, i;
	double ns, mbs = 0;

	pg_bench_sb_addf(sb, "%-*s\t%8" PRIu64, width, r->name, r->n);

	m = find_metric(r, "ns/op");
	ns = m ? m->value : r->n ? (double)r->ns / (double)r->n : 0;
	if (ns != 0) {
		pg_bench_sb_add(sb, "\t", 1);
		pg_bench_pretty(sb, ns, "ns/op");
	}

	m = find_metric(r, "MB/s");
	if (m)
		mbs = m->value;
	else if (r->bytes > 0 && r->ns > 0 && r->n > 0)
		mbs = ((double)r->bytes * (double)r->n / 1e6) / ((double)r->ns / 1e9);
	if (mbs != 0)
		pg_bench_sb_addf(sb, "\t%7.2f MB/s", mbs);

	for (i = 0; i < r->nmetrics; i++) {
		if (builtin_unit(r->metrics[i].unit, mem_printed))
			continue;
		extras[nextra].unit = r->metrics[i].unit;
		extras[nextra++].value = r->metrics[i].value;
	}
	if (r->has_instructions && r->n > 0 && !find_metric(r, "instructions/op")) {
		extras[nextra].unit = "instructions/op";
		extras[nextra++].value = (double)r->instructions / (double)r->n;
	}
	qsort(extras, nextra, sizeof(extras[0]), extra_cmp);
	for (i = 0; i < nextra; i++) {
		pg_bench_sb_add(sb, "\t", 1);
		pg_bench_pretty(sb, extras[i].value, extras[i].unit);
	}

	if (mem_printed) {
		int64_t bytes_op, allocs_op;

		m = find_metric(r, "B/op");
		bytes_op = m ? (int64_t)m->value
			     : r->n ? (int64_t)(r->alloc_bytes / r->n) : 0;
		m = find_metric(r, "allocs/op");
		allocs_op = m ? (int64_t)m->value
			      : r->n ? (int64_t)(r->allocs / r->n) : 0;
		pg_bench_sb_addf(sb, "\t%8" PRId64 " B/op\t%8" PRId64 " allocs/op",
				 bytes_op, allocs_op);
	}
}
