/*
 * perfgate.json: defaults, loading and validation (jansson), the starter
 * file, and the threshold/direction rule the decision calls back. See
 * gate/config.h for the schema.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "bench-runner/cpus.h"
#include "bench-runner/harness/benchtime.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/config.h"
#include "gate/format_util.h"
#include "gate/git.h"
#include "common/banned.h"

#define CONFIG_MAX_SIZE ((size_t)1 << 20)   /* 1 MiB is plenty for a config */
#define MAX_WHOLE 1000000
#define MAX_TIMEOUT 1e9
#define SHOWN_MAX 48                         /* bytes of a value quoted in a message */

/* ------------------------------------------------------------ enum names */

typedef struct enum_name {
	const char *name;
	int value;
} enum_name;

static const enum_name test_names[] = {
	{ "welch", PG_TEST_WELCH }, { "utest", PG_TEST_UTEST } };
static const enum_name correction_names[] = {
	{ "holm", PG_CORRECTION_HOLM }, { "bh", PG_CORRECTION_BH },
	{ "none", PG_CORRECTION_NONE } };
static const enum_name threshold_on_names[] = {
	{ "estimate", PG_THRESHOLD_ON_ESTIMATE }, { "ci", PG_THRESHOLD_ON_CI } };
static const enum_name missing_names[] = {
	{ "pass", PG_MISSING_BASELINE_PASS }, { "fail", PG_MISSING_BASELINE_FAIL } };
static const enum_name profile_names[] = {
	{ "auto", PG_PROFILE_AUTO }, { "harness", PG_PROFILE_HARNESS_ON },
	{ "perf", PG_PROFILE_PERF_ON }, { "off", PG_PROFILE_OFF } };
static const enum_name measure_names[] = {
	{ "time", PG_MEASURE_TIME }, { "callgrind", PG_MEASURE_CALLGRIND },
	{ "auto", PG_MEASURE_AUTO } };
static const enum_name direction_names[] = {
	{ "lower", PG_LOWER_IS_BETTER }, { "higher", PG_HIGHER_IS_BETTER } };

#define NNAMES(t) (sizeof(t) / sizeof((t)[0]))

static const char *enum_to_name(const enum_name *t, size_t n, int value)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (t[i].value == value)
			return t[i].name;
	return "?";
}

static int enum_from_name(int *out, const enum_name *t, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (!strcmp(t[i].name, s)) {
			*out = t[i].value;
			return 0;
		}
	}
	return -1;
}

/* `"a", "b" or "c"` (quote '"'), `a, b or c` (quote 0). */
static void enum_choices(pg_buf *out, const enum_name *t, size_t n, int quote)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			pg_buf_adds(out, i + 1 == n ? " or " : ", ");
		if (quote)
			pg_buf_addch(out, quote);
		pg_buf_adds(out, t[i].name);
		if (quote)
			pg_buf_addch(out, quote);
	}
}

const char *pg_config_test_name(pg_test_kind t)
{
	return enum_to_name(test_names, NNAMES(test_names), (int)t);
}

const char *pg_config_correction_name(pg_correction c)
{
	return enum_to_name(correction_names, NNAMES(correction_names), (int)c);
}

const char *pg_config_threshold_on_name(pg_threshold_on t)
{
	return enum_to_name(threshold_on_names, NNAMES(threshold_on_names), (int)t);
}

const char *pg_config_missing_baseline_name(pg_missing_baseline m)
{
	return enum_to_name(missing_names, NNAMES(missing_names), (int)m);
}

const char *pg_config_direction_name(pg_direction d)
{
	return enum_to_name(direction_names, NNAMES(direction_names), (int)d);
}

const char *pg_config_profile_name(pg_profile_setting m)
{
	return enum_to_name(profile_names, NNAMES(profile_names), (int)m);
}

const char *pg_config_measure_name(pg_measure_mode m)
{
	return enum_to_name(measure_names, NNAMES(measure_names), (int)m);
}

/* A command-line enum: "--correction must be holm, bh or none, not 'x'". */
static int parse_cli_enum(int *out, const enum_name *t, size_t n, const char *opt,
			  const char *s)
{
	pg_buf choices = PG_BUF_INIT;
	int err;

	if (enum_from_name(out, t, n, s) == 0)
		return 0;
	enum_choices(&choices, t, n, 0);
	err = pg_error_set(PG_EINPUT, "%s must be %s, not '%s'", opt,
			   pg_buf_failed(&choices) ? "one of its values" : choices.ptr, s);
	pg_buf_release(&choices);
	return err;
}

int pg_config_parse_test(pg_test_kind *out, const char *opt, const char *s)
{
	int v, err;

	if ((err = parse_cli_enum(&v, test_names, NNAMES(test_names), opt, s)) < 0)
		return err;
	*out = (pg_test_kind)v;
	return 0;
}

int pg_config_parse_correction(pg_correction *out, const char *opt, const char *s)
{
	int v, err;

	if ((err = parse_cli_enum(&v, correction_names, NNAMES(correction_names), opt, s)) < 0)
		return err;
	*out = (pg_correction)v;
	return 0;
}

int pg_config_parse_threshold_on(pg_threshold_on *out, const char *opt, const char *s)
{
	int v, err;

	if ((err = parse_cli_enum(&v, threshold_on_names, NNAMES(threshold_on_names),
				  opt, s)) < 0)
		return err;
	*out = (pg_threshold_on)v;
	return 0;
}

int pg_config_parse_missing_baseline(pg_missing_baseline *out, const char *opt,
				     const char *s)
{
	int v, err;

	if ((err = parse_cli_enum(&v, missing_names, NNAMES(missing_names), opt, s)) < 0)
		return err;
	*out = (pg_missing_baseline)v;
	return 0;
}

int pg_config_parse_measure(pg_measure_mode *out, const char *opt, const char *s)
{
	int v, err;

	if ((err = parse_cli_enum(&v, measure_names, NNAMES(measure_names), opt, s)) < 0)
		return err;
	*out = (pg_measure_mode)v;
	return 0;
}

int pg_config_check_branch(const char *opt, const char *name)
{
	int valid = *name ? pg_git_branch_name_valid(name) : 0;
	pg_buf shown = PG_BUF_INIT;
	int err;

	if (valid)
		return valid < 0 ? valid : 0;
	/* the name as typed may hold control characters */
	err = pg_error_set(PG_EINPUT, "%s must be a valid git branch name, not '%s'", opt,
			   pg_utf8_printable(&shown, name));
	pg_buf_release(&shown);
	return err;
}

int pg_config_set_baseline_branch(pg_gate_config *cfg, const char *opt, const char *name)
{
	int err;

	if ((err = pg_config_check_branch(opt, name)) < 0)
		return err;
	return pg_config_set_string(&cfg->baseline_branch, name);
}

int pg_config_parse_threshold(double *out, const char *opt, const char *s)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (errno || end == s || *end || !isfinite(v) || !(v > 0))
		return pg_error_set(PG_EINPUT, "%s must be a percentage greater than 0 "
				    "(e.g. 5 or 2.5%%), not '%s'", opt, s);
	*out = v;
	return 0;
}

/* ------------------------------------------------------------ lifecycle */

static void free_strv(char **v, size_t n)
{
	size_t i;

	if (!v)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* A NULL-terminated copy of n strings (NULL when n is 0). */
static int copy_strv(char ***out, char *const *src, size_t n)
{
	char **v = NULL;
	size_t i;

	*out = NULL;
	if (n == 0)
		return 0;
	if (!(v = calloc(n + 1, sizeof(*v))))
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < n; i++) {
		if (!(v[i] = strdup(src[i]))) {
			free_strv(v, i);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
	}
	*out = v;
	return 0;
}

int pg_config_set_string(char **field, const char *value)
{
	char *copy = NULL;

	if (value && !(copy = strdup(value)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	free(*field);
	*field = copy;
	return 0;
}

int pg_config_set_suite(pg_gate_config *cfg, char *const *argv, size_t argc)
{
	char **v = NULL;
	int err;

	if ((err = copy_strv(&v, argv, argc)) < 0)
		return err;
	free_strv(cfg->suite, cfg->nsuite);
	cfg->suite = v;
	cfg->nsuite = argc;
	return 0;
}

static int put_threshold(pg_config_threshold **list, size_t *n, const char *unit,
			 double percent);

int pg_config_init(pg_gate_config *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	out->count = 10;
	out->warmup = 1;
	out->timeout = 600;
	out->max_walk = 50;
	out->alpha = 0.05;
	out->test = PG_TEST_WELCH;
	out->correction = PG_CORRECTION_HOLM;
	out->threshold_on = PG_THRESHOLD_ON_ESTIMATE;
	out->threshold_default = 5;
	out->missing_baseline = PG_MISSING_BASELINE_PASS;
	out->profile.mode = PG_PROFILE_AUTO;
	out->profile.runs = 1;
	out->profile.rate = 100;
	out->upload.enabled = 1;
	out->upload.results = 1;
	out->upload.reports = 1;
	out->upload.profiles = 1;
	out->quick.count = 3;
	out->quick.warmup = 0;
	out->quick.profile = 0;
	out->measure.mode = PG_MEASURE_TIME;
	out->measure.iterations = 100;
	/* instruction counts (callgrind) are exact: 1% is plenty */
	if ((err = put_threshold(&out->metric_thresholds, &out->nmetric_thresholds,
				 "instructions/op", 1)) < 0)
		return err;
	/* a tenth of the harness's 1 s: the pre-push check in seconds */
	if ((err = pg_config_set_string(&out->quick.benchtime, "100ms")) < 0)
		return err;
	return pg_config_set_string(&out->baseline_branch, "main");
}

static void free_thresholds(pg_config_threshold *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(t[i].unit);
	free(t);
}

void pg_config_release(pg_gate_config *cfg)
{
	size_t i;

	if (!cfg)
		return;
	free_strv(cfg->suite, cfg->nsuite);
	free(cfg->build);
	free(cfg->cpus);
	free(cfg->store);
	free(cfg->project);
	free(cfg->baseline_branch);
	free_thresholds(cfg->metric_thresholds, cfg->nmetric_thresholds);
	for (i = 0; i < cfg->nbenchmark_thresholds; i++) {
		free(cfg->benchmark_thresholds[i].glob);
		free_thresholds(cfg->benchmark_thresholds[i].units,
				cfg->benchmark_thresholds[i].nunits);
	}
	free(cfg->benchmark_thresholds);
	for (i = 0; i < cfg->ndirections; i++)
		free(cfg->directions[i].unit);
	free(cfg->directions);
	free_strv(cfg->quick.args, cfg->quick.nargs);
	free(cfg->quick.store);
	free(cfg->upload.artifacts_dir);
	free(cfg->quick.benchtime);
	free(cfg->benchtime);
	free_strv(cfg->measure.keep_env, cfg->measure.nkeep_env);
	free(cfg->measure.auto_reason);
	memset(cfg, 0, sizeof(*cfg));
}

int pg_config_apply_quick(pg_gate_config *cfg)
{
	char **v = NULL;
	size_t i, n = cfg->nsuite + cfg->quick.nargs;
	int err;

	if (cfg->quick.nargs) {
		if (!(v = calloc(n + 1, sizeof(*v))))
			return pg_error_set(PG_ENOMEM, "out of memory");
		for (i = 0; i < n; i++) {
			const char *s = i < cfg->nsuite ? cfg->suite[i]
							: cfg->quick.args[i - cfg->nsuite];

			if (!(v[i] = strdup(s))) {
				free_strv(v, i);
				return pg_error_set(PG_ENOMEM, "out of memory");
			}
		}
	}
	if ((err = pg_config_set_string(&cfg->store, cfg->quick.store)) < 0 ||
	    (err = pg_config_set_string(&cfg->benchtime, cfg->quick.benchtime)) < 0) {
		free_strv(v, n);
		return err;
	}
	if (v) {
		free_strv(cfg->suite, cfg->nsuite);
		cfg->suite = v;
		cfg->nsuite = n;
	}
	cfg->count = cfg->quick.count;
	cfg->warmup = cfg->quick.warmup;
	if (!cfg->quick.profile)
		cfg->profile.mode = PG_PROFILE_OFF;
	return 0;
}

/* ------------------------------------------------------------ loading */

typedef struct loader {
	const char *name;        /* the file name, prefix of every message */
	pg_gate_config *cfg;
} loader;

typedef int (*key_fn)(loader *l, const char *path, json_t *v);

typedef struct key_def {
	const char *name;
	key_fn fn;
} key_def;

/* The value as JSON, shortened: "\"ten\"", "[1,2]", "{\"a\":...". */
static void show_value(pg_buf *out, const json_t *v)
{
	char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(15));
	size_t len;

	if (!text) {
		pg_buf_adds(out, "that value");
		return;
	}
	len = strlen(text);
	if (len > SHOWN_MAX) {
		len = SHOWN_MAX - 3;
		while (len > 0 && ((unsigned char)text[len] & 0xc0) == 0x80)
			len--;  /* not inside a UTF-8 sequence */
		pg_buf_add(out, text, len);
		pg_buf_adds(out, "...");
	} else {
		pg_buf_add(out, text, len);
	}
	free(text);
}

/* "perfgate.json: 'count' must be a whole number from 1 to 1000000, not \"ten\"" */
static int bad_value(const loader *l, const char *path, const char *expected,
		     const json_t *v)
{
	pg_buf shown = PG_BUF_INIT;
	int err;

	show_value(&shown, v);
	if (pg_buf_failed(&shown))
		err = pg_error_set(PG_ENOMEM, "out of memory");
	else
		err = pg_error_set(PG_EINPUT, "%s: '%s' must be %s, not %s", l->name, path,
				   expected, shown.ptr);
	pg_buf_release(&shown);
	return err;
}

/* A key path: "thresholds.metrics.ns/op", control characters shown as '?'
 * so that the message stays on one line. */
static int key_path(pg_buf *out, const char *parent, const char *key)
{
	const char *p;

	pg_buf_reset(out);
	if (parent) {
		pg_buf_adds(out, parent);
		pg_buf_addch(out, '.');
	}
	for (p = key; *p; p++)
		pg_buf_addch(out, iscntrl((unsigned char)*p) ? '?' : *p);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* Levenshtein distance, case-insensitive; SIZE_MAX for long strings. */
static size_t edit_distance(const char *a, const char *b)
{
	size_t row[65], la = strlen(a), lb = strlen(b), i, j, diag, up;

	if (la > 64 || lb > 64)
		return SIZE_MAX;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		diag = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best;

			up = row[j];
			best = diag + (tolower((unsigned char)a[i - 1]) !=
				       tolower((unsigned char)b[j - 1]));
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

static int unknown_key(const loader *l, const char *parent, const char *key,
		       const key_def *keys, size_t nkeys)
{
	pg_buf path = PG_BUF_INIT, near = PG_BUF_INIT;
	size_t i, d, best = SIZE_MAX, limit = strlen(key) / 3;
	const char *nearest = NULL;
	int err;

	if (limit < 2)
		limit = 2;
	for (i = 0; i < nkeys; i++) {
		d = edit_distance(key, keys[i].name);
		if (d < best) {
			best = d;
			nearest = keys[i].name;
		}
	}
	if (key_path(&path, parent, key) < 0 ||
	    (nearest && best <= limit && key_path(&near, parent, nearest) < 0)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
	} else if (nearest && best <= limit) {
		err = pg_error_set(PG_EINPUT, "%s: unknown key '%s' (did you mean '%s'?)",
				   l->name, path.ptr, near.ptr);
	} else {
		err = pg_error_set(PG_EINPUT, "%s: unknown key '%s'", l->name, path.ptr);
	}
	pg_buf_release(&path);
	pg_buf_release(&near);
	return err;
}

/* Walk an object whose keys are fixed by `keys`, in file order. */
static int load_keys(loader *l, const char *parent, json_t *obj, const key_def *keys,
		     size_t nkeys)
{
	pg_buf path = PG_BUF_INIT;
	const char *key;
	json_t *v;
	size_t i;
	int err = 0;

	json_object_foreach(obj, key, v) {
		for (i = 0; i < nkeys; i++)
			if (!strcmp(keys[i].name, key))
				break;
		if (i == nkeys) {
			err = unknown_key(l, parent, key, keys, nkeys);
			goto cleanup;
		}
		if (key_path(&path, parent, key) < 0) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		if ((err = keys[i].fn(l, path.ptr, v)) < 0)
			goto cleanup;
	}

cleanup:
	pg_buf_release(&path);
	return err;
}

/* ---- value readers: check the type and range, then store */

static int read_whole(const loader *l, const char *path, const json_t *v, size_t min,
		      size_t *dst)
{
	char expected[64];
	double x;

	if (json_is_integer(v))
		x = (double)json_integer_value(v);
	else if (json_is_real(v))
		x = json_real_value(v);
	else
		x = -1;
	if (!json_is_number(v) || x != floor(x) || x < (double)min || x > MAX_WHOLE) {
		snprintf(expected, sizeof(expected), "a whole number from %zu to %d", min,
			 MAX_WHOLE);
		return bad_value(l, path, expected, v);
	}
	*dst = (size_t)x;
	return 0;
}

static int read_bool(const loader *l, const char *path, const json_t *v, int *dst)
{
	if (!json_is_boolean(v))
		return bad_value(l, path, "true or false", v);
	*dst = json_is_true(v);
	return 0;
}

static int read_percent(const loader *l, const char *path, const json_t *v, double *dst)
{
	if (!json_is_number(v) || !(json_number_value(v) > 0))
		return bad_value(l, path, "a percentage greater than 0", v);
	*dst = json_number_value(v);
	return 0;
}

/* A string (non-empty when `nonempty`), or null when `nullable`. */
static int read_string(const loader *l, const char *path, const json_t *v, int nullable,
		       int nonempty, const char *expected, char **dst)
{
	if (nullable && json_is_null(v))
		return pg_config_set_string(dst, NULL);
	if (!json_is_string(v) || (nonempty && json_string_length(v) == 0))
		return bad_value(l, path, expected, v);
	return pg_config_set_string(dst, json_string_value(v));
}

static int read_enum(const loader *l, const char *path, const json_t *v,
		     const enum_name *t, size_t n, int *dst)
{
	pg_buf expected = PG_BUF_INIT;
	int err = 0;

	if (json_is_string(v) && enum_from_name(dst, t, n, json_string_value(v)) == 0)
		return 0;
	enum_choices(&expected, t, n, '"');
	if (pg_buf_failed(&expected))
		err = pg_error_set(PG_ENOMEM, "out of memory");
	else
		err = bad_value(l, path, expected.ptr, v);
	pg_buf_release(&expected);
	return err;
}

/* An array of strings; the first must be non-empty when `command`. */
static int read_strv(const loader *l, const char *path, const json_t *v, int command,
		     char ***dst, size_t *ndst)
{
	pg_buf elem = PG_BUF_INIT;
	char **strv = NULL;
	size_t i, n;
	int err = 0;

	if (!json_is_array(v))
		return bad_value(l, path, "an array of strings", v);
	n = json_array_size(v);
	if (n && !(strv = calloc(n + 1, sizeof(*strv)))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		const json_t *s = json_array_get(v, i);

		if (!json_is_string(s) || (command && i == 0 && json_string_length(s) == 0)) {
			pg_buf_reset(&elem);
			pg_buf_addf(&elem, "%s[%zu]", path, i);
			if (pg_buf_failed(&elem))
				err = pg_error_set(PG_ENOMEM, "out of memory");
			else
				err = bad_value(l, elem.ptr, json_is_string(s) ?
						"a non-empty string (the command)" : "a string", s);
			goto cleanup;
		}
		if (!(strv[i] = strdup(json_string_value(s)))) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	free_strv(*dst, *ndst);
	*dst = strv;
	*ndst = n;
	strv = NULL;

cleanup:
	free_strv(strv, n);
	pg_buf_release(&elem);
	return err;
}

/* Objects with free keys (units, globs): the key must not be empty. */
static int check_object(const loader *l, const char *path, const json_t *v,
			const char *expected)
{
	if (!json_is_object(v))
		return bad_value(l, path, expected, v);
	if (json_object_get(v, ""))
		return pg_error_set(PG_EINPUT, "%s: '%s' has an empty key", l->name, path);
	return 0;
}

/* Set `unit`'s threshold in the list (replaced, or appended). */
static int put_threshold(pg_config_threshold **list, size_t *n, const char *unit,
			 double percent)
{
	pg_config_threshold *grown;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (!strcmp((*list)[i].unit, unit)) {
			(*list)[i].percent = percent;
			return 0;
		}
	}
	if (!(grown = realloc(*list, (*n + 1) * sizeof(**list))))
		return pg_error_set(PG_ENOMEM, "out of memory");
	*list = grown;
	if (!(grown[*n].unit = strdup(unit)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[*n].percent = percent;
	(*n)++;
	return 0;
}

/* ---- the keys */

#define CFG(l) ((l)->cfg)

static int k_suite(loader *l, const char *path, json_t *v)
{
	return read_strv(l, path, v, 1, &CFG(l)->suite, &CFG(l)->nsuite);
}

static int k_build(loader *l, const char *path, json_t *v)
{
	return read_string(l, path, v, 1, 1, "a shell command (a string) or null",
			   &CFG(l)->build);
}

static int k_count(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 1, &CFG(l)->count);
}

static int k_warmup(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 0, &CFG(l)->warmup);
}

static int k_cpus(loader *l, const char *path, json_t *v)
{
	static const char expected[] = "a CPU list such as \"2-3\", \"none\" or null";
	pg_cpuset set;

	if (json_is_string(v) && strcmp(json_string_value(v), "none") != 0 &&
	    (pg_cpuset_parse(&set, json_string_value(v)) < 0 || set.count == 0))
		return bad_value(l, path, expected, v);
	return read_string(l, path, v, 1, 1, expected, &CFG(l)->cpus);
}

static int k_timeout(loader *l, const char *path, json_t *v)
{
	if (!json_is_number(v) || !(json_number_value(v) >= 0) ||
	    json_number_value(v) > MAX_TIMEOUT)
		return bad_value(l, path, "a number of seconds from 0 (no limit) to 1000000000", v);
	CFG(l)->timeout = json_number_value(v);
	return 0;
}

static int k_store(loader *l, const char *path, json_t *v)
{
	return read_string(l, path, v, 1, 1, "a folder or URL (a string) or null",
			   &CFG(l)->store);
}

static int k_project(loader *l, const char *path, json_t *v)
{
	return read_string(l, path, v, 1, 1, "a non-empty string or null", &CFG(l)->project);
}

/* checked when the file is read, not when the suite has run */
static int k_baseline_branch(loader *l, const char *path, json_t *v)
{
	int valid;

	if (json_is_string(v) && json_string_length(v) &&
	    (valid = pg_git_branch_name_valid(json_string_value(v))) <= 0)
		return valid < 0 ? valid : bad_value(l, path, "a valid git branch name", v);
	return read_string(l, path, v, 0, 1, "a branch name (a non-empty string)",
			   &CFG(l)->baseline_branch);
}

/* the merge base counts as the first commit: 0 would check none (the
 * resolver takes 0 for its default) */
static int k_max_walk(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 1, &CFG(l)->max_walk);
}

static int k_alpha(loader *l, const char *path, json_t *v)
{
	double a = json_number_value(v);

	if (!json_is_number(v) || !(a > 0 && a < 1))
		return bad_value(l, path, "a number between 0 and 1", v);
	CFG(l)->alpha = a;
	return 0;
}

static int k_test(loader *l, const char *path, json_t *v)
{
	int x, err;

	if ((err = read_enum(l, path, v, test_names, NNAMES(test_names), &x)) < 0)
		return err;
	CFG(l)->test = (pg_test_kind)x;
	return 0;
}

static int k_correction(loader *l, const char *path, json_t *v)
{
	int x, err;

	if ((err = read_enum(l, path, v, correction_names, NNAMES(correction_names), &x)) < 0)
		return err;
	CFG(l)->correction = (pg_correction)x;
	return 0;
}

static int k_threshold_on(loader *l, const char *path, json_t *v)
{
	int x, err;

	if ((err = read_enum(l, path, v, threshold_on_names, NNAMES(threshold_on_names),
			     &x)) < 0)
		return err;
	CFG(l)->threshold_on = (pg_threshold_on)x;
	return 0;
}

static int k_thr_default(loader *l, const char *path, json_t *v)
{
	return read_percent(l, path, v, &CFG(l)->threshold_default);
}

static int k_thr_metrics(loader *l, const char *path, json_t *v)
{
	pg_buf sub = PG_BUF_INIT;
	const char *unit;
	json_t *p;
	double percent = 0;
	int err;

	if ((err = check_object(l, path, v, "an object of percentages per unit")) < 0)
		return err;
	json_object_foreach(v, unit, p) {
		if ((err = key_path(&sub, path, unit)) < 0) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		if ((err = read_percent(l, sub.ptr, p, &percent)) < 0 ||
		    (err = put_threshold(&CFG(l)->metric_thresholds,
					 &CFG(l)->nmetric_thresholds, unit, percent)) < 0)
			break;
	}
	pg_buf_release(&sub);
	return err;
}

/* One thresholds.benchmarks entry, into `g` (glob already set). */
static int read_glob(const loader *l, const char *path, const json_t *v, pg_config_glob *g)
{
	pg_buf sub = PG_BUF_INIT;
	const char *unit;
	json_t *p;
	double percent = 0;
	int err = 0;

	if (json_is_number(v)) {
		if ((err = read_percent(l, path, v, &g->all_percent)) < 0)
			return err;
		g->has_all = 1;
		return 0;
	}
	if ((err = check_object(l, path, v, "a percentage greater than 0 or an object of "
				"percentages per unit")) < 0)
		return err;
	json_object_foreach((json_t *)v, unit, p) {
		if ((err = key_path(&sub, path, unit)) < 0) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		if ((err = read_percent(l, sub.ptr, p, &percent)) < 0 ||
		    (err = put_threshold(&g->units, &g->nunits, unit, percent)) < 0)
			break;
	}
	pg_buf_release(&sub);
	return err;
}

static int k_thr_benchmarks(loader *l, const char *path, json_t *v)
{
	pg_gate_config *cfg = CFG(l);
	pg_config_glob g, *grown;
	pg_buf sub = PG_BUF_INIT;
	const char *glob;
	json_t *p;
	size_t i;
	int err;

	if ((err = check_object(l, path, v, "an object mapping benchmark globs to "
				"thresholds")) < 0)
		return err;
	memset(&g, 0, sizeof(g));
	json_object_foreach(v, glob, p) {
		if ((err = key_path(&sub, path, glob)) < 0) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		memset(&g, 0, sizeof(g));
		if ((err = read_glob(l, sub.ptr, p, &g)) < 0)
			break;
		if (!(g.glob = strdup(glob))) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		for (i = 0; i < cfg->nbenchmark_thresholds; i++)
			if (!strcmp(cfg->benchmark_thresholds[i].glob, glob))
				break;
		if (i == cfg->nbenchmark_thresholds) {
			grown = realloc(cfg->benchmark_thresholds, (i + 1) * sizeof(*grown));
			if (!grown) {
				err = pg_error_set(PG_ENOMEM, "out of memory");
				break;
			}
			cfg->benchmark_thresholds = grown;
			cfg->nbenchmark_thresholds++;
		} else {
			free(cfg->benchmark_thresholds[i].glob);
			free_thresholds(cfg->benchmark_thresholds[i].units,
					cfg->benchmark_thresholds[i].nunits);
		}
		cfg->benchmark_thresholds[i] = g;
		memset(&g, 0, sizeof(g));
	}
	free(g.glob);
	free_thresholds(g.units, g.nunits);
	pg_buf_release(&sub);
	return err;
}

static const key_def threshold_keys[] = {
	{ "default", k_thr_default },
	{ "metrics", k_thr_metrics },
	{ "benchmarks", k_thr_benchmarks },
};

static int k_thresholds(loader *l, const char *path, json_t *v)
{
	if (!json_is_object(v))
		return bad_value(l, path, "an object with \"default\", \"metrics\" and "
				 "\"benchmarks\"", v);
	return load_keys(l, path, v, threshold_keys, NNAMES(threshold_keys));
}

static int k_directions(loader *l, const char *path, json_t *v)
{
	pg_gate_config *cfg = CFG(l);
	pg_config_direction *grown;
	pg_buf sub = PG_BUF_INIT;
	const char *unit;
	json_t *p;
	size_t i;
	int d, err;

	if ((err = check_object(l, path, v, "an object mapping units to \"lower\" or "
				"\"higher\"")) < 0)
		return err;
	json_object_foreach(v, unit, p) {
		if ((err = key_path(&sub, path, unit)) < 0) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			break;
		}
		if ((err = read_enum(l, sub.ptr, p, direction_names, NNAMES(direction_names),
				     &d)) < 0)
			break;
		for (i = 0; i < cfg->ndirections; i++)
			if (!strcmp(cfg->directions[i].unit, unit))
				break;
		if (i == cfg->ndirections) {
			if (!(grown = realloc(cfg->directions, (i + 1) * sizeof(*grown)))) {
				err = pg_error_set(PG_ENOMEM, "out of memory");
				break;
			}
			cfg->directions = grown;
			if (!(grown[i].unit = strdup(unit))) {
				err = pg_error_set(PG_ENOMEM, "out of memory");
				break;
			}
			cfg->ndirections++;
		}
		cfg->directions[i].direction = (pg_direction)d;
	}
	pg_buf_release(&sub);
	return err;
}

static int k_missing_baseline(loader *l, const char *path, json_t *v)
{
	int x, err;

	if ((err = read_enum(l, path, v, missing_names, NNAMES(missing_names), &x)) < 0)
		return err;
	CFG(l)->missing_baseline = (pg_missing_baseline)x;
	return 0;
}

static int k_require_same_host(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->require_same_host);
}

static int k_require_quiet(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->require_quiet);
}

static int k_up_enabled(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->upload.enabled);
}

static int k_up_results(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->upload.results);
}

static int k_up_reports(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->upload.reports);
}

static int k_up_profiles(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->upload.profiles);
}

static int k_up_artifacts_dir(loader *l, const char *path, json_t *v)
{
	return read_string(l, path, v, 1, 1, "a folder (a non-empty string) or null",
			   &CFG(l)->upload.artifacts_dir);
}

static const key_def upload_keys[] = {
	{ "enabled", k_up_enabled },
	{ "results", k_up_results },
	{ "reports", k_up_reports },
	{ "profiles", k_up_profiles },
	{ "artifacts_dir", k_up_artifacts_dir },
};

static int k_upload(loader *l, const char *path, json_t *v)
{
	if (!json_is_object(v))
		return bad_value(l, path, "an object with \"enabled\", \"results\", "
				 "\"reports\", \"profiles\" and \"artifacts_dir\"", v);
	return load_keys(l, path, v, upload_keys, NNAMES(upload_keys));
}

static int k_require_upload(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->require_upload);
}

static int k_quick_count(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 1, &CFG(l)->quick.count);
}

static int k_quick_warmup(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 0, &CFG(l)->quick.warmup);
}

static int k_quick_args(loader *l, const char *path, json_t *v)
{
	return read_strv(l, path, v, 0, &CFG(l)->quick.args, &CFG(l)->quick.nargs);
}

static int k_quick_store(loader *l, const char *path, json_t *v)
{
	return read_string(l, path, v, 1, 1, "a folder or URL (a string) or null",
			   &CFG(l)->quick.store);
}

/* checked by the harness's own rule, so that a suite never fails on it */
static int k_quick_benchtime(loader *l, const char *path, json_t *v)
{
	static const char expected[] = "a -benchtime value such as \"100ms\", \"1s\" or "
		"\"500x\", or null";
	uint64_t ns, n;
	char why[128];

	if (json_is_string(v) && pg_bench_parse_benchtime(&ns, &n, json_string_value(v), why,
							    sizeof(why)) < 0)
		return bad_value(l, path, expected, v);
	return read_string(l, path, v, 1, 1, expected, &CFG(l)->quick.benchtime);
}

static int k_quick_profile(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->quick.profile);
}

static const key_def quick_keys[] = {
	{ "count", k_quick_count },
	{ "warmup", k_quick_warmup },
	{ "args", k_quick_args },
	{ "store", k_quick_store },
	{ "benchtime", k_quick_benchtime },
	{ "profile", k_quick_profile },
};

static int k_quick(loader *l, const char *path, json_t *v)
{
	if (!json_is_object(v))
		return bad_value(l, path, "an object with \"count\", \"warmup\", \"args\", "
				 "\"store\", \"benchtime\" and \"profile\"", v);
	return load_keys(l, path, v, quick_keys, NNAMES(quick_keys));
}

static int k_profile_mode(loader *l, const char *path, json_t *v)
{
	int x, err;

	if ((err = read_enum(l, path, v, profile_names, NNAMES(profile_names), &x)) < 0)
		return err;
	CFG(l)->profile.mode = (pg_profile_setting)x;
	return 0;
}

static int k_profile_runs(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 0, &CFG(l)->profile.runs);
}

static int k_profile_rate(loader *l, const char *path, json_t *v)
{
	int err = read_whole(l, path, v, 1, &CFG(l)->profile.rate);

	if (!err && CFG(l)->profile.rate > 10000)
		return bad_value(l, path, "a rate in Hz from 1 to 10000", v);
	return err;
}

static const key_def profile_keys[] = {
	{ "mode", k_profile_mode },
	{ "runs", k_profile_runs },
	{ "rate", k_profile_rate },
};

static int k_profile(loader *l, const char *path, json_t *v)
{
	if (!json_is_object(v))
		return bad_value(l, path, "an object with \"mode\", \"runs\" and \"rate\"", v);
	return load_keys(l, path, v, profile_keys, NNAMES(profile_keys));
}

static int k_measure_mode(loader *l, const char *path, json_t *v)
{
	int x, err;

	if ((err = read_enum(l, path, v, measure_names, NNAMES(measure_names), &x)) < 0)
		return err;
	CFG(l)->measure.mode = (pg_measure_mode)x;
	return 0;
}

static int k_measure_iterations(loader *l, const char *path, json_t *v)
{
	return read_whole(l, path, v, 1, &CFG(l)->measure.iterations);
}

static int k_measure_cache_sim(loader *l, const char *path, json_t *v)
{
	return read_bool(l, path, v, &CFG(l)->measure.cache_sim);
}

/* An environment variable's name: a letter or '_', then letters, digits
 * and '_'. */
static int env_name_ok(const char *s)
{
	const char *p;

	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (p = s; *p; p++)
		if (!(isalnum((unsigned char)*p) || *p == '_') || (unsigned char)*p > 0x7f)
			return 0;
	return 1;
}

static int k_measure_keep_env(loader *l, const char *path, json_t *v)
{
	pg_buf elem = PG_BUF_INIT;
	size_t i;
	int err = 0;

	for (i = 0; json_is_array(v) && i < json_array_size(v); i++) {
		const json_t *s = json_array_get(v, i);

		if (json_is_string(s) && env_name_ok(json_string_value(s)))
			continue;
		pg_buf_addf(&elem, "%s[%zu]", path, i);
		err = pg_buf_failed(&elem) ? pg_error_set(PG_ENOMEM, "out of memory") :
			bad_value(l, elem.ptr, "an environment variable name (letters, digits "
				  "and '_')", s);
		pg_buf_release(&elem);
		return err;
	}
	return read_strv(l, path, v, 0, &CFG(l)->measure.keep_env, &CFG(l)->measure.nkeep_env);
}

static const key_def measure_keys[] = {
	{ "mode", k_measure_mode },
	{ "iterations", k_measure_iterations },
	{ "cache_sim", k_measure_cache_sim },
	{ "keep_env", k_measure_keep_env },
};

static int k_measure(loader *l, const char *path, json_t *v)
{
	if (!json_is_object(v))
		return bad_value(l, path, "an object with \"mode\", \"iterations\", "
				 "\"cache_sim\" and \"keep_env\"", v);
	return load_keys(l, path, v, measure_keys, NNAMES(measure_keys));
}

/* The top level, in the documented order (also the order of suggestions
 * on a tie). */
static const key_def top_keys[] = {
	{ "suite", k_suite },
	{ "build", k_build },
	{ "count", k_count },
	{ "warmup", k_warmup },
	{ "cpus", k_cpus },
	{ "timeout", k_timeout },
	{ "store", k_store },
	{ "project", k_project },
	{ "baseline_branch", k_baseline_branch },
	{ "max_walk", k_max_walk },
	{ "alpha", k_alpha },
	{ "test", k_test },
	{ "correction", k_correction },
	{ "threshold_on", k_threshold_on },
	{ "thresholds", k_thresholds },
	{ "directions", k_directions },
	{ "missing_baseline", k_missing_baseline },
	{ "require_same_host", k_require_same_host },
	{ "require_quiet", k_require_quiet },
	{ "upload", k_upload },
	{ "require_upload", k_require_upload },
	{ "quick", k_quick },
	{ "profile", k_profile },
	{ "measure", k_measure },
};

int pg_config_parse(pg_gate_config *out, const char *name, const char *text, size_t len)
{
	json_error_t jerr;
	json_t *root = NULL;
	loader l;
	size_t i;
	int err;

	for (i = 0; i < len && isspace((unsigned char)text[i]); i++)
		;
	if (i == len) {
		err = pg_error_set(PG_EINPUT, "%s: the file is empty (a configuration is a "
				   "JSON object: {} for the defaults)", name);
		goto cleanup;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		err = pg_error_set(PG_EINPUT, "%s:%d:%d: %s", name, jerr.line, jerr.column,
				   jerr.text);
		goto cleanup;
	}
	if (!json_is_object(root)) {
		err = pg_error_set(PG_EINPUT, "%s: the configuration must be a JSON object "
				   "({...}), not an array", name);
		goto cleanup;
	}
	l.name = name;
	l.cfg = out;
	err = load_keys(&l, NULL, root, top_keys, NNAMES(top_keys));

cleanup:
	json_decref(root);
	return err;
}

int pg_config_load(pg_gate_config *out, const char *path, unsigned flags)
{
	pg_buf text;
	int err;

	pg_buf_init(&text, CONFIG_MAX_SIZE);
	if ((flags & PG_CONFIG_OPTIONAL) && access(path, F_OK) != 0 && errno == ENOENT) {
		err = PG_ENOTFOUND;
		goto cleanup;
	}
	if ((err = pg_file_read(&text, path)) < 0)
		goto cleanup;
	err = pg_config_parse(out, path, text.ptr, text.len);

cleanup:
	pg_buf_release(&text);
	return err;
}

int pg_config_default_path(pg_buf *out)
{
	pg_buf top = PG_BUF_INIT;
	char cwd[4096];
	int err;

	err = pg_git_toplevel(&top, ".");
	if (err == PG_ENOTFOUND) {
		if (!getcwd(cwd, sizeof(cwd))) {
			err = pg_error_set_errno(PG_EINFRA, "cannot read the current directory");
			goto cleanup;
		}
		err = pg_buf_adds(&top, cwd);
	}
	if (err < 0)
		goto cleanup;
	if (top.len > 1 || top.ptr[0] != '/')
		pg_buf_addch(&top, '/');
	pg_buf_adds(&top, "perfgate.json");
	err = pg_buf_failed(&top) ? PG_ENOMEM : pg_buf_add(out, top.ptr, top.len);

cleanup:
	pg_buf_release(&top);
	return err;
}

/* ------------------------------------------------------------ writing */

typedef struct writer {
	const char *bad_utf8;  /* the key of a string jansson refused */
} writer;

static json_t *j_str(writer *w, const char *key, const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	v = json_string(s);
	if (!v && !w->bad_utf8)
		w->bad_utf8 = key;
	return v;
}

/* A whole number as an integer ("5", not "5.0"), else a real. */
static json_t *j_num(double x)
{
	if (x == floor(x) && fabs(x) < 9007199254740992.0)
		return json_integer((json_int_t)x);
	return json_real(x);
}

static json_t *j_strv(writer *w, const char *key, char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < n; i++) {
		if (json_array_append_new(a, j_str(w, key, v[i])) < 0) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

static json_t *j_thresholds(const pg_config_threshold *t, size_t n)
{
	json_t *o = json_object();
	size_t i;

	for (i = 0; o && i < n; i++) {
		if (json_object_set_new(o, t[i].unit, j_num(t[i].percent)) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* json_object_set_new, remembering a failure (it takes `v` either way;
 * a NULL `v` is a failed constructor). */
static void put(json_t *o, const char *key, json_t *v, int *failed)
{
	if (json_object_set_new(o, key, v) < 0)
		*failed = 1;
}

/* The configuration as a JSON tree, every key (the caller decrefs *out);
 * the one source of pg_config_to_json's text and pg_config_value's
 * values. */
static int config_tree(json_t **out, const pg_gate_config *cfg)
{
	json_t *root = json_object(), *thr = json_object(), *globs = json_object();
	json_t *dirs = json_object(), *up = json_object(), *quick = json_object();
	json_t *prof = NULL, *meas = NULL;
	writer w = { NULL };
	int failed = 0, err = 0;
	size_t i;

	put(root, "suite", j_strv(&w, "suite", cfg->suite, cfg->nsuite), &failed);
	put(root, "build", j_str(&w, "build", cfg->build), &failed);
	put(root, "count", json_integer((json_int_t)cfg->count), &failed);
	put(root, "warmup", json_integer((json_int_t)cfg->warmup), &failed);
	put(root, "cpus", j_str(&w, "cpus", cfg->cpus), &failed);
	put(root, "timeout", j_num(cfg->timeout), &failed);
	put(root, "store", j_str(&w, "store", cfg->store), &failed);
	put(root, "project", j_str(&w, "project", cfg->project), &failed);
	put(root, "baseline_branch", j_str(&w, "baseline_branch", cfg->baseline_branch),
	    &failed);
	put(root, "max_walk", json_integer((json_int_t)cfg->max_walk), &failed);
	put(root, "alpha", json_real(cfg->alpha), &failed);
	put(root, "test", json_string(pg_config_test_name(cfg->test)), &failed);
	put(root, "correction", json_string(pg_config_correction_name(cfg->correction)),
	    &failed);
	put(root, "threshold_on", json_string(pg_config_threshold_on_name(cfg->threshold_on)),
	    &failed);

	put(thr, "default", j_num(cfg->threshold_default), &failed);
	put(thr, "metrics", j_thresholds(cfg->metric_thresholds, cfg->nmetric_thresholds),
	    &failed);
	for (i = 0; i < cfg->nbenchmark_thresholds; i++) {
		const pg_config_glob *g = &cfg->benchmark_thresholds[i];

		put(globs, g->glob, g->has_all ? j_num(g->all_percent)
					       : j_thresholds(g->units, g->nunits), &failed);
	}
	put(thr, "benchmarks", json_incref(globs), &failed);
	put(root, "thresholds", json_incref(thr), &failed);
	for (i = 0; i < cfg->ndirections; i++)
		put(dirs, cfg->directions[i].unit,
		    json_string(pg_config_direction_name(cfg->directions[i].direction)),
		    &failed);
	put(root, "directions", json_incref(dirs), &failed);
	put(root, "missing_baseline",
	    json_string(pg_config_missing_baseline_name(cfg->missing_baseline)), &failed);
	put(root, "require_same_host", json_boolean(cfg->require_same_host), &failed);
	put(root, "require_quiet", json_boolean(cfg->require_quiet), &failed);

	put(up, "enabled", json_boolean(cfg->upload.enabled), &failed);
	put(up, "results", json_boolean(cfg->upload.results), &failed);
	put(up, "reports", json_boolean(cfg->upload.reports), &failed);
	put(up, "profiles", json_boolean(cfg->upload.profiles), &failed);
	put(up, "artifacts_dir", j_str(&w, "upload.artifacts_dir", cfg->upload.artifacts_dir),
	    &failed);
	put(root, "upload", json_incref(up), &failed);
	put(root, "require_upload", json_boolean(cfg->require_upload), &failed);

	put(quick, "count", json_integer((json_int_t)cfg->quick.count), &failed);
	put(quick, "warmup", json_integer((json_int_t)cfg->quick.warmup), &failed);
	put(quick, "args", j_strv(&w, "quick.args", cfg->quick.args, cfg->quick.nargs),
	    &failed);
	put(quick, "store", j_str(&w, "quick.store", cfg->quick.store), &failed);
	put(quick, "benchtime", j_str(&w, "quick.benchtime", cfg->quick.benchtime), &failed);
	put(quick, "profile", json_boolean(cfg->quick.profile), &failed);
	put(root, "quick", json_incref(quick), &failed);

	prof = json_object();
	put(prof, "mode", json_string(pg_config_profile_name(cfg->profile.mode)), &failed);
	put(prof, "runs", json_integer((json_int_t)cfg->profile.runs), &failed);
	put(prof, "rate", json_integer((json_int_t)cfg->profile.rate), &failed);
	put(root, "profile", json_incref(prof), &failed);

	meas = json_object();
	put(meas, "mode", json_string(pg_config_measure_name(cfg->measure.mode)), &failed);
	put(meas, "iterations", json_integer((json_int_t)cfg->measure.iterations), &failed);
	put(meas, "cache_sim", json_boolean(cfg->measure.cache_sim), &failed);
	put(meas, "keep_env", j_strv(&w, "measure.keep_env", cfg->measure.keep_env,
				     cfg->measure.nkeep_env), &failed);
	put(root, "measure", json_incref(meas), &failed);

	if (w.bad_utf8) {
		err = pg_error_set(PG_EINPUT, "'%s' holds a string that is not valid UTF-8",
				   w.bad_utf8);
		goto cleanup;
	}
	if (failed) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	*out = json_incref(root);

cleanup:
	json_decref(root);
	json_decref(thr);
	json_decref(globs);
	json_decref(dirs);
	json_decref(up);
	json_decref(quick);
	json_decref(prof);
	json_decref(meas);
	return err;
}

/* JSON text of `v` as perfgate.json holds it: reals to 15 digits (0.05,
 * not 0.050000000000000003). */
static char *config_dumps(const json_t *v, size_t flags)
{
	return json_dumps(v, flags | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
}

int pg_config_to_json(pg_buf *out, const pg_gate_config *cfg)
{
	json_t *root = NULL;
	char *text = NULL;
	int err;

	if ((err = config_tree(&root, cfg)) < 0)
		goto cleanup;
	if (!(text = config_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	pg_buf_adds(out, text);
	pg_buf_addch(out, '\n');
	err = pg_buf_failed(out) ? PG_ENOMEM : 0;

cleanup:
	free(text);
	json_decref(root);
	return err;
}

int pg_config_starter(pg_buf *out, char *const *suite, size_t nsuite)
{
	pg_gate_config cfg;
	int err;

	if ((err = pg_config_init(&cfg)) < 0 ||
	    (err = pg_config_set_suite(&cfg, suite, nsuite)) < 0)
		goto cleanup;
	err = pg_config_to_json(out, &cfg);

cleanup:
	pg_config_release(&cfg);
	return err;
}

int pg_config_value(pg_buf *out, const pg_gate_config *cfg, const char *key)
{
	pg_buf path = PG_BUF_INIT;
	json_t *root = NULL, *v;
	char *part, *dot, *dumped = NULL;
	int err;

	if ((err = config_tree(&root, cfg)) < 0)
		goto cleanup;
	if (pg_buf_adds(&path, key) < 0) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* down the dotted key, one object at a time */
	v = root;
	for (part = path.ptr; v; part = dot + 1) {
		dot = strchr(part, '.');
		if (dot)
			*dot = '\0';
		v = json_is_object(v) && *part ? json_object_get(v, part) : NULL;
		if (!dot)
			break;
	}
	if (!v) {
		err = pg_error_set(PG_EINPUT, "no setting '%s' in perfgate.json", key);
		goto cleanup;
	}
	if (json_is_string(v)) {
		err = pg_buf_adds(out, json_string_value(v));
	} else if (!json_is_null(v)) {
		if (!(dumped = config_dumps(v, JSON_COMPACT)))
			err = pg_error_set(PG_ENOMEM, "out of memory");
		else
			err = pg_buf_adds(out, dumped);
	}

cleanup:
	free(dumped);
	json_decref(root);
	pg_buf_release(&path);
	return err;
}

/* ------------------------------------------------------------ the rule */

/* The length of `name` without a "-N" procs suffix, or 0 when it has
 * none. */
static size_t procs_stripped_len(const char *name)
{
	size_t len = strlen(name), i = len;

	while (i > 0 && isdigit((unsigned char)name[i - 1]))
		i--;
	if (i == len || i < 2 || name[i - 1] != '-')
		return 0;
	return i - 1;
}

static int glob_matches(const char *glob, const char *name, const char *stripped)
{
	return fnmatch(glob, name, 0) == 0 || (stripped && fnmatch(glob, stripped, 0) == 0);
}

/* `name` without its "-N" procs suffix (malloc'd), or NULL when it has
 * none; without memory, NULL too: only the full name is matched then. */
static char *procs_stripped(const char *name)
{
	size_t slen = procs_stripped_len(name);
	char *stripped;

	if (!slen || !(stripped = malloc(slen + 1)))
		return NULL;
	memcpy(stripped, name, slen);
	stripped[slen] = '\0';
	return stripped;
}

double pg_config_threshold_for(const pg_gate_config *cfg, const char *benchmark,
			       const char *unit)
{
	char *stripped = procs_stripped(benchmark);
	size_t i, k;
	double result = cfg->threshold_default;
	int found = 0, all_found = 0;
	double all = 0;
	for (i = 0; i < cfg->nbenchmark_thresholds && !found; i++) {
		const pg_config_glob *g = &cfg->benchmark_thresholds[i];

		if (!glob_matches(g->glob, benchmark, stripped))
			continue;
		if (g->has_all) {
			if (!all_found) {
				all_found = 1;
				all = g->all_percent;
			}
			continue;
		}
		for (k = 0; k < g->nunits; k++) {
			if (!strcmp(g->units[k].unit, unit)) {
				found = 1;
				result = g->units[k].percent;
				break;
			}
		}
	}
	free(stripped);
	if (found)
		return result;
	if (all_found)
		return all;
	for (i = 0; i < cfg->nmetric_thresholds; i++)
		if (!strcmp(cfg->metric_thresholds[i].unit, unit))
			return cfg->metric_thresholds[i].percent;
	return cfg->threshold_default;
}

pg_direction pg_config_direction_for(const pg_gate_config *cfg, const char *unit)
{
	size_t i;

	for (i = 0; i < cfg->ndirections; i++)
		if (!strcmp(cfg->directions[i].unit, unit))
			return cfg->directions[i].direction;
	return pg_unit_direction(unit);
}

void pg_config_rule(void *ctx, const char *benchmark, const char *unit, pg_row_rule *out)
{
	const pg_gate_config *cfg = ctx;

	out->threshold_percent = pg_config_threshold_for(cfg, benchmark, unit);
	out->direction = pg_config_direction_for(cfg, unit);
}

/* ------------------------------------------------------------ unmatched entries */

/* Is there a row with `unit` (NULL: any) whose benchmark `glob` (NULL:
 * any) matches? */
static int any_row(const char *glob, const char *unit, const char *const *benchmarks,
		   const char *const *units, size_t n)
{
	size_t i;
	int hit = 0;

	for (i = 0; i < n && !hit; i++) {
		char *stripped;

		if (unit && strcmp(units[i], unit))
			continue;
		if (!glob)
			return 1;
		stripped = procs_stripped(benchmarks[i]);
		hit = glob_matches(glob, benchmarks[i], stripped);
		free(stripped);
	}
	return hit;
}

/* An entry that pg_config_init() sets (instructions/op: 1, in every
 * starter file): not the user's doing, and most suites never report it. */
static int default_metric(const pg_gate_config *def, const pg_config_threshold *t)
{
	size_t i;

	for (i = 0; i < def->nmetric_thresholds; i++)
		if (!strcmp(def->metric_thresholds[i].unit, t->unit) &&
		    def->metric_thresholds[i].percent == t->percent)
			return 1;
	return 0;
}

int pg_config_unmatched(char ***out, size_t *nout, const pg_gate_config *cfg,
			const char *const *benchmarks, const char *const *units, size_t n)
{
	pg_gate_config def;
	pg_buf seen = PG_BUF_INIT;
	size_t i, k;
	int err;

	if ((err = pg_config_init(&def)) < 0 || !n)
		goto cleanup;
	/* the units of the rows, each once, for the messages */
	for (i = 0; i < n; i++) {
		for (k = 0; k < i && strcmp(units[k], units[i]); k++)
			;
		if (k == i)
			pg_buf_addf(&seen, "%s%s", seen.len ? ", " : "", units[i]);
	}
	if (pg_buf_failed(&seen)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < cfg->nmetric_thresholds; i++) {
		const pg_config_threshold *t = &cfg->metric_thresholds[i];

		if (!default_metric(&def, t) && !any_row(NULL, t->unit, benchmarks, units, n) &&
		    (err = pg_strv_pushf(out, nout, "'thresholds.metrics.%s' matches no unit of "
					 "the results (%s): it sets no threshold", t->unit,
					 seen.ptr)) < 0)
			goto cleanup;
	}
	for (i = 0; i < cfg->nbenchmark_thresholds; i++) {
		const pg_config_glob *g = &cfg->benchmark_thresholds[i];

		if (!any_row(g->glob, NULL, benchmarks, units, n)) {
			if ((err = pg_strv_pushf(out, nout, "'thresholds.benchmarks.%s' matches no "
						 "benchmark of the results: it sets no threshold",
						 g->glob)) < 0)
				goto cleanup;
			continue;
		}
		for (k = 0; k < g->nunits; k++)
			if (!any_row(g->glob, g->units[k].unit, benchmarks, units, n) &&
			    (err = pg_strv_pushf(out, nout, "'thresholds.benchmarks.%s.%s': no "
						 "benchmark that '%s' matches reports '%s': it sets no "
						 "threshold", g->glob, g->units[k].unit, g->glob,
						 g->units[k].unit)) < 0)
				goto cleanup;
	}
	for (i = 0; i < cfg->ndirections; i++)
		if (!any_row(NULL, cfg->directions[i].unit, benchmarks, units, n) &&
		    (err = pg_strv_pushf(out, nout, "'directions.%s' matches no unit of the results "
					 "(%s): it sets no direction", cfg->directions[i].unit,
					 seen.ptr)) < 0)
			goto cleanup;

cleanup:
	pg_config_release(&def);
	pg_buf_release(&seen);
	return err;
}
