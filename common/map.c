#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "map.h"
#include "banned.h"

#define EMPTY SIZE_MAX

uint64_t pg_hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 1099511628211ULL;
	}
	/* final avalanche so that the low bits used for the slot index
	 * depend on every byte */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void pg_map_init(pg_map *m)
{
	m->slots = NULL;
	m->nslots = 0;
	m->count = 0;
	pg_buf_init(&m->keys, 0);
}

void pg_map_release(pg_map *m)
{
	if (!m)
		return;
	free(m->slots);
	pg_buf_release(&m->keys);
	m->slots = NULL;
	m->nslots = 0;
	m->count = 0;
}

static size_t map_find(const pg_map *m, uint64_t hash, const void *key,
		       size_t len)
{
	size_t mask = m->nslots - 1;
	size_t i = (size_t)hash & mask;

	for (;;) {
		const pg_map_entry *e = &m->slots[i];

		if (e->key_off == EMPTY)
			return i;
		if (e->hash == hash && e->key_len == len &&
		    memcmp(m->keys.ptr + e->key_off, key, len) == 0)
			return i;
		i = (i + 1) & mask;
	}
}

static int map_resize(pg_map *m, size_t nslots)
{
	pg_map_entry *old = m->slots, *slots;
	size_t old_n = m->nslots, i;

	slots = malloc(nslots * sizeof(*slots));
	if (!slots)
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < nslots; i++)
		slots[i].key_off = EMPTY;
	m->slots = slots;
	m->nslots = nslots;
	for (i = 0; i < old_n; i++) {
		size_t mask = nslots - 1, j;

		if (old[i].key_off == EMPTY)
			continue;
		j = (size_t)old[i].hash & mask;
		while (slots[j].key_off != EMPTY)
			j = (j + 1) & mask;
		slots[j] = old[i];
	}
	free(old);
	return 0;
}

int pg_map_get(size_t *out, const pg_map *m, const void *key, size_t len)
{
	size_t i;

	if (!m->nslots)
		return PG_ENOTFOUND;
	i = map_find(m, pg_hash_bytes(key, len), key, len);
	if (m->slots[i].key_off == EMPTY)
		return PG_ENOTFOUND;
	*out = m->slots[i].value;
	return 0;
}

int pg_map_upsert(size_t *out, int *added, pg_map *m, const void *key,
		  size_t len, size_t value)
{
	uint64_t hash = pg_hash_bytes(key, len);
	pg_map_entry *e;
	size_t i, off;
	int err;

	if ((m->count + 1) * 4 > m->nslots * 3) {
		if ((err = map_resize(m, m->nslots ? m->nslots * 2 : 64)) < 0)
			return err;
	}
	i = map_find(m, hash, key, len);
	e = &m->slots[i];
	if (e->key_off != EMPTY) {
		*out = e->value;
		if (added)
			*added = 0;
		return 0;
	}
	off = m->keys.len;
	if ((err = pg_buf_add(&m->keys, key, len)) < 0)
		return err;
	e->hash = hash;
	e->key_off = off;
	e->key_len = len;
	e->value = value;
	m->count++;
	*out = value;
	if (added)
		*added = 1;
	return 0;
}

int pg_map_put(pg_map *m, const void *key, size_t len, size_t value)
{
	size_t cur;
	int added, err;

	if ((err = pg_map_upsert(&cur, &added, m, key, len, value)) < 0)
		return err;
	if (!added) {
		size_t i = map_find(m, pg_hash_bytes(key, len), key, len);

		m->slots[i].value = value;
	}
	return 0;
}
