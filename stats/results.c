#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/map.h"
#include "stats/results.h"
#include "stats/results_internal.h"
#include "common/banned.h"

/* Keys up to this size are built on the stack by the lookup functions. */
#define KEY_STACK 512

void pg_results_init(pg_results *r)
{
	memset(r, 0, sizeof(*r));
	pg_map_init(&r->index);
	pg_map_init(&r->config_index);
}

void pg_results_release(pg_results *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nseries; i++) {
		free(r->series[i].name); /* the unit lives in the same block */
		free(r->series[i].values);
		free(r->series[i].iters);
	}
	free(r->series);
	for (i = 0; i < r->nconfig; i++) {
		free(r->config[i].key);
		free(r->config[i].value);
	}
	free(r->config);
	pg_map_release(&r->index);
	pg_map_release(&r->config_index);
	pg_results_init(r);
}

/* ------------------------------------------------------------ series */

/* Length of the key "name\0unit" of a series. */
static size_t series_key_len(const pg_series *s)
{
	return (size_t)(s->unit - s->name) + strlen(s->unit);
}

/* The index of the series whose key is `key`, or SIZE_MAX. */
static size_t series_lookup(const pg_results *r, const char *key, size_t len)
{
	size_t idx;

	if (pg_map_get(&idx, &r->index, key, len) < 0)
		return SIZE_MAX;
	return idx;
}

static int grow_array(void **arr, size_t *alloc, size_t want, size_t elem)
{
	size_t n = *alloc ? *alloc : 8;
	void *p;

	if (want <= *alloc)
		return 0;
	while (n < want) {
		if (n > SIZE_MAX / 2 / elem)
			return pg_error_set(PG_ENOMEM, "out of memory");
		n *= 2;
	}
	p = realloc(*arr, n * elem);
	if (!p)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*arr = p;
	*alloc = n;
	return 0;
}

int pg_results__grow_values(pg_series *s, size_t want)
{
	size_t alloc = s->alloc;
	unsigned long long *iters;
	int err;

	if (want <= s->alloc)
		return 0;
	/* values first; should the second array fail, `alloc` stays as it
	 * was and the larger values array is merely unused room */
	if ((err = grow_array((void **)&s->values, &alloc, want,
			      sizeof(*s->values))) < 0)
		return err;
	iters = realloc(s->iters, alloc * sizeof(*iters));
	if (!iters)
		return pg_error_set(PG_ENOMEM, "out of memory");
	s->iters = iters;
	s->alloc = alloc;
	return 0;
}

/* Fill series r->nseries (room for it reserved) with key `key`. */
static int series_fill(pg_results *r, const char *key, size_t key_len,
		       size_t name_len)
{
	pg_series *s = &r->series[r->nseries];
	char *block = malloc(key_len + 1);

	if (!block)
		return pg_error_set(PG_ENOMEM, "out of memory");
	memcpy(block, key, key_len);
	block[key_len] = '\0';
	s->name = block;
	s->unit = block + name_len + 1;
	s->values = NULL;
	s->iters = NULL;
	s->n = 0;
	s->alloc = 0;
	return 0;
}

static int check_no_nul(const char *name, size_t name_len, const char *unit,
			size_t unit_len)
{
	if (memchr(name, '\0', name_len))
		return pg_error_set(PG_EINPUT, "benchmark name holds a NUL byte");
	if (memchr(unit, '\0', unit_len))
		return pg_error_set(PG_EINPUT, "unit of '%s' holds a NUL byte",
				    name);
	return 0;
}

int pg_results__series(size_t *out, pg_results *r, pg_buf *key,
		       const char *name, size_t name_len, const char *unit,
		       size_t unit_len)
{
	size_t idx;
	int added, err;

	pg_buf_reset(key);
	pg_buf_add(key, name, name_len);
	pg_buf_addch(key, '\0');
	pg_buf_add(key, unit, unit_len);
	if (pg_buf_failed(key))
		return PG_ENOMEM;
	/* one hash per lookup; on failure below the key stays in the index
	 * without its series, which is why `r` must be discarded then */
	if ((err = pg_map_upsert(&idx, &added, &r->index, key->ptr, key->len,
				 r->nseries)) < 0)
		return err;
	if (!added) {
		*out = idx;
		return 0;
	}
	if ((err = check_no_nul(name, name_len, unit, unit_len)) < 0 ||
	    (err = grow_array((void **)&r->series, &r->series_alloc,
			      r->nseries + 1, sizeof(*r->series))) < 0 ||
	    (err = series_fill(r, key->ptr, key->len, name_len)) < 0)
		return err;
	*out = r->nseries++;
	return 0;
}

int pg_results_add(pg_results *r, const char *name, size_t name_len,
		   const char *unit, size_t unit_len, double value)
{
	pg_buf key = PG_BUF_INIT;
	size_t idx;
	int err = 0;

	if (!isfinite(value))
		return pg_error_set(PG_EINPUT,
				    "value of '%.*s' in '%.*s' is not a finite number",
				    (int)(name_len > 256 ? 256 : name_len), name,
				    (int)(unit_len > 64 ? 64 : unit_len), unit);
	pg_buf_add(&key, name, name_len);
	pg_buf_addch(&key, '\0');
	pg_buf_add(&key, unit, unit_len);
	if (pg_buf_failed(&key)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	idx = series_lookup(r, key.ptr, key.len);
	if (idx == SIZE_MAX) {
		/* a new series: everything that can fail before the index
		 * learns the key, so that a failure leaves `r` as it was */
		pg_series *s;

		if ((err = check_no_nul(name, name_len, unit, unit_len)) < 0 ||
		    (err = grow_array((void **)&r->series, &r->series_alloc,
				      r->nseries + 1, sizeof(*r->series))) < 0 ||
		    (err = series_fill(r, key.ptr, key.len, name_len)) < 0)
			goto cleanup;
		s = &r->series[r->nseries];
		if ((err = pg_results__grow_values(s, 1)) < 0 ||
		    (err = pg_map_put(&r->index, key.ptr, key.len, r->nseries)) < 0) {
			free(s->name);
			free(s->values);
			free(s->iters);
			goto cleanup;
		}
		idx = r->nseries++;
	}
	err = pg_results__push(&r->series[idx], value, 1);

cleanup:
	pg_buf_release(&key);
	return err;
}

const pg_series *pg_results_find(const pg_results *r, const char *name,
				 const char *unit)
{
	char stack[KEY_STACK];
	size_t nlen = strlen(name), ulen = strlen(unit), klen, idx;
	char *key = stack;

	if (nlen > SIZE_MAX / 2 || ulen > SIZE_MAX / 2)
		return NULL;
	klen = nlen + 1 + ulen;
	if (klen > sizeof(stack)) {
		key = malloc(klen);
		if (!key)
			return NULL;
	}
	memcpy(key, name, nlen);
	key[nlen] = '\0';
	memcpy(key + nlen + 1, unit, ulen);
	idx = series_lookup(r, key, klen);
	if (key != stack)
		free(key);
	return idx == SIZE_MAX ? NULL : &r->series[idx];
}

/* ------------------------------------------------------------ config */

const char *pg_results_config(const pg_results *r, const char *key)
{
	size_t idx;

	if (pg_map_get(&idx, &r->config_index, key, strlen(key)) < 0)
		return NULL;
	return r->config[idx].value;
}

static char *dup_mem(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

int pg_results_set_config(pg_results *r, const char *key, size_t key_len,
			  const char *value, size_t value_len)
{
	char *k = NULL, *v = NULL;
	size_t idx;
	int err = 0;

	if (memchr(key, '\0', key_len))
		return pg_error_set(PG_EINPUT, "configuration key holds a NUL byte");
	v = dup_mem(value, value_len);
	if (!v)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (pg_map_get(&idx, &r->config_index, key, key_len) == 0) {
		free(r->config[idx].value);
		r->config[idx].value = v;
		return 0;
	}
	if ((err = grow_array((void **)&r->config, &r->config_alloc,
			      r->nconfig + 1, sizeof(*r->config))) < 0)
		goto cleanup;
	k = dup_mem(key, key_len);
	if (!k) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if ((err = pg_map_put(&r->config_index, key, key_len, r->nconfig)) < 0)
		goto cleanup;
	r->config[r->nconfig].key = k;
	r->config[r->nconfig].value = v;
	r->nconfig++;
	return 0;

cleanup:
	free(k);
	free(v);
	return err;
}

/* ------------------------------------------------------------ merge */

/*
 * Make room in `m` for `nnew` new keys of `bytes` bytes in total so that
 * inserting them cannot fail. When the slots would have to grow (pg_map
 * grows past a load of 3/4), a new map with every old key is built in
 * `fresh` instead, and the caller inserts there and swaps it in on
 * success: the map doubles at most once per such rebuild, so the copying
 * costs amortised O(1) per key. `key_of(ctx, i)` gives key i of the
 * `nold` keys whose value is i.
 */
typedef const char *(*key_fn)(const void *ctx, size_t i, size_t *len);

static int map_reserve(pg_map *m, pg_map *fresh, int *use_fresh, size_t nnew,
		       size_t bytes, key_fn key_of, const void *ctx,
		       size_t nold)
{
	size_t i;
	int err;

	*use_fresh = 0;
	if (!nnew)
		return 0;
	if (m->nslots && (m->count + nnew) * 4 <= m->nslots * 3) {
		if ((err = pg_buf_grow(&m->keys, bytes)) < 0)
			m->keys.failed = 0; /* the keys are intact (buf.h); do
					     * not leave the map unusable */
		return err;
	}
	*use_fresh = 1;
	for (i = 0; i < nold; i++) {
		size_t len;
		const char *k = key_of(ctx, i, &len);

		if ((err = pg_map_put(fresh, k, len, i)) < 0)
			return err;
	}
	return 0;
}

static const char *series_key_of(const void *ctx, size_t i, size_t *len)
{
	const pg_results *r = ctx;

	*len = series_key_len(&r->series[i]);
	return r->series[i].name;
}

static const char *config_key_of(const void *ctx, size_t i, size_t *len)
{
	const pg_results *r = ctx;

	*len = strlen(r->config[i].key);
	return r->config[i].key;
}

/* Also the parsers' way of adding one input's private results (stats/
 * benchfmt.c, stats/gbench.c). On failure `dst` may have reserved memory.
 * Costs O(size of src), plus amortised O(1) per new key. */
int pg_results_merge(pg_results *dst, pg_results *src)
{
	size_t *where = NULL, *cwhere = NULL;
	size_t i, nnew = 0, nbytes = 0, cnew = 0, cbytes = 0, next;
	pg_map sidx = PG_MAP_INIT, cidx = PG_MAP_INIT;
	int fresh_s = 0, fresh_c = 0, err = 0;

	if (dst->nseries == 0 && dst->nconfig == 0 && dst->nresults == 0) {
		pg_results tmp = *dst;

		*dst = *src;
		*src = tmp;
		pg_results_release(src);
		return 0;
	}

	/* 1. find where everything goes and reserve all memory; `dst` does
	 * not change visibly */
	where = malloc((src->nseries + 1) * sizeof(*where));
	cwhere = malloc((src->nconfig + 1) * sizeof(*cwhere));
	if (!where || !cwhere) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < src->nseries; i++) {
		const pg_series *s = &src->series[i];
		size_t klen = series_key_len(s);

		where[i] = series_lookup(dst, s->name, klen);
		if (where[i] == SIZE_MAX) {
			nnew++;
			nbytes += klen;
			continue;
		}
		if ((err = pg_results__grow_values(&dst->series[where[i]],
						   dst->series[where[i]].n + s->n)) < 0)
			goto cleanup;
	}
	for (i = 0; i < src->nconfig; i++) {
		const char *k = src->config[i].key;
		size_t len = strlen(k);

		if (pg_map_get(&cwhere[i], &dst->config_index, k, len) < 0) {
			cwhere[i] = SIZE_MAX;
			cnew++;
			cbytes += len;
		}
	}
	if ((err = grow_array((void **)&dst->series, &dst->series_alloc,
			      dst->nseries + nnew, sizeof(*dst->series))) < 0 ||
	    (err = grow_array((void **)&dst->config, &dst->config_alloc,
			      dst->nconfig + cnew, sizeof(*dst->config))) < 0)
		goto cleanup;
	if ((err = map_reserve(&dst->index, &sidx, &fresh_s, nnew, nbytes,
			       series_key_of, dst, dst->nseries)) < 0 ||
	    (err = map_reserve(&dst->config_index, &cidx, &fresh_c, cnew,
			       cbytes, config_key_of, dst, dst->nconfig)) < 0)
		goto cleanup;
	/* keys going into a fresh map: inserting them may fail, so do it
	 * now, before anything is moved */
	next = dst->nseries;
	for (i = 0; fresh_s && i < src->nseries; i++) {
		if (where[i] != SIZE_MAX)
			continue;
		if ((err = pg_map_put(&sidx, src->series[i].name,
				      series_key_len(&src->series[i]), next++)) < 0)
			goto cleanup;
	}
	next = dst->nconfig;
	for (i = 0; fresh_c && i < src->nconfig; i++) {
		if (cwhere[i] != SIZE_MAX)
			continue;
		if ((err = pg_map_put(&cidx, src->config[i].key,
				      strlen(src->config[i].key), next++)) < 0)
			goto cleanup;
	}

	/* 2. commit: nothing below allocates (the maps have room for the
	 * keys, see map_reserve) */
	for (i = 0; i < src->nseries; i++) {
		pg_series *s = &src->series[i];

		if (where[i] != SIZE_MAX) {
			pg_series *d = &dst->series[where[i]];

			memcpy(d->values + d->n, s->values, s->n * sizeof(*s->values));
			memcpy(d->iters + d->n, s->iters, s->n * sizeof(*s->iters));
			d->n += s->n;
			continue;
		}
		if (!fresh_s && (err = pg_map_put(&dst->index, s->name,
						  series_key_len(s),
						  dst->nseries)) < 0)
			goto cleanup; /* cannot happen: room was reserved */
		dst->series[dst->nseries++] = *s;
		s->name = NULL;
		s->unit = NULL;
		s->values = NULL;
		s->iters = NULL;
		s->n = s->alloc = 0;
	}
	for (i = 0; i < src->nconfig; i++) {
		pg_config *c = &src->config[i];

		if (cwhere[i] != SIZE_MAX) {
			free(dst->config[cwhere[i]].value);
			dst->config[cwhere[i]].value = c->value;
			c->value = NULL;
			continue;
		}
		if (!fresh_c && (err = pg_map_put(&dst->config_index, c->key,
						  strlen(c->key), dst->nconfig)) < 0)
			goto cleanup; /* cannot happen: room was reserved */
		dst->config[dst->nconfig++] = *c;
		c->key = NULL;
		c->value = NULL;
	}
	if (fresh_s) {
		pg_map tmp = dst->index;

		dst->index = sidx;
		sidx = tmp;
	}
	if (fresh_c) {
		pg_map tmp = dst->config_index;

		dst->config_index = cidx;
		cidx = tmp;
	}
	dst->nresults += src->nresults;
	pg_results_release(src);

cleanup:
	pg_map_release(&sidx);
	pg_map_release(&cidx);
	free(where);
	free(cwhere);
	return err;
}

/* ------------------------------------------------------------ parse */

const unsigned char pg_results__ctl[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 1, 1, /* \t \n \v \f \r */
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	[0x7f] = 1,
};

/*
 * Word-at-a-time test (after "Bit Twiddling Hacks"): nonzero when one of
 * the 8 bytes of x is below 0x09, within 0x0e..0x1f or is 0x7f. Exact as
 * a yes/no answer (the tests compare it with the table on every byte value
 * at every position).
 */
#define ONES UINT64_C(0x0101010101010101)
#define HIGH UINT64_C(0x8080808080808080)

static uint64_t word_has_ctl(uint64_t x)
{
	uint64_t low7 = x & ~HIGH;
	/* byte < 0x09 */
	uint64_t lt09 = (x - ONES * 0x09) & ~x & HIGH;
	/* 0x0d < byte < 0x20 */
	uint64_t mid = (ONES * (127 + 0x20) - low7) & ~x &
		       (low7 + ONES * (127 - 0x0d)) & HIGH;
	/* byte == 0x7f */
	uint64_t y = x ^ (ONES * 0x7f);
	uint64_t del = (y - ONES) & ~y & HIGH;

	return lt09 | mid | del;
}

int pg_results__has_ctl(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	size_t off = 0;

	for (; off + 8 <= len; off += 8) {
		uint64_t x;

		memcpy(&x, p + off, 8);
		if (word_has_ctl(x))
			goto slow;
	}
slow:
	for (; off < len; off++)
		if (pg_results__ctl[p[off]])
			return 1;
	return 0;
}

size_t pg_results__binary_line(const char *data, size_t len)
{
	const unsigned char *p = (const unsigned char *)data;
	const char *q = data, *nl;
	size_t off = 0, line = 1;

	while (off < len) {
		size_t stop = len - off < 8 ? len : off + 8;

		if (stop == off + 8) {
			uint64_t x;

			memcpy(&x, p + off, 8);
			if (!word_has_ctl(x)) {
				off += 8;
				continue;
			}
		}
		for (; off < stop && !pg_results__ctl[p[off]]; off++)
			;
		if (off < stop)
			break;
	}
	if (off >= len)
		return 0;
	while ((nl = memchr(q, '\n', (size_t)(data + off - q)))) {
		line++;
		q = nl + 1;
	}
	return line;
}

int pg_results__clip(size_t len, const char **ellipsis)
{
	if (len > 64) {
		*ellipsis = "...";
		return 64;
	}
	*ellipsis = "";
	return (int)len;
}

static int is_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

int pg_results_parse(pg_results *r, const char *name, const char *data,
		     size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len && is_blank((unsigned char)data[i]))
		i++;
	if (i == len)
		return pg_error_set(PG_EINPUT, "'%s': empty file", name);
	if (data[i] == '{')
		return pg_results_parse_gbench(r, name, data, len);
	return pg_results_parse_benchfmt(r, name, data, len);
}

/* ------------------------------------------------------------ format */

int pg_results__fmt_double(char *buf, size_t size, double v)
{
	int prec, n = 0;

	for (prec = 15; prec <= 17; prec++) {
		n = snprintf(buf, size, "%.*g", prec, v);
		if (strtod(buf, NULL) == v || prec == 17)
			break;
	}
	return n;
}

/* Copy `s` to `out` with whitespace and control bytes replaced by '_'. */
static void add_field(pg_buf *out, const char *s)
{
	size_t start = out->len, i;

	pg_buf_adds(out, s);
	if (pg_buf_failed(out))
		return;
	for (i = start; i < out->len; i++) {
		unsigned char c = (unsigned char)out->ptr[i];

		if (c == ' ' || c < 0x20 || c == 0x7f)
			out->ptr[i] = '_';
	}
}

static int config_key_ok(const char *k)
{
	if (*k < 'a' || *k > 'z')
		return 0;
	for (; *k; k++) {
		unsigned char c = (unsigned char)*k;

		if (c == ':' || c == ' ' || c < 0x20 || c == 0x7f ||
		    (c >= 'A' && c <= 'Z'))
			return 0;
	}
	return 1;
}

/* "key: value\n", unless the format cannot carry the key; control
 * characters in the value become spaces. */
static void format_config_line(pg_buf *out, const char *key, const char *v)
{
	size_t start;

	if (!config_key_ok(key))
		return;
	pg_buf_adds(out, key);
	pg_buf_addch(out, ':');
	if (*v) {
		pg_buf_addch(out, ' ');
		start = out->len;
		pg_buf_adds(out, v);
		for (; !pg_buf_failed(out) && start < out->len; start++) {
			unsigned char c = (unsigned char)out->ptr[start];

			if (c < 0x20 || c == 0x7f)
				out->ptr[start] = ' ';
		}
	}
	pg_buf_addch(out, '\n');
}

/* The result lines of `r` (see pg_results_format_benchfmt). */
static int format_series(pg_buf *out, const pg_results *r)
{
	size_t *first = NULL, *last = NULL, *next = NULL;
	size_t i, g, ngroups = 0;
	pg_map groups = PG_MAP_INIT;
	char num[40];
	int err = 0;

	/* group the series by benchmark name, in order of first appearance */
	first = malloc((r->nseries + 1) * sizeof(*first));
	last = malloc((r->nseries + 1) * sizeof(*last));
	next = malloc((r->nseries + 1) * sizeof(*next));
	if (!first || !last || !next) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < r->nseries; i++) {
		const pg_series *s = &r->series[i];
		int added;

		if ((err = pg_map_upsert(&g, &added, &groups, s->name,
					 (size_t)(s->unit - s->name - 1), ngroups)) < 0)
			goto cleanup;
		next[i] = SIZE_MAX;
		if (added) {
			first[ngroups] = last[ngroups] = i;
			ngroups++;
		} else {
			next[last[g]] = i;
			last[g] = i;
		}
	}
	for (g = 0; g < ngroups; g++) {
		size_t maxn = 0, k;

		for (i = first[g]; i != SIZE_MAX; i = next[i])
			if (r->series[i].n > maxn)
				maxn = r->series[i].n;
		for (k = 0; k < maxn; k++) {
			unsigned long long iters = 1;

			for (i = first[g]; i != SIZE_MAX; i = next[i])
				if (k < r->series[i].n) {
					iters = r->series[i].iters[k];
					break;
				}
			pg_buf_adds(out, "Benchmark");
			add_field(out, r->series[first[g]].name);
			pg_buf_addf(out, " %llu", iters);
			for (i = first[g]; i != SIZE_MAX; i = next[i]) {
				const pg_series *s = &r->series[i];

				if (k >= s->n)
					continue;
				pg_buf_addch(out, ' ');
				pg_buf_add(out, num, (size_t)pg_results__fmt_double(
							     num, sizeof(num), s->values[k]));
				pg_buf_addch(out, ' ');
				if (*s->unit)
					add_field(out, s->unit);
				else
					pg_buf_addch(out, '?');
			}
			pg_buf_addch(out, '\n');
		}
		if (pg_buf_failed(out))
			break;
	}
	if (pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	pg_map_release(&groups);
	free(first);
	free(last);
	free(next);
	return err;
}

int pg_results_format_benchfmt(pg_buf *out, const pg_results *r)
{
	size_t i;

	for (i = 0; i < r->nconfig; i++)
		format_config_line(out, r->config[i].key, r->config[i].value);
	return format_series(out, r);
}

int pg_results_config_varies(const pg_results *merged, const pg_results *runs,
			     size_t nruns, const char *key)
{
	const char *m = pg_results_config(merged, key), *first = NULL, *last = NULL;
	int differ = 0;
	size_t i;

	for (i = 0; i < nruns; i++) {
		const char *v = pg_results_config(&runs[i], key);

		if (!v)
			continue;
		if (!first)
			first = v;
		else if (strcmp(v, first))
			differ = 1;
		last = v;
	}
	return differ && m && !strcmp(m, last);
}

int pg_results_format_benchfmt_runs(pg_buf *out, const pg_results *merged,
				    const pg_results *runs, size_t nruns)
{
	const char **effect = NULL; /* per key of `merged`: the value written
				     * last; NULL: the key does not vary */
	size_t i, k, nvary = 0;
	int err = 0;

	effect = calloc(merged->nconfig + 1, sizeof(*effect));
	if (!effect)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (k = 0; k < merged->nconfig; k++) {
		const char *key = merged->config[k].key;

		if (!pg_results_config_varies(merged, runs, nruns, key))
			continue;
		for (i = 0; i < nruns && !effect[k]; i++) /* the first run holding it */
			effect[k] = pg_results_config(&runs[i], key);
		nvary++;
	}
	if (nvary == 0) {
		err = pg_results_format_benchfmt(out, merged);
		goto cleanup;
	}
	for (k = 0; k < merged->nconfig; k++)
		format_config_line(out, merged->config[k].key,
				   effect[k] ? effect[k] : merged->config[k].value);
	for (i = 0; i < nruns && err == 0; i++) {
		for (k = 0; k < merged->nconfig; k++) {
			const char *v;

			if (!effect[k] ||
			    !(v = pg_results_config(&runs[i], merged->config[k].key)) ||
			    !strcmp(v, effect[k]))
				continue;
			format_config_line(out, merged->config[k].key, v);
			effect[k] = v;
		}
		err = format_series(out, &runs[i]);
	}
	if (err == 0 && pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	free(effect);
	return err;
}
