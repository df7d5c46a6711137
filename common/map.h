#ifndef PG_MAP_H
#define PG_MAP_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"

/*
 * pg_map: a hash map from byte strings to size_t values (typically an
 * index into a caller's array). Keys are copied into the map's own
 * storage; values are plain numbers, so the map owns nothing else.
 * Open addressing with linear probing, FNV-1a hashing; lookups and
 * insertions are O(1) on average.
 */

typedef struct pg_map_entry {
	uint64_t hash;
	size_t key_off; /* offset of the key in `keys`; SIZE_MAX when empty */
	size_t key_len;
	size_t value;
} pg_map_entry;

typedef struct pg_map {
	pg_map_entry *slots;
	size_t nslots; /* a power of two, or 0 */
	size_t count;
	pg_buf keys;
} pg_map;

#define PG_MAP_INIT { NULL, 0, 0, PG_BUF_INIT }

void pg_map_init(pg_map *m);

/* Free the map's memory. Safe on NULL and on an initialised empty map. */
void pg_map_release(pg_map *m);

/* Look `key` up: 0 and *out set when present, PG_ENOTFOUND otherwise
 * (without setting an error message: absence is not an error here). */
int pg_map_get(size_t *out, const pg_map *m, const void *key, size_t len);

/* Find `key`, adding it with `value` when absent. *out receives the value
 * stored for the key (the existing one, or `value`); *added (may be NULL)
 * tells which. Returns 0 or PG_ENOMEM. */
int pg_map_upsert(size_t *out, int *added, pg_map *m, const void *key,
		  size_t len, size_t value);

/* Set the value of `key`, adding it when absent. */
int pg_map_put(pg_map *m, const void *key, size_t len, size_t value);

uint64_t pg_hash_bytes(const void *data, size_t len);

#endif
