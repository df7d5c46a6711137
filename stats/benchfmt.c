/*
 * The Go benchmark data format (golang.org/design/14313-benchmark-format),
 * read the way golang.org/x/perf/benchfmt reads it. See stats/results.h
 * for what is accepted and the error messages.
 *
 * Speed matters (perfgate compare reads two files of 10^5..10^6 lines in
 * well under a second): lines are found with memchr, fields by a table,
 * numbers by a fast exact path, and a line's series are found through a
 * cache of the previous line's (go test -count=N writes the N runs of a
 * benchmark one after the other) before the hash index. Nothing is
 * allocated per line.
 */
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "stats/results.h"
#include "stats/results_internal.h"
#include "common/banned.h"

/* Byte classes: field separators (x/perf's isSpace; \n never occurs
 * inside a line), control bytes that make an input binary, the rest. */
enum { C_OTHER = 0, C_SPACE = 1, C_CTL = 2 };
static const unsigned char cls[256] = {
	2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	[' '] = 1, [0x7f] = 2,
};

#define ONES UINT64_C(0x0101010101010101)

/* Units of the previous line remembered for the series lookup. */
#define CACHE_UNITS 16

typedef struct parser {
	pg_results *r;    /* the results of this input only */
	const char *file;
	size_t line;
	const char *ls, *le; /* the current line */
	pg_buf key;       /* scratch for "name\0unit" keys */
	pg_buf num;       /* scratch for numbers handed to strtod */
	const char *cname; /* the previous result line's name (in the input) */
	size_t cname_len;
	size_t ncache;
	const char *cunit[CACHE_UNITS];
	size_t cunit_len[CACHE_UNITS];
	size_t cidx[CACHE_UNITS];
} parser;

/* An error on the current line; "binary data" when the line holds a
 * control byte (which is what stopped the parse then). */
static int perr(const parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int perr(const parser *p, const char *fmt, ...)
{
	char msg[PG_ERROR_MAX];
	va_list ap;

	if (p->le > p->ls && pg_results__has_ctl(p->ls, (size_t)(p->le - p->ls)))
		return pg_error_set(PG_EINPUT, "%s:%zu: binary data", p->file,
				    p->line);
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pg_error_set(PG_EINPUT, "%s:%zu: %s", p->file, p->line, msg);
}

/* The end of the field at s: the first separator or control byte. */
static inline const char *token_end(const char *s, const char *e)
{
	while (s < e && cls[(unsigned char)*s] == C_OTHER)
		s++;
	return s;
}

/* Skip separators; runs of blanks (Go pads its columns) a word at a
 * time. */
static inline const char *skip_space(const char *s, const char *e)
{
	for (;;) {
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
		if (e - s >= 8) {
			uint64_t x;

			memcpy(&x, s, 8);
			x ^= ONES * ' ';
			if (!x) {
				s += 8;
				continue;
			}
			s += __builtin_ctzll(x) / 8;
		}
#endif
		if (s < e && cls[(unsigned char)*s] == C_SPACE) {
			s++;
			continue;
		}
		return s;
	}
}

/* memcmp(a, b, n) == 0 for the short strings compared per line, without
 * a library call. */
static inline int same_bytes(const char *a, const char *b, size_t n)
{
	uint64_t x, y;
	uint32_t u, v;

	if (n >= 8) {
		size_t i;

		for (i = 0; i + 8 <= n; i += 8) {
			memcpy(&x, a + i, 8);
			memcpy(&y, b + i, 8);
			if (x != y)
				return 0;
		}
		memcpy(&x, a + n - 8, 8); /* the tail, overlapping */
		memcpy(&y, b + n - 8, 8);
		return x == y;
	}
	if (n >= 4) {
		memcpy(&u, a, 4);
		memcpy(&v, b, 4);
		if (u != v)
			return 0;
		memcpy(&u, a + n - 4, 4);
		memcpy(&v, b + n - 4, 4);
		return u == v;
	}
	for (; n; n--)
		if (*a++ != *b++)
			return 0;
	return 1;
}

/* ------------------------------------------------------------ numbers */

enum { NUM_OK = 0, NUM_SYNTAX, NUM_NOT_POSITIVE, NUM_NONFINITE, NUM_RANGE };

/* Iteration count: [+-]digits, a positive int64, into *out. *sp is moved
 * to the end of the token. */
static int parse_iters(unsigned long long *out, const char **sp, const char *e)
{
	const char *s = *sp;
	uint64_t v = 0;
	int neg = 0, any = 0, over = 0;
	unsigned d;

	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	while (s < e && (d = (unsigned)(unsigned char)*s - '0') < 10) {
		if (v >= (uint64_t)INT64_MAX / 10 &&
		    (v > (uint64_t)INT64_MAX / 10 || d > (unsigned)(INT64_MAX % 10)))
			over = 1;
		else
			v = v * 10 + d;
		any = 1;
		s++;
	}
	if (s < e && cls[(unsigned char)*s] != C_SPACE) {
		*sp = token_end(s, e);
		return NUM_SYNTAX;
	}
	*sp = s;
	if (!any)
		return NUM_SYNTAX;
	if (neg || (!over && v == 0))
		return NUM_NOT_POSITIVE;
	*out = v;
	return over ? NUM_RANGE : NUM_OK;
}

static int word_is(const char *s, size_t len, const char *word)
{
	size_t i;

	if (strlen(word) != len)
		return 0;
	for (i = 0; i < len; i++)
		if ((s[i] | 0x20) != word[i])
			return 0;
	return 1;
}

/* 10^0 .. 10^22: exactly representable as doubles. */
static const double pow10_exact[23] = {
	1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
	1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

/*
 * A measurement: [+-](digits[.digits]|.digits)([eE][+-]digits)?, to the
 * double that strtod() gives for it. Clinger's fast path: when the
 * significant digits form an integer m <= 2^53 and the decimal exponent k
 * has |k| <= 22, m and 10^|k| are exact doubles and one IEEE
 * multiplication or division rounds the exact m * 10^k correctly, as
 * strtod does. Anything else goes to strtod. *sp is moved to the end of
 * the token.
 */
static int parse_value(double *out, const char **sp, const char *e,
		       pg_buf *scratch)
{
	const char *t = *sp, *s = *sp, *body;
	uint64_t mant = 0;
	long exp10 = 0;
	int ndig = 0, any = 0, neg = 0, slow = 0;
	unsigned d;
	double v;
	char *end;

	if (s < e && (*s == '+' || *s == '-'))
		neg = *s++ == '-';
	body = s;
	while (s < e && (d = (unsigned)(unsigned char)*s - '0') < 10) {
		any = 1;
		if (mant || d) {
			if (ndig < 19) {
				mant = mant * 10 + d;
				ndig++;
			} else {
				slow = 1;
			}
		}
		s++;
	}
	if (s < e && *s == '.') {
		s++;
		while (s < e && (d = (unsigned)(unsigned char)*s - '0') < 10) {
			any = 1;
			if (mant || d) {
				if (ndig < 19) {
					mant = mant * 10 + d;
					ndig++;
					exp10--;
				} else {
					slow = 1;
				}
			} else {
				exp10--;
			}
			s++;
		}
	}
	if (!any) {
		const char *te = token_end(body, e);

		*sp = te;
		if (word_is(body, (size_t)(te - body), "nan") ||
		    word_is(body, (size_t)(te - body), "inf") ||
		    word_is(body, (size_t)(te - body), "infinity"))
			return NUM_NONFINITE;
		return NUM_SYNTAX;
	}
	if (s < e && (*s == 'e' || *s == 'E')) {
		long x = 0;
		int eneg = 0, edig = 0;

		s++;
		if (s < e && (*s == '+' || *s == '-'))
			eneg = *s++ == '-';
		while (s < e && (d = (unsigned)(unsigned char)*s - '0') < 10) {
			if (x < 100000000)
				x = x * 10 + (long)d;
			edig = 1;
			s++;
		}
		if (!edig) {
			*sp = token_end(s, e);
			return NUM_SYNTAX;
		}
		exp10 += eneg ? -x : x;
	}
	if (s < e && cls[(unsigned char)*s] != C_SPACE) {
		*sp = token_end(s, e);
		return NUM_SYNTAX;
	}
	*sp = s;
#if defined(FLT_EVAL_METHOD) && FLT_EVAL_METHOD == 0
	if (!slow) {
		if (mant == 0) {
			*out = neg ? -0.0 : 0.0;
			return NUM_OK;
		}
		if (mant <= (UINT64_C(1) << 53) && exp10 >= -22 && exp10 <= 22) {
			v = (double)mant;
			if (exp10 >= 0)
				v *= pow10_exact[exp10];
			else
				v /= pow10_exact[-exp10];
			*out = neg ? -v : v;
			return NUM_OK;
		}
	}
#else
	(void)slow;
	(void)pow10_exact;
#endif
	/* strtod on a NUL-terminated copy: the input need not be */
	pg_buf_reset(scratch);
	if (pg_buf_add(scratch, t, (size_t)(s - t)) < 0)
		return PG_ENOMEM;
	v = strtod(scratch->ptr, &end);
	if (end != scratch->ptr + scratch->len)
		return NUM_SYNTAX;
	if (isinf(v))
		return NUM_RANGE;
	*out = v; /* an underflow gives 0 or a subnormal, as strtod says */
	return NUM_OK;
}

/* ------------------------------------------------------------ lines */

/* Is the rest of a "Benchmark" line with an empty name, from `q`, the
 * header of Google Benchmark's console table ("Benchmark   Time   CPU
 * Iterations")? */
static int gbench_console_header(const char *q, const char *e)
{
	const char *t = token_end(q, e);

	if (t - q != 4 || memcmp(q, "Time", 4))
		return 0;
	q = skip_space(t, e);
	t = token_end(q, e);
	return t - q == 3 && !memcmp(q, "CPU", 3);
}

static int parse_result(parser *p, const char *s, const char *e)
{
	const char *name = s + 9, *q, *tok;
	size_t name_len, k;
	const char *ell;
	unsigned long long iters = 1;
	int rc, len, same = 0;

	/* the same benchmark as on the previous line? (saves the scan) */
	if (p->cname && (size_t)(e - name) > p->cname_len &&
	    cls[(unsigned char)name[p->cname_len]] == C_SPACE &&
	    same_bytes(name, p->cname, p->cname_len)) {
		same = 1;
		name_len = p->cname_len;
		q = name + name_len;
	} else {
		q = token_end(name, e);
		name_len = (size_t)(q - name);
	}
	q = skip_space(q, e);
	if (q == e)
		return 0; /* the name alone, as go test -v prints it */

	tok = q;
	rc = parse_iters(&iters, &q, e);
	if (rc != NUM_OK) {
		len = pg_results__clip((size_t)(q - tok), &ell);
		if (rc == NUM_SYNTAX && name_len == 0 && gbench_console_header(tok, e))
			return perr(p, "Google Benchmark console output, not JSON: run the "
				    "suite with --benchmark_format=json");
		if (rc == NUM_SYNTAX)
			return perr(p, "invalid iteration count '%.*s%s'", len, tok, ell);
		if (rc == NUM_NOT_POSITIVE)
			return perr(p, "iteration count '%.*s%s' is not positive",
				    len, tok, ell);
		return perr(p, "iteration count '%.*s%s' is out of range", len,
			    tok, ell);
	}
	q = skip_space(q, e);
	if (q == e)
		return perr(p, "missing measurements");

	if (!same) {
		p->cname = name;
		p->cname_len = name_len;
		p->ncache = 0;
	}
	for (k = 0; q < e; k++) {
		const char *unit, *vend;
		size_t unit_len, idx;
		double v = 0;
		int err;

		tok = q;
		rc = parse_value(&v, &q, e, &p->num);
		if (rc != NUM_OK) {
			if (rc < 0)
				return rc;
			len = pg_results__clip((size_t)(q - tok), &ell);
			if (rc == NUM_SYNTAX)
				return perr(p, "invalid value '%.*s%s'", len, tok, ell);
			if (rc == NUM_NONFINITE)
				return perr(p, "value '%.*s%s' is not a finite number",
					    len, tok, ell);
			return perr(p, "value '%.*s%s' is out of range", len, tok, ell);
		}
		vend = q;
		q = skip_space(q, e);
		if (q == e) {
			len = pg_results__clip((size_t)(vend - tok), &ell);
			return perr(p, "missing unit after value '%.*s%s'", len, tok,
				    ell);
		}
		unit = q;
		if (k < p->ncache && (size_t)(e - q) >= p->cunit_len[k] &&
		    (q + p->cunit_len[k] == e ||
		     cls[(unsigned char)q[p->cunit_len[k]]] == C_SPACE) &&
		    same_bytes(p->cunit[k], unit, p->cunit_len[k])) {
			/* the unit of the previous line at this place */
			idx = p->cidx[k];
			q = skip_space(q + p->cunit_len[k], e);
		} else {
			q = token_end(q, e);
			unit_len = (size_t)(q - unit);
			q = skip_space(q, e);
			if ((err = pg_results__series(&idx, p->r, &p->key, name,
						      name_len, unit, unit_len)) < 0)
				return err;
			if (k < CACHE_UNITS) {
				p->cunit[k] = unit;
				p->cunit_len[k] = unit_len;
				p->cidx[k] = idx;
				if (k >= p->ncache)
					p->ncache = k + 1;
			}
		}
		if ((err = pg_results__push(&p->r->series[idx], v, iters)) < 0)
			return err;
	}
	p->r->nresults++;
	return 0;
}

/* "key: value" (see results.h); anything else is ignored. */
static int parse_config(parser *p, const char *s, const char *e)
{
	const char *q = s + 1, *val;

	for (; q < e && *q != ':'; q++) {
		unsigned char c = (unsigned char)*q;

		if (cls[c] == C_SPACE || (c >= 'A' && c <= 'Z'))
			return 0;
	}
	if (q == e)
		return 0;
	val = q + 1;
	if (val < e) {
		if (*val != ' ' && *val != '\t')
			return 0; /* "key:value" is not a configuration line */
		while (val < e && (*val == ' ' || *val == '\t'))
			val++;
	}
	return pg_results_set_config(p->r, s, (size_t)(q - s), val,
				     (size_t)(e - val));
}

int pg_results_parse_benchfmt(pg_results *r, const char *name,
			      const char *data, size_t len)
{
	const char *cur = data, *end = data + len;
	pg_results tmp;
	parser p;
	size_t i;
	int err = 0;

	pg_results_init(&tmp);
	memset(&p, 0, sizeof(p));
	p.r = &tmp;
	p.file = name;
	pg_buf_init(&p.key, 0);
	pg_buf_init(&p.num, 0);

	for (i = 0; i < len && cls[(unsigned char)data[i]] == C_SPACE; i++)
		;
	if (i == len) {
		err = pg_error_set(PG_EINPUT, "'%s': empty file", name);
		goto cleanup;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		cur += 3;

	while (cur < end) {
		const char *nl = memchr(cur, '\n', (size_t)(end - cur));
		const char *eol = nl ? nl : end;

		p.line++;
		p.ls = cur;
		p.le = eol;
		if (eol > cur && eol[-1] == '\r')
			eol--;
		if (eol - cur > PG_MAX_LINE) {
			err = perr(&p, "line too long (more than %d bytes)", PG_MAX_LINE);
			goto cleanup;
		}
		if (eol - cur >= 9 && memcmp(cur, "Benchmark", 9) == 0) {
			/* checks the bytes it reads (see perr) */
			if ((err = parse_result(&p, cur, eol)) < 0)
				goto cleanup;
		} else {
			if (pg_results__has_ctl(cur, (size_t)(p.le - cur))) {
				err = perr(&p, "binary data");
				goto cleanup;
			}
			if (*cur >= 'a' && *cur <= 'z' &&
			    (err = parse_config(&p, cur, eol)) < 0)
				goto cleanup;
		}
		cur = nl ? nl + 1 : end;
	}
	if (tmp.nresults == 0) {
		err = pg_error_set(PG_EINPUT, "'%s': no benchmark results", name);
		goto cleanup;
	}
	err = pg_results_merge(r, &tmp);

cleanup:
	pg_buf_release(&p.key);
	pg_buf_release(&p.num);
	pg_results_release(&tmp);
	return err;
}
