#ifndef PG_BENCH_INTERNAL_H
#define PG_BENCH_INTERNAL_H

/*
 * The harness's internal interfaces, shared by its files and by the tests
 * (tests/bench-runner/). Not installed, not for suites.
 *
 * The library is self-contained (C11 + POSIX + libc; CPU profiles add
 * protobuf-c, zlib and libdw): it uses nothing from common/ or stats/,
 * because users link it into their own programs. Its layers:
 *   bench.c    measuring: registry, timer, N scaling, sub-benchmarks; hands
 *              results to a pg_bench_reporter, never prints
 *   alloc.c    malloc & co. interposition and counters (-benchmem)
 *   counter.c  the instruction counter (perf_event_open)
 *   callgrind.c  valgrind client requests for perfgate run --measure
 *              callgrind (collection in timed regions, one dump per run)
 *   clock.c    the (injectable) monotonic clock
 *   filter.c   -bench / -list regular expressions
 *   flags.c    command-line parsing
 *   format.c   Go benchmark format of a result (pure functions)
 *   config.c   configuration lines (goos, goarch, cpu, ...)
 *   profile.c  CPU profiles, sampling: the sources, the signal handler, the
 *              per-benchmark aggregate of stacks (-cpuprofile)
 *   profile_write.c  CPU profiles, output: symbolization (libdw, dladdr),
 *              pprof encoding (protobuf-c), gzip (zlib), file names
 *   main.c     pg_bench_main(): the only file that prints
 *   main_default.c  main(), linked only when the program has none
 *
 * Functions returning int return 0 on success and -1 on failure, with a
 * message in the caller's `err` buffer where they take one (lowercase, no
 * full stop, subjects quoted: "invalid -count 'x': not a positive
 * integer").
 *
 * Include this header LAST in harness .c files: it ends with the list of
 * banned functions (the same list as common/banned.h, repeated here so
 * that the harness does not depend on common/).
 */

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <regex.h>

#include <perfgate/bench.h>

#include "benchtime.h"

#define PG_BENCH_PROG "perfgate-bench"

/* ------------------------------------------------------------ clock */

/* A clock returning nanoseconds from an arbitrary origin, never going
 * backwards. */
typedef uint64_t (*pg_bench_clock_fn)(void);

/* Replace the clock (tests use a fake one to make timing deterministic);
 * NULL restores clock_gettime(CLOCK_MONOTONIC). Not thread-safe: set it
 * before running benchmarks. */
void pg_bench_set_clock(pg_bench_clock_fn fn);

/* The current time of the clock in use. */
uint64_t pg_bench_now(void);

/* ------------------------------------------------------------ instruction counter */

/* An instruction counter. open() prepares it (stopped, at zero) and
 * returns 0, or returns -1 with the reason in `why` ("perf_event_open:
 * Permission denied"); enable()/disable() start and stop counting;
 * read() stores the instructions counted while enabled since open() and
 * returns 0, or -1 when the counter failed. close() releases it. */
typedef struct pg_bench_counter_ops {
	int (*open)(char *why, size_t cap);
	void (*enable)(void);
	void (*disable)(void);
	int (*read)(uint64_t *out);
	void (*close)(void);
} pg_bench_counter_ops;

/* The counter pg_bench_main() uses: perf_event_open(2) on the calling
 * thread (user-space instructions retired). */
const pg_bench_counter_ops *pg_bench_counter_perf(void);

/* Replace the counter (tests inject available and unavailable ones);
 * NULL restores the perf_event_open counter. */
void pg_bench_set_counter(const pg_bench_counter_ops *ops);

/* The counter in use. */
const pg_bench_counter_ops *pg_bench_counter(void);

/* The count from a perf_event read of {value, time enabled, time
 * running}: the value scaled for multiplexing (when the PMU was shared
 * and the event ran only part of the time it was enabled). Returns 0, or
 * -1 when the event never ran (enabled but never scheduled: the value is
 * no count, and reporting it would print 0 instructions/op). */
int pg_bench_counter_value(uint64_t *out, const uint64_t v[3]);

/* ------------------------------------------------------------ callgrind */

/* What the timer asks of callgrind (callgrind.c): collect(1)/collect(0)
 * switch collection on and off (a call that changes nothing is harmless:
 * callgrind only offers a toggle, so the real one tracks the state and
 * toggles only on a change); zero() forgets
 * the counts so far; dump(what) writes them to a new dump file whose
 * trigger line is "Client Request: <what>" and zeroes them. */
typedef struct pg_bench_callgrind_ops {
	void (*collect)(int on);
	void (*zero)(void);
	void (*dump)(const char *what);
} pg_bench_callgrind_ops;

/* The ops in use: valgrind's client requests (no-ops outside valgrind). */
const pg_bench_callgrind_ops *pg_bench_callgrind(void);

/* Replace them (tests record the calls); NULL restores the real ones. */
void pg_bench_set_callgrind(const pg_bench_callgrind_ops *ops);

/* Whether this process runs in callgrind mode: under valgrind with
 * PG_BENCH_CALLGRIND=1 in the environment. 0 with `why` empty when the
 * variable is not set; 0 with the reason in `why` ("unavailable (...
 * built without valgrind's headers ...)", "off (... not running under
 * valgrind)") when it is set but the mode cannot work; 1 when on. */
int pg_bench_callgrind_probe(char *why, size_t cap);

/* ------------------------------------------------------------ allocations */

typedef struct pg_bench_alloc_stats {
	uint64_t allocs; /* malloc, calloc, realloc, ... calls */
	uint64_t bytes;  /* bytes requested by them */
	uint64_t frees;  /* free calls with a non-NULL pointer */
} pg_bench_alloc_stats;

/* Whether allocations are counted in this program: 1, or 0 with the
 * reason in `why` ("unavailable under AddressSanitizer"). Checks once,
 * with a real allocation, that the program's malloc is the harness's. */
int pg_bench_alloc_probe(char *why, size_t cap);

/* 1 when a shared library defines malloc too (an allocator such as
 * tcmalloc), which the harness's malloc bypasses; `name` receives its file
 * name. 0 otherwise. */
int pg_bench_alloc_foreign(char *name, size_t cap);

/* Count allocations (of every thread) from now on (on != 0) or stop.
 * The benchmark timer does this. */
void pg_bench_alloc_counting(int on);

/* The totals counted so far (they only grow). */
void pg_bench_alloc_read(pg_bench_alloc_stats *out);

/* ------------------------------------------------------------ options */

typedef struct pg_bench_opts {
	const char *bench;      /* -bench regex; "." by default */
	const char *list;       /* -list regex, NULL when not listing */
	uint64_t benchtime_ns;  /* -benchtime duration (1s by default) */
	uint64_t benchtime_n;   /* -benchtime Nx; 0 when a duration */
	uint64_t count;         /* -count, >= 1 */
	int benchmem;           /* -benchmem */
	int instructions;       /* -instructions (on by default) */
	const char *cpuprofile; /* -cpuprofile DIR, NULL when not profiling */
	int cpuprofile_rate;    /* -cpuprofilerate HZ (100 by default) */
	const char *trimpath;   /* -trimpath PREFIX: removed from file names
				 * in profiles; NULL when not given */
	int help;               /* -h / -help */
} pg_bench_opts;

void pg_bench_opts_init(pg_bench_opts *o);

/* Parse argv[1..argc-1] into `out` (which holds the defaults). The
 * strings point into argv. */
int pg_bench_parse_flags(pg_bench_opts *out, int argc, char **argv,
			 char *err, size_t cap);

/* The defaults the environment gives: PERFGATE_BENCHTIME (`benchtime`,
 * the variable's value or NULL; empty counts as unset) sets -benchtime,
 * which the command line may then override. Call it after
 * pg_bench_opts_init() and before pg_bench_parse_flags(). 0, or -1 with
 * "invalid PERFGATE_BENCHTIME '3sec': unknown unit (...)" in `err`. */
int pg_bench_opts_env(pg_bench_opts *o, const char *benchtime, char *err, size_t cap);

/* -benchtime values: benchtime.h */

/* ------------------------------------------------------------ filters */

/* A -bench (split = 1) or -list (split = 0) regular expression. */
typedef struct pg_bench_filter_alt {
	regex_t *levels; /* one per '/'-separated part */
	int *empty;      /* nonzero: the part is "" and matches anything */
	size_t nlevels;
} pg_bench_filter_alt;

typedef struct pg_bench_filter {
	pg_bench_filter_alt *alts; /* top-level '|' alternatives */
	size_t nalts;
} pg_bench_filter;

#define PG_BENCH_FILTER_INIT { NULL, 0 }

/* Compile `pattern` (POSIX extended). With `split`, split it like Go's
 * testing package: at every '/' and top-level '|' outside [] and ().
 * On failure `out` is left empty. */
int pg_bench_filter_compile(pg_bench_filter *out, const char *pattern,
			    int split, char *err, size_t cap);

/* Does `name` (without the "Benchmark" prefix: "Sort/n=100") match?
 * Returns 1 or 0; *partial (may be NULL) is set when the filter has more
 * levels than the name (a parent whose sub-benchmarks may match). The
 * first level matches when the expression matches "Benchmark<level>" or
 * "<level>". */
int pg_bench_filter_match(const pg_bench_filter *f, const char *name,
			  int *partial);

void pg_bench_filter_release(pg_bench_filter *f);

/* ------------------------------------------------------------ registry */

typedef struct pg_bench_entry {
	char *name; /* without the "Benchmark" prefix */
	pg_bench_fn fn;
	const char *compiler;
} pg_bench_entry;

/* The registered benchmarks, in registration order. */
size_t pg_bench_registry(const pg_bench_entry **out);

/* 0, or -1 with a message when registration ran out of memory or a name is
 * invalid or used twice. */
int pg_bench_registry_check(char *err, size_t cap);

/* ------------------------------------------------------------ running */

typedef struct pg_bench_metric {
	char unit[PG_BENCH_UNIT_MAX];
	double value;
} pg_bench_metric;

/* The outcome of one reported run of a benchmark. */
typedef struct pg_bench_result {
	const char *name;      /* "BenchmarkSort/n=100" */
	uint64_t n;            /* iterations */
	uint64_t ns;           /* measured time of the N iterations */
	uint64_t bytes;        /* pg_bench_set_bytes(), 0 when unset */
	int mem;               /* B/op and allocs/op wanted (-benchmem or
				* pg_bench_report_allocs) */
	int mem_available;     /* and counted (see pg_bench_alloc_probe) */
	uint64_t alloc_bytes;  /* totals over the N iterations */
	uint64_t allocs;
	int has_instructions;  /* counter available and working */
	int instructions_failed; /* counter available, but it could not be
				  * read during this benchmark */
	uint64_t instructions; /* total over the N iterations */
	const pg_bench_metric *metrics; /* pg_bench_report_metric() */
	size_t nmetrics;
} pg_bench_result;

struct pg_bench_profile;

/* Where the runner sends its results: one result() per reported run, one
 * failed() per failed benchmark (the message may hold several lines).
 * While the CPU profiler is open (pg_bench_profiler_open) and profile()
 * is not NULL, profile() receives the profile of every benchmark that
 * reported its runs (its -count runs together; none for a parent of
 * sub-benchmarks or a failed benchmark), after its last result(). */
typedef struct pg_bench_reporter {
	void *ctx;
	void (*result)(void *ctx, const pg_bench_result *r);
	void (*failed)(void *ctx, const char *name, const char *message);
	void (*profile)(void *ctx, const char *name, const struct pg_bench_profile *p);
} pg_bench_reporter;

typedef struct pg_bench_run_config {
	const pg_bench_opts *opts;
	const pg_bench_filter *filter; /* compiled opts->bench, split */
	int alloc_available;           /* pg_bench_alloc_probe() */
	int counter_available;         /* pg_bench_counter()->open() worked */
	int callgrind;                 /* callgrind mode: collect only while
					* the timer runs, zero at each reset,
					* dump "<name> N=<n>" after each
					* reported run (pg_bench_callgrind()) */
	const pg_bench_reporter *reporter;
} pg_bench_run_config;

/* Run every registered benchmark matching the filter. Returns 0 when all
 * passed, 1 when one failed (reported through failed()). */
int pg_bench_run_all(const pg_bench_run_config *cfg);

/* The width Go pads names to: the longest matching top-level name + 1. */
int pg_bench_name_width(const pg_bench_filter *f);

/* ------------------------------------------------------------ strings */

/* A growable string for the printing side (never used while timing). */
typedef struct pg_bench_sb {
	char *ptr; /* NUL-terminated, or NULL before the first add */
	size_t len;
	size_t cap;
	int failed; /* an allocation failed; the content is incomplete */
} pg_bench_sb;

#define PG_BENCH_SB_INIT { NULL, 0, 0, 0 }

void pg_bench_sb_addf(pg_bench_sb *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void pg_bench_sb_add(pg_bench_sb *sb, const char *s, size_t len);
/* The content ("" when empty). */
const char *pg_bench_sb_str(const pg_bench_sb *sb);
void pg_bench_sb_reset(pg_bench_sb *sb);
void pg_bench_sb_release(pg_bench_sb *sb);

/* ------------------------------------------------------------ format */

/* Go's prettyPrint: `x` with four significant figures (no decimals from
 * 999.95 up), right-aligned so that decimal points line up, then " unit". */
void pg_bench_pretty(pg_bench_sb *sb, double x, const char *unit);

/* One result line in Go's layout, without the newline:
 * "<name padded to width>\t<N %8>\t<ns/op>[\t<MB/s>][\t<metric>...]
 * [\t<B/op>\t<allocs/op>]". */
void pg_bench_format_result(pg_bench_sb *sb, const pg_bench_result *r,
			    int width);

/* ------------------------------------------------------------ configuration */

/* The configuration block ("key: value\n" lines): goos, goarch, pkg (the
 * base name of `argv0`), cpu (when /proc/cpuinfo names it), compiler
 * (from the registered benchmarks), then `notes` (already "key: value"
 * lines, may be NULL), then the pg_bench_add_config() lines. */
void pg_bench_config_block(pg_bench_sb *out, const char *argv0,
			   const char *notes);

/* Forget the pg_bench_add_config() lines (tests). */
void pg_bench_config_reset(void);

/* The Go architecture name of the compiler's target ("amd64", "arm64"). */
const char *pg_bench_goarch(void);

/* ------------------------------------------------------------ CPU profiles: sampling */

/* (profile.c) The deepest stack recorded (deeper ones keep their
 * innermost frames). */
#define PG_BENCH_PROFILE_MAX_DEPTH 64

/* One distinct stack of a profile and what landed on it. */
typedef struct pg_bench_profile_stack {
	uint64_t *pcs;      /* leaf first; owned by the profile */
	size_t depth;
	int leaf_exact;     /* pcs[0] is the interrupted instruction; the
			     * others (all of them when 0) are return
			     * addresses */
	uint64_t count;     /* signals (samples) */
	uint64_t weight;    /* sampling periods they stand for */
} pg_bench_profile_stack;

/* The profile of one benchmark: the stacks sampled in its timed regions
 * (every call of the function, all -count runs). */
typedef struct pg_bench_profile {
	pg_bench_profile_stack *stacks;
	size_t nstacks;
	size_t cap;
	size_t *slots;       /* hash of stacks: index + 1, 0 = empty */
	size_t nslots;
	uint64_t signals;    /* sum of count */
	uint64_t weight;     /* sum of weight */
	uint64_t dropped;    /* samples lost (buffer full, handler busy,
			      * out of memory) */
	uint64_t cpu_ns;     /* thread CPU time of the profiled regions */
	uint64_t wall_ns;    /* their wall-clock time */
	int64_t start_unix_ns; /* when sampling first started; 0: never */
} pg_bench_profile;

#define PG_BENCH_PROFILE_INIT { NULL, 0, 0, NULL, 0, 0, 0, 0, 0, 0, 0 }

/* Add `count` samples of weight `weight` on the stack pcs[0..depth-1]
 * (merged with an equal stack). 0, or -1 when out of memory. */
int pg_bench_profile_add(pg_bench_profile *p, const uint64_t *pcs, size_t depth,
			 int leaf_exact, uint64_t count, uint64_t weight);
void pg_bench_profile_release(pg_bench_profile *p);

/*
 * The sampling profiler: one per process (the signal handler needs static
 * storage). open() chooses the source, preallocates a buffer of
 * `capacity_words` 64-bit words (a sample takes 2 + its depth) and
 * installs the SIGPROF handler; the sources, in the order tried when
 * `source` is NULL or "":
 *   "perf"   perf_event_open(2) software task-clock counter of the calling
 *            thread, sample_period = the period in ns, SIGPROF to the
 *            thread on every overflow (hrtimer-driven: not tied to the
 *            scheduler tick); each sample weighs one period
 *   "timer"  timer_create(2) on CLOCK_THREAD_CPUTIME_ID, SIGEV_THREAD_ID;
 *            CPU-time timers fire on the scheduler tick, so each sample
 *            weighs 1 + timer_getoverrun() periods
 *   "itimer" setitimer(ITIMER_PROF): process CPU time, SIGPROF to any
 *            thread; each sample weighs the process CPU time since the
 *            previous one, in periods (also tick-bound)
 *   "manual" no signals at all: samples come from
 *            pg_bench_profiler_record() (tests)
 * Naming a source forces it: open() fails when it is unavailable. The
 * calling thread is the one sampled (perf, timer). Returns 0, or -1 with a
 * message in `err`.
 */
int pg_bench_profiler_open(const char *source, int hz, size_t capacity_words,
			   char *err, size_t cap);

/* Stop, restore the previous SIGPROF disposition, free the buffer. Safe
 * when not open. */
void pg_bench_profiler_close(void);

/* 1 while open. */
int pg_bench_profiler_is_open(void);

/* Start / stop sampling (the benchmark timer does this); the phase of the
 * sampling period carries over from one timed region to the next. No
 * effect when not open, or already started / stopped. */
void pg_bench_profiler_start(void);
void pg_bench_profiler_stop(void);

/* Forget the samples taken since the last take() (pg_bench_reset_timer). */
void pg_bench_profiler_discard(void);

/* Move the samples taken since the last take() or discard() into `into`
 * (NULL: drop them), with the drop count and the CPU and wall time of the
 * regions sampled. */
void pg_bench_profiler_take(pg_bench_profile *into);

/* What the signal handler does with a stack it has unwound: record it in
 * the preallocated buffer (async-signal-safe; a drop when the buffer is
 * full or busy). Ignored while stopped. Tests call it directly. */
void pg_bench_profiler_record(const uint64_t *pcs, size_t depth, int leaf_exact,
			      uint64_t weight);

/* How the profiles are sampled, for their comments. The strings stay
 * valid while the profiler is open. */
typedef struct pg_bench_profile_meta {
	const char *source;      /* "perf", "timer", "itimer", "manual" */
	const char *description; /* the source in words */
	const char *weighting;   /* what a sample weighs */
	const char *notes;       /* why better sources were not used and
				  * similar, "" when nothing to say */
	int hz;                  /* requested rate */
	uint64_t period_ns;      /* 1e9 / hz */
} pg_bench_profile_meta;

void pg_bench_profiler_meta(pg_bench_profile_meta *out);

/* ------------------------------------------------------------ CPU profiles: output */

/* (profile_write.c) The file name of a benchmark's profile: the name
 * without "Benchmark", '/' replaced by '-', every byte other than ASCII
 * letters, digits and ". _ , = -" replaced by '_', a leading '.' by '_',
 * names longer than 200 bytes cut to 200 and followed by '_' and 16 hex
 * digits of their FNV-1a hash; then ".pb.gz". "BenchmarkHash/fnv1a-64K"
 * gives "Hash-fnv1a-64K.pb.gz", "BenchmarkSort/n=100#01"
 * "Sort-n=100_01.pb.gz". (pg_bench_main adds "_2", "_3", ... before
 * ".pb.gz" to a name already written in the run.) */
void pg_bench_profile_file_name(pg_bench_sb *out, const char *bench_name);

/* The symbolizer: libdw (elfutils) over this process's modules, reported
 * again before each use; dladdr() and module+offset where it fails. */
typedef struct pg_bench_symbolizer pg_bench_symbolizer;

/* NULL when out of memory. A symbolizer without libdw (it could not read
 * this process) still works with the fallbacks. */
pg_bench_symbolizer *pg_bench_symbolizer_new(void);
void pg_bench_symbolizer_free(pg_bench_symbolizer *s);

/* What the encoding needs beyond the samples. */
typedef struct pg_bench_profile_info {
	const char *bench_name;           /* "BenchmarkHash/fnv1a-64K" */
	const pg_bench_profile_meta *meta;
	const char *trimpath;             /* prefix removed from file names,
					   * NULL: none */
	pg_bench_symbolizer *symbolizer;  /* NULL: addresses only (no
					   * mappings, no functions) */
} pg_bench_profile_info;

/* The profile in pprof's profile.proto (uncompressed) in a malloc'd buffer
 * `*out` of `*len` bytes (the caller frees it). 0, or -1 with a message. */
int pg_bench_profile_encode(uint8_t **out, size_t *len, const pg_bench_profile *p,
			    const pg_bench_profile_info *info, char *err, size_t cap);

/* Create `dir` and its missing parents. 0, or -1 with a message. */
int pg_bench_mkdir_p(const char *dir, char *err, size_t cap);

/* Encode and write DIR/`file` gzipped (written to a temporary file and
 * renamed). 0, or -1 with a message. */
int pg_bench_profile_write(const char *dir, const char *file, const pg_bench_profile *p,
			   const pg_bench_profile_info *info, char *err, size_t cap);

/* ------------------------------------------------------------ main */

/* pg_bench_main() with its output streams. */
int pg_bench_main_io(int argc, char **argv, FILE *out, FILE *err);

/* ------------------------------------------------------------ banned functions */

#define PG_BENCH_BANNED(func) sorry_##func##_is_a_banned_function
#undef strcpy
#define strcpy(x, y) PG_BENCH_BANNED(strcpy)
#undef strcat
#define strcat(x, y) PG_BENCH_BANNED(strcat)
#undef strncpy
#define strncpy(x, y, n) PG_BENCH_BANNED(strncpy)
#undef strncat
#define strncat(x, y, n) PG_BENCH_BANNED(strncat)
#undef sprintf
#define sprintf(...) PG_BENCH_BANNED(sprintf)
#undef vsprintf
#define vsprintf(...) PG_BENCH_BANNED(vsprintf)
#undef strtok
#define strtok(x, y) PG_BENCH_BANNED(strtok)
#undef gets
#define gets(x) PG_BENCH_BANNED(gets)
#undef gmtime
#define gmtime(t) PG_BENCH_BANNED(gmtime)
#undef localtime
#define localtime(t) PG_BENCH_BANNED(localtime)
#undef ctime
#define ctime(t) PG_BENCH_BANNED(ctime)
#undef asctime
#define asctime(t) PG_BENCH_BANNED(asctime)

#endif
