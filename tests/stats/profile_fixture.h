/*
 * pprof profiles built by hand for the tests of stats/profile.c and
 * gate/profile_*.c: the message is filled in with protobuf-c's generated
 * structures (build/gen/profile.pb-c.h), packed with
 * perftools__profiles__profile__pack() and gzipped with zlib, so the
 * tests read exactly what a real profiler would write.
 *
 *   pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
 *   pb_sample(b, "leaf;caller;main", 3, 30000000);   // values per type
 *   pb_label(b, "benchmark", "Hash");               // on the last sample
 *   pb_encode(b, 1, &bytes);                         // gzipped
 *   pb_free(b);
 *
 * Stacks are leaf first, names separated by ';'; each name is one location
 * with one line. pb_loc_inlined() makes a location with several lines
 * (inlined frames), pb_loc_addr() one without function information;
 * pb_sample_locs() takes location IDs. Capacities are fixed: tests are
 * small. Include after <cmocka.h>.
 */
#ifndef PG_TEST_PROFILE_FIXTURE_H
#define PG_TEST_PROFILE_FIXTURE_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "profile.pb-c.h"

#include "common/buf.h"

#define PB_MAX 256
#define PB_MAX_DEPTH 32

typedef struct pb {
	Perftools__Profiles__Profile p;
	char *strings[PB_MAX];
	Perftools__Profiles__ValueType types[4], *type_ptrs[4];
	Perftools__Profiles__Function funcs[PB_MAX], *func_ptrs[PB_MAX];
	Perftools__Profiles__Location locs[PB_MAX], *loc_ptrs[PB_MAX];
	Perftools__Profiles__Line lines[PB_MAX], *line_ptrs[PB_MAX];
	Perftools__Profiles__Mapping maps[4], *map_ptrs[4];
	Perftools__Profiles__Sample samples[PB_MAX], *sample_ptrs[PB_MAX];
	uint64_t sample_locs[PB_MAX][PB_MAX_DEPTH];
	int64_t sample_vals[PB_MAX][4];
	Perftools__Profiles__Label labels[PB_MAX], *label_ptrs[PB_MAX];
	size_t nlines, nlabels;
} pb;

/* The index of `s` in the string table (added when new). */
static inline int64_t pb_str(pb *b, const char *s)
{
	size_t i;

	for (i = 0; i < b->p.n_string_table; i++)
		if (!strcmp(b->strings[i], s))
			return (int64_t)i;
	assert_true(b->p.n_string_table < PB_MAX);
	b->strings[b->p.n_string_table] = strdup(s);
	assert_non_null(b->strings[b->p.n_string_table]);
	return (int64_t)b->p.n_string_table++;
}

static inline pb *pb_new(size_t ntypes, const char *const *names)
{
	pb *b = calloc(1, sizeof(*b));
	size_t i;

	assert_non_null(b);
	perftools__profiles__profile__init(&b->p);
	b->p.string_table = b->strings;
	b->p.sample_type = b->type_ptrs;
	b->p.function = b->func_ptrs;
	b->p.location = b->loc_ptrs;
	b->p.mapping = b->map_ptrs;
	b->p.sample = b->sample_ptrs;
	pb_str(b, "");
	for (i = 0; i < ntypes; i++) {
		perftools__profiles__value_type__init(&b->types[i]);
		b->types[i].type = pb_str(b, names[2 * i]);
		b->types[i].unit = pb_str(b, names[2 * i + 1]);
		b->type_ptrs[i] = &b->types[i];
	}
	b->p.n_sample_type = ntypes;
	return b;
}

/* The usual CPU profile types: samples/count and cpu/nanoseconds. */
static inline pb *pb_new2(const char *t0, const char *u0, const char *t1, const char *u1)
{
	const char *names[4] = { t0, u0, t1, u1 };

	return pb_new(2, names);
}

static inline void pb_free(pb *b)
{
	size_t i;

	if (!b)
		return;
	for (i = 0; i < b->p.n_string_table; i++)
		free(b->strings[i]);
	free(b);
}

/* The ID of the function named `name` (added when new). */
static inline uint64_t pb_func(pb *b, const char *name)
{
	int64_t s = pb_str(b, name);
	size_t i;

	for (i = 0; i < b->p.n_function; i++)
		if (b->funcs[i].name == s)
			return b->funcs[i].id;
	assert_true(b->p.n_function < PB_MAX);
	perftools__profiles__function__init(&b->funcs[i]);
	b->funcs[i].id = i + 1;
	b->funcs[i].name = s;
	b->func_ptrs[i] = &b->funcs[i];
	b->p.n_function++;
	return b->funcs[i].id;
}

static inline Perftools__Profiles__Location *pb_loc_new(pb *b, uint64_t mapping, uint64_t addr)
{
	Perftools__Profiles__Location *l;

	assert_true(b->p.n_location < PB_MAX);
	l = &b->locs[b->p.n_location];
	perftools__profiles__location__init(l);
	l->id = 100 + b->p.n_location; /* IDs need not be 1..n */
	l->mapping_id = mapping;
	l->address = addr;
	l->line = &b->line_ptrs[b->nlines];
	b->loc_ptrs[b->p.n_location++] = l;
	return l;
}

/* A location whose lines are the functions `names` (innermost first). */
static inline uint64_t pb_loc_inlined(pb *b, size_t n, const char *const *names)
{
	Perftools__Profiles__Location *l = pb_loc_new(b, 0, 0x1000 + 16 * b->p.n_location);
	size_t i;

	for (i = 0; i < n; i++) {
		Perftools__Profiles__Line *ln = &b->lines[b->nlines];

		assert_true(b->nlines < PB_MAX);
		perftools__profiles__line__init(ln);
		ln->function_id = pb_func(b, names[i]);
		ln->line = 10 + (int64_t)i;
		b->line_ptrs[b->nlines++] = ln;
		l->n_line++;
	}
	return l->id;
}

/* The location of function `name` (one line; the same location for the
 * same name). */
static inline uint64_t pb_loc(pb *b, const char *name)
{
	uint64_t f = pb_func(b, name);
	size_t i;

	for (i = 0; i < b->p.n_location; i++)
		if (b->locs[i].n_line == 1 && b->locs[i].line[0]->function_id == f)
			return b->locs[i].id;
	return pb_loc_inlined(b, 1, &name);
}

static inline uint64_t pb_mapping(pb *b, uint64_t start, uint64_t limit, uint64_t offset,
				  const char *file)
{
	Perftools__Profiles__Mapping *m;

	assert_true(b->p.n_mapping < 4);
	m = &b->maps[b->p.n_mapping];
	perftools__profiles__mapping__init(m);
	m->id = b->p.n_mapping + 1;
	m->memory_start = start;
	m->memory_limit = limit;
	m->file_offset = offset;
	m->filename = pb_str(b, file);
	b->map_ptrs[b->p.n_mapping++] = m;
	return m->id;
}

/* A location without function information. */
static inline uint64_t pb_loc_addr(pb *b, uint64_t mapping, uint64_t addr)
{
	return pb_loc_new(b, mapping, addr)->id;
}

/* A sample with the given location IDs (leaf first) and values (one per
 * sample type). */
static inline void pb_sample_locs(pb *b, size_t nlocs, const uint64_t *locs,
				  const int64_t *values)
{
	Perftools__Profiles__Sample *s;
	size_t i = b->p.n_sample;

	assert_true(i < PB_MAX && nlocs <= PB_MAX_DEPTH);
	s = &b->samples[i];
	perftools__profiles__sample__init(s);
	memcpy(b->sample_locs[i], locs, nlocs * sizeof(*locs));
	s->location_id = b->sample_locs[i];
	s->n_location_id = nlocs;
	memcpy(b->sample_vals[i], values, b->p.n_sample_type * sizeof(*values));
	s->value = b->sample_vals[i];
	s->n_value = b->p.n_sample_type;
	s->label = &b->label_ptrs[b->nlabels];
	b->sample_ptrs[b->p.n_sample++] = s;
}

/* A sample on the stack "leaf;caller;...;root" with values v0 (and v1
 * when the profile has two sample types). */
static inline void pb_sample(pb *b, const char *stack, int64_t v0, int64_t v1)
{
	uint64_t locs[PB_MAX_DEPTH];
	int64_t values[2] = { v0, v1 };
	char name[128];
	size_t n = 0;
	const char *p = stack;

	while (*p) {
		size_t len = strcspn(p, ";");

		assert_true(len < sizeof(name) && n < PB_MAX_DEPTH);
		memcpy(name, p, len);
		name[len] = '\0';
		locs[n++] = pb_loc(b, name);
		p += len;
		if (*p == ';')
			p++;
	}
	pb_sample_locs(b, n, locs, values);
}

static inline void pb_label_add(pb *b, const char *key, const char *str, int64_t num)
{
	Perftools__Profiles__Sample *s;
	Perftools__Profiles__Label *l;

	assert_true(b->p.n_sample > 0 && b->nlabels < PB_MAX);
	s = &b->samples[b->p.n_sample - 1];
	assert_ptr_equal(s->label + s->n_label, &b->label_ptrs[b->nlabels]);
	l = &b->labels[b->nlabels];
	perftools__profiles__label__init(l);
	l->key = pb_str(b, key);
	if (str)
		l->str = pb_str(b, str);
	else
		l->num = num;
	b->label_ptrs[b->nlabels++] = l;
	s->n_label++;
}

/* A string label on the last sample. */
static inline void pb_label(pb *b, const char *key, const char *value)
{
	pb_label_add(b, key, value, 0);
}

/* A numeric label on the last sample. */
static inline void pb_num_label(pb *b, const char *key, int64_t num)
{
	pb_label_add(b, key, NULL, num);
}

/* Gzip `len` bytes into `out` (a gzip header, as Go's runtime/pprof
 * writes). */
static inline void pb_gzip(pg_buf *out, const void *data, size_t len)
{
	z_stream z;
	unsigned char chunk[4096];
	int zerr;

	memset(&z, 0, sizeof(z));
	assert_int_equal(deflateInit2(&z, 6, Z_DEFLATED, 16 + MAX_WBITS, 8,
				      Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (unsigned char *)data;
	z.avail_in = (unsigned)len;
	do {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zerr = deflate(&z, Z_FINISH);
		assert_true(zerr == Z_OK || zerr == Z_STREAM_END);
		assert_int_equal(pg_buf_add(out, chunk, sizeof(chunk) - z.avail_out), 0);
	} while (zerr != Z_STREAM_END);
	deflateEnd(&z);
}

/* Pack the profile into `out` (appended), gzipped when `gzip`. */
static inline void pb_encode(pb *b, int gzip, pg_buf *out)
{
	size_t len = perftools__profiles__profile__get_packed_size(&b->p);
	uint8_t *bytes = malloc(len ? len : 1);

	assert_non_null(bytes);
	assert_int_equal(perftools__profiles__profile__pack(&b->p, bytes), len);
	if (gzip)
		pb_gzip(out, bytes, len);
	else
		assert_int_equal(pg_buf_add(out, bytes, len), 0);
	free(bytes);
}

#endif
