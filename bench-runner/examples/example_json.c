/*
 * BenchmarkJSON of the example suite: parse a ~10 KB JSON document with
 * jansson (json_loads + json_decref per op). Reports B/op and allocs/op
 * (jansson's allocations go through malloc, which the harness counts) and
 * MB/s of input.
 *
 * jansson seeds its hash tables with random bytes (/dev/urandom) unless
 * told otherwise: a fixed seed makes the work, and so the instruction
 * count under `perfgate run --measure callgrind`, the same in every
 * process (with a random one it varied by ~0.03% from run to run, and the
 * heap it leaves behind changed the counts of MallocChurn after it).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <perfgate/bench.h>

#define JSON_RECORDS 82 /* about 10 KB */

/* JSON_RECORDS records of about 120 bytes: [{"id":1,"name":"item-001",...},...] */
static char *make_document(size_t *len_out)
{
	size_t cap = 16384, len = 0;
	char *doc = malloc(cap);
	int i, w;

	if (!doc)
		return NULL;
	doc[len++] = '[';
	for (i = 0; i < JSON_RECORDS; i++) {
		w = snprintf(doc + len, cap - len,
			     "%s{\"id\":%d,\"name\":\"item-%03d\",\"price\":%d.%02d,"
			     "\"tags\":[\"red\",\"large\",\"sale\"],\"active\":%s,"
			     "\"stock\":{\"warehouse\":%d,\"store\":%d}}",
			     i ? "," : "", i, i, 10 + i % 90, (i * 7) % 100,
			     i % 3 ? "true" : "false", i * 13 % 500, i * 29 % 50);
		if (w < 0 || (size_t)w >= cap - len) {
			free(doc);
			return NULL;
		}
		len += (size_t)w;
	}
	if (len + 2 > cap) {
		free(doc);
		return NULL;
	}
	doc[len++] = ']';
	doc[len] = '\0';
	*len_out = len;
	return doc;
}

PG_BENCH(JSON)
{
	size_t len = 0;
	char *doc = make_document(&len);
	json_error_t error;

	json_object_seed(0x70e7f6a7); /* only the process's first call counts */
	if (!doc) {
		pg_bench_fail(b, "cannot build the JSON document");
		return;
	}
	pg_bench_report_allocs(b);
	pg_bench_set_bytes(b, len);
	pg_bench_reset_timer(b);
	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		json_t *root = json_loads(doc, 0, &error);

		if (!root) {
			pg_bench_fail(b, "json_loads: %s (line %d)", error.text, error.line);
			break;
		}
		if (json_array_size(root) != JSON_RECORDS) {
			pg_bench_fail(b, "json_loads: %zu records, expected %d",
				      json_array_size(root), JSON_RECORDS);
			json_decref(root);
			break;
		}
		json_decref(root);
	}
	pg_bench_stop_timer(b);
	free(doc);
}
