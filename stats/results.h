#ifndef PG_RESULTS_H
#define PG_RESULTS_H

#include <stddef.h>

#include "common/map.h"

/*
 * Benchmark results: samples grouped per (benchmark, unit), parsed from
 * buffers in the Go benchmark data format (golang.org/x/perf/benchfmt) or
 * in Google Benchmark's JSON output. The stats layer never opens files:
 * the caller reads a file and hands its content and name to
 * pg_results_parse(); the name only appears in error messages.
 */

/* The samples of one benchmark in one unit, in input order. The results
 * own everything here: `name` and `unit` share one allocation
 * ("name\0unit\0", `unit` points into it, so never free `unit`), which is
 * also the series' key in pg_results.index. */
typedef struct pg_series {
	char *name;     /* "Sort/n=1000-2": without the "Benchmark" prefix,
			 * with sub-benchmarks and the -N procs suffix */
	char *unit;     /* "ns/op", "B/op", "MB/s", ... */
	double *values; /* one per result line */
	unsigned long long *iters; /* the iteration count of each sample's
				    * line (1 where the input has none) */
	size_t n;
	size_t alloc;
} pg_series;

/* A configuration line "key: value". */
typedef struct pg_config {
	char *key;
	char *value;
} pg_config;

typedef struct pg_results {
	pg_series *series; /* in order of first appearance */
	size_t nseries;
	size_t series_alloc;
	pg_map index;      /* "name\0unit" -> index into series */
	pg_config *config; /* configuration lines, one per key (the last
			    * value seen wins), in order of first appearance */
	size_t nconfig;
	size_t config_alloc;
	pg_map config_index; /* key -> index into config */
	size_t nresults;   /* result lines (or Google Benchmark runs) read */
} pg_results;

void pg_results_init(pg_results *r);

/* Free everything the results own. Safe on NULL and on an initialised,
 * empty value. */
void pg_results_release(pg_results *r);

/*
 * Parse one input and add its samples to `r`: appended to the series
 * already there, new series and configuration keys after the existing
 * ones, an existing key's value replaced; nresults counts the input's
 * result lines. `len` bytes at `data` (data[len] should be '\0', though
 * the parsers do not read it); `name` (the file name) prefixes every
 * error message, with the line number where there is one:
 *   "old.txt:12: invalid iteration count 'abc'".
 * The format is detected: Google Benchmark JSON when the first
 * non-blank byte (after a UTF-8 byte-order mark) is '{', the Go
 * benchmark format otherwise. Cost: linear in the input, plus the merge
 * into a non-empty `r` (linear in the input's samples; its new keys cost
 * amortised O(1) each).
 *
 * Returns 0 or PG_EINPUT (empty or blank input, no benchmark results, a
 * malformed result line, a NaN/inf value, a line longer than PG_MAX_LINE,
 * binary data) or PG_ENOMEM. On failure `r` holds no sample of this input (it is
 * left as it was before the call).
 */
int pg_results_parse(pg_results *r, const char *name, const char *data,
		     size_t len);

/* The two parsers behind pg_results_parse(), same contract.
 *
 * Go benchmark format (https://golang.org/design/14313-benchmark-format,
 * as read by golang.org/x/perf/benchfmt):
 *  - "key: value": a configuration line when the key starts with a
 *    lowercase ASCII letter and holds no whitespace and no uppercase ASCII
 *    letter; one or more spaces/tabs follow the colon, or nothing (an
 *    empty value is stored as ""). A trailing CR is not part of the value.
 *  - "Benchmark<name> <iterations> <value> <unit> [<value> <unit>]...":
 *    fields separated by runs of spaces/tabs (\v, \f and \r count too);
 *    stored under "<name>" (the prefix removed, "/sub" parts and "-N"
 *    kept). The iteration count must be a positive 64-bit integer; a value
 *    a finite decimal number ([+-](digits[.[digits]]|.digits)
 *    [(e|E)[+-]digits], read as the double strtod() gives; unlike Go's
 *    ParseFloat, hexadecimal and '_' are refused); every value needs a
 *    unit. A line holding the name alone (go test -v) is ignored.
 *  - every other line is ignored ("PASS", "ok ...", "--- FAIL", comments).
 *  - a UTF-8 byte-order mark at the start is skipped; lines may end in
 *    CRLF; control bytes other than \t \v \f \r (and DEL) are
 *    "binary data".
 * Errors: "x.txt:3: invalid iteration count 'abc'",
 * "x.txt:3: iteration count '0' is not positive",
 * "x.txt:3: iteration count '99999999999999999999' is out of range",
 * "x.txt:3: missing measurements", "x.txt:3: invalid value 'abc'",
 * "x.txt:3: value 'NaN' is not a finite number",
 * "x.txt:3: value '1e999' is out of range",
 * "x.txt:3: missing unit after value '12'",
 * "x.txt:2: Google Benchmark console output, not JSON: run the suite
 * with --benchmark_format=json" (its table header, "Benchmark Time CPU
 * ...", where an iteration count should be),
 * "x.txt:3: line too long (more than 1048576 bytes)",
 * "x.txt:3: binary data", "'x.txt': empty file",
 * "'x.txt': no benchmark results".
 *
 * Google Benchmark JSON (--benchmark_format=json; tested on the output
 * of libbenchmark 1.7.1, and on the variants of older versions, without
 * run_name/run_type, and newer ones, with "skipped"): every run of
 * "run_type" "iteration" (without run_type:
 * every entry that is not an aggregate, i.e. has no "aggregate_name",
 * "big_o" or "rms" and whose name does not end in _mean, _median,
 * _stddev or _cv) is one result, named by "run_name" (else "name") less
 * a trailing "/repeats:N". Units: real_time -> "ns/op" and cpu_time ->
 * "cpu-ns/op" (converted from "time_unit" ns/us/ms/s),
 * bytes_per_second -> "B/s", items_per_second -> "items/s", any other
 * numeric member (user counters, allocs_per_iter...) -> its own name,
 * except the bookkeeping numbers (iterations, threads, repetitions,
 * repetition_index, family_index, per_family_instance_index).
 * Runs with "skipped": true are left out; a run with "error_occurred":
 * true is an input error ("'x.json': benchmark 'BM_X' failed: <message>").
 * Every other iteration run needs a positive integer "iterations" and a
 * non-negative "real_time" (and "cpu_time", when present).
 * The scalar members of "context" become configuration (numbers and
 * booleans as text; "caches", "load_avg" and nulls are left out).
 * Errors: "'x.json':3:14: invalid JSON: <jansson's message>",
 * "x.json:3: binary data", "'x.json': empty file",
 * "'x.json': not Google Benchmark JSON output (no 'benchmarks' array)",
 * "'x.json': benchmarks[4] is not an object",
 * "'x.json': benchmarks[4] has no name",
 * "'x.json': benchmark 'BM_X': no 'real_time'",
 * "'x.json': benchmark 'BM_X': unknown time unit 'min'",
 * "'x.json': benchmark 'BM_X': 'time_unit' is not a string",
 * "'x.json': benchmark 'BM_X': no 'iterations'",
 * "'x.json': benchmark 'BM_X': invalid iteration count '\"abc\"'" (the
 * value as JSON text), "'x.json': benchmark 'BM_X': iteration count '-3'
 * is not positive", "'x.json': benchmark 'BM_X': 'real_time' is negative: -3",
 * "'x.json': benchmark 'BM_X': 'ns/op' is out of range" (after the unit
 * conversion), "'x.json': no benchmark results", "'x.json': no benchmark
 * results, only aggregates (drop --benchmark_report_aggregates_only or
 * --benchmark_display_aggregates_only to get the repetitions)". */
int pg_results_parse_benchfmt(pg_results *r, const char *name,
			      const char *data, size_t len);
int pg_results_parse_gbench(pg_results *r, const char *name,
			    const char *data, size_t len);

/* Move the samples and configuration of `src` (parsed on its own, e.g.
 * to look at one file's configuration) into `dst`, as if `dst` had
 * parsed that input after its own: samples appended, new series and
 * keys at the end, an existing key's value replaced. Returns 0 (`src`
 * left empty) or PG_ENOMEM (`dst` holds nothing of `src`, `src` is
 * unchanged). */
int pg_results_merge(pg_results *dst, pg_results *src);

/* The series of (name, unit), or NULL. */
const pg_series *pg_results_find(const pg_results *r, const char *name,
				 const char *unit);

/* The value of configuration key `key`, or NULL. */
const char *pg_results_config(const pg_results *r, const char *key);

/* Add one sample (for producers of results; nresults is not counted).
 * The series is created, at the end, when new. Returns 0, PG_EINPUT (a
 * NaN or infinite value, a NUL byte in the name or unit) or PG_ENOMEM;
 * on failure `r` is unchanged. */
int pg_results_add(pg_results *r, const char *name, size_t name_len,
		   const char *unit, size_t unit_len, double value);

/* Set configuration key `key` to `value` (replacing an earlier value; a
 * new key goes at the end). Returns 0, PG_EINPUT (a NUL byte in the key)
 * or PG_ENOMEM; on failure `r` is unchanged. */
int pg_results_set_config(pg_results *r, const char *key, size_t key_len,
			  const char *value, size_t value_len);

/*
 * Append `r` to `out` in the Go benchmark format, so that parsing the text
 * gives the same series, samples (bit for bit) and configuration back:
 * configuration lines first ("key: value", in order; keys that the format
 * cannot carry, i.e. not starting with a lowercase ASCII letter or holding
 * whitespace, an uppercase ASCII letter or a colon, are left out, and
 * control characters in values become spaces), then per benchmark (in
 * order of first appearance) one line per sample index i,
 * "Benchmark<name> <iterations> <value> <unit>..." with the i-th sample
 * of each of the benchmark's units that has one, and the iteration count
 * of the first of them. Whitespace and control characters in
 * names and units become '_' (an empty unit becomes "?"). Values are
 * written with the fewest digits that read back exactly ("%.15g" to
 * "%.17g"). Returns 0 or PG_ENOMEM (out->cap reached, `out` marked
 * failed).
 */
int pg_results_format_benchfmt(pg_buf *out, const pg_results *r);

/*
 * Whether configuration key `key` of `merged`, the results of `nruns`
 * inputs (`runs`, each parsed on its own) merged in order, changes between
 * them: two runs hold different values for it, and `merged` holds the
 * last run's (not a value set after the merge, such as perfgate's own
 * lines, which are written once).
 */
int pg_results_config_varies(const pg_results *merged, const pg_results *runs,
			     size_t nruns, const char *key);

/*
 * Append `merged` (see pg_results_config_varies) in the Go benchmark
 * format keeping the configuration that changes between runs, as the
 * format allows (a configuration line applies to the results after it):
 * when no key changes, the same text as pg_results_format_benchfmt();
 * otherwise merged's configuration lines, where a changing key has the
 * value of the first run holding it, then run by run the lines of the
 * changing keys whose value differs from the one written last, and the
 * run's result lines. Parsing the text gives the same series and samples
 * as `merged`, and each changing key its last value. Returns 0 or
 * PG_ENOMEM.
 */
int pg_results_format_benchfmt_runs(pg_buf *out, const pg_results *merged,
				    const pg_results *runs, size_t nruns);

#define PG_MAX_LINE (1024 * 1024)

#endif
