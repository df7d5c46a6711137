#ifndef PERFGATE_BENCH_H
#define PERFGATE_BENCH_H

/*
 * perfgate/bench.h: benchmarks for C (and C++) programs in the style of
 * Go's testing.B, printing the Go benchmark format that perfgate (and
 * benchstat) read.
 *
 *     #include <perfgate/bench.h>
 *
 *     PG_BENCH(Sort)                      // registers "BenchmarkSort"
 *     {
 *             int v[1000];
 *             fill(v, 1000);              // set-up ...
 *             pg_bench_reset_timer(b);    // ... not measured
 *             for (uint64_t i = 0; i < pg_bench_n(b); i++) {
 *                     sort(v, 1000);
 *                     pg_bench_do_not_optimize(v[0]);
 *             }
 *     }
 *
 * Build and run (from the perfgate tree; the archive provides main()):
 *
 *     cc -O2 suite.c $(pkg-config --cflags --libs perfgate-bench) -o suite
 *     ./suite -bench . -count 10 -benchmem > new.txt
 *
 * (with PKG_CONFIG_PATH naming perfgate's build/ directory).
 *
 * Output (standard output, one line per run, flushed after each line):
 *
 *     goos: linux
 *     goarch: amd64
 *     pkg: suite
 *     cpu: AMD EPYC
 *     compiler: gcc 12.2.0
 *     BenchmarkSort \t    5000\t    231045 ns/op\t       0 B/op\t       0 allocs/op
 *     PASS
 *
 * Benchmarks run one after the other on the calling thread; there is no
 * "-N" GOMAXPROCS suffix on the names (the harness is single-threaded, and
 * so is everything it measures unless the benchmark starts threads itself).
 *
 * Requirements: GCC or Clang (or a compiler accepting their extensions:
 * constructor attributes and asm statements); C99 or later, or C++. The
 * library itself is C11 + POSIX; for CPU profiles it links protobuf-c,
 * zlib and libdw (elfutils), which `pkg-config --libs perfgate-bench`
 * lists after the archive (Debian: libprotobuf-c-dev, zlib1g-dev,
 * libdw-dev).
 *
 * Command line of a suite (each flag may also be spelt with two dashes, or
 * with the "test." prefix that go test binaries use: -test.bench,
 * --test.count=3; values follow as "-flag value" or "-flag=value"):
 *
 *   -bench REGEX      run the benchmarks matching REGEX (POSIX extended
 *                     regular expression, unanchored; default "." = all).
 *                     As in Go, the expression is split at each '/' that is
 *                     not inside [] or (), and each part must match the
 *                     corresponding level of the name: -bench 'Sort/n=100$'
 *                     runs BenchmarkSort's sub-benchmark n=100 only; a
 *                     top-level '|' separates alternatives. The first level
 *                     is matched against the full name ("BenchmarkSort",
 *                     as go test does, so '^BenchmarkSort$' works) and
 *                     against the name without the prefix ("Sort", so
 *                     '^Sort$' works too); a match of either selects it.
 *   -benchtime T      run each benchmark for at least T: a duration
 *                     ("1s" (default), "0.5s", "200ms", "1m30s"; units ns,
 *                     us, ms, s, m, h) or a fixed iteration count "500x".
 *                     The environment variable PERFGATE_BENCHTIME, when
 *                     set and not empty, replaces the default (perfgate
 *                     gate --quick sets it); the flag wins over it, and an
 *                     invalid value is a usage error (exit 2).
 *   -count N          run each benchmark N times (default 1); each run is
 *                     one output line.
 *   -benchmem         report B/op and allocs/op for every benchmark.
 *   -instructions=false  do not count instructions (see below).
 *   -list REGEX       print the names of the top-level benchmarks matching
 *                     REGEX (one per line, "BenchmarkSort"; sub-benchmarks
 *                     are not listed because they exist only while their
 *                     parent runs) and exit 0 without running anything.
 *   -cpuprofile DIR   write a CPU profile of each benchmark to DIR (created
 *                     with its parents when missing), see below.
 *   -cpuprofilerate HZ  its sampling rate, 1 to 10000 (default 100).
 *   -trimpath PREFIX  remove PREFIX (a leading path) from the source and
 *                     binary file names in the profiles (they may reveal
 *                     user names and hosts).
 *   -run REGEX        accepted for go test command lines and ignored (a
 *                     suite has no tests).
 *   -h, -help         print the usage and exit 0.
 * Exit status: 0 all benchmarks passed, 1 a benchmark failed
 * (pg_bench_fail), 2 usage error, 3 standard output or a CPU profile could
 * not be written (or CPU profiling could not start).
 *
 * How N is chosen (Go's rule): every benchmark function is first called
 * with N=1. If it called pg_bench_run() it is a parent of sub-benchmarks
 * and is not run again (and prints no line of its own). Otherwise, for
 * -benchtime Nx it is called once more with N (unless N is 1); for a
 * duration D it is called again with
 *   n = D * prevN / prevElapsed, +20%, at most 100 * prevN, at least
 *   prevN + 1, at most 1e9
 * until one call lasts at least D. The reported line is that last call.
 * Unlike Go, a call is also bounded on the clock: n is lowered so that a
 * call should last at most 10 * D of wall time, and the first call that
 * lasts that long ends the scaling. Only benchmarks that stop the timer
 * for most of their time (costly set-up, or costly timer stops and starts
 * such as under -cpuprofile, where each pair pauses the sampler) notice.
 *
 * Metrics beyond ns/op:
 *  - MB/s with pg_bench_set_bytes() (bytes * N / 1e6 / seconds).
 *  - B/op and allocs/op with -benchmem or pg_bench_report_allocs(): the
 *    library counts malloc, calloc, realloc, reallocarray, posix_memalign,
 *    aligned_alloc and memalign calls (and bytes requested: realloc counts
 *    the new size, calloc n*size) made by any thread while the timer runs.
 *    It does so by defining these functions (weakly) in the program,
 *    forwarding to glibc's allocator, which needs a dynamically linked
 *    glibc program. Where counting is not possible (AddressSanitizer, a
 *    malloc defined by the program or a static library, not glibc) it is
 *    off, a configuration line says so ("benchmem: unavailable under
 *    AddressSanitizer") and no B/op figures are printed.
 *    Caveat: because the program's malloc comes first, an allocator in a
 *    shared library (libtcmalloc.so, libjemalloc.so, also via LD_PRELOAD)
 *    is bypassed and the suite runs on glibc's malloc; the configuration
 *    line "allocator: glibc malloc (...)" then says so. (With
 *    -Wl,--as-needed such a library is not even linked.) Link such an
 *    allocator statically: its malloc then wins over the harness's, and
 *    counting is off.
 *  - instructions/op: user-space instructions retired while the timer
 *    runs, counted with perf_event_open(2) on the calling thread when the
 *    kernel and CPU allow it; otherwise one configuration line
 *    ("instructions: unavailable (perf_event_open: ...)") and no figure.
 *  - any metric of your own with pg_bench_report_metric().
 *
 * Instruction counts under Valgrind's callgrind (`perfgate run --measure
 * callgrind`, which runs the suite as `valgrind --tool=callgrind
 * --collect-atstart=no ... -- SUITE ARGS -benchtime <N>x` with
 * PG_BENCH_CALLGRIND=1 in its environment): when the process runs under
 * valgrind and PG_BENCH_CALLGRIND is "1", callgrind collects only while
 * the timer runs (switched on after the clock is read at start, off
 * before it is read at stop), every pg_bench_reset_timer() (and the
 * start of every call of the benchmark function) zeroes the counts, and
 * after each reported run the counts are dumped under the name
 * "<benchmark> N=<n>" (CALLGRIND_DUMP_STATS_AT): a dump holds exactly the
 * timed regions of the call whose line is printed, never the N = 1
 * calibration call, set-up, teardown or the harness. The perf_event
 * counter is not used then, and the configuration line "callgrind:
 * collecting in the timed regions, one dump per reported run" says so.
 * Only the benchmark's own thread is counted (threads it starts begin with
 * collection off). Under valgrind without PG_BENCH_CALLGRIND=1 nothing
 * changes (a suite profiled by hand with callgrind behaves as usual). The
 * client requests are header-only macros from Debian's valgrind package
 * (<valgrind/valgrind.h>, <valgrind/callgrind.h>); a harness built where
 * they are missing prints "callgrind: unavailable (...)" instead and
 * writes no dumps.
 *
 * CPU profiles (-cpuprofile DIR): one gzipped pprof profile (the
 * profile.proto of github.com/google/pprof, read by `go tool pprof`,
 * `perfgate profile`, ...) per benchmark that prints result lines, its
 * -count runs together, none for a parent of sub-benchmarks or a failed
 * benchmark. The file is DIR/<name>.pb.gz, <name> being the benchmark's
 * name without "Benchmark", '/' replaced by '-', and every byte other
 * than ASCII letters, digits and ". _ , = -" replaced by '_'
 * ("BenchmarkHash/fnv1a-64K" -> "Hash-fnv1a-64K.pb.gz",
 * "BenchmarkSort/n=100" -> "Sort-n=100.pb.gz"); a leading '.' becomes
 * '_'; a name longer than 200 bytes is cut and followed by '_' and 16 hex
 * digits of its hash; a name that would repeat one already written in the
 * run gets "_2", "_3", ... before ".pb.gz". Only the timed regions are
 * sampled: sampling starts and stops with the timer, and
 * pg_bench_reset_timer() forgets what was sampled before it in that call,
 * so set-up does not show. The profile has the sample types samples/count
 * and cpu/nanoseconds, a label benchmark=<full name> on every sample, the
 * executable mappings with their GNU build-ids (so other tools can
 * re-symbolize), function names with file:line where there is debug
 * information (build with -g; inlined code is attributed to the function
 * it was inlined into), and comments saying how it was sampled.
 * Sampling (at -cpuprofilerate, 100 Hz by default) uses the first source
 * the kernel allows: a perf_event_open(2) software task-clock counter of
 * the benchmark thread, signalling it on every period (not tied to the
 * scheduler tick; unprivileged with kernel.perf_event_paranoid 2, only
 * user-space time is sampled; paranoid 3, as Debian's kernels set it, or a
 * seccomp filter forbids it); else a timer_create(2) CPU-time timer of the
 * thread (fires on the scheduler tick: each sample weighs 1 + its
 * overruns, so cpu/nanoseconds stays right above the tick rate); else
 * setitimer(ITIMER_PROF) (process CPU time, weighted by the CPU time
 * between samples). The environment variable PG_BENCH_PROFILE_SOURCE=
 * perf|timer|itimer forces one (exit status 3 when it is unavailable). The
 * perf and timer sources sample the benchmark's thread only; threads a
 * benchmark starts are sampled by the itimer source only. The handler
 * uses SIGPROF while profiling (a program's own SIGPROF handler is
 * restored afterwards) and interrupts system calls as any signal does
 * (SA_RESTART). Symbolization happens after each benchmark, with libdw,
 * never over the network (debuginfod is not used).
 *
 * Unless said otherwise, the functions below must be called from the
 * thread running the benchmark, with the `b` the benchmark was given.
 */

#include <stddef.h>
#include <stdint.h>

#if !defined(__GNUC__) && !defined(__clang__)
#error "perfgate/bench.h needs GCC or Clang (constructor attributes, asm)"
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* The state of one benchmark run, owned by the library. Read N with
 * pg_bench_n(); the member is private. */
typedef struct pg_bench {
	uint64_t private_n;
} pg_bench;

/* A benchmark function (what PG_BENCH defines, what pg_bench_run runs). */
typedef void (*pg_bench_fn)(pg_bench *b);

/*
 * PG_BENCH(Name) { body }
 *
 * Define a benchmark function and register it, before main() runs, under
 * the name "BenchmarkName". Name must be a C identifier and unique within
 * the program. Inside the body the benchmark's state is `b`: loop
 * pg_bench_n(b) times over the code to measure. Registration also records
 * the compiler of this translation unit for the "compiler:" line.
 */
#define PG_BENCH(name)                                                  \
	static void pg_bench_fn_##name(pg_bench *b PG_BENCH_UNUSED_);   \
	static void pg_bench_reg_##name(void)                           \
		__attribute__((constructor));                           \
	static void pg_bench_reg_##name(void)                           \
	{                                                               \
		pg_bench_register(#name, pg_bench_fn_##name,            \
				  PG_BENCH_COMPILER);                   \
	}                                                               \
	static void pg_bench_fn_##name(pg_bench *b PG_BENCH_UNUSED_)

/* The number of iterations the benchmark function must perform in this
 * call. It does not change during the call: read it once into a local
 * when the loop body calls functions the compiler cannot see. */
static inline uint64_t pg_bench_n(const pg_bench *b)
{
	return b->private_n;
}

/* Start timing. Called automatically before the benchmark function; use
 * it after pg_bench_stop_timer() to resume. No effect when running. */
void pg_bench_start_timer(pg_bench *b);

/* Stop timing (and counting allocations and instructions), e.g. around
 * per-iteration set-up. Stopping and restarting costs two clock reads:
 * measure that cost (BenchmarkHarness/timer in the example suite) before
 * using it inside a loop of very short iterations. */
void pg_bench_stop_timer(pg_bench *b);

/* Zero the elapsed time, allocation counts, instruction count and the
 * metrics reported so far in this call; does not change whether the timer
 * runs. Call it after expensive set-up. */
void pg_bench_reset_timer(pg_bench *b);

/* The time measured so far in this call, in nanoseconds (like Go's
 * b.Elapsed()): useful to report derived metrics. */
uint64_t pg_bench_elapsed_ns(const pg_bench *b);

/* Record that one iteration processes `bytes` bytes: the line then shows
 * MB/s = bytes * N / 1e6 / seconds. */
void pg_bench_set_bytes(pg_bench *b, uint64_t bytes);

/* Report B/op and allocs/op for this benchmark even without -benchmem
 * (like Go's b.ReportAllocs()). */
void pg_bench_report_allocs(pg_bench *b);

/* Report a custom metric for this run, e.g.
 *   pg_bench_report_metric(b, (double)hits / pg_bench_n(b), "hits/op");
 * A later call with the same unit replaces the value (like Go's
 * b.ReportMetric). By convention per-iteration units end in "/op". The
 * built-in units "ns/op", "MB/s", "B/op" and "allocs/op" override the
 * measured figure. The unit must be non-empty, without whitespace, and at
 * most PG_BENCH_UNIT_MAX - 1 bytes; at most PG_BENCH_MAX_METRICS units per
 * run. Returns 0, or -1 (and fails the benchmark) for an invalid unit or
 * value (NaN, infinite) or too many units. Never allocates. */
int pg_bench_report_metric(pg_bench *b, double value, const char *unit);

#define PG_BENCH_UNIT_MAX 64
#define PG_BENCH_MAX_METRICS 16

/*
 * Run `fn` as a sub-benchmark of `b`, named by the printf-style `fmt`
 * ("n=%d"): it prints its own line "BenchmarkSort/n=1000", gets its own N
 * scaling and its own -count repetitions, and is selected by the levels of
 * -bench (see above). `arg` is handed to it: read it with pg_bench_arg().
 * A benchmark that calls pg_bench_run() prints no line of its own. Call it
 * from the benchmark function (typically in a loop over parameters),
 * never from inside a timed loop. Whitespace in the name becomes '_';
 * a name used twice gets a "#01" suffix (as in Go).
 *
 * Returns 0 when the sub-benchmark passed or was not selected, -1 when it
 * failed.
 */
int pg_bench_run(pg_bench *b, pg_bench_fn fn, void *arg, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* The `arg` of the pg_bench_run() call that started this benchmark; NULL
 * for a top-level benchmark. The caller keeps it alive during the run. */
void *pg_bench_arg(const pg_bench *b);

/* The full name of the benchmark, "BenchmarkSort/n=1000". Valid during
 * the call. */
const char *pg_bench_name(const pg_bench *b);

/* Mark the benchmark (and its parents) failed with a message, e.g. when
 * a result is wrong; then return from the benchmark function. A failed
 * benchmark prints "--- FAIL: <name>" and the message instead of a line,
 * is not run again, and the suite ends with "FAIL" and exit status 1. */
void pg_bench_fail(pg_bench *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Add a configuration line "key: value" printed after the built-in ones
 * (goos, goarch, pkg, cpu, compiler), e.g. a build option of the code
 * under test. Call it before pg_bench_main() (from your own main() or a
 * constructor). The key must start with a lowercase ASCII letter and hold
 * no whitespace, uppercase letters or ':'; newlines in the value become
 * spaces. A later call with the same key replaces the value. Returns 0, or
 * -1 for an invalid key or when out of memory. */
int pg_bench_add_config(const char *key, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Parse the command line, run the selected benchmarks and print the
 * results to standard output (errors to standard error); returns the exit
 * status (see above). libperfgate_bench.a contains a main() that only
 * calls this; it is linked only when your program defines no main() of its
 * own, so define one to do set-up first:
 *     int main(int argc, char **argv) { setup(); return pg_bench_main(argc, argv); }
 * Call it once per process.
 */
int pg_bench_main(int argc, char **argv);

/* Register a benchmark (what PG_BENCH does): `name` without the
 * "Benchmark" prefix, copied; `compiler` describes the caller's compiler
 * (a string literal that stays valid). Call it before pg_bench_main(). An
 * invalid or duplicate name is reported by pg_bench_main(). */
void pg_bench_register(const char *name, pg_bench_fn fn, const char *compiler);

/*
 * Keep the compiler from optimising a computation away:
 * pg_bench_do_not_optimize(x) makes the compiler believe that the value of
 * the expression x (a scalar or pointer; pass the address of an object)
 * is read, and that any memory may be read or written. Costs no
 * instruction beyond making x available in a register or memory.
 * pg_bench_clobber_memory() forces pending stores to memory to happen
 * (e.g. after writing a buffer whose pointer was passed to
 * pg_bench_do_not_optimize).
 */
#define pg_bench_do_not_optimize(x) __asm__ __volatile__("" : : "r,m"(x) : "memory")
#define pg_bench_clobber_memory() __asm__ __volatile__("" : : : "memory")

/* The compiler of the including translation unit, "gcc 12.2.0",
 * "clang 14.0.6" ("g++"/"clang++" in C++). */
#define PG_BENCH_STR_(x) #x
#define PG_BENCH_XSTR_(x) PG_BENCH_STR_(x)
#if defined(__clang__)
#ifdef __cplusplus
#define PG_BENCH_CC_NAME_ "clang++ "
#else
#define PG_BENCH_CC_NAME_ "clang "
#endif
#define PG_BENCH_COMPILER                                               \
	PG_BENCH_CC_NAME_ PG_BENCH_XSTR_(__clang_major__) "."           \
	PG_BENCH_XSTR_(__clang_minor__) "." PG_BENCH_XSTR_(__clang_patchlevel__)
#else
#ifdef __cplusplus
#define PG_BENCH_COMPILER "g++ " __VERSION__
#else
#define PG_BENCH_COMPILER "gcc " __VERSION__
#endif
#endif

#define PG_BENCH_UNUSED_ __attribute__((unused))

#ifdef __cplusplus
}
#endif

#endif
