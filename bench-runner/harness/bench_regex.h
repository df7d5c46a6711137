#ifndef PG_BENCH_REGEX_H
#define PG_BENCH_REGEX_H

#include <stddef.h>

/*
 * A -bench expression split the way Go's testing package splits it
 * (testing.splitRegexp): at every '/' and every '|' that is outside
 * brackets and parentheses (a backslash escapes the next byte). A '/'
 * separates the levels of a sub-benchmark name ("Sort/n=100$"); a '|'
 * starts a new alternative, itself split into levels ("Hash|Sort/n=100$"
 * is {Hash} or {Sort, n=100$}).
 *
 * Shared by the harness (filter.c compiles each part)
 * and the runner (bench-runner/ab.c rewrites an expression per benchmark),
 * so both read an expression alike. Plain libc: the harness library links
 * nothing of perfgate's.
 */

typedef struct pg_bench_regex_part {
	size_t start;  /* offset of the part in the expression */
	size_t len;    /* its length in bytes (0: an empty part) */
	int first;     /* the first level of an alternative */
} pg_bench_regex_part;

/* Split `pattern`: `*out` receives a malloc'd array (the caller frees it)
 * of `*n` >= 1 parts, in order. 0, or -1 when out of memory (`*out` NULL). */
int pg_bench_regex_split(pg_bench_regex_part **out, size_t *n, const char *pattern);

#endif
