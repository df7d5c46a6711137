#ifndef PG_CALLGRIND_H
#define PG_CALLGRIND_H

#include <stddef.h>

#include "common/buf.h"
#include "stats/results.h"

/*
 * `perfgate run --measure callgrind`: instruction counts from Valgrind's
 * callgrind instead of time.
 *
 * The suite (built with perfgate's harness) runs as
 *
 *     valgrind --tool=callgrind --collect-atstart=no
 *              --callgrind-out-file=<dir>/cg.%p [--cache-sim=yes --I1=...]
 *              -- <suite's absolute path> ARGS... -benchtime <N>x
 *
 * in a pinned environment (pg_callgrind_env) and working directory ("/").
 * Seeing PG_BENCH_CALLGRIND=1 under valgrind, the harness collects only
 * inside the timed regions and dumps the counts after every reported run,
 * the dump's trigger naming it: "Client Request: <benchmark> N=<n>". The
 * runner reads the dumps (pg_callgrind_read_dir), attributes each to its
 * result line and rewrites the run's results (pg_callgrind_rewrite):
 * time-based metrics dropped, instructions/op (and est-cycles/op with the
 * cache simulation) added.
 *
 * The counts are those of the dump's "summary:" line: the events collected
 * since the previous dump or zeroing (callgrind_annotate's "PROGRAM
 * TOTALS"); "totals:" (the sum of the dump's cost lines) only when there is
 * no summary. With client requests the two differ slightly: totals then
 * also hold the cost of calls still active at the dump, which depends on
 * what ran before in the process (measured: Sort/n=100 x10 gives a summary
 * of 214064 whichever benchmarks ran before it, totals of 214218 or
 * 214263).
 */

#define PG_CALLGRIND_DEFAULT_ITERATIONS 100

/* The options of the callgrind mode. */
typedef struct pg_callgrind_opts {
	unsigned long long iterations; /* -benchtime <N>x; 0: 100 */
	int cache_sim;                 /* --cache-sim=yes, with a fixed
					* cache geometry (see the .c file),
					* and est-cycles/op */
	char *const *keep_env;         /* names of the caller's environment
					* variables passed on (beside PG_*) */
	size_t nkeep_env;
	const char *valgrind;          /* the valgrind program; NULL:
					* "valgrind" found in PATH */
} pg_callgrind_opts;

/* ------------------------------------------------------------ dumps */

/* One dump (a "part" of an output file). */
typedef struct pg_callgrind_dump {
	char *trigger;               /* "Client Request: BenchmarkX N=100",
				      * "Program termination"; "" when the
				      * part has no trigger line */
	char **events;               /* the names of the "events:" line */
	unsigned long long *costs;   /* one per event: the summary line's
				      * costs (missing trailing ones are 0),
				      * else the totals line's */
	size_t nevents;
} pg_callgrind_dump;

typedef struct pg_callgrind_dumps {
	pg_callgrind_dump *v;        /* in the order read */
	size_t n;
	size_t alloc;
} pg_callgrind_dumps;

void pg_callgrind_dumps_init(pg_callgrind_dumps *d);
/* Free everything; `d` is empty afterwards. Safe on NULL. */
void pg_callgrind_dumps_release(pg_callgrind_dumps *d);

/*
 * Parse one callgrind output file (the callgrind format of Valgrind's
 * manual, "Callgrind Format Specification"): its header ("desc: Trigger:
 * ...", "events: Ir ..."), and the "summary:" / "totals:" lines of each part
 * ("part: N" starts a new one once the previous one has its counts; parts
 * without an "events:" line of their own keep the previous one's). Cost
 * lines are not read. `name` prefixes messages. Appends to `out`.
 * Returns 0, PG_EINPUT ("cg.123.1: not a callgrind output file (no
 * '# callgrind format' or 'version:' line)", "cg.123.1:14: invalid cost
 * 'x' in 'summary:'", "cg.123.1:14: 'summary:' has 3 costs for 2 events",
 * "cg.123.1: no 'events:' line", "cg.123.1: no 'summary:' or 'totals:'
 * line") or PG_ENOMEM; on failure `out` is unchanged.
 */
int pg_callgrind_parse(pg_callgrind_dumps *out, const char *name, const char *data,
		       size_t len);

/* Parse every file named "cg.<pid>" or "cg.<pid>.<part>" in `dir`, in
 * the order of pid, then part (the final dump, without a part number, of a
 * pid last). 0, PG_EINFRA (unreadable directory or file), PG_EINPUT (a
 * malformed dump: the message names the file), PG_ENOMEM. */
int pg_callgrind_read_dir(pg_callgrind_dumps *out, const char *dir);

/* The cost of `event` ("Ir") in `d`: 0, or PG_ENOTFOUND (no message). */
int pg_callgrind_cost(unsigned long long *out, const pg_callgrind_dump *d,
		      const char *event);

/* Whether `d` was written by perfgate's harness: its trigger is "Client
 * Request: Benchmark<name> N=<n>". Then 1, with `*name` pointing into the
 * trigger after "Benchmark" (`*name_len` bytes) and `*n` the iterations;
 * else 0. */
int pg_callgrind_dump_bench(const char **name, size_t *name_len,
			    unsigned long long *n, const pg_callgrind_dump *d);

/* ------------------------------------------------------------ results */

/* Whether a unit measures time and means nothing under valgrind (50
 * times slower): "ns/op" and other durations per something ("ns/...",
 * "us/...", "ms/...", "s/...", "sec/...", "cpu-ns/..." and "wall-ns/...",
 * ...), and rates per second ("MB/s", "items/s", any unit ending in
 * "/s"). Such metrics are dropped in callgrind mode. */
int pg_callgrind_time_unit(const char *unit);

/*
 * Rewrite the results of one run of the suite for callgrind mode, into
 * `out` (Go benchmark format text: the run's configuration lines, then its
 * result lines): every time unit dropped (pg_callgrind_time_unit), an
 * "instructions/op" of summary Ir / N added, and with `cache_sim`
 * "est-cycles/op", KCachegrind's cycle estimate CEst = Ir + 10 (I1mr +
 * D1mr + D1mw) + 100 (ILmr + DLmr + DLmw) per iteration. The k-th result
 * line of a benchmark gets the k-th harness dump named after it
 * (pg_callgrind_dump_bench); a metric of those names printed by the suite
 * is replaced.
 *
 * `label` ("run 2 of 5") prefixes messages. Returns 0; PG_EINFRA when no
 * dump was written by the harness ("needs a suite built with perfgate's
 * harness: no callgrind dumps named after benchmarks"), a result line has
 * no dump or a dump no result line, their iteration counts differ, or a
 * dump lacks an event; PG_ENOMEM.
 */
int pg_callgrind_rewrite(pg_buf *out, const pg_results *run,
			 const pg_callgrind_dumps *dumps, int cache_sim,
			 const char *label);

/* ------------------------------------------------------------ the process */

/*
 * The pinned environment of the suite, as a NULL-terminated array of
 * malloc'd "NAME=value" strings sorted by name (free with pg_free_strv):
 *   PATH=/usr/bin:/bin, LC_ALL=C, HOME=/nonexistent, PG_BENCH_CALLGRIND=1,
 * then from `environ_` (the caller's environment) every variable whose
 * name starts with "PG_" and every one named in `keep` (replacing a
 * default of the same name; PG_BENCH_CALLGRIND stays 1). Names in `keep`
 * that are not set are left out. 0 or PG_ENOMEM; PG_EINPUT for a name in
 * `keep` that is empty or holds '='.
 */
int pg_callgrind_env(char ***out, char *const *environ_, char *const *keep,
		     size_t nkeep);

/*
 * Find valgrind: `valgrind` when it holds a '/', else "valgrind" (or
 * `valgrind`) in the caller's PATH; its absolute path goes to `path` and
 * the version it prints for --version ("3.19.0", without "valgrind-") to
 * `version`. PG_EINFRA when it is missing ("valgrind is not installed
 * (--measure callgrind runs the suite under valgrind's callgrind): on
 * Debian, sudo apt-get install valgrind") or does not run.
 */
int pg_callgrind_find(pg_buf *path, pg_buf *version, const char *valgrind);

/* The absolute path of the command `cmd`: `cmd` itself made absolute
 * (symbolic links resolved) when it holds a '/', else the first
 * executable of that name in the caller's PATH. PG_EINFRA ("cannot run
 * 'x': No such file or directory"). */
int pg_callgrind_resolve(pg_buf *out, const char *cmd);

/*
 * The command line of one run: valgrind's options, "--", `suite_path`,
 * argv[1..] of `suite_argv` (NULL-terminated), "-benchtime", "<N>x".
 * `out_pattern` is callgrind's --callgrind-out-file ("<dir>/cg.%p").
 * `*out` is a NULL-terminated, malloc'd array of malloc'd strings (free
 * with pg_free_strv). 0 or PG_ENOMEM.
 */
int pg_callgrind_argv(char ***out, const char *valgrind_path,
		      const char *out_pattern, const char *suite_path,
		      char *const *suite_argv, const pg_callgrind_opts *opts);

/* The "measure" configuration line of results measured this way:
 * "callgrind (valgrind 3.19.0), N=100 iterations, env pinned, cwd /,
 * time metrics dropped" (", cache-sim" after the iterations with the
 * cache simulation). Appended to `out`. 0 or PG_ENOMEM. */
int pg_callgrind_describe(pg_buf *out, const char *version,
			  const pg_callgrind_opts *opts);

/* The working directory of the suite's runs. */
#define PG_CALLGRIND_CWD "/"

#endif
