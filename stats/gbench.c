/*
 * Google Benchmark's JSON output (--benchmark_format=json or
 * --benchmark_out_format=json), read with jansson. See stats/results.h
 * for the mapping to series and the error messages.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/buf.h"
#include "common/error.h"
#include "stats/results.h"
#include "stats/results_internal.h"
#include "common/banned.h"

/* Numeric members of a run that are bookkeeping, not measurements. */
static const char *const not_metrics[] = {
	"family_index", "per_family_instance_index", "repetitions",
	"repetition_index", "threads", "iterations", "real_time", "cpu_time",
	"cpu_coefficient", "real_coefficient", "rms", "complexity_n",
	NULL,
};

static int is_metric(const char *key)
{
	size_t i;

	for (i = 0; not_metrics[i]; i++)
		if (strcmp(key, not_metrics[i]) == 0)
			return 0;
	return 1;
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* Is this run one to read? Aggregates (mean, median, stddev, cv, BigO,
 * RMS) are not; without "run_type" (library versions before 1.5) they are
 * told by their members and names. */
static int is_iteration(json_t *run, const char *name)
{
	json_t *type = json_object_get(run, "run_type");

	if (json_is_string(type))
		return strcmp(json_string_value(type), "iteration") == 0;
	if (json_object_get(run, "aggregate_name") ||
	    json_object_get(run, "big_o") || json_object_get(run, "rms"))
		return 0;
	return !(ends_with(name, "_mean") || ends_with(name, "_median") ||
		 ends_with(name, "_stddev") || ends_with(name, "_cv"));
}

/* Length of `name` without a trailing "/repeats:N". */
static size_t strip_repeats(const char *name)
{
	size_t n = strlen(name), i = n;

	while (i > 0 && name[i - 1] >= '0' && name[i - 1] <= '9')
		i--;
	if (i < n && i >= 9 && memcmp(name + i - 9, "/repeats:", 9) == 0)
		return i - 9;
	return n;
}

static int time_factor(double *out, const char *unit)
{
	if (strcmp(unit, "ns") == 0)
		*out = 1;
	else if (strcmp(unit, "us") == 0)
		*out = 1e3;
	else if (strcmp(unit, "ms") == 0)
		*out = 1e6;
	else if (strcmp(unit, "s") == 0)
		*out = 1e9;
	else
		return -1;
	return 0;
}

/* `s` for a one-line error message: control characters become spaces,
 * at most size - 1 bytes. */
static const char *one_line(char *buf, size_t size, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? ' ' : s[i];
	buf[i] = '\0';
	return buf;
}

typedef struct gb {
	pg_results *r;
	const char *file;
	const char *bench;   /* the run's name as it appears in the input */
	const char *name;    /* the series name (repeats stripped) */
	size_t name_len;
	unsigned long long iters; /* the run's "iterations" */
	size_t aggregates;   /* entries skipped as aggregates */
	pg_buf key;
} gb;

static int add_value(gb *g, const char *unit, double v)
{
	size_t idx;
	int err;

	if (!isfinite(v))
		return pg_error_set(PG_EINPUT,
				    "'%s': benchmark '%s': '%s' is out of range",
				    g->file, g->bench, unit);
	if ((err = pg_results__series(&idx, g->r, &g->key, g->name,
				      g->name_len, unit, strlen(unit))) < 0)
		return err;
	return pg_results__push(&g->r->series[idx], v, g->iters);
}

/* The run's "iterations": a positive integer, as Google Benchmark always
 * writes for an iteration run. */
static int read_iterations(gb *g, json_t *run)
{
	json_t *v = json_object_get(run, "iterations");
	char b1[256];

	if (!v)
		return pg_error_set(PG_EINPUT, "'%s': benchmark '%s': no 'iterations'",
				    g->file, one_line(b1, sizeof(b1), g->bench));
	if (!json_is_integer(v)) {
		/* quoted as JSON text: ASCII, one line, strings in quotes */
		char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_ENSURE_ASCII);
		const char *ell;
		int len, err;

		if (!text)
			return pg_error_set(PG_ENOMEM, "out of memory");
		len = pg_results__clip(strlen(text), &ell);
		err = pg_error_set(PG_EINPUT,
				   "'%s': benchmark '%s': invalid iteration count '%.*s%s'",
				   g->file, one_line(b1, sizeof(b1), g->bench), len, text, ell);
		free(text);
		return err;
	}
	if (json_integer_value(v) <= 0)
		return pg_error_set(PG_EINPUT,
				    "'%s': benchmark '%s': iteration count '%" JSON_INTEGER_FORMAT
				    "' is not positive",
				    g->file, one_line(b1, sizeof(b1), g->bench),
				    json_integer_value(v));
	g->iters = (unsigned long long)json_integer_value(v);
	return 0;
}

/* A time ("real_time", "cpu_time"): measured, so never negative. */
static int add_time(gb *g, const char *member, json_t *v, double factor,
		    const char *unit)
{
	char b1[256], b2[64];

	if (json_number_value(v) < 0) {
		pg_results__fmt_double(b2, sizeof(b2), json_number_value(v));
		return pg_error_set(PG_EINPUT, "'%s': benchmark '%s': '%s' is negative: %s",
				    g->file, one_line(b1, sizeof(b1), g->bench), member, b2);
	}
	return add_value(g, unit, json_number_value(v) * factor);
}

static int read_run(gb *g, json_t *run, size_t i)
{
	json_t *name = json_object_get(run, "run_name"), *v;
	const char *key, *full, *unit = "ns";
	double factor;
	int err;

	if (!json_is_string(name))
		name = json_object_get(run, "name");
	if (!json_is_string(name))
		return pg_error_set(PG_EINPUT, "'%s': benchmarks[%zu] has no name",
				    g->file, i);
	g->bench = json_string_value(name);
	full = json_string_value(json_object_get(run, "name"));
	if (!is_iteration(run, full ? full : g->bench)) {
		g->aggregates++;
		return 0;
	}
	if (json_is_true(json_object_get(run, "skipped")))
		return 0;
	if (json_is_true(json_object_get(run, "error_occurred"))) {
		const char *msg = json_string_value(json_object_get(run, "error_message"));
		char b1[256], b2[512];

		return pg_error_set(PG_EINPUT, "'%s': benchmark '%s' failed: %s",
				    g->file, one_line(b1, sizeof(b1), g->bench),
				    one_line(b2, sizeof(b2),
					     msg && *msg ? msg : "unknown error"));
	}
	g->name = g->bench;
	g->name_len = strip_repeats(g->bench);
	v = json_object_get(run, "time_unit");
	if (v && !json_is_string(v))
		return pg_error_set(PG_EINPUT, "'%s': benchmark '%s': 'time_unit' is not a string",
				    g->file, g->bench);
	if (v)
		unit = json_string_value(v);
	if (time_factor(&factor, unit) < 0)
		return pg_error_set(PG_EINPUT, "'%s': benchmark '%s': unknown time unit '%s'",
				    g->file, g->bench, unit);
	v = json_object_get(run, "real_time");
	if (!json_is_number(v))
		return pg_error_set(PG_EINPUT, "'%s': benchmark '%s': no 'real_time'",
				    g->file, g->bench);
	if ((err = read_iterations(g, run)) < 0 ||
	    (err = add_time(g, "real_time", v, factor, "ns/op")) < 0)
		return err;
	v = json_object_get(run, "cpu_time");
	if (json_is_number(v) &&
	    (err = add_time(g, "cpu_time", v, factor, "cpu-ns/op")) < 0)
		return err;
	json_object_foreach(run, key, v) {
		const char *u = key;

		if (!json_is_number(v) || !is_metric(key))
			continue;
		if (strcmp(key, "bytes_per_second") == 0)
			u = "B/s";
		else if (strcmp(key, "items_per_second") == 0)
			u = "items/s";
		if ((err = add_value(g, u, json_number_value(v))) < 0)
			return err;
	}
	g->r->nresults++;
	return 0;
}

/* The scalar members of "context" as configuration. */
static int read_context(gb *g, json_t *ctx)
{
	const char *key;
	json_t *v;
	char num[64];
	int err;

	json_object_foreach(ctx, key, v) {
		const char *s = num;
		size_t len;

		if (json_is_string(v)) {
			s = json_string_value(v);
			len = json_string_length(v);
		} else if (json_is_integer(v)) {
			len = (size_t)snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
					       json_integer_value(v));
		} else if (json_is_real(v)) {
			len = (size_t)pg_results__fmt_double(num, sizeof(num),
							     json_real_value(v));
		} else if (json_is_boolean(v)) {
			s = json_is_true(v) ? "true" : "false";
			len = strlen(s);
		} else {
			continue; /* null, arrays ("caches", "load_avg"), objects */
		}
		if ((err = pg_results_set_config(g->r, key, strlen(key), s, len)) < 0)
			return err;
	}
	return 0;
}

int pg_results_parse_gbench(pg_results *r, const char *name, const char *data,
			    size_t len)
{
	json_t *root = NULL, *runs, *ctx;
	json_error_t jerr;
	pg_results tmp;
	size_t i, bad, skip = 0;
	gb g;
	int err = 0;

	pg_results_init(&tmp);
	memset(&g, 0, sizeof(g));
	g.r = &tmp;
	g.file = name;
	pg_buf_init(&g.key, 0);

	for (i = 0; i < len && (data[i] == ' ' || data[i] == '\t' ||
				data[i] == '\n' || data[i] == '\r' ||
				data[i] == '\v' || data[i] == '\f'); i++)
		;
	if (i == len) {
		err = pg_error_set(PG_EINPUT, "'%s': empty file", name);
		goto cleanup;
	}
	if ((bad = pg_results__binary_line(data, len)) != 0) {
		err = pg_error_set(PG_EINPUT, "%s:%zu: binary data", name, bad);
		goto cleanup;
	}
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		skip = 3;
	root = json_loadb(data + skip, len - skip, 0, &jerr);
	if (!root) {
		err = pg_error_set(PG_EINPUT, "'%s':%d:%d: invalid JSON: %s", name,
				   jerr.line, jerr.column, jerr.text);
		goto cleanup;
	}
	runs = json_object_get(root, "benchmarks");
	if (!json_is_object(root) || !json_is_array(runs)) {
		err = pg_error_set(PG_EINPUT,
				   "'%s': not Google Benchmark JSON output (no 'benchmarks' array)",
				   name);
		goto cleanup;
	}
	ctx = json_object_get(root, "context");
	if (json_is_object(ctx) && (err = read_context(&g, ctx)) < 0)
		goto cleanup;
	for (i = 0; i < json_array_size(runs); i++) {
		json_t *run = json_array_get(runs, i);

		if (!json_is_object(run)) {
			err = pg_error_set(PG_EINPUT, "'%s': benchmarks[%zu] is not an object",
					   name, i);
			goto cleanup;
		}
		if ((err = read_run(&g, run, i)) < 0)
			goto cleanup;
	}
	if (tmp.nresults == 0 && g.aggregates > 0) {
		/* what --benchmark_report_aggregates_only writes (and, to
		 * stdout, --benchmark_display_aggregates_only) */
		err = pg_error_set(PG_EINPUT,
				   "'%s': no benchmark results, only aggregates (drop "
				   "--benchmark_report_aggregates_only or "
				   "--benchmark_display_aggregates_only to get the repetitions)",
				   name);
		goto cleanup;
	}
	if (tmp.nresults == 0) {
		err = pg_error_set(PG_EINPUT, "'%s': no benchmark results", name);
		goto cleanup;
	}
	err = pg_results_merge(r, &tmp);

cleanup:
	json_decref(root);
	pg_buf_release(&g.key);
	pg_results_release(&tmp);
	return err;
}
