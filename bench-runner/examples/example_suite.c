/*
 * The example suite: realistic C benchmarks written with perfgate's
 * harness (bench-runner/include/perfgate/bench.h). `make` builds it as
 * build/examples/example-suite; the demo and the end-to-end tests run it.
 *
 *   BenchmarkSort/n=100, n=10000     qsort of ints (copy + sort per op)
 *   BenchmarkHash/fnv1a-64K          FNV-1a over a 64 KiB buffer
 *   BenchmarkMemcpy/64B, 4KB, 1MB    memcpy, with MB/s
 *   BenchmarkJSON                    json_loads of a ~10 KB document (jansson),
 *                                    with B/op and allocs/op (example_json.c)
 *   BenchmarkStringBuild             100 snprintf appends into a buffer
 *   BenchmarkListWalk                pointer chasing over 4096 shuffled nodes,
 *                                    with a custom metric ns/node
 *   BenchmarkMatMul64                64x64 double matrix product
 *   BenchmarkMallocChurn             32 malloc/free of mixed sizes per op
 *   BenchmarkHarness/empty, timer    the harness's own overhead
 *                                    (harness_overhead.c)
 *
 * Injected regression, for demonstrating and testing the gate:
 * PG_EXAMPLE_SLOWDOWN=PCT (a number >= 0, may be fractional: "5", "2.5")
 * makes BenchmarkHash/fnv1a-64K, and only it, about PCT percent slower:
 * every op also hashes PCT% more of the buffer, in the separate function
 * pg_example_injected_slowdown(), so both its time and its instruction
 * count grow by about PCT%, and a CPU profile names the culprit. The
 * configuration line "slowdown: Hash/fnv1a-64K +PCT%" records it. An
 * invalid value (empty, negative, not a number, "5%") is an error: exit
 * status 2 (accepted: digits with an optional fraction, at most
 * 100000). The hash is the one chosen because a serial compute chain is
 * the steadiest kind of benchmark on a noisy machine. Compiled with
 * -DPG_EXAMPLE_BUILT_IN_SLOWDOWN='"PCT"', the suite has that slowdown
 * without the variable: a commit whose code is slower, for experiments
 * that build two commits (make experiment-noise, perfgate gate --ab).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <perfgate/bench.h>

/* ------------------------------------------------------------ helpers */

/* xorshift64*: a fixed, fast pseudo-random sequence */
static uint64_t rng_next(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

static void *xmalloc(pg_bench *b, size_t size)
{
	void *p = malloc(size);

	if (!p)
		pg_bench_fail(b, "out of memory (%zu bytes)", size);
	return p;
}

/* ------------------------------------------------------------ sort */

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static void bench_sort(pg_bench *b)
{
	size_t n = *(const size_t *)pg_bench_arg(b), i;
	int *input = xmalloc(b, n * sizeof(int));
	int *work = xmalloc(b, n * sizeof(int));
	uint64_t seed = 42;

	if (!input || !work)
		goto cleanup;
	for (i = 0; i < n; i++)
		input[i] = (int)(rng_next(&seed) >> 33);
	memcpy(work, input, n * sizeof(int));
	pg_bench_reset_timer(b);
	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		memcpy(work, input, n * sizeof(int));
		qsort(work, n, sizeof(int), cmp_int);
		pg_bench_do_not_optimize(work[n / 2]);
	}
	pg_bench_stop_timer(b);
	for (i = 1; i < n; i++) {
		if (work[i - 1] > work[i]) {
			pg_bench_fail(b, "not sorted at %zu", i);
			break;
		}
	}
cleanup:
	free(input);
	free(work);
}

PG_BENCH(Sort)
{
	static const size_t sizes[] = { 100, 10000 };
	size_t i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		pg_bench_run(b, bench_sort, (void *)&sizes[i], "n=%zu", sizes[i]);
}

/* ------------------------------------------------------------ hash */

#define HASH_BUF (64 * 1024)

static double slowdown_pct = -1; /* < 0: not set */
static size_t slowdown_bytes;    /* extra bytes hashed per op */

static inline uint64_t fnv1a(const unsigned char *p, size_t n, uint64_t h)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* The injected regression: hash `extra` more bytes (cycling over the
 * buffer), continuing the chain of `h`. Not inlined, not cloned and with
 * a result the caller consumes, so that it always runs and keeps this
 * exact symbol name in profiles. */
uint64_t pg_example_injected_slowdown(const unsigned char *buf, size_t len,
				      size_t extra, uint64_t h);

#if defined(__has_attribute)
#if __has_attribute(noipa)
#define PG_EXAMPLE_NOIPA __attribute__((noipa))
#endif
#endif
#ifndef PG_EXAMPLE_NOIPA
#define PG_EXAMPLE_NOIPA
#endif

__attribute__((noinline)) PG_EXAMPLE_NOIPA
uint64_t pg_example_injected_slowdown(const unsigned char *buf, size_t len,
				      size_t extra, uint64_t h)
{
	while (extra > 0) {
		size_t k = extra < len ? extra : len;

		h = fnv1a(buf, k, h);
		extra -= k;
	}
	pg_bench_do_not_optimize(h);
	return h;
}

static void bench_fnv1a_64k(pg_bench *b)
{
	unsigned char *buf = xmalloc(b, HASH_BUF);
	uint64_t seed = 7, h = 0;
	size_t i;

	if (!buf)
		return;
	for (i = 0; i < HASH_BUF; i++)
		buf[i] = (unsigned char)rng_next(&seed);
	pg_bench_set_bytes(b, HASH_BUF);
	pg_bench_reset_timer(b);
	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		h = fnv1a(buf, HASH_BUF, 0xcbf29ce484222325ULL);
		if (slowdown_pct >= 0)
			h = pg_example_injected_slowdown(buf, HASH_BUF, slowdown_bytes, h);
		pg_bench_do_not_optimize(h);
	}
	pg_bench_stop_timer(b);
	free(buf);
}

PG_BENCH(Hash)
{
	pg_bench_run(b, bench_fnv1a_64k, NULL, "fnv1a-64K");
}

/* ------------------------------------------------------------ memcpy */

static void bench_memcpy(pg_bench *b)
{
	size_t size = *(const size_t *)pg_bench_arg(b);
	unsigned char *src = xmalloc(b, size), *dst = xmalloc(b, size);

	if (src && dst) {
		memset(src, 0x5a, size);
		memset(dst, 0, size);
		pg_bench_set_bytes(b, size);
		pg_bench_reset_timer(b);
		for (uint64_t it = 0; it < pg_bench_n(b); it++) {
			memcpy(dst, src, size);
			pg_bench_do_not_optimize(dst);
			pg_bench_clobber_memory();
		}
		pg_bench_stop_timer(b);
	}
	free(src);
	free(dst);
}

PG_BENCH(Memcpy)
{
	static const struct {
		const char *name;
		size_t size;
	} cases[] = { { "64B", 64 }, { "4KB", 4096 }, { "1MB", 1 << 20 } };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		pg_bench_run(b, bench_memcpy, (void *)&cases[i].size, "%s", cases[i].name);
}

/* ------------------------------------------------------------ string building */

PG_BENCH(StringBuild)
{
	char buf[2048];

	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		size_t len = 0;
		int i;

		for (i = 0; i < 100; i++) {
			int w = snprintf(buf + len, sizeof(buf) - len, "key%03d=%d;", i,
					 i * 37 + (int)(it & 0xff));

			if (w < 0 || (size_t)w >= sizeof(buf) - len)
				break;
			len += (size_t)w;
		}
		pg_bench_do_not_optimize(len);
		pg_bench_clobber_memory();
	}
}

/* ------------------------------------------------------------ linked list */

typedef struct node {
	struct node *next;
	uint64_t value;
	char pad[48]; /* one node per 64-byte line */
} node;

#define LIST_NODES 4096

PG_BENCH(ListWalk)
{
	node *nodes = xmalloc(b, LIST_NODES * sizeof(node));
	size_t *order = xmalloc(b, LIST_NODES * sizeof(size_t));
	uint64_t seed = 99, sum = 0;
	size_t i;

	if (!nodes || !order)
		goto cleanup;
	/* link the nodes in a shuffled order: every step is a cache miss
	 * the prefetcher cannot predict */
	for (i = 0; i < LIST_NODES; i++) {
		order[i] = i;
		nodes[i].value = i;
	}
	for (i = LIST_NODES - 1; i > 0; i--) {
		size_t j = (size_t)(rng_next(&seed) % (i + 1)), t = order[i];

		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i + 1 < LIST_NODES; i++)
		nodes[order[i]].next = &nodes[order[i + 1]];
	nodes[order[LIST_NODES - 1]].next = NULL;

	pg_bench_reset_timer(b);
	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		const node *p;

		for (p = &nodes[order[0]]; p; p = p->next)
			sum += p->value;
		pg_bench_do_not_optimize(sum);
	}
	pg_bench_stop_timer(b);
	pg_bench_report_metric(b, (double)pg_bench_elapsed_ns(b) /
				  ((double)pg_bench_n(b) * LIST_NODES), "ns/node");
	if (sum != pg_bench_n(b) * (uint64_t)LIST_NODES * (LIST_NODES - 1) / 2)
		pg_bench_fail(b, "wrong sum %llu", (unsigned long long)sum);
cleanup:
	free(nodes);
	free(order);
}

/* ------------------------------------------------------------ matrix product */

#define MAT 64

PG_BENCH(MatMul64)
{
	static double a[MAT][MAT], m[MAT][MAT], c[MAT][MAT];
	uint64_t seed = 3;
	int i, j, k;

	for (i = 0; i < MAT; i++)
		for (j = 0; j < MAT; j++) {
			a[i][j] = (double)(rng_next(&seed) % 1000) / 100.0;
			m[i][j] = (double)(rng_next(&seed) % 1000) / 100.0;
		}
	pg_bench_reset_timer(b);
	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		for (i = 0; i < MAT; i++) {
			for (j = 0; j < MAT; j++)
				c[i][j] = 0;
			for (k = 0; k < MAT; k++) {
				double aik = a[i][k];

				for (j = 0; j < MAT; j++)
					c[i][j] += aik * m[k][j];
			}
		}
		pg_bench_do_not_optimize(&c[0][0]);
		pg_bench_clobber_memory();
	}
}

/* ------------------------------------------------------------ malloc churn */

#define CHURN_BLOCKS 32

PG_BENCH(MallocChurn)
{
	static const size_t sizes[CHURN_BLOCKS] = {
		16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536,
		2048, 4096, 16, 32, 64, 128, 256, 512, 1024, 2048, 40, 80, 160, 320,
		640, 1280, 2560, 5120,
	};
	void *blocks[CHURN_BLOCKS];
	int i;

	pg_bench_report_allocs(b);
	for (uint64_t it = 0; it < pg_bench_n(b); it++) {
		for (i = 0; i < CHURN_BLOCKS; i++) {
			blocks[i] = malloc(sizes[i]);
			pg_bench_do_not_optimize(blocks[i]);
		}
		/* free in an interleaved order: odd blocks first */
		for (i = 1; i < CHURN_BLOCKS; i += 2)
			free(blocks[i]);
		for (i = 0; i < CHURN_BLOCKS; i += 2)
			free(blocks[i]);
	}
}

/* ------------------------------------------------------------ main */

/* PG_EXAMPLE_SLOWDOWN: digits with an optional fraction ("5", "2.5",
 * ".5"); 0, or -1 with a message on stderr. */
static int parse_slowdown(const char *s)
{
	const char *p = s;
	int digits = 0;
	double v;

	while (*p >= '0' && *p <= '9')
		p++, digits++;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++)
			digits++;
	v = digits && !*p ? strtod(s, NULL) : -1;
	if (!(v >= 0 && v <= 100000)) {
		fprintf(stderr, "example-suite: invalid PG_EXAMPLE_SLOWDOWN '%s': "
			"expected a percentage, a number >= 0 such as 5 or 2.5\n", s);
		return -1;
	}
	slowdown_pct = v;
	slowdown_bytes = (size_t)llround((double)HASH_BUF * v / 100.0);
	return 0;
}

int main(int argc, char **argv)
{
	const char *slowdown = getenv("PG_EXAMPLE_SLOWDOWN");

#ifdef PG_EXAMPLE_BUILT_IN_SLOWDOWN
	/* a build with the regression compiled in, as a code change brings
	 * one: cc -DPG_EXAMPLE_BUILT_IN_SLOWDOWN='"5"' (the variable wins) */
	if (!slowdown)
		slowdown = PG_EXAMPLE_BUILT_IN_SLOWDOWN;
#endif

	if (slowdown) {
		if (parse_slowdown(slowdown))
			return 2;
		if (pg_bench_add_config("slowdown", "Hash/fnv1a-64K +%g%%", slowdown_pct)) {
			fprintf(stderr, "example-suite: out of memory\n");
			return 2;
		}
	}
	return pg_bench_main(argc, argv);
}
