#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/config.h"

static char dir[64];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/pg-config-test-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd);
}

/* Parse `json` over the defaults, as "perfgate.json". */
static int parse(pg_gate_config *cfg, const char *json)
{
	assert_int_equal(pg_config_init(cfg), 0);
	return pg_config_parse(cfg, "perfgate.json", json, strlen(json));
}

static void test_defaults(void **state)
{
	pg_gate_config c;

	(void)state;
	assert_int_equal(pg_config_init(&c), 0);
	assert_null(c.suite);
	assert_int_equal(c.nsuite, 0);
	assert_null(c.build);
	assert_int_equal(c.count, 10);
	assert_int_equal(c.warmup, 1);
	assert_null(c.cpus);
	assert_true(c.timeout == 600);
	assert_null(c.store);
	assert_null(c.project);
	assert_string_equal(c.baseline_branch, "main");
	assert_int_equal(c.max_walk, 50);
	assert_true(c.alpha == 0.05);
	assert_int_equal(c.test, PG_TEST_WELCH);
	assert_int_equal(c.correction, PG_CORRECTION_HOLM);
	assert_int_equal(c.threshold_on, PG_THRESHOLD_ON_ESTIMATE);
	assert_true(c.threshold_default == 5);
	/* instruction counts are exact: 1% by default */
	assert_int_equal(c.nmetric_thresholds, 1);
	assert_string_equal(c.metric_thresholds[0].unit, "instructions/op");
	assert_true(c.metric_thresholds[0].percent == 1);
	assert_true(pg_config_threshold_for(&c, "Hash", "instructions/op") == 1);
	assert_true(pg_config_threshold_for(&c, "Hash", "ns/op") == 5);
	assert_int_equal(c.nbenchmark_thresholds, 0);
	assert_int_equal(c.ndirections, 0);
	assert_int_equal(c.missing_baseline, PG_MISSING_BASELINE_PASS);
	assert_false(c.require_same_host);
	assert_false(c.require_quiet);
	assert_true(c.upload.enabled && c.upload.results && c.upload.reports &&
		    c.upload.profiles);
	assert_null(c.upload.artifacts_dir);
	assert_false(c.require_upload);
	assert_int_equal(c.quick.count, 3);
	assert_int_equal(c.quick.warmup, 0);
	assert_null(c.quick.args);
	assert_int_equal(c.quick.nargs, 0);
	assert_null(c.quick.store);
	assert_string_equal(c.quick.benchtime, "100ms");
	assert_false(c.quick.profile);
	assert_null(c.benchtime);
	assert_int_equal(c.measure.mode, PG_MEASURE_TIME);
	assert_int_equal(c.measure.iterations, 100);
	assert_false(c.measure.cache_sim);
	assert_null(c.measure.keep_env);
	assert_int_equal(c.measure.nkeep_env, 0);
	pg_config_release(&c);
	pg_config_release(&c); /* safe twice */
	pg_config_release(NULL);

	/* an empty object is all defaults */
	assert_int_equal(parse(&c, "{}"), 0);
	assert_int_equal(c.count, 10);
	assert_string_equal(c.baseline_branch, "main");
	pg_config_release(&c);
}

static const char full_json[] =
	"{\n"
	"  \"suite\": [\"build/bench\", \"-benchmem\"],\n"
	"  \"build\": \"make -j4 bench\",\n"
	"  \"count\": 20,\n"
	"  \"warmup\": 2,\n"
	"  \"cpus\": \"2-3\",\n"
	"  \"timeout\": 90.5,\n"
	"  \"store\": \"s3://bucket/perf\",\n"
	"  \"project\": \"textproc\",\n"
	"  \"baseline_branch\": \"trunk\",\n"
	"  \"max_walk\": 7,\n"
	"  \"alpha\": 0.01,\n"
	"  \"test\": \"utest\",\n"
	"  \"correction\": \"bh\",\n"
	"  \"threshold_on\": \"ci\",\n"
	"  \"thresholds\": {\n"
	"    \"default\": 7.5,\n"
	"    \"metrics\": {\"instructions/op\": 1, \"allocs/op\": 0.5},\n"
	"    \"benchmarks\": {\"Hash/*\": {\"ns/op\": 20}, \"Sort*\": 12}\n"
	"  },\n"
	"  \"directions\": {\"score\": \"higher\", \"MB/s\": \"lower\"},\n"
	"  \"missing_baseline\": \"fail\",\n"
	"  \"require_same_host\": true,\n"
	"  \"require_quiet\": true,\n"
	"  \"upload\": {\"enabled\": true, \"results\": false, \"reports\": true, "
	"\"profiles\": false, \"artifacts_dir\": \"ci/perf artifacts\"},\n"
	"  \"require_upload\": true,\n"
	"  \"quick\": {\"count\": 4, \"warmup\": 1, \"args\": [\"-benchtime\", \"100ms\"], "
	"\"store\": \".perfgate/quick\", \"benchtime\": null, \"profile\": true},\n"
	"  \"measure\": {\"mode\": \"callgrind\", \"iterations\": 250, \"cache_sim\": true, "
	"\"keep_env\": [\"LD_LIBRARY_PATH\", \"MY_DATA_2\"]}\n"
	"}\n";

static void check_full(const pg_gate_config *c)
{
	assert_int_equal(c->nsuite, 2);
	assert_string_equal(c->suite[0], "build/bench");
	assert_string_equal(c->suite[1], "-benchmem");
	assert_null(c->suite[2]);
	assert_string_equal(c->build, "make -j4 bench");
	assert_int_equal(c->count, 20);
	assert_int_equal(c->warmup, 2);
	assert_string_equal(c->cpus, "2-3");
	assert_true(c->timeout == 90.5);
	assert_string_equal(c->store, "s3://bucket/perf");
	assert_string_equal(c->project, "textproc");
	assert_string_equal(c->baseline_branch, "trunk");
	assert_int_equal(c->max_walk, 7);
	assert_true(c->alpha == 0.01);
	assert_int_equal(c->test, PG_TEST_UTEST);
	assert_int_equal(c->correction, PG_CORRECTION_BH);
	assert_int_equal(c->threshold_on, PG_THRESHOLD_ON_CI);
	assert_true(c->threshold_default == 7.5);
	assert_int_equal(c->nmetric_thresholds, 2);
	assert_string_equal(c->metric_thresholds[0].unit, "instructions/op");
	assert_true(c->metric_thresholds[0].percent == 1);
	assert_string_equal(c->metric_thresholds[1].unit, "allocs/op");
	assert_true(c->metric_thresholds[1].percent == 0.5);
	assert_int_equal(c->nbenchmark_thresholds, 2);
	assert_string_equal(c->benchmark_thresholds[0].glob, "Hash/*");
	assert_false(c->benchmark_thresholds[0].has_all);
	assert_int_equal(c->benchmark_thresholds[0].nunits, 1);
	assert_string_equal(c->benchmark_thresholds[0].units[0].unit, "ns/op");
	assert_true(c->benchmark_thresholds[0].units[0].percent == 20);
	assert_string_equal(c->benchmark_thresholds[1].glob, "Sort*");
	assert_true(c->benchmark_thresholds[1].has_all);
	assert_true(c->benchmark_thresholds[1].all_percent == 12);
	assert_int_equal(c->ndirections, 2);
	assert_string_equal(c->directions[0].unit, "score");
	assert_int_equal(c->directions[0].direction, PG_HIGHER_IS_BETTER);
	assert_string_equal(c->directions[1].unit, "MB/s");
	assert_int_equal(c->directions[1].direction, PG_LOWER_IS_BETTER);
	assert_int_equal(c->missing_baseline, PG_MISSING_BASELINE_FAIL);
	assert_true(c->require_same_host);
	assert_true(c->require_quiet);
	assert_true(c->upload.enabled);
	assert_false(c->upload.results);
	assert_true(c->upload.reports);
	assert_false(c->upload.profiles);
	assert_string_equal(c->upload.artifacts_dir, "ci/perf artifacts");
	assert_true(c->require_upload);
	assert_int_equal(c->quick.count, 4);
	assert_int_equal(c->quick.warmup, 1);
	assert_int_equal(c->quick.nargs, 2);
	assert_string_equal(c->quick.args[0], "-benchtime");
	assert_string_equal(c->quick.args[1], "100ms");
	assert_null(c->quick.args[2]);
	assert_string_equal(c->quick.store, ".perfgate/quick");
	assert_null(c->quick.benchtime);
	assert_true(c->quick.profile);
	assert_int_equal(c->measure.mode, PG_MEASURE_CALLGRIND);
	assert_int_equal(c->measure.iterations, 250);
	assert_true(c->measure.cache_sim);
	assert_int_equal(c->measure.nkeep_env, 2);
	assert_string_equal(c->measure.keep_env[0], "LD_LIBRARY_PATH");
	assert_string_equal(c->measure.keep_env[1], "MY_DATA_2");
	assert_null(c->measure.keep_env[2]);
}

static void test_full_file(void **state)
{
	pg_gate_config c, again;
	pg_buf json = PG_BUF_INIT, json2 = PG_BUF_INIT;
	char path[128];

	(void)state;
	/* from a file on disk */
	snprintf(path, sizeof(path), "%s/full.json", dir);
	assert_int_equal(pg_file_write_atomic(path, full_json, strlen(full_json)), 0);
	assert_int_equal(pg_config_init(&c), 0);
	assert_int_equal(pg_config_load(&c, path, 0), 0);
	check_full(&c);

	/* written out and read back: the same configuration, the same text */
	assert_int_equal(pg_config_to_json(&json, &c), 0);
	assert_int_equal(parse(&again, json.ptr), 0);
	check_full(&again);
	assert_int_equal(pg_config_to_json(&json2, &again), 0);
	assert_string_equal(json.ptr, json2.ptr);
	pg_config_release(&c);
	pg_config_release(&again);
	pg_buf_release(&json);
	pg_buf_release(&json2);
}

static void test_merge(void **state)
{
	static const char second[] =
		"{\"count\": 5, \"cpus\": null, \"suite\": [\"other\"],"
		" \"thresholds\": {\"metrics\": {\"allocs/op\": 3, \"B/op\": 4},"
		"                  \"benchmarks\": {\"Sort*\": {\"B/op\": 9}, \"New*\": 2}},"
		" \"directions\": {\"MB/s\": \"higher\"},"
		" \"upload\": {\"profiles\": true}, \"quick\": {\"args\": []}}";
	pg_gate_config c;

	(void)state;
	/* keys not in the file keep their defaults */
	assert_int_equal(parse(&c, "{\"count\": 3, \"upload\": {\"reports\": false}}"), 0);
	assert_int_equal(c.count, 3);
	assert_int_equal(c.warmup, 1);
	assert_false(c.upload.reports);
	assert_true(c.upload.results && c.upload.enabled && c.upload.profiles);
	pg_config_release(&c);

	/* a second file over the first: objects merge key by key, the rest
	 * is replaced */
	assert_int_equal(parse(&c, full_json), 0);
	assert_int_equal(pg_config_parse(&c, "second.json", second, strlen(second)), 0);
	assert_int_equal(c.count, 5);
	assert_int_equal(c.warmup, 2);
	assert_null(c.cpus);
	assert_int_equal(c.nsuite, 1);
	assert_string_equal(c.suite[0], "other");
	assert_int_equal(c.nmetric_thresholds, 3);
	assert_true(c.metric_thresholds[1].percent == 3); /* allocs/op replaced in place */
	assert_string_equal(c.metric_thresholds[2].unit, "B/op");
	assert_int_equal(c.nbenchmark_thresholds, 3);
	assert_string_equal(c.benchmark_thresholds[1].glob, "Sort*");
	assert_false(c.benchmark_thresholds[1].has_all);
	assert_int_equal(c.benchmark_thresholds[1].nunits, 1);
	assert_string_equal(c.benchmark_thresholds[2].glob, "New*");
	assert_int_equal(c.ndirections, 2);
	assert_int_equal(c.directions[1].direction, PG_HIGHER_IS_BETTER);
	assert_true(c.upload.profiles);
	assert_false(c.upload.results);
	assert_int_equal(c.quick.nargs, 0);
	assert_null(c.quick.args);
	/* measure merges key by key too */
	assert_int_equal(c.measure.mode, PG_MEASURE_CALLGRIND);
	{
		static const char third[] = "{\"measure\": {\"mode\": \"time\"}}";

		assert_int_equal(pg_config_parse(&c, "third.json", third, strlen(third)), 0);
	}
	assert_int_equal(c.measure.mode, PG_MEASURE_TIME);
	assert_int_equal(c.measure.iterations, 250);
	assert_int_equal(c.measure.nkeep_env, 2);
	pg_config_release(&c);
}

struct bad_case {
	const char *json;
	const char *message;
};

static void check_bad(const struct bad_case *cases, size_t n)
{
	pg_gate_config c;
	size_t i;

	for (i = 0; i < n; i++) {
		pg_error_clear();
		if (parse(&c, cases[i].json) != PG_EINPUT)
			fail_msg("accepted: %s", cases[i].json);
		if (strcmp(pg_error_last(), cases[i].message) != 0)
			fail_msg("for %s\n  got:      %s\n  expected: %s", cases[i].json,
				 pg_error_last(), cases[i].message);
		pg_config_release(&c);
	}
}

static void test_unknown_keys(void **state)
{
	static const struct bad_case cases[] = {
		{ "{\"thresolds\": {}}",
		  "perfgate.json: unknown key 'thresolds' (did you mean 'thresholds'?)" },
		{ "{\"count\": 3, \"zzz_frobnicate\": 1}",
		  "perfgate.json: unknown key 'zzz_frobnicate'" },
		{ "{\"baseline-branch\": \"main\"}",
		  "perfgate.json: unknown key 'baseline-branch' (did you mean 'baseline_branch'?)" },
		{ "{\"Count\": 3}",
		  "perfgate.json: unknown key 'Count' (did you mean 'count'?)" },
		{ "{\"cpu\": \"1\"}",
		  "perfgate.json: unknown key 'cpu' (did you mean 'cpus'?)" },
		{ "{\"missing\": \"pass\"}",
		  "perfgate.json: unknown key 'missing'" },
		{ "{\"thresholds\": {\"metric\": {}}}",
		  "perfgate.json: unknown key 'thresholds.metric' (did you mean "
		  "'thresholds.metrics'?)" },
		{ "{\"thresholds\": {\"benchmark\": {\"A\": 3}}}",
		  "perfgate.json: unknown key 'thresholds.benchmark' (did you mean "
		  "'thresholds.benchmarks'?)" },
		{ "{\"thresholds\": {\"ns/op\": 3}}",
		  "perfgate.json: unknown key 'thresholds.ns/op'" },
		{ "{\"upload\": {\"result\": false}}",
		  "perfgate.json: unknown key 'upload.result' (did you mean 'upload.results'?)" },
		{ "{\"quick\": {\"benchtim\": \"100ms\"}}",
		  "perfgate.json: unknown key 'quick.benchtim' (did you mean 'quick.benchtime'?)" },
		{ "{\"quick\": {\"arg\": []}}",
		  "perfgate.json: unknown key 'quick.arg' (did you mean 'quick.args'?)" },
		{ "{\"measure\": {\"iteration\": 5}}",
		  "perfgate.json: unknown key 'measure.iteration' (did you mean "
		  "'measure.iterations'?)" },
		{ "{\"measur\": {}}",
		  "perfgate.json: unknown key 'measur' (did you mean 'measure'?)" },
		/* a control character in a key does not break the line */
		{ "{\"co\\nunt\": 3}",
		  "perfgate.json: unknown key 'co?unt' (did you mean 'count'?)" },
	};

	(void)state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_wrong_types(void **state)
{
	static const struct bad_case cases[] = {
		{ "{\"count\": \"ten\"}",
		  "perfgate.json: 'count' must be a whole number from 1 to 1000000, not \"ten\"" },
		{ "{\"count\": 0}",
		  "perfgate.json: 'count' must be a whole number from 1 to 1000000, not 0" },
		{ "{\"count\": 2.5}",
		  "perfgate.json: 'count' must be a whole number from 1 to 1000000, not 2.5" },
		{ "{\"count\": 1000001}",
		  "perfgate.json: 'count' must be a whole number from 1 to 1000000, not 1000001" },
		{ "{\"count\": null}",
		  "perfgate.json: 'count' must be a whole number from 1 to 1000000, not null" },
		{ "{\"warmup\": -1}",
		  "perfgate.json: 'warmup' must be a whole number from 0 to 1000000, not -1" },
		{ "{\"max_walk\": true}",
		  "perfgate.json: 'max_walk' must be a whole number from 1 to 1000000, not true" },
		{ "{\"max_walk\": 0}",
		  "perfgate.json: 'max_walk' must be a whole number from 1 to 1000000, not 0" },
		{ "{\"timeout\": -5}",
		  "perfgate.json: 'timeout' must be a number of seconds from 0 (no limit) to "
		  "1000000000, not -5" },
		{ "{\"timeout\": \"10m\"}",
		  "perfgate.json: 'timeout' must be a number of seconds from 0 (no limit) to "
		  "1000000000, not \"10m\"" },
		{ "{\"alpha\": 1}",
		  "perfgate.json: 'alpha' must be a number between 0 and 1, not 1" },
		{ "{\"alpha\": \"0.05\"}",
		  "perfgate.json: 'alpha' must be a number between 0 and 1, not \"0.05\"" },
		{ "{\"suite\": \"build/bench -benchmem\"}",
		  "perfgate.json: 'suite' must be an array of strings, not "
		  "\"build/bench -benchmem\"" },
		{ "{\"suite\": [\"bench\", 3]}",
		  "perfgate.json: 'suite[1]' must be a string, not 3" },
		{ "{\"suite\": [\"\", \"-x\"]}",
		  "perfgate.json: 'suite[0]' must be a non-empty string (the command), not \"\"" },
		{ "{\"build\": [\"make\"]}",
		  "perfgate.json: 'build' must be a shell command (a string) or null, not [\"make\"]" },
		{ "{\"cpus\": 3}",
		  "perfgate.json: 'cpus' must be a CPU list such as \"2-3\", \"none\" or null, not 3" },
		{ "{\"cpus\": \"two\"}",
		  "perfgate.json: 'cpus' must be a CPU list such as \"2-3\", \"none\" or null, "
		  "not \"two\"" },
		{ "{\"cpus\": \"\"}",
		  "perfgate.json: 'cpus' must be a CPU list such as \"2-3\", \"none\" or null, "
		  "not \"\"" },
		{ "{\"store\": \"\"}",
		  "perfgate.json: 'store' must be a folder or URL (a string) or null, not \"\"" },
		{ "{\"project\": 42}",
		  "perfgate.json: 'project' must be a non-empty string or null, not 42" },
		{ "{\"baseline_branch\": null}",
		  "perfgate.json: 'baseline_branch' must be a branch name (a non-empty string), "
		  "not null" },
		{ "{\"baseline_branch\": \"\"}",
		  "perfgate.json: 'baseline_branch' must be a branch name (a non-empty string), "
		  "not \"\"" },
		{ "{\"baseline_branch\": \"a..b\"}",
		  "perfgate.json: 'baseline_branch' must be a valid git branch name, not \"a..b\"" },
		{ "{\"baseline_branch\": \"-main\"}",
		  "perfgate.json: 'baseline_branch' must be a valid git branch name, not \"-main\"" },
		{ "{\"require_quiet\": 1}",
		  "perfgate.json: 'require_quiet' must be true or false, not 1" },
		{ "{\"require_same_host\": \"yes\"}",
		  "perfgate.json: 'require_same_host' must be true or false, not \"yes\"" },
		{ "{\"require_upload\": null}",
		  "perfgate.json: 'require_upload' must be true or false, not null" },
		{ "{\"thresholds\": 5}",
		  "perfgate.json: 'thresholds' must be an object with \"default\", \"metrics\" and "
		  "\"benchmarks\", not 5" },
		{ "{\"thresholds\": {\"default\": 0}}",
		  "perfgate.json: 'thresholds.default' must be a percentage greater than 0, not 0" },
		{ "{\"thresholds\": {\"default\": \"5%\"}}",
		  "perfgate.json: 'thresholds.default' must be a percentage greater than 0, "
		  "not \"5%\"" },
		{ "{\"thresholds\": {\"metrics\": [1]}}",
		  "perfgate.json: 'thresholds.metrics' must be an object of percentages per unit, "
		  "not [1]" },
		{ "{\"thresholds\": {\"metrics\": {\"ns/op\": 3, \"B/op\": -1}}}",
		  "perfgate.json: 'thresholds.metrics.B/op' must be a percentage greater than 0, "
		  "not -1" },
		{ "{\"thresholds\": {\"metrics\": {\"\": 3}}}",
		  "perfgate.json: 'thresholds.metrics' has an empty key" },
		{ "{\"thresholds\": {\"benchmarks\": {\"Hash/*\": \"10\"}}}",
		  "perfgate.json: 'thresholds.benchmarks.Hash/*' must be a percentage greater than 0 "
		  "or an object of percentages per unit, not \"10\"" },
		{ "{\"thresholds\": {\"benchmarks\": {\"Hash/*\": -2}}}",
		  "perfgate.json: 'thresholds.benchmarks.Hash/*' must be a percentage greater than 0, "
		  "not -2" },
		{ "{\"thresholds\": {\"benchmarks\": {\"Hash/*\": {\"ns/op\": 0}}}}",
		  "perfgate.json: 'thresholds.benchmarks.Hash/*.ns/op' must be a percentage greater "
		  "than 0, not 0" },
		{ "{\"thresholds\": {\"benchmarks\": [\"Hash/*\"]}}",
		  "perfgate.json: 'thresholds.benchmarks' must be an object mapping benchmark globs "
		  "to thresholds, not [\"Hash/*\"]" },
		{ "{\"directions\": {\"MB/s\": \"up\"}}",
		  "perfgate.json: 'directions.MB/s' must be \"lower\" or \"higher\", not \"up\"" },
		{ "{\"directions\": [\"MB/s\"]}",
		  "perfgate.json: 'directions' must be an object mapping units to \"lower\" or "
		  "\"higher\", not [\"MB/s\"]" },
		{ "{\"upload\": true}",
		  "perfgate.json: 'upload' must be an object with \"enabled\", \"results\", "
		  "\"reports\", \"profiles\" and \"artifacts_dir\", not true" },
		{ "{\"upload\": {\"artifacts_dir\": \"\"}}",
		  "perfgate.json: 'upload.artifacts_dir' must be a folder (a non-empty string) or "
		  "null, not \"\"" },
		{ "{\"upload\": {\"artifacts_dir\": false}}",
		  "perfgate.json: 'upload.artifacts_dir' must be a folder (a non-empty string) or "
		  "null, not false" },
		{ "{\"upload\": {\"enabled\": \"false\"}}",
		  "perfgate.json: 'upload.enabled' must be true or false, not \"false\"" },
		{ "{\"quick\": {\"count\": 0}}",
		  "perfgate.json: 'quick.count' must be a whole number from 1 to 1000000, not 0" },
		{ "{\"quick\": {\"args\": \"-benchtime 100ms\"}}",
		  "perfgate.json: 'quick.args' must be an array of strings, not \"-benchtime 100ms\"" },
		{ "{\"quick\": {\"args\": [\"-benchtime\", null]}}",
		  "perfgate.json: 'quick.args[1]' must be a string, not null" },
		{ "{\"quick\": []}",
		  "perfgate.json: 'quick' must be an object with \"count\", \"warmup\", \"args\", "
		  "\"store\", \"benchtime\" and \"profile\", not []" },
		/* quick.benchtime by the harness's own rule: a suite never fails on it */
		{ "{\"quick\": {\"benchtime\": \"100 ms\"}}",
		  "perfgate.json: 'quick.benchtime' must be a -benchtime value such as \"100ms\", "
		  "\"1s\" or \"500x\", or null, not \"100 ms\"" },
		{ "{\"quick\": {\"benchtime\": \"\"}}",
		  "perfgate.json: 'quick.benchtime' must be a -benchtime value such as \"100ms\", "
		  "\"1s\" or \"500x\", or null, not \"\"" },
		{ "{\"quick\": {\"benchtime\": \"0x\"}}",
		  "perfgate.json: 'quick.benchtime' must be a -benchtime value such as \"100ms\", "
		  "\"1s\" or \"500x\", or null, not \"0x\"" },
		{ "{\"quick\": {\"benchtime\": 0.1}}",
		  "perfgate.json: 'quick.benchtime' must be a -benchtime value such as \"100ms\", "
		  "\"1s\" or \"500x\", or null, not 0.1" },
		{ "{\"quick\": {\"profile\": \"no\"}}",
		  "perfgate.json: 'quick.profile' must be true or false, not \"no\"" },
		{ "{\"measure\": \"callgrind\"}",
		  "perfgate.json: 'measure' must be an object with \"mode\", \"iterations\", "
		  "\"cache_sim\" and \"keep_env\", not \"callgrind\"" },
		{ "{\"measure\": {\"iterations\": 0}}",
		  "perfgate.json: 'measure.iterations' must be a whole number from 1 to 1000000, "
		  "not 0" },
		{ "{\"measure\": {\"cache_sim\": \"yes\"}}",
		  "perfgate.json: 'measure.cache_sim' must be true or false, not \"yes\"" },
		{ "{\"measure\": {\"keep_env\": \"HOME\"}}",
		  "perfgate.json: 'measure.keep_env' must be an array of strings, not \"HOME\"" },
		{ "{\"measure\": {\"keep_env\": [\"HOME\", \"A=B\"]}}",
		  "perfgate.json: 'measure.keep_env[1]' must be an environment variable name "
		  "(letters, digits and '_'), not \"A=B\"" },
		{ "{\"measure\": {\"keep_env\": [\"\"]}}",
		  "perfgate.json: 'measure.keep_env[0]' must be an environment variable name "
		  "(letters, digits and '_'), not \"\"" },
		{ "{\"measure\": {\"keep_env\": [\"9LIVES\"]}}",
		  "perfgate.json: 'measure.keep_env[0]' must be an environment variable name "
		  "(letters, digits and '_'), not \"9LIVES\"" },
		{ "{\"measure\": {\"keep_env\": [3]}}",
		  "perfgate.json: 'measure.keep_env[0]' must be an environment variable name "
		  "(letters, digits and '_'), not 3" },
		/* long values are shortened */
		{ "{\"project\": [\"aaaaaaaaaa\", \"bbbbbbbbbb\", \"cccccccccc\", \"dddddddddd\"]}",
		  "perfgate.json: 'project' must be a non-empty string or null, not "
		  "[\"aaaaaaaaaa\",\"bbbbbbbbbb\",\"cccccccccc\",\"dddd..." },
	};

	(void)state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_bad_enums(void **state)
{
	static const struct bad_case cases[] = {
		{ "{\"correction\": \"bonferroni\"}",
		  "perfgate.json: 'correction' must be \"holm\", \"bh\" or \"none\", "
		  "not \"bonferroni\"" },
		{ "{\"correction\": \"Holm\"}",
		  "perfgate.json: 'correction' must be \"holm\", \"bh\" or \"none\", not \"Holm\"" },
		{ "{\"threshold_on\": \"bound\"}",
		  "perfgate.json: 'threshold_on' must be \"estimate\" or \"ci\", not \"bound\"" },
		{ "{\"missing_baseline\": false}",
		  "perfgate.json: 'missing_baseline' must be \"pass\" or \"fail\", not false" },
		{ "{\"test\": \"ttest\"}",
		  "perfgate.json: 'test' must be \"welch\" or \"utest\", not \"ttest\"" },
		{ "{\"measure\": {\"mode\": \"perf\"}}",
		  "perfgate.json: 'measure.mode' must be \"time\", \"callgrind\" or \"auto\", not \"perf\"" },
	};
	pg_measure_mode m = PG_MEASURE_TIME;
	pg_correction corr = PG_CORRECTION_HOLM;
	pg_threshold_on on = PG_THRESHOLD_ON_ESTIMATE;
	pg_missing_baseline mb = PG_MISSING_BASELINE_PASS;
	pg_test_kind t = PG_TEST_WELCH;
	double pct = 0;

	(void)state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));

	/* the command line accepts the same spellings */
	assert_int_equal(pg_config_parse_correction(&corr, "--correction", "none"), 0);
	assert_int_equal(corr, PG_CORRECTION_NONE);
	assert_int_equal(pg_config_parse_correction(&corr, "--correction", "bh"), 0);
	assert_int_equal(corr, PG_CORRECTION_BH);
	assert_int_equal(pg_config_parse_correction(&corr, "--correction", "bonferroni"),
			 PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "--correction must be holm, bh or none, not 'bonferroni'");
	assert_int_equal(corr, PG_CORRECTION_BH);
	assert_int_equal(pg_config_parse_threshold_on(&on, "--threshold-on", "ci"), 0);
	assert_int_equal(on, PG_THRESHOLD_ON_CI);
	assert_int_equal(pg_config_parse_threshold_on(&on, "--threshold-on", "x"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "--threshold-on must be estimate or ci, not 'x'");
	assert_int_equal(pg_config_parse_missing_baseline(&mb, "--missing-baseline", "fail"), 0);
	assert_int_equal(mb, PG_MISSING_BASELINE_FAIL);
	assert_int_equal(pg_config_parse_missing_baseline(&mb, "--missing-baseline", ""),
			 PG_EINPUT);
	assert_string_equal(pg_error_last(), "--missing-baseline must be pass or fail, not ''");
	assert_int_equal(pg_config_parse_test(&t, "--test", "utest"), 0);
	assert_int_equal(t, PG_TEST_UTEST);
	assert_int_equal(pg_config_parse_measure(&m, "--measure", "callgrind"), 0);
	assert_int_equal(m, PG_MEASURE_CALLGRIND);
	assert_int_equal(pg_config_parse_measure(&m, "--measure", "cachegrind"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "--measure must be time, callgrind or auto, not 'cachegrind'");
	assert_int_equal(m, PG_MEASURE_CALLGRIND);
	assert_string_equal(pg_config_measure_name(PG_MEASURE_TIME), "time");
	assert_string_equal(pg_config_measure_name(PG_MEASURE_CALLGRIND), "callgrind");
	assert_int_equal(pg_config_parse_measure(&m, "--measure", "auto"), 0);
	assert_int_equal(m, PG_MEASURE_AUTO);
	assert_string_equal(pg_config_measure_name(PG_MEASURE_AUTO), "auto");

	/* names round-trip through the parsers */
	assert_string_equal(pg_config_correction_name(PG_CORRECTION_HOLM), "holm");
	assert_string_equal(pg_config_threshold_on_name(PG_THRESHOLD_ON_CI), "ci");
	assert_string_equal(pg_config_missing_baseline_name(PG_MISSING_BASELINE_PASS), "pass");
	assert_string_equal(pg_config_test_name(PG_TEST_WELCH), "welch");
	assert_string_equal(pg_config_direction_name(PG_HIGHER_IS_BETTER), "higher");

	/* --threshold */
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", "2.5"), 0);
	assert_true(pct == 2.5);
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", "10%"), 0);
	assert_true(pct == 10);
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", "0"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "--threshold must be a percentage greater than 0 "
			    "(e.g. 5 or 2.5%), not '0'");
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", "5%%"), PG_EINPUT);
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", "inf"), PG_EINPUT);
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", "nan"), PG_EINPUT);
	assert_int_equal(pg_config_parse_threshold(&pct, "--threshold", ""), PG_EINPUT);
	assert_true(pct == 10);
}

/* --baseline-branch is checked as the file's key is, when it is set (the
 * gate and refresh set it before anything runs): an empty name is no
 * more a default than in the file */
static void test_baseline_branch_setter(void **state)
{
	pg_gate_config c;

	(void)state;
	assert_int_equal(pg_config_init(&c), 0);
	assert_int_equal(pg_config_set_baseline_branch(&c, "--baseline-branch", "release/1.2"), 0);
	assert_string_equal(c.baseline_branch, "release/1.2");
	assert_int_equal(pg_config_set_baseline_branch(&c, "--baseline-branch", "refs/heads/dev"),
			 0);
	assert_string_equal(c.baseline_branch, "refs/heads/dev");
	assert_int_equal(pg_config_set_baseline_branch(&c, "--baseline-branch", ""), PG_EINPUT);
	assert_string_equal(pg_error_last(), "--baseline-branch must be a valid git branch name, "
			    "not ''");
	assert_int_equal(pg_config_set_baseline_branch(&c, "--baseline-branch", "a..b"), PG_EINPUT);
	assert_string_equal(pg_error_last(), "--baseline-branch must be a valid git branch name, "
			    "not 'a..b'");
	assert_int_equal(pg_config_set_baseline_branch(&c, "--baseline-branch", "x.lock"),
			 PG_EINPUT);
	assert_string_equal(c.baseline_branch, "refs/heads/dev");
	pg_config_release(&c);
}

static void test_syntax_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "{\n  \"count\": 10,\n  \"warmup\": }\n",
		  "perfgate.json:3:13: unexpected token near '}'" },
		{ "{\n  \"alpha\": 0.05\n  \"count\": 3\n}\n",
		  "perfgate.json:3:9: '}' expected near '\"count\"'" },
		{ "{\n  \"count\": 10,\n}\n",
		  "perfgate.json:3:1: string or '}' expected near '}'" },
		{ "{\"count\": 1, \"count\": 2}",
		  "perfgate.json:1:20: duplicate object key near '\"count\"'" },
		{ "{} trailing",
		  "perfgate.json:1:11: end of file expected near 'trailing'" },
		{ "",
		  "perfgate.json: the file is empty (a configuration is a JSON object: {} for the "
		  "defaults)" },
		{ " \n\t\n",
		  "perfgate.json: the file is empty (a configuration is a JSON object: {} for the "
		  "defaults)" },
		{ "[\"suite\"]",
		  "perfgate.json: the configuration must be a JSON object ({...}), not an array" },
	};

	(void)state;
	check_bad(cases, sizeof(cases) / sizeof(cases[0]));
}

static void test_missing_file(void **state)
{
	pg_gate_config c;
	char path[128], expected[256];

	(void)state;
	snprintf(path, sizeof(path), "%s/absent.json", dir);
	assert_int_equal(pg_config_init(&c), 0);

	/* named explicitly: an error */
	assert_int_equal(pg_config_load(&c, path, 0), PG_EINPUT);
	snprintf(expected, sizeof(expected), "cannot open '%s': No such file or directory", path);
	assert_string_equal(pg_error_last(), expected);

	/* the default path may be absent: no message, nothing changed */
	pg_error_clear();
	assert_int_equal(pg_config_load(&c, path, PG_CONFIG_OPTIONAL), PG_ENOTFOUND);
	assert_string_equal(pg_error_last(), "");
	assert_int_equal(c.count, 10);

	/* a present file is read either way, and its errors are errors */
	snprintf(path, sizeof(path), "%s/perfgate.json", dir);
	assert_int_equal(pg_file_write_atomic(path, "{\"count\": 4}", 12), 0);
	assert_int_equal(pg_config_load(&c, path, PG_CONFIG_OPTIONAL), 0);
	assert_int_equal(c.count, 4);
	assert_int_equal(pg_file_write_atomic(path, "{\"count\": 0}", 12), 0);
	assert_int_equal(pg_config_load(&c, path, PG_CONFIG_OPTIONAL), PG_EINPUT);
	snprintf(expected, sizeof(expected),
		 "%s: 'count' must be a whole number from 1 to 1000000, not 0", path);
	assert_string_equal(pg_error_last(), expected);

	/* a directory is not a configuration */
	assert_int_equal(pg_config_load(&c, dir, PG_CONFIG_OPTIONAL), PG_EINPUT);
	pg_config_release(&c);
}

static double thr(const pg_gate_config *c, const char *bench, const char *unit)
{
	pg_row_rule r;

	r.threshold_percent = -1;
	pg_config_rule((void *)c, bench, unit, &r);
	return r.threshold_percent;
}

static void test_threshold_precedence(void **state)
{
	static const char json[] =
		"{\"thresholds\": {\n"
		"  \"default\": 5,\n"
		"  \"metrics\": {\"instructions/op\": 1, \"B/op\": 2},\n"
		"  \"benchmarks\": {\n"
		"    \"Hash/*\": 30,\n"                      /* all units */
		"    \"Hash/fnv*\": {\"ns/op\": 20},\n"      /* a later, per-unit entry wins */
		"    \"Hash/fnv1a-64K\": {\"ns/op\": 25, \"B/op\": 9},\n"
		"    \"Sort\": {\"ns/op\": 8},\n"
		"    \"Sort*\": {\"ns/op\": 11},\n"
		"    \"*\": {\"allocs/op\": 4},\n"
		"    \"Tok?nize\": 13,\n"
		"    \"Tokenize\": 14,\n"
		"    \"Json/[ab]*\": 15\n"
		"  }}}";
	pg_gate_config c;

	(void)state;
	assert_int_equal(parse(&c, json), 0);
	/* 1. the first matching glob with the unit, in file order */
	assert_true(thr(&c, "Hash/fnv1a-64K", "ns/op") == 20);
	assert_true(thr(&c, "Hash/fnv1a-64K", "B/op") == 9);
	/* 2. else the first matching glob for all units (before any metric) */
	assert_true(thr(&c, "Hash/fnv1a-64K", "instructions/op") == 30);
	assert_true(thr(&c, "Hash/crc32", "ns/op") == 30);
	/* ... even when a per-unit glob for other units matches first */
	assert_true(thr(&c, "Hash/fnv1a-64K", "MB/s") == 30);
	/* 3. else the metric */
	assert_true(thr(&c, "Sort/n=100", "instructions/op") == 1);
	assert_true(thr(&c, "Sort/n=100", "B/op") == 2);
	/* 4. else the default */
	assert_true(thr(&c, "Sort/n=100", "MB/s") == 5);
	assert_true(thr(&c, "Matrix", "ns/op") == 5);
	/* `*` matches `/`; globs match whole names */
	assert_true(thr(&c, "Sort/n=100", "ns/op") == 11);
	assert_true(thr(&c, "Sort", "ns/op") == 8);
	assert_true(thr(&c, "Matrix/64x64", "allocs/op") == 4);
	/* the -N procs suffix: matched with and without it */
	assert_true(thr(&c, "Sort-2", "ns/op") == 8);
	assert_true(thr(&c, "Tokenize-16", "ns/op") == 13);
	assert_true(thr(&c, "Tokenize", "ns/op") == 13);
	assert_true(thr(&c, "Tokanize-4", "ns/op") == 13);
	/* a "-digits" part that is the whole name is not a suffix */
	assert_true(thr(&c, "-2", "ns/op") == 5);
	/* bracket expressions */
	assert_true(thr(&c, "Json/big", "ns/op") == 15);
	assert_true(thr(&c, "Json/small", "ns/op") == 5);
	/* thresholds.default moves the default */
	c.threshold_default = 3;
	assert_true(thr(&c, "Matrix", "ns/op") == 3);
	assert_true(pg_config_threshold_for(&c, "Matrix", "B/op") == 2);
	pg_config_release(&c);

	/* no configuration: the defaults */
	assert_int_equal(parse(&c, "{\"thresholds\": {\"default\": 0.5}}"), 0);
	assert_true(thr(&c, "Anything/at-all-8", "ns/op") == 0.5);
	pg_config_release(&c);
}

static void test_directions(void **state)
{
	pg_gate_config c;
	pg_row_rule r;

	(void)state;
	assert_int_equal(parse(&c, "{\"directions\": {\"score\": \"higher\", "
				   "\"items/s\": \"lower\"}}"), 0);
	assert_int_equal(pg_config_direction_for(&c, "score"), PG_HIGHER_IS_BETTER);
	assert_int_equal(pg_config_direction_for(&c, "items/s"), PG_LOWER_IS_BETTER);
	/* the rest: pg_unit_direction() */
	assert_int_equal(pg_config_direction_for(&c, "ns/op"), pg_unit_direction("ns/op"));
	assert_int_equal(pg_config_direction_for(&c, "MB/s"), PG_HIGHER_IS_BETTER);
	assert_int_equal(pg_config_direction_for(&c, "ns/op"), PG_LOWER_IS_BETTER);
	assert_int_equal(pg_config_direction_for(&c, "B/op"), PG_LOWER_IS_BETTER);
	r.direction = PG_LOWER_IS_BETTER;
	pg_config_rule(&c, "Hash/fnv1a-64K", "score", &r);
	assert_int_equal(r.direction, PG_HIGHER_IS_BETTER);
	assert_true(r.threshold_percent == 5);
	pg_config_release(&c);
}

/* Entries that apply to no row are named, one message each; the built-in
 * instructions/op threshold is not the user's doing (every starter file
 * has it) unless its value changed. */
static void test_unmatched_entries(void **state)
{
	static const char *const names[] = { "Hash", "Hash", "Sort/n=100-2" };
	static const char *const units[] = { "ns/op", "B/op", "ns/op" };
	pg_gate_config c;
	char **w = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(parse(&c, "{\"thresholds\": {\"metrics\": {\"sec/op\": 3, "
				   "\"ns/op\": 2, \"instructions/op\": 1}, \"benchmarks\": "
				   "{\"Hsah\": 10, \"Hash\": {\"sec/op\": 4, \"ns/op\": 8}, "
				   "\"Sort/n=100\": 7}}, \"directions\": {\"score\": \"higher\", "
				   "\"B/op\": \"lower\"}}"), 0);
	assert_int_equal(pg_config_unmatched(&w, &n, &c, names, units, 3), 0);
	assert_int_equal(n, 4);
	assert_string_equal(w[0], "'thresholds.metrics.sec/op' matches no unit of the results "
			    "(ns/op, B/op): it sets no threshold");
	assert_string_equal(w[1], "'thresholds.benchmarks.Hsah' matches no benchmark of the "
			    "results: it sets no threshold");
	assert_string_equal(w[2], "'thresholds.benchmarks.Hash.sec/op': no benchmark that "
			    "'Hash' matches reports 'sec/op': it sets no threshold");
	assert_string_equal(w[3], "'directions.score' matches no unit of the results "
			    "(ns/op, B/op): it sets no direction");
	assert_null(w[4]);
	pg_free_strv(w);
	w = NULL;
	n = 0;
	/* no rows: nothing to say */
	assert_int_equal(pg_config_unmatched(&w, &n, &c, names, units, 0), 0);
	assert_int_equal(n, 0);
	pg_config_release(&c);

	/* a changed instructions/op threshold is the user's */
	assert_int_equal(parse(&c, "{\"thresholds\": {\"metrics\": {\"instructions/op\": 2}}}"),
			 0);
	assert_int_equal(pg_config_unmatched(&w, &n, &c, names, units, 3), 0);
	assert_int_equal(n, 1);
	assert_string_equal(w[0], "'thresholds.metrics.instructions/op' matches no unit of the "
			    "results (ns/op, B/op): it sets no threshold");
	pg_free_strv(w);
	pg_config_release(&c);

	/* the defaults say nothing */
	w = NULL;
	n = 0;
	assert_int_equal(pg_config_init(&c), 0);
	assert_int_equal(pg_config_unmatched(&w, &n, &c, names, units, 3), 0);
	assert_int_equal(n, 0);
	pg_config_release(&c);
}

/* --quick: the counts, the arguments, the store, a shorter default
 * -benchtime for the suite and no profiled run, unless the file says
 * otherwise */
static void test_apply_quick(void **state)
{
	static char *suite[] = { "./bench", "-benchmem" };
	pg_gate_config c;

	(void)state;
	assert_int_equal(parse(&c, "{\"store\": \"s3://b/p\", \"profile\": {\"mode\": \"harness\"}, "
				   "\"quick\": {\"args\": [\"-bench\", \"Hash\"]}}"), 0);
	assert_int_equal(pg_config_set_suite(&c, suite, 2), 0);
	assert_int_equal(pg_config_apply_quick(&c), 0);
	assert_int_equal(c.count, 3);
	assert_int_equal(c.warmup, 0);
	assert_int_equal(c.nsuite, 4);
	assert_string_equal(c.suite[2], "-bench");
	assert_null(c.suite[4]);
	assert_null(c.store);
	assert_string_equal(c.benchtime, "100ms");
	assert_int_equal(c.profile.mode, PG_PROFILE_OFF);
	pg_config_release(&c);

	/* null: the suite's own benchtime; quick.profile: the profiled run */
	assert_int_equal(parse(&c, "{\"profile\": {\"mode\": \"perf\"}, \"quick\": "
				   "{\"benchtime\": null, \"profile\": true, \"count\": 2}}"), 0);
	assert_int_equal(pg_config_apply_quick(&c), 0);
	assert_int_equal(c.count, 2);
	assert_null(c.benchtime);
	assert_int_equal(c.profile.mode, PG_PROFILE_PERF_ON);
	pg_config_release(&c);

	/* without --quick nothing of it applies */
	assert_int_equal(parse(&c, "{}"), 0);
	assert_null(c.benchtime);
	assert_int_equal(c.profile.mode, PG_PROFILE_AUTO);
	pg_config_release(&c);
}

static void test_starter_round_trip(void **state)
{
	static char *suite[] = { "build/examples/example-suite", "-benchtime", "100ms" };
	pg_gate_config defaults, loaded;
	pg_buf starter = PG_BUF_INIT, again = PG_BUF_INIT, want = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_config_starter(&starter, NULL, 0), 0);
	/* stable and complete: every key, in order, at its default */
	assert_non_null(strstr(starter.ptr, "{\n  \"suite\": [],\n  \"build\": null,\n"
			       "  \"count\": 10,\n  \"warmup\": 1,\n  \"cpus\": null,\n"
			       "  \"timeout\": 600,\n  \"store\": null,\n  \"project\": null,\n"
			       "  \"baseline_branch\": \"main\",\n  \"max_walk\": 50,\n"
			       "  \"alpha\": 0.05,\n  \"test\": \"welch\",\n"
			       "  \"correction\": \"holm\",\n  \"threshold_on\": \"estimate\",\n"
			       "  \"thresholds\": {\n    \"default\": 5,\n    \"metrics\": {\n"
			       "      \"instructions/op\": 1\n    },\n"
			       "    \"benchmarks\": {}\n  },\n  \"directions\": {},\n"
			       "  \"missing_baseline\": \"pass\",\n"
			       "  \"require_same_host\": false,\n  \"require_quiet\": false,\n"
			       "  \"upload\": {\n    \"enabled\": true,\n    \"results\": true,\n"
			       "    \"reports\": true,\n    \"profiles\": true,\n"
			       "    \"artifacts_dir\": null\n  },\n"
			       "  \"require_upload\": false,\n  \"quick\": {\n    \"count\": 3,\n"
			       "    \"warmup\": 0,\n    \"args\": [],\n    \"store\": null,\n"
			       "    \"benchtime\": \"100ms\",\n    \"profile\": false\n  },\n"
			       "  \"profile\": {\n    \"mode\": \"auto\",\n    \"runs\": 1,\n"
			       "    \"rate\": 100\n  },\n  \"measure\": {\n    \"mode\": \"time\",\n"
			       "    \"iterations\": 100,\n    \"cache_sim\": false,\n"
			       "    \"keep_env\": []\n  }\n}\n"));
	assert_true(starter.ptr == strstr(starter.ptr, "{\n  \"suite\""));

	/* it loads back, unchanged, to the defaults */
	assert_int_equal(pg_config_init(&defaults), 0);
	assert_int_equal(pg_config_to_json(&want, &defaults), 0);
	assert_string_equal(starter.ptr, want.ptr);
	assert_int_equal(parse(&loaded, starter.ptr), 0);
	assert_int_equal(pg_config_to_json(&again, &loaded), 0);
	assert_string_equal(again.ptr, starter.ptr);
	assert_int_equal(loaded.count, 10);
	assert_null(loaded.suite);
	assert_string_equal(loaded.baseline_branch, "main");
	pg_config_release(&loaded);
	pg_config_release(&defaults);

	/* with a suite */
	pg_buf_reset(&starter);
	assert_int_equal(pg_config_starter(&starter, suite, 3), 0);
	assert_non_null(strstr(starter.ptr, "  \"suite\": [\n    \"build/examples/example-suite\",\n"
			       "    \"-benchtime\",\n    \"100ms\"\n  ],\n"));
	assert_int_equal(parse(&loaded, starter.ptr), 0);
	assert_int_equal(loaded.nsuite, 3);
	assert_string_equal(loaded.suite[2], "100ms");
	pg_config_release(&loaded);

	/* a string JSON cannot hold */
	{
		static char *bad[] = { "bench\xff" };

		pg_buf_reset(&starter);
		assert_int_equal(pg_config_starter(&starter, bad, 1), PG_EINPUT);
		assert_string_equal(pg_error_last(), "'suite' holds a string that is not valid UTF-8");
	}
	pg_buf_release(&starter);
	pg_buf_release(&again);
	pg_buf_release(&want);
}

/* One setting by its dotted key, as `perfgate hook config` prints it. */
static void test_value(void **state)
{
	static const struct {
		const char *key, *want;
	} ok[] = {
		{ "build", "make -C bench \"all\"" },
		{ "quick.store", ".perfgate/quick" },
		{ "store", "" },               /* null: nothing */
		{ "count", "10" },
		{ "require_upload", "true" },
		{ "quick.args", "[\"-benchtime\",\"100ms\"]" },
		{ "thresholds.default", "5" },
		{ "upload.artifacts_dir", "" },
		{ "alpha", "0.05" },           /* as perfgate.json holds it */
		{ "timeout", "600" },
	};
	static const char *const bad[] = { "bogus", "quick.bogus", "count.x", "", "quick.",
					   ".quick", "build.x" };
	pg_gate_config c;
	pg_buf v = PG_BUF_INIT;
	char want[128];
	size_t i;

	(void)state;
	assert_int_equal(parse(&c, "{\"build\": \"make -C bench \\\"all\\\"\", "
			       "\"require_upload\": true, \"quick\": {\"args\": [\"-benchtime\", "
			       "\"100ms\"], \"store\": \".perfgate/quick\"}}"), 0);
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		pg_buf_reset(&v);
		assert_int_equal(pg_config_value(&v, &c, ok[i].key), 0);
		assert_string_equal(v.ptr, ok[i].want);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		pg_buf_reset(&v);
		assert_int_equal(pg_config_value(&v, &c, bad[i]), PG_EINPUT);
		snprintf(want, sizeof(want), "no setting '%s' in perfgate.json", bad[i]);
		assert_string_equal(pg_error_last(), want);
		assert_int_equal(v.len, 0);
	}
	pg_buf_release(&v);
	pg_config_release(&c);
}

static void test_setters_and_quick(void **state)
{
	static char *argv[] = { "./bench", "-benchmem" };
	pg_gate_config c;

	(void)state;
	assert_int_equal(parse(&c, "{\"suite\": [\"old\"], \"store\": \"s3://b/p\", "
				   "\"quick\": {\"count\": 2, \"args\": [\"-benchtime\", \"100ms\"]}}"),
			 0);
	assert_int_equal(pg_config_set_suite(&c, argv, 2), 0);
	assert_int_equal(c.nsuite, 2);
	assert_string_equal(c.suite[0], "./bench");
	assert_null(c.suite[2]);
	assert_int_equal(pg_config_set_string(&c.project, "demo"), 0);
	assert_string_equal(c.project, "demo");
	assert_int_equal(pg_config_set_string(&c.project, NULL), 0);
	assert_null(c.project);

	assert_int_equal(pg_config_apply_quick(&c), 0);
	assert_int_equal(c.count, 2);
	assert_int_equal(c.warmup, 0);
	assert_int_equal(c.nsuite, 4);
	assert_string_equal(c.suite[0], "./bench");
	assert_string_equal(c.suite[1], "-benchmem");
	assert_string_equal(c.suite[2], "-benchtime");
	assert_string_equal(c.suite[3], "100ms");
	assert_null(c.suite[4]);
	assert_null(c.store); /* the local default store */
	pg_config_release(&c);

	/* no quick args: the suite is left alone; an empty suite stays empty */
	assert_int_equal(parse(&c, "{\"quick\": {\"store\": \"/tmp/q\"}}"), 0);
	assert_int_equal(pg_config_apply_quick(&c), 0);
	assert_int_equal(c.nsuite, 0);
	assert_null(c.suite);
	assert_string_equal(c.store, "/tmp/q");
	assert_int_equal(c.count, 3);
	assert_int_equal(pg_config_set_suite(&c, NULL, 0), 0);
	assert_null(c.suite);
	pg_config_release(&c);
}

static void test_default_path(void **state)
{
	pg_buf path = PG_BUF_INIT;
	char cwd[4096], expected[4200];

	(void)state;
	/* outside a repository: the current directory */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(pg_config_default_path(&path), 0);
	snprintf(expected, sizeof(expected), "%s/perfgate.json", dir);
	assert_string_equal(path.ptr, expected);
	assert_int_equal(chdir(cwd), 0);
	pg_buf_release(&path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_full_file),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_unknown_keys),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bad_enums),
		cmocka_unit_test(test_baseline_branch_setter),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_threshold_precedence),
		cmocka_unit_test(test_directions),
		cmocka_unit_test(test_unmatched_entries),
		cmocka_unit_test(test_apply_quick),
		cmocka_unit_test(test_starter_round_trip),
		cmocka_unit_test(test_value),
		cmocka_unit_test(test_setters_and_quick),
		cmocka_unit_test(test_default_path),
	};

	return cmocka_run_group_tests_name("config", tests, setup, teardown);
}
