#include <stdlib.h>

#include "bench_regex.h"

static int add(pg_bench_regex_part **v, size_t *n, size_t *alloc, size_t start,
	       size_t len, int first)
{
	if (*n == *alloc) {
		size_t want = *alloc ? 2 * *alloc : 4;
		pg_bench_regex_part *p = realloc(*v, want * sizeof(*p));

		if (!p)
			return -1;
		*v = p;
		*alloc = want;
	}
	(*v)[*n].start = start;
	(*v)[*n].len = len;
	(*v)[*n].first = first;
	(*n)++;
	return 0;
}

int pg_bench_regex_split(pg_bench_regex_part **out, size_t *n, const char *pattern)
{
	pg_bench_regex_part *v = NULL;
	size_t count = 0, alloc = 0, start = 0, i;
	int brackets = 0, parens = 0, first = 1;

	*out = NULL;
	*n = 0;
	for (i = 0; pattern[i]; i++) {
		switch (pattern[i]) {
		case '[':
			brackets++;
			break;
		case ']':
			if (--brackets < 0) /* an unmatched ']' is an ordinary byte */
				brackets = 0;
			break;
		case '(':
			if (!brackets)
				parens++;
			break;
		case ')':
			if (!brackets)
				parens--;
			break;
		case '\\':
			if (pattern[i + 1])
				i++;
			break;
		case '/':
		case '|':
			if (brackets || parens)
				break;
			if (add(&v, &count, &alloc, start, i - start, first) < 0)
				goto fail;
			start = i + 1;
			first = pattern[i] == '|';
			break;
		default:
			break;
		}
	}
	if (add(&v, &count, &alloc, start, i - start, first) < 0)
		goto fail;
	*out = v;
	*n = count;
	return 0;

fail:
	free(v);
	return -1;
}
