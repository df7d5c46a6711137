/*
 * pprof profiles: decoding (zlib, protobuf-c's generated code for
 * bench-runner/profile.proto), merging, label filtering, per-function
 * shares, differences and the merged call tree. See stats/profile.h.
 */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "profile.pb-c.h"

#include "common/buf.h"
#include "common/error.h"
#include "common/map.h"
#include "stats/profile.h"
#include "common/banned.h"

#define NONE SIZE_MAX

/* Decompressed profiles larger than this are refused (a gzip bomb). */
#define PROFILE_MAX_BYTES ((size_t)1 << 30)

/* ------------------------------------------------------------ memory */

/* Make room for `extra` more elements of `size` bytes in *ptr (which holds
 * `n` of `*alloc`). 0 or PG_ENOMEM. */
static int grow(void **ptr, size_t *alloc, size_t n, size_t extra, size_t size)
{
	size_t want, cap;
	void *p;

	if (extra > SIZE_MAX / size - n)
		return pg_error_set(PG_ENOMEM, "out of memory");
	want = n + extra;
	if (want <= *alloc)
		return 0;
	cap = *alloc ? *alloc : 16;
	while (cap < want)
		cap = cap > SIZE_MAX / 2 / size ? want : cap * 2;
	p = realloc(*ptr, cap * size);
	if (!p)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*ptr = p;
	*alloc = cap;
	return 0;
}

#define GROW(arr, alloc, n, extra) \
	grow((void **)&(arr), &(alloc), (n), (extra), sizeof(*(arr)))

static char *dup_mem(const char *s, size_t len)
{
	char *d = malloc(len + 1);

	if (!d)
		return NULL;
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static char *dup_str(const char *s)
{
	return dup_mem(s, strlen(s));
}

/* Intern `len` bytes at `s` in a string pool (array + index). */
static int pool_intern(size_t *out, char ***strings, size_t *n, size_t *alloc,
		       pg_map *index, const char *s, size_t len)
{
	char *copy;
	int err;

	if (pg_map_get(out, index, s, len) == 0)
		return 0;
	if ((err = GROW(*strings, *alloc, *n, 1)) < 0)
		return err;
	if (!(copy = dup_mem(s, len)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((err = pg_map_put(index, s, len, *n)) < 0) {
		free(copy);
		return err;
	}
	*out = *n;
	(*strings)[(*n)++] = copy;
	return 0;
}

static int intern(size_t *out, pg_profile *p, const char *s, size_t len)
{
	return pool_intern(out, &p->strings, &p->nstrings, &p->strings_alloc,
			   &p->string_index, s, len);
}

/* The index of string `s` in the profile's pool, or NONE. */
static size_t lookup(const pg_profile *p, const char *s, size_t len)
{
	size_t idx;

	if (pg_map_get(&idx, &p->string_index, s, len) < 0)
		return NONE;
	return idx;
}

/* ------------------------------------------------------------ lifecycle */

void pg_profile_init(pg_profile *p)
{
	memset(p, 0, sizeof(*p));
	pg_map_init(&p->string_index);
}

void pg_profile_release(pg_profile *p)
{
	size_t i;

	if (!p)
		return;
	free(p->name);
	for (i = 0; i < p->ntypes; i++) {
		free(p->types[i].type);
		free(p->types[i].unit);
	}
	free(p->types);
	free(p->samples);
	free(p->values);
	free(p->frames);
	free(p->labels);
	for (i = 0; i < p->nstrings; i++)
		free(p->strings[i]);
	free(p->strings);
	pg_map_release(&p->string_index);
	pg_profile_init(p);
}

/* A fresh profile named `name`, with "" as string 0. */
static int profile_start(pg_profile *p, const char *name)
{
	size_t idx;
	int err;

	pg_profile_init(p);
	if (!(p->name = dup_str(name)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((err = intern(&idx, p, "", 0)) < 0)
		return err;
	p->ninputs = 1;
	return 0;
}

/* ------------------------------------------------------------ gzip */

static int is_gzip(const unsigned char *d, size_t len)
{
	return len >= 2 && d[0] == 0x1f && d[1] == 0x8b;
}

/* Inflate gzip data (one or more members) into `out`. */
static int gunzip(pg_buf *out, const char *name, const unsigned char *data,
		  size_t len)
{
	z_stream z;
	unsigned char chunk[65536];
	size_t have;
	int zerr, err = 0;

	if (len > UINT_MAX)
		return pg_error_set(PG_EINPUT, "'%s' is too large", name);
	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK)
		return pg_error_set(PG_ENOMEM, "out of memory");
	z.next_in = (unsigned char *)data;
	z.avail_in = (unsigned)len;
	for (;;) {
		z.next_out = chunk;
		z.avail_out = sizeof(chunk);
		zerr = inflate(&z, Z_NO_FLUSH);
		if (zerr != Z_OK && zerr != Z_STREAM_END && zerr != Z_BUF_ERROR) {
			err = zerr == Z_MEM_ERROR ? pg_error_set(PG_ENOMEM, "out of memory") :
				pg_error_set(PG_EINPUT, "'%s': corrupt gzip data: %s", name,
					     z.msg ? z.msg : "inflate failed");
			break;
		}
		have = sizeof(chunk) - z.avail_out;
		if (have > PROFILE_MAX_BYTES - out->len) {
			err = pg_error_set(PG_EINPUT,
					   "'%s': the decompressed profile is larger than %zu MiB",
					   name, PROFILE_MAX_BYTES >> 20);
			break;
		}
		if ((err = pg_buf_add(out, chunk, have)) < 0)
			break;
		if (zerr == Z_STREAM_END) {
			/* another member may follow (cat a.gz b.gz); anything
			 * else after the end is ignored, as gzip does */
			if (z.avail_in >= 2 && z.next_in[0] == 0x1f && z.next_in[1] == 0x8b &&
			    inflateReset(&z) == Z_OK)
				continue;
			break;
		}
		/* all input consumed and more wanted, or no progress */
		if (zerr == Z_BUF_ERROR || (z.avail_in == 0 && z.avail_out != 0)) {
			err = pg_error_set(PG_EINPUT, "'%s': truncated gzip data", name);
			break;
		}
	}
	inflateEnd(&z);
	return err;
}

/* ------------------------------------------------------------ decoding */

typedef Perftools__Profiles__Profile pb_profile;

/* Maps from the message's IDs and string indices to the profile being
 * built. */
typedef struct decoder {
	const char *name;
	const pb_profile *m;
	pg_profile *p;
	size_t *smap;          /* message string index -> pool index (NONE) */
	pg_map loc_index;      /* location ID -> index into m->location */
	pg_map func_index;     /* function ID -> index into m->function */
	pg_map map_index;      /* mapping ID -> index into m->mapping */
	size_t *loc_off, *loc_n; /* per location: its frames in lf */
	size_t *lf;
	size_t nlf, lf_alloc;
} decoder;

static int bad(const decoder *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(const decoder *d, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return pg_error_set(PG_EINPUT, "'%s': not a pprof profile: %s", d->name, msg);
}

/* The pool index of the message's string `i`. */
static int str_at(size_t *out, decoder *d, int64_t i, const char *what)
{
	const char *s;
	int err;

	if (i < 0 || (uint64_t)i >= d->m->n_string_table)
		return bad(d, "%s: string index %" PRId64 " out of range (%zu strings)",
			   what, i, d->m->n_string_table);
	if (d->smap[i] == NONE) {
		s = d->m->string_table[i] ? d->m->string_table[i] : "";
		if ((err = intern(&d->smap[i], d->p, s, strlen(s))) < 0)
			return err;
	}
	*out = d->smap[i];
	return 0;
}

static int index_ids(decoder *d, pg_map *index, size_t n, const uint64_t *(*id_of)(const pb_profile *, size_t),
		     const char *what)
{
	size_t i, prev;
	int added, err;

	for (i = 0; i < n; i++) {
		uint64_t id = *id_of(d->m, i);

		if (id == 0)
			return bad(d, "%s %zu has ID 0", what, i + 1);
		if ((err = pg_map_upsert(&prev, &added, index, &id, sizeof(id), i)) < 0)
			return err;
		if (!added)
			return bad(d, "%s ID %" PRIu64 " appears twice", what, id);
	}
	return 0;
}

static const uint64_t *loc_id(const pb_profile *m, size_t i)
{
	return &m->location[i]->id;
}

static const uint64_t *func_id(const pb_profile *m, size_t i)
{
	return &m->function[i]->id;
}

static const uint64_t *mapping_id(const pb_profile *m, size_t i)
{
	return &m->mapping[i]->id;
}

/* The name of a location without function information. */
static int address_name(size_t *out, decoder *d,
			const Perftools__Profiles__Location *loc)
{
	const Perftools__Profiles__Mapping *map = NULL;
	pg_buf b = PG_BUF_INIT;
	size_t mi, file = 0;
	int err;

	if (loc->mapping_id &&
	    pg_map_get(&mi, &d->map_index, &loc->mapping_id, sizeof(loc->mapping_id)) == 0)
		map = d->m->mapping[mi];
	if (map && (err = str_at(&file, d, map->filename, "mapping file name")) < 0)
		return err;
	if (map && file != 0) {
		const char *path = d->p->strings[file], *base = strrchr(path, '/');
		uint64_t off = loc->address >= map->memory_start ?
			loc->address - map->memory_start + map->file_offset : loc->address;

		pg_buf_addf(&b, "%s+0x%" PRIx64, base && base[1] ? base + 1 : path, off);
	} else {
		pg_buf_addf(&b, "0x%" PRIx64, loc->address);
	}
	err = pg_buf_failed(&b) ? PG_ENOMEM : intern(out, d->p, b.ptr, b.len);
	pg_buf_release(&b);
	return err;
}

/* Expand every location into its frames (function names, innermost
 * first). */
static int expand_locations(decoder *d)
{
	const pb_profile *m = d->m;
	size_t i, j;
	int err;

	d->loc_off = calloc(m->n_location ? m->n_location : 1, sizeof(*d->loc_off));
	d->loc_n = calloc(m->n_location ? m->n_location : 1, sizeof(*d->loc_n));
	if (!d->loc_off || !d->loc_n)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < m->n_location; i++) {
		const Perftools__Profiles__Location *loc = m->location[i];
		size_t addr_name = NONE;

		d->loc_off[i] = d->nlf;
		if ((err = GROW(d->lf, d->lf_alloc, d->nlf, loc->n_line ? loc->n_line : 1)) < 0)
			return err;
		for (j = 0; j < loc->n_line; j++) {
			const Perftools__Profiles__Function *fn = NULL;
			size_t fi, name = 0;

			if (loc->line[j]->function_id) {
				if (pg_map_get(&fi, &d->func_index, &loc->line[j]->function_id,
					       sizeof(uint64_t)) < 0)
					return bad(d, "location ID %" PRIu64
						   " refers to unknown function ID %" PRIu64,
						   loc->id, loc->line[j]->function_id);
				fn = m->function[fi];
				if ((err = str_at(&name, d, fn->name, "function name")) < 0)
					return err;
				if (name == 0 &&
				    (err = str_at(&name, d, fn->system_name, "function system name")) < 0)
					return err;
			}
			if (name == 0) {
				if (addr_name == NONE && (err = address_name(&addr_name, d, loc)) < 0)
					return err;
				name = addr_name;
			}
			d->lf[d->nlf++] = name;
		}
		if (loc->n_line == 0) {
			if ((err = address_name(&addr_name, d, loc)) < 0)
				return err;
			d->lf[d->nlf++] = addr_name;
		}
		d->loc_n[i] = d->nlf - d->loc_off[i];
	}
	return 0;
}

static int decode_samples(decoder *d)
{
	const pb_profile *m = d->m;
	pg_profile *p = d->p;
	size_t i, j, k;
	int err;

	if ((err = GROW(p->samples, p->samples_alloc, 0, m->n_sample)) < 0)
		return err;
	if (m->n_sample && m->n_sample_type > SIZE_MAX / sizeof(int64_t) / m->n_sample)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((err = GROW(p->values, p->values_alloc, 0, m->n_sample * m->n_sample_type)) < 0)
		return err;
	for (i = 0; i < m->n_sample; i++) {
		const Perftools__Profiles__Sample *s = m->sample[i];
		pg_profile_sample *ps = &p->samples[i];

		if (s->n_value != m->n_sample_type)
			return bad(d, "sample %zu has %zu values for %zu sample types",
				   i + 1, s->n_value, m->n_sample_type);
		memcpy(&p->values[i * p->ntypes], s->value, s->n_value * sizeof(int64_t));
		ps->frame_off = p->nframes;
		for (j = 0; j < s->n_location_id; j++) {
			size_t li;

			if (pg_map_get(&li, &d->loc_index, &s->location_id[j], sizeof(uint64_t)) < 0)
				return bad(d, "sample %zu refers to unknown location ID %" PRIu64,
					   i + 1, s->location_id[j]);
			if ((err = GROW(p->frames, p->frames_alloc, p->nframes, d->loc_n[li])) < 0)
				return err;
			for (k = 0; k < d->loc_n[li]; k++)
				p->frames[p->nframes++] = d->lf[d->loc_off[li] + k];
		}
		ps->nframes = p->nframes - ps->frame_off;
		ps->label_off = p->nlabels;
		if ((err = GROW(p->labels, p->labels_alloc, p->nlabels, s->n_label)) < 0)
			return err;
		for (j = 0; j < s->n_label; j++) {
			const Perftools__Profiles__Label *l = s->label[j];
			pg_profile_label *pl = &p->labels[p->nlabels];

			if ((err = str_at(&pl->key, d, l->key, "label key")) < 0 ||
			    (err = str_at(&pl->str, d, l->str, "label value")) < 0 ||
			    (err = str_at(&pl->num_unit, d, l->num_unit, "label unit")) < 0)
				return err;
			pl->num = l->num;
			p->nlabels++;
		}
		ps->nlabels = p->nlabels - ps->label_off;
		p->nsamples++;
	}
	return 0;
}

/* Build `p` from the message. */
static int decode(pg_profile *p, const char *name, const pb_profile *m)
{
	decoder d;
	size_t i;
	int err;

	memset(&d, 0, sizeof(d));
	d.name = name;
	d.m = m;
	d.p = p;
	pg_map_init(&d.loc_index);
	pg_map_init(&d.func_index);
	pg_map_init(&d.map_index);
	if (m->n_string_table == 0) {
		err = bad(&d, "no string table");
		goto cleanup;
	}
	if (m->string_table[0] && m->string_table[0][0]) {
		err = bad(&d, "the string table does not start with \"\"");
		goto cleanup;
	}
	if (m->n_sample_type == 0) {
		err = bad(&d, "no sample type");
		goto cleanup;
	}
	d.smap = malloc(m->n_string_table * sizeof(*d.smap));
	if (!d.smap) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < m->n_string_table; i++)
		d.smap[i] = NONE;
	d.smap[0] = 0;
	p->types = calloc(m->n_sample_type, sizeof(*p->types));
	if (!p->types) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < m->n_sample_type; i++) {
		size_t t, u;

		if ((err = str_at(&t, &d, m->sample_type[i]->type, "sample type")) < 0 ||
		    (err = str_at(&u, &d, m->sample_type[i]->unit, "sample unit")) < 0)
			goto cleanup;
		p->types[i].type = dup_str(p->strings[t]);
		p->types[i].unit = dup_str(p->strings[u]);
		p->ntypes++;
		if (!p->types[i].type || !p->types[i].unit) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	if ((err = index_ids(&d, &d.loc_index, m->n_location, loc_id, "location")) < 0 ||
	    (err = index_ids(&d, &d.func_index, m->n_function, func_id, "function")) < 0 ||
	    (err = index_ids(&d, &d.map_index, m->n_mapping, mapping_id, "mapping")) < 0 ||
	    (err = expand_locations(&d)) < 0 ||
	    (err = decode_samples(&d)) < 0)
		goto cleanup;
	p->duration_nanos = m->duration_nanos;

cleanup:
	free(d.smap);
	free(d.loc_off);
	free(d.loc_n);
	free(d.lf);
	pg_map_release(&d.loc_index);
	pg_map_release(&d.func_index);
	pg_map_release(&d.map_index);
	return err;
}

int pg_profile_parse(pg_profile *out, const char *name, const void *data,
		     size_t len)
{
	pg_buf raw = PG_BUF_INIT;
	pb_profile *m = NULL;
	pg_profile one;
	const unsigned char *bytes = data;
	int err;

	pg_profile_init(&one);
	if (len == 0) {
		err = pg_error_set(PG_EINPUT, "'%s': empty file", name);
		goto cleanup;
	}
	if (is_gzip(bytes, len)) {
		if ((err = gunzip(&raw, name, bytes, len)) < 0)
			goto cleanup;
		bytes = (const unsigned char *)raw.ptr;
		len = raw.len;
		if (len == 0) {
			err = pg_error_set(PG_EINPUT, "'%s': empty profile (no data in the gzip stream)",
					   name);
			goto cleanup;
		}
	}
	m = perftools__profiles__profile__unpack(NULL, len, bytes);
	if (!m) {
		err = pg_error_set(PG_EINPUT,
				   "'%s': not a pprof profile: cannot decode the protocol buffer",
				   name);
		goto cleanup;
	}
	if ((err = profile_start(&one, name)) < 0 || (err = decode(&one, name, m)) < 0)
		goto cleanup;
	if (out->ntypes == 0 && out->nsamples == 0 && out->ninputs == 0) {
		/* the first input: take it over */
		pg_profile_release(out);
		*out = one;
		pg_profile_init(&one);
	} else {
		err = pg_profile_merge(out, &one);
	}

cleanup:
	if (m)
		perftools__profiles__profile__free_unpacked(m, NULL);
	pg_profile_release(&one);
	pg_buf_release(&raw);
	return err;
}

/* ------------------------------------------------------------ merging */

static int add_types_text(pg_buf *b, const pg_profile *p)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++)
		pg_buf_addf(b, "%s%s/%s", i ? ", " : "", p->types[i].type, p->types[i].unit);
	return pg_buf_failed(b) ? PG_ENOMEM : 0;
}

/* tmap[j]: the index in src->types of out's type j. */
static int match_types(size_t *tmap, const pg_profile *out, const pg_profile *src)
{
	pg_buf a = PG_BUF_INIT, b = PG_BUF_INIT;
	size_t i, j;
	int ok = out->ntypes == src->ntypes, err;

	for (j = 0; ok && j < out->ntypes; j++) {
		tmap[j] = NONE;
		for (i = 0; i < src->ntypes; i++)
			if (!strcmp(out->types[j].type, src->types[i].type) &&
			    !strcmp(out->types[j].unit, src->types[i].unit))
				tmap[j] = i;
		ok = tmap[j] != NONE;
	}
	if (ok)
		return 0;
	add_types_text(&a, src);
	add_types_text(&b, out);
	err = pg_error_set(PG_EINPUT, "'%s': sample types (%s) differ from those of '%s' (%s)",
			   src->name ? src->name : "", a.ptr, out->name ? out->name : "", b.ptr);
	pg_buf_release(&a);
	pg_buf_release(&b);
	return err;
}

static int label_matches(const pg_profile *p, const pg_profile_sample *s,
			 size_t key, size_t str, const char *value)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++) {
		const pg_profile_label *l = &p->labels[s->label_off + i];
		char num[32];

		if (l->key != key)
			continue;
		if (l->str != 0) {
			if (l->str == str)
				return 1;
		} else {
			snprintf(num, sizeof(num), "%" PRId64, l->num);
			if (!strcmp(num, value))
				return 1;
		}
	}
	return 0;
}

/* The pool index in `out` of src's string `i` (memoised in smap). */
static int remap(size_t *res, pg_profile *out, const pg_profile *src, size_t *smap, size_t i)
{
	int err;

	if (smap[i] == NONE &&
	    (err = intern(&smap[i], out, src->strings[i], strlen(src->strings[i]))) < 0)
		return err;
	*res = smap[i];
	return 0;
}

/* Add src's samples (those with the label key=value when key is not NULL)
 * to out. On failure out has none of them. */
static int profile_add(pg_profile *out, const pg_profile *src, const char *key,
		       const char *value)
{
	size_t *smap = NULL, *tmap = NULL, i, j, fkey = NONE, fstr = NONE;
	size_t nsamples = out->nsamples, nframes = out->nframes, nlabels = out->nlabels;
	size_t ntypes_before = out->ntypes;
	pg_buf name = PG_BUF_INIT;
	int err = 0;

	if (src->ntypes == 0 && src->nsamples == 0)
		return 0; /* nothing in it */
	if (out->nstrings == 0 && (err = intern(&i, out, "", 0)) < 0)
		return err;
	if (out->ntypes == 0) {
		out->types = calloc(src->ntypes, sizeof(*out->types));
		if (!out->types)
			return pg_error_set(PG_ENOMEM, "out of memory");
		for (j = 0; j < src->ntypes; j++) {
			out->types[j].type = dup_str(src->types[j].type);
			out->types[j].unit = dup_str(src->types[j].unit);
			out->ntypes++;
			if (!out->types[j].type || !out->types[j].unit) {
				err = pg_error_set(PG_ENOMEM, "out of memory");
				goto cleanup;
			}
		}
	}
	tmap = malloc(out->ntypes * sizeof(*tmap));
	smap = malloc((src->nstrings ? src->nstrings : 1) * sizeof(*smap));
	if (!tmap || !smap) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if ((err = match_types(tmap, out, src)) < 0)
		goto cleanup;
	for (i = 0; i < src->nstrings; i++)
		smap[i] = NONE;
	if (key) {
		fkey = lookup(src, key, strlen(key));
		fstr = lookup(src, value, strlen(value));
		if (fkey == NONE)
			goto names; /* no sample has the key */
	}
	if ((err = GROW(out->samples, out->samples_alloc, out->nsamples, src->nsamples)) < 0)
		goto cleanup;
	if (src->nsamples && out->ntypes > SIZE_MAX / sizeof(int64_t) / (out->nsamples + src->nsamples)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if ((err = GROW(out->values, out->values_alloc, out->nsamples * out->ntypes,
			src->nsamples * out->ntypes)) < 0)
		goto cleanup;
	for (i = 0; i < src->nsamples; i++) {
		const pg_profile_sample *s = &src->samples[i];
		pg_profile_sample *d = &out->samples[out->nsamples];

		if (key && !label_matches(src, s, fkey, fstr, value))
			continue;
		for (j = 0; j < out->ntypes; j++)
			out->values[out->nsamples * out->ntypes + j] =
				src->values[i * src->ntypes + tmap[j]];
		d->frame_off = out->nframes;
		d->nframes = s->nframes;
		if ((err = GROW(out->frames, out->frames_alloc, out->nframes, s->nframes)) < 0)
			goto cleanup;
		for (j = 0; j < s->nframes; j++)
			if ((err = remap(&out->frames[out->nframes + j], out, src, smap,
					 src->frames[s->frame_off + j])) < 0)
				goto cleanup;
		out->nframes += s->nframes;
		d->label_off = out->nlabels;
		d->nlabels = s->nlabels;
		if ((err = GROW(out->labels, out->labels_alloc, out->nlabels, s->nlabels)) < 0)
			goto cleanup;
		for (j = 0; j < s->nlabels; j++) {
			const pg_profile_label *l = &src->labels[s->label_off + j];
			pg_profile_label *dl = &out->labels[out->nlabels + j];

			if ((err = remap(&dl->key, out, src, smap, l->key)) < 0 ||
			    (err = remap(&dl->str, out, src, smap, l->str)) < 0 ||
			    (err = remap(&dl->num_unit, out, src, smap, l->num_unit)) < 0)
				goto cleanup;
			dl->num = l->num;
		}
		out->nlabels += s->nlabels;
		out->nsamples++;
	}

names:
	if (out->name && out->name[0])
		pg_buf_addf(&name, "%s,", out->name);
	pg_buf_adds(&name, src->name ? src->name : "");
	if (pg_buf_failed(&name)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	free(out->name);
	out->name = pg_buf_detach(&name, NULL);
	out->ninputs += src->ninputs;
	out->duration_nanos += src->duration_nanos;

cleanup:
	if (err < 0) {
		out->nsamples = nsamples;
		out->nframes = nframes;
		out->nlabels = nlabels;
		if (ntypes_before == 0) {
			for (j = 0; j < out->ntypes; j++) {
				free(out->types[j].type);
				free(out->types[j].unit);
			}
			free(out->types);
			out->types = NULL;
			out->ntypes = 0;
		}
	}
	pg_buf_release(&name);
	free(smap);
	free(tmap);
	return err;
}

int pg_profile_merge(pg_profile *out, const pg_profile *src)
{
	return profile_add(out, src, NULL, NULL);
}

int pg_profile_filter_label(pg_profile *out, const pg_profile *src,
			    const char *key, const char *value)
{
	return profile_add(out, src, key, value);
}

int pg_profile_label_spec(const char **key, size_t *key_len, const char **value,
			  const char *spec)
{
	const char *eq = strchr(spec, '=');

	if (!eq || eq == spec)
		return pg_error_set(PG_EINPUT, "label '%s' is not key=value", spec);
	*key = spec;
	*key_len = (size_t)(eq - spec);
	*value = eq + 1;
	return 0;
}

/* ------------------------------------------------------------ types */

int pg_profile_find_type(size_t *out, const pg_profile *p, const char *spec)
{
	pg_buf have = PG_BUF_INIT;
	const char *slash;
	size_t i, tlen;
	int err;

	if (!spec || !spec[0]) {
		for (i = 0; i < p->ntypes; i++)
			if (!strcmp(p->types[i].type, "cpu") &&
			    !strcmp(p->types[i].unit, "nanoseconds")) {
				*out = i;
				return 0;
			}
		if (p->ntypes > 0) {
			*out = 0;
			return 0;
		}
		return pg_error_set(PG_EINPUT, "'%s': empty profile (no sample types)",
				    p->name ? p->name : "");
	}
	slash = strchr(spec, '/');
	tlen = slash ? (size_t)(slash - spec) : strlen(spec);
	for (i = 0; i < p->ntypes; i++)
		if (strlen(p->types[i].type) == tlen && !memcmp(p->types[i].type, spec, tlen) &&
		    (!slash || !strcmp(p->types[i].unit, slash + 1))) {
			*out = i;
			return 0;
		}
	add_types_text(&have, p);
	err = pg_error_set(PG_EINPUT, "'%s': no sample type '%s' (it has %s)",
			   p->name ? p->name : "", spec, p->ntypes ? have.ptr : "none");
	pg_buf_release(&have);
	return err;
}

int64_t pg_profile_total(const pg_profile *p, size_t type)
{
	int64_t total = 0;
	size_t i;

	for (i = 0; i < p->nsamples; i++)
		total += p->values[i * p->ntypes + type];
	return total;
}

int64_t pg_profile_sample_count(const pg_profile *p)
{
	size_t i;

	for (i = 0; i < p->ntypes; i++)
		if (!strcmp(p->types[i].type, "samples") && !strcmp(p->types[i].unit, "count"))
			return pg_profile_total(p, i);
	return (int64_t)p->nsamples;
}

/* ------------------------------------------------------------ per function */

/* Flat and cumulative values per pool string of `p` for sample type t;
 * seen[i] is set for every string that is a frame of a sample with a
 * nonzero value. The arrays have p->nstrings entries. */
typedef struct func_sums {
	int64_t *flat, *cum;
	unsigned char *seen;
	int64_t total;
} func_sums;

static void func_sums_release(func_sums *f)
{
	free(f->flat);
	free(f->cum);
	free(f->seen);
	memset(f, 0, sizeof(*f));
}

static int func_sums_compute(func_sums *out, const pg_profile *p, size_t t)
{
	size_t n = p->nstrings ? p->nstrings : 1, *stamp = NULL, i, j;
	int err = 0;

	memset(out, 0, sizeof(*out));
	out->flat = calloc(n, sizeof(*out->flat));
	out->cum = calloc(n, sizeof(*out->cum));
	out->seen = calloc(n, 1);
	stamp = malloc(n * sizeof(*stamp));
	if (!out->flat || !out->cum || !out->seen || !stamp) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++)
		stamp[i] = NONE;
	for (i = 0; i < p->nsamples; i++) {
		const pg_profile_sample *s = &p->samples[i];
		int64_t v = p->values[i * p->ntypes + t];

		out->total += v;
		if (v == 0 || s->nframes == 0)
			continue;
		out->flat[p->frames[s->frame_off]] += v;
		for (j = 0; j < s->nframes; j++) {
			size_t f = p->frames[s->frame_off + j];

			out->seen[f] = 1;
			if (stamp[f] == i)
				continue; /* recursion: once per sample */
			stamp[f] = i;
			out->cum[f] += v;
		}
	}

cleanup:
	free(stamp);
	if (err < 0)
		func_sums_release(out);
	return err;
}

static double percent(int64_t v, int64_t total)
{
	return total ? 100.0 * (double)v / (double)total : 0.0;
}

static int empty_profile(const pg_profile *p, size_t t)
{
	return pg_error_set(PG_EINPUT, "'%s': empty profile (no %s/%s samples)",
			    p->name ? p->name : "", p->types[t].type, p->types[t].unit);
}

static int set_type(char **type, char **unit, const pg_profile_type *t)
{
	*type = dup_str(t->type);
	*unit = dup_str(t->unit);
	if (!*type || !*unit)
		return pg_error_set(PG_ENOMEM, "out of memory");
	return 0;
}

static int cmp_int64_desc(int64_t a, int64_t b)
{
	return a > b ? -1 : a < b;
}

static int cmp_func_flat(const void *a, const void *b)
{
	const pg_profile_func *x = a, *y = b;
	int c = cmp_int64_desc(x->flat, y->flat);

	if (!c)
		c = cmp_int64_desc(x->cum, y->cum);
	return c ? c : strcmp(x->name, y->name);
}

static int cmp_func_cum(const void *a, const void *b)
{
	const pg_profile_func *x = a, *y = b;
	int c = cmp_int64_desc(x->cum, y->cum);

	if (!c)
		c = cmp_int64_desc(x->flat, y->flat);
	return c ? c : strcmp(x->name, y->name);
}

int pg_profile_top_compute(pg_profile_top *out, const pg_profile *p,
			   const char *spec, int by_cum)
{
	func_sums f = { 0 };
	size_t t, i, n = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = pg_profile_find_type(&t, p, spec)) < 0 ||
	    (err = func_sums_compute(&f, p, t)) < 0)
		goto cleanup;
	if (f.total == 0) {
		err = empty_profile(p, t);
		goto cleanup;
	}
	if ((err = set_type(&out->type, &out->unit, &p->types[t])) < 0)
		goto cleanup;
	out->total = f.total;
	out->nsamples = pg_profile_sample_count(p);
	for (i = 0; i < p->nstrings; i++)
		n += f.seen[i];
	out->funcs = calloc(n ? n : 1, sizeof(*out->funcs));
	if (!out->funcs) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < p->nstrings; i++) {
		pg_profile_func *fn = &out->funcs[out->n];

		if (!f.seen[i])
			continue;
		if (!(fn->name = dup_str(p->strings[i]))) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		fn->flat = f.flat[i];
		fn->cum = f.cum[i];
		fn->flat_percent = percent(fn->flat, f.total);
		fn->cum_percent = percent(fn->cum, f.total);
		out->n++;
	}
	qsort(out->funcs, out->n, sizeof(*out->funcs), by_cum ? cmp_func_cum : cmp_func_flat);

cleanup:
	func_sums_release(&f);
	if (err < 0)
		pg_profile_top_release(out);
	return err;
}

void pg_profile_top_release(pg_profile_top *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->n; i++)
		free(t->funcs[i].name);
	free(t->funcs);
	free(t->type);
	free(t->unit);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ diff */

/* The sample type in both profiles: chosen in `base` (or by spec), the
 * same type and unit in `next`. */
static int find_pair_type(size_t *tb, size_t *tn, const pg_profile *base,
			  const pg_profile *next, const char *spec)
{
	pg_buf want = PG_BUF_INIT;
	int err;

	if ((err = pg_profile_find_type(tb, base, spec)) < 0)
		return err;
	if (pg_buf_addf(&want, "%s/%s", base->types[*tb].type, base->types[*tb].unit) < 0)
		return PG_ENOMEM;
	err = pg_profile_find_type(tn, next, want.ptr);
	pg_buf_release(&want);
	return err;
}

static int cmp_diff(const void *a, const void *b)
{
	const pg_profile_diff_func *x = a, *y = b;

	if (x->growth_points != y->growth_points)
		return x->growth_points > y->growth_points ? -1 : 1;
	return strcmp(x->name, y->name);
}

int pg_profile_diff_compute(pg_profile_diff *out, const pg_profile *base,
			    const pg_profile *next, const char *spec)
{
	func_sums fb = { 0 }, fn = { 0 };
	pg_map index = PG_MAP_INIT;
	size_t tb, tn, i, n = 0, alloc = 0;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = find_pair_type(&tb, &tn, base, next, spec)) < 0 ||
	    (err = func_sums_compute(&fb, base, tb)) < 0 ||
	    (err = func_sums_compute(&fn, next, tn)) < 0)
		goto cleanup;
	if (fb.total == 0) {
		err = empty_profile(base, tb);
		goto cleanup;
	}
	if (fn.total == 0) {
		err = empty_profile(next, tn);
		goto cleanup;
	}
	if ((err = set_type(&out->type, &out->unit, &base->types[tb])) < 0)
		goto cleanup;
	out->base_total = fb.total;
	out->new_total = fn.total;
	out->base_samples = pg_profile_sample_count(base);
	out->new_samples = pg_profile_sample_count(next);
	for (i = 0; i < base->nstrings + next->nstrings; i++) {
		int is_base = i < base->nstrings;
		const pg_profile *p = is_base ? base : next;
		const func_sums *f = is_base ? &fb : &fn;
		size_t s = is_base ? i : i - base->nstrings, idx;
		const char *name = p->strings[s];
		pg_profile_diff_func *d;
		int added;

		if (!f->seen[s])
			continue;
		if ((err = pg_map_upsert(&idx, &added, &index, name, strlen(name), n)) < 0)
			goto cleanup;
		if (added) {
			if ((err = GROW(out->funcs, alloc, n, 1)) < 0)
				goto cleanup;
			d = &out->funcs[n];
			memset(d, 0, sizeof(*d));
			if (!(d->name = dup_str(name))) {
				err = pg_error_set(PG_ENOMEM, "out of memory");
				goto cleanup;
			}
			out->n = ++n;
		}
		d = &out->funcs[idx];
		if (is_base) {
			d->base_flat = f->flat[s];
			d->base_flat_percent = percent(f->flat[s], f->total);
			d->base_cum_percent = percent(f->cum[s], f->total);
		} else {
			d->new_flat = f->flat[s];
			d->new_flat_percent = percent(f->flat[s], f->total);
			d->new_cum_percent = percent(f->cum[s], f->total);
		}
	}
	for (i = 0; i < out->n; i++)
		out->funcs[i].growth_points = out->funcs[i].new_flat_percent -
					      out->funcs[i].base_flat_percent;
	if (out->n)
		qsort(out->funcs, out->n, sizeof(*out->funcs), cmp_diff);

cleanup:
	func_sums_release(&fb);
	func_sums_release(&fn);
	pg_map_release(&index);
	if (err < 0)
		pg_profile_diff_release(out);
	return err;
}

void pg_profile_diff_release(pg_profile_diff *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		free(d->funcs[i].name);
	free(d->funcs);
	free(d->type);
	free(d->unit);
	memset(d, 0, sizeof(*d));
}

/* ------------------------------------------------------------ call tree */

static int tree_intern(size_t *out, pg_profile_tree *t, const char *s)
{
	return pool_intern(out, &t->names, &t->nnames, &t->names_alloc, &t->name_index,
			   s, strlen(s));
}

/* The child of `parent` named by pool index `name`: found, or created
 * when `create`; NONE when absent and not created. */
static int tree_child(size_t *out, pg_profile_tree *t, size_t parent, size_t name,
		      int create)
{
	size_t key[2] = { parent, name }, idx;
	pg_profile_node *nd;
	int added, err;

	if (!create) {
		*out = pg_map_get(&idx, &t->child_index, key, sizeof(key)) < 0 ? NONE : idx;
		return 0;
	}
	if ((err = GROW(t->nodes, t->alloc, t->n, 1)) < 0)
		return err;
	if ((err = pg_map_upsert(&idx, &added, &t->child_index, key, sizeof(key), t->n)) < 0)
		return err;
	if (added) {
		nd = &t->nodes[t->n++];
		memset(nd, 0, sizeof(*nd));
		nd->name = t->names[name];
		nd->func = name;
		nd->parent = parent;
		nd->first_child = nd->next_sibling = NONE;
		nd->depth = t->nodes[parent].depth + 1;
		if (nd->depth > t->max_depth)
			t->max_depth = nd->depth;
	}
	*out = idx;
	return 0;
}

/* Walk `p`'s samples into the tree: creating nodes (the new profile) or
 * only looking paths up (the base). */
static int tree_add(pg_profile_tree *t, const pg_profile *p, size_t type, int is_new)
{
	size_t *nmap = NULL, i, j;
	int err = 0;

	nmap = malloc((p->nstrings ? p->nstrings : 1) * sizeof(*nmap));
	if (!nmap)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < p->nstrings; i++) {
		nmap[i] = NONE;
		if (is_new)
			continue;
		if (pg_map_get(&nmap[i], &t->name_index, p->strings[i], strlen(p->strings[i])) < 0)
			nmap[i] = NONE;
	}
	for (i = 0; i < p->nsamples; i++) {
		const pg_profile_sample *s = &p->samples[i];
		int64_t v = p->values[i * p->ntypes + type];
		size_t node = 0;

		if (v == 0)
			continue;
		if (is_new)
			t->nodes[0].new_cum += v;
		else
			t->nodes[0].base_cum += v;
		for (j = s->nframes; j-- > 0;) {
			size_t f = p->frames[s->frame_off + j];

			if (is_new && nmap[f] == NONE &&
			    (err = tree_intern(&nmap[f], t, p->strings[f])) < 0)
				goto cleanup;
			if (nmap[f] == NONE) {
				node = NONE;
				break;
			}
			if ((err = tree_child(&node, t, node, nmap[f], is_new)) < 0)
				goto cleanup;
			if (node == NONE)
				break;
			if (is_new)
				t->nodes[node].new_cum += v;
			else
				t->nodes[node].base_cum += v;
		}
		if (node != NONE) {
			if (is_new)
				t->nodes[node].new_self += v;
			else
				t->nodes[node].base_self += v;
		}
	}

cleanup:
	free(nmap);
	return err;
}

typedef struct node_order {
	size_t parent;
	const char *name;
	size_t idx;
} node_order;

static int cmp_node_order(const void *a, const void *b)
{
	const node_order *x = a, *y = b;
	int c;

	if (x->parent != y->parent)
		return x->parent < y->parent ? -1 : 1;
	c = strcmp(x->name, y->name);
	if (c)
		return c;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* Link every node's children in name order. */
static int tree_link(pg_profile_tree *t)
{
	node_order *o;
	size_t i;

	if (t->n < 2)
		return 0;
	o = malloc((t->n - 1) * sizeof(*o));
	if (!o)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 1; i < t->n; i++) {
		o[i - 1].parent = t->nodes[i].parent;
		o[i - 1].name = t->nodes[i].name;
		o[i - 1].idx = i;
	}
	qsort(o, t->n - 1, sizeof(*o), cmp_node_order);
	for (i = t->n - 1; i-- > 0;) {
		pg_profile_node *parent = &t->nodes[o[i].parent];

		t->nodes[o[i].idx].next_sibling = parent->first_child;
		parent->first_child = o[i].idx;
	}
	free(o);
	return 0;
}

/* Add `p`'s per-function flat and cumulative values to the tree's
 * functions (those the tree has). */
static int tree_funcs_add(pg_profile_tree *t, const pg_profile *p, size_t type, int is_new)
{
	func_sums f;
	size_t i, k;
	int err;

	if ((err = func_sums_compute(&f, p, type)) < 0)
		return err;
	for (i = 0; i < p->nstrings; i++) {
		if (!f.seen[i] ||
		    pg_map_get(&k, &t->name_index, p->strings[i], strlen(p->strings[i])) < 0)
			continue;
		if (is_new) {
			t->funcs[k].new_flat += f.flat[i];
			t->funcs[k].new_cum += f.cum[i];
		} else {
			t->funcs[k].base_flat += f.flat[i];
			t->funcs[k].base_cum += f.cum[i];
		}
	}
	func_sums_release(&f);
	return 0;
}

int pg_profile_tree_build(pg_profile_tree *out, const pg_profile *base,
			  const pg_profile *next, const char *spec)
{
	size_t tb = 0, tn, root_name, i;
	int err;

	memset(out, 0, sizeof(*out));
	pg_map_init(&out->name_index);
	pg_map_init(&out->child_index);
	if (base)
		err = find_pair_type(&tb, &tn, base, next, spec);
	else
		err = pg_profile_find_type(&tn, next, spec);
	if (err < 0)
		goto cleanup;
	if ((err = set_type(&out->type, &out->unit, &next->types[tn])) < 0 ||
	    (err = tree_intern(&root_name, out, "all")) < 0 ||
	    (err = GROW(out->nodes, out->alloc, 0, 1)) < 0)
		goto cleanup;
	memset(&out->nodes[0], 0, sizeof(out->nodes[0]));
	out->nodes[0].name = out->names[root_name];
	out->nodes[0].parent = out->nodes[0].first_child = out->nodes[0].next_sibling = NONE;
	out->n = 1;
	out->has_base = base != NULL;
	if ((err = tree_add(out, next, tn, 1)) < 0 ||
	    (base && (err = tree_add(out, base, tb, 0)) < 0) ||
	    (err = tree_link(out)) < 0)
		goto cleanup;
	out->new_total = out->nodes[0].new_cum;
	out->base_total = out->nodes[0].base_cum;
	if (out->new_total == 0) {
		err = empty_profile(next, tn);
		goto cleanup;
	}
	if (base && out->base_total == 0) {
		err = empty_profile(base, tb);
		goto cleanup;
	}
	/* one entry per name, and the root's own at the end (a function may
	 * be called "all" too) */
	out->funcs = calloc(out->nnames + 1, sizeof(*out->funcs));
	if (!out->funcs) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	out->nfuncs = out->nnames + 1;
	for (i = 0; i < out->nnames; i++)
		out->funcs[i].name = out->names[i];
	out->nodes[0].func = out->nnames;
	out->funcs[out->nnames].name = out->names[root_name];
	out->funcs[out->nnames].new_cum = out->new_total;
	out->funcs[out->nnames].base_cum = out->base_total;
	if ((err = tree_funcs_add(out, next, tn, 1)) < 0 ||
	    (base && (err = tree_funcs_add(out, base, tb, 0)) < 0))
		goto cleanup;

cleanup:
	if (err < 0)
		pg_profile_tree_release(out);
	return err;
}

void pg_profile_tree_release(pg_profile_tree *t)
{
	size_t i;

	if (!t)
		return;
	free(t->nodes);
	free(t->funcs);
	free(t->type);
	free(t->unit);
	for (i = 0; i < t->nnames; i++)
		free(t->names[i]);
	free(t->names);
	pg_map_release(&t->name_index);
	pg_map_release(&t->child_index);
	memset(t, 0, sizeof(*t));
	pg_map_init(&t->name_index);
	pg_map_init(&t->child_index);
}
