#ifndef PG_RESULTS_INTERNAL_H
#define PG_RESULTS_INTERNAL_H

/*
 * Helpers shared by stats/results.c and the two parsers (stats/benchfmt.c,
 * stats/gbench.c). Not part of the stats API: include only from those
 * files.
 */

#include <stddef.h>

#include "common/buf.h"
#include "stats/results.h"

/* The index of series (name, unit) of `r`, created (empty) when absent.
 * `key` is the caller's scratch buffer (reused, so that a parser does not
 * allocate per line). Returns 0, PG_EINPUT (a NUL byte in the name or
 * unit) or PG_ENOMEM. For the parsers' private results only: on failure
 * `r` may keep the key in its index without the series, so it must be
 * released, not used (pg_results_add() is the careful variant). */
int pg_results__series(size_t *out, pg_results *r, pg_buf *key,
		       const char *name, size_t name_len, const char *unit,
		       size_t unit_len);

/* Grow the values and iteration counts of `s` to room for `want` (the
 * slow path of pg_results__push). */
int pg_results__grow_values(pg_series *s, size_t want);

/* Append `value` measured over `iters` iterations to `s` (no check of
 * the value). 0 or PG_ENOMEM. */
static inline int pg_results__push(pg_series *s, double value,
				   unsigned long long iters)
{
	if (s->n == s->alloc) {
		int err = pg_results__grow_values(s, s->n + 1);

		if (err < 0)
			return err;
	}
	s->values[s->n] = value;
	s->iters[s->n] = iters;
	s->n++;
	return 0;
}

/* Format `field` (`len` bytes) for an error message: at most 64 bytes,
 * "..." appended when cut. Returns the number of bytes to print with
 * "%.*s" and sets *ellipsis to "" or "...". */
int pg_results__clip(size_t len, const char **ellipsis);

/* Nonzero when byte c is a control byte that a text input must not hold
 * (anything below 0x20 except \t \n \v \f \r, and 0x7f). */
extern const unsigned char pg_results__ctl[256];

/* Nonzero when data[0..len) holds such a control byte. */
int pg_results__has_ctl(const char *data, size_t len);

/* The 1-based line of the first control byte (see above) in data[0..len),
 * or 0 when there is none. */
size_t pg_results__binary_line(const char *data, size_t len);

/* Write `v` to `buf` (at least 32 bytes) with the fewest of 15, 16 or 17
 * significant digits ("%.*g") that strtod() reads back to `v` exactly.
 * Returns the length. */
int pg_results__fmt_double(char *buf, size_t size, double v);

#endif
