#ifndef PG_SHARD_H
#define PG_SHARD_H

#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "gate/store.h"

/*
 * Sharding a suite over N CI jobs: every top-level benchmark goes to the
 * shard its stable name hash picks (FNV-1a 64 of the name as the suite
 * lists it, modulo N), so each job runs the same benchmarks every time and
 * the shards together run each benchmark exactly once. The suite must
 * support go test's -list REGEX and -bench REGEX (perfgate's harness and
 * go test do).
 */

/* "K/N" with 1 <= K <= N <= 1000. 0 or PG_EINPUT. */
int pg_shard_parse(unsigned *k, unsigned *n, const char *spec);

uint64_t pg_shard_hash(const char *name);

/* The shard (1..n) of a benchmark name. */
unsigned pg_shard_of(const char *name, unsigned n);

/* The top-level benchmark names the suite lists (`argv` + "-list" "."),
 * lines starting with "Benchmark", into `out` (keys; sizes 0). Runs the
 * suite with `timeout` seconds. PG_EINFRA when it fails. */
int pg_suite_list(pg_store_list *out, char *const *argv, double timeout);

/* "^(BenchmarkA|BenchmarkB)$" for the names of shard k of n in `names`
 * (regex metacharacters escaped); *count receives how many. */
int pg_shard_regex(pg_buf *out, size_t *count, const pg_store_list *names,
		   unsigned k, unsigned n);

#endif
