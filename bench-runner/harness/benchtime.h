#ifndef PG_BENCH_BENCHTIME_H
#define PG_BENCH_BENCHTIME_H

#include <stddef.h>
#include <stdint.h>

/*
 * -benchtime values, shared by the harness (the flag, and its default
 * from the environment variable PG_BENCH_BENCHTIME_ENV) and perfgate
 * (gate/config.c checks quick.benchtime, which it passes to suites in that
 * variable, by the same rule). Plain libc: the harness library links
 * nothing of perfgate's. 0 on success, -1 with a message in `err`.
 */

/* The variable whose value is a suite's default -benchtime (an explicit
 * -benchtime wins); perfgate gate --quick sets it from quick.benchtime. */
#define PG_BENCH_BENCHTIME_ENV "PERFGATE_BENCHTIME"

/* A decimal number without sign: 0, or -1 (not a number, out of range). */
int pg_bench_parse_u64(uint64_t *out, const char *s);

/* A -benchtime value: "500x" (*n_out = 500, *ns_out = 0) or a Go duration
 * ("1s", "0.5s", "200ms", "1m30s": *ns_out, *n_out = 0). The message
 * names the value as `name` gave it: "invalid -benchtime '3sec': unknown
 * unit (ns, us, ms, s, m, h)" (pg_bench_parse_benchtime: "-benchtime"). */
int pg_bench_parse_benchtime_as(uint64_t *ns_out, uint64_t *n_out, const char *s,
				const char *name, char *err, size_t cap);
int pg_bench_parse_benchtime(uint64_t *ns_out, uint64_t *n_out, const char *s,
			     char *err, size_t cap);

/* A Go duration (time.ParseDuration without the sign): a sequence of
 * decimal numbers, each with a unit ns, us (µs, μs), ms, s, m or h;
 * or "0". On failure `err` receives the reason only ("missing unit (ns, us,
 * ms, s, m, h)"); the caller names the value. */
int pg_bench_parse_duration(uint64_t *out, const char *s, char *err, size_t cap);

#endif
