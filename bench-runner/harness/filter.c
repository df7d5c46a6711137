/*
 * -bench and -list regular expressions, matched like Go's testing package
 * (testing/match.go): -bench is split at every '/' (and a top-level '|')
 * that is outside brackets and parentheses, and each part must match the
 * corresponding '/'-separated level of a benchmark name. The expressions
 * are POSIX extended ones (regcomp), not RE2: no \d, no (?i), no lazy
 * quantifiers.
 */
#include <stdlib.h>
#include <string.h>

#include "bench_regex.h"
#include "internal.h"

static void alt_release(pg_bench_filter_alt *a)
{
	size_t i;

	for (i = 0; i < a->nlevels; i++)
		if (!a->empty[i])
			regfree(&a->levels[i]);
	free(a->levels);
	free(a->empty);
	a->levels = NULL;
	a->empty = NULL;
	a->nlevels = 0;
}

void pg_bench_filter_release(pg_bench_filter *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->nalts; i++)
		alt_release(&f->alts[i]);
	free(f->alts);
	f->alts = NULL;
	f->nalts = 0;
}

/* Compile `len` bytes at `s` as the next level of `a`. */
static int add_level(pg_bench_filter_alt *a, const char *s, size_t len,
		     const char *pattern, char *err, size_t cap)
{
	regex_t *levels;
	int *empty;
	char *part = NULL;
	int rc = -1, re_rc;

	levels = realloc(a->levels, (a->nlevels + 1) * sizeof(*levels));
	if (levels)
		a->levels = levels;
	empty = realloc(a->empty, (a->nlevels + 1) * sizeof(*empty));
	if (empty)
		a->empty = empty;
	if (len > 0)
		part = malloc(len + 1);
	if (!levels || !empty || (len > 0 && !part)) {
		snprintf(err, cap, "out of memory");
		goto cleanup;
	}
	if (len == 0) {
		a->empty[a->nlevels++] = 1;
		rc = 0;
		goto cleanup;
	}
	memcpy(part, s, len);
	part[len] = '\0';
	re_rc = regcomp(&a->levels[a->nlevels], part, REG_EXTENDED | REG_NOSUB);
	if (re_rc) {
		char msg[256];

		regerror(re_rc, &a->levels[a->nlevels], msg, sizeof(msg));
		if (strcmp(part, pattern))
			snprintf(err, cap, "invalid regular expression '%s' (in '%s'): %s",
				 part, pattern, msg);
		else
			snprintf(err, cap, "invalid regular expression '%s': %s",
				 pattern, msg);
		goto cleanup;
	}
	a->empty[a->nlevels++] = 0;
	rc = 0;
cleanup:
	free(part);
	return rc;
}

static pg_bench_filter_alt *add_alt(pg_bench_filter *f, char *err, size_t cap)
{
	pg_bench_filter_alt *alts = realloc(f->alts, (f->nalts + 1) * sizeof(*alts));

	if (!alts) {
		snprintf(err, cap, "out of memory");
		return NULL;
	}
	f->alts = alts;
	memset(&alts[f->nalts], 0, sizeof(alts[0]));
	return &alts[f->nalts++];
}

int pg_bench_filter_compile(pg_bench_filter *out, const char *pattern,
			    int split, char *err, size_t cap)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	pg_bench_filter_alt *alt = NULL;
	pg_bench_regex_part *parts = NULL;
	size_t nparts = 0, i;

	out->alts = NULL;
	out->nalts = 0;
	if (!split) {
		alt = add_alt(&f, err, cap);
		if (!alt || add_level(alt, pattern, strlen(pattern), pattern, err, cap))
			goto cleanup;
		*out = f;
		return 0;
	}
	if (pg_bench_regex_split(&parts, &nparts, pattern) < 0) {
		snprintf(err, cap, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < nparts; i++) {
		if (parts[i].first && !(alt = add_alt(&f, err, cap)))
			goto cleanup;
		if (add_level(alt, pattern + parts[i].start, parts[i].len, pattern, err, cap))
			goto cleanup;
	}
	free(parts);
	*out = f;
	return 0;
cleanup: /* failed: nothing is kept */
	free(parts);
	pg_bench_filter_release(&f);
	return -1;
}

static int level_match(const pg_bench_filter_alt *a, size_t i, const char *s,
		       size_t len)
{
	char buf[512], *heap = NULL, *str = buf;
	int ok;

	if (a->empty[i])
		return 1;
	if (len >= sizeof(buf)) {
		heap = malloc(len + 1);
		if (!heap)
			return 0;
		str = heap;
	}
	memcpy(str, s, len);
	str[len] = '\0';
	ok = regexec(&a->levels[i], str, 0, NULL, 0) == 0;
	free(heap);
	return ok;
}

/* The first level also matches as "Benchmark<level>". */
static int first_level_match(const pg_bench_filter_alt *a, const char *s,
			     size_t len)
{
	char buf[512], *heap = NULL, *str = buf;
	size_t plen = strlen("Benchmark");
	int ok;

	if (level_match(a, 0, s, len))
		return 1;
	if (len + plen >= sizeof(buf)) {
		heap = malloc(len + plen + 1);
		if (!heap)
			return 0;
		str = heap;
	}
	memcpy(str, "Benchmark", plen);
	memcpy(str + plen, s, len);
	ok = level_match(a, 0, str, len + plen);
	free(heap);
	return ok;
}

static int alt_match(const pg_bench_filter_alt *a, const char *name, int *partial)
{
	const char *s = name;
	size_t level = 0;

	for (;;) {
		const char *slash = strchr(s, '/');
		size_t len = slash ? (size_t)(slash - s) : strlen(s);

		if (level >= a->nlevels)
			break;
		if (!(level == 0 ? first_level_match(a, s, len)
				 : level_match(a, level, s, len)))
			return 0;
		level++;
		if (!slash)
			break;
		s = slash + 1;
	}
	/* name has `level` levels (or more, when the filter ran out) */
	*partial = level < a->nlevels;
	return 1;
}

int pg_bench_filter_match(const pg_bench_filter *f, const char *name,
			  int *partial)
{
	int dummy;
	size_t i;

	if (!partial)
		partial = &dummy;
	*partial = 0;
	for (i = 0; i < f->nalts; i++)
		if (alt_match(&f->alts[i], name, partial))
			return 1;
	*partial = 0;
	return 0;
}
