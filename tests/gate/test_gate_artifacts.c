/*
 * The gate's local copy of the run's artifacts (gate/gate_artifacts.c):
 * the results as the gate uploads them (each run's configuration kept),
 * the reports rendered as --json/--markdown/--junit write
 * them, the profiles (nested folders kept) and the flame graphs under
 * their names in the run; what upload.results/reports/profiles select;
 * errors naming the file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/config.h"
#include "gate/gate_artifacts.h"
#include "report_fixture.h"

/* what `perfgate run -o` writes for two runs whose seed differs */
static const char results_txt[] =
	"goos: linux\n"
	"seed: 101\n"
	"BenchmarkHash 1000 41200 ns/op\n"
	"seed: 102\n"
	"BenchmarkHash 1000 41300 ns/op\n";

typedef struct tdir {
	char path[64];
	char dir[96];      /* the artifacts folder (not created yet) */
	char work[96];     /* the gate's temporary directory */
	char svg[128];     /* a flame graph in it */
} tdir;

static int setup(void **state)
{
	tdir *t = calloc(1, sizeof(*t));

	if (!t)
		return -1;
	snprintf(t->path, sizeof(t->path), "/tmp/pg-test-artifacts.XXXXXX");
	if (!mkdtemp(t->path)) {
		free(t);
		return -1;
	}
	snprintf(t->dir, sizeof(t->dir), "%s/out/ci", t->path);
	snprintf(t->work, sizeof(t->work), "%s/work", t->path);
	snprintf(t->svg, sizeof(t->svg), "%s/work/diff-1.svg", t->path);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tdir *t = *state;

	pg_remove_tree(t->path);
	free(t);
	return 0;
}

/* Write `text` to work/`name` (folders created). */
static void work_file(const tdir *t, const char *name, const char *text)
{
	char path[256], *slash;

	snprintf(path, sizeof(path), "%s/%s", t->work, name);
	slash = strrchr(path, '/');
	*slash = '\0';
	assert_int_equal(pg_mkdir_p(path, 0755), 0);
	*slash = '/';
	assert_int_equal(pg_file_write_atomic(path, text, strlen(text)), 0);
}

/* The content of dir/`name`, or NULL when there is no such file (the
 * caller frees). */
static char *out_file(const tdir *t, const char *name)
{
	pg_buf b = PG_BUF_INIT;
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", t->dir, name);
	if (pg_file_read(&b, path) < 0) {
		pg_buf_release(&b);
		return NULL;
	}
	return pg_buf_detach(&b, NULL);
}

static void expect_file(const tdir *t, const char *name, const char *want)
{
	char *got = out_file(t, name);

	assert_non_null(got);
	if (want)
		assert_string_equal(got, want);
	free(got);
}

static void expect_no_file(const tdir *t, const char *name)
{
	char *got = out_file(t, name);

	assert_null(got);
}

static void upload_all(pg_config_upload *up, const char *dir)
{
	memset(up, 0, sizeof(*up));
	up->results = up->reports = up->profiles = 1;
	up->artifacts_dir = (char *)dir;
}

static void make_work(const tdir *t)
{
	work_file(t, "profiles/Hash-fnv1a-64K.pb.gz", "profile of Hash");
	work_file(t, "profiles/run-2/Sort.pb.gz", "profile of Sort");
	work_file(t, "diff-1.svg", "<svg>Hash</svg>");
	work_file(t, "baseline/profiles/old.pb.gz", "the baseline's: not the run's");
}

/* The sample report, the gate's temporary directory, a candidate's
 * results file. */
static void start(fx *f, const tdir *t, pg_buf *cand)
{
	fx_sample(f);
	make_work(t);
	pg_buf_init(cand, 0);
	assert_int_equal(pg_buf_adds(cand, results_txt), 0);
}

/* The sample report rendered as the gate renders its final reports, in
 * txt[3] (released by the caller). */
static pg_gate_reports render(const fx *f, pg_buf txt[3])
{
	pg_gate_reports g = { &txt[0], &txt[1], &txt[2] };

	pg_buf_init(&txt[0], 0);
	pg_buf_init(&txt[1], 0);
	pg_buf_init(&txt[2], 0);
	assert_int_equal(pg_report_json_render(&txt[0], &f->report), 0);
	assert_int_equal(pg_report_markdown(&txt[1], &f->report), 0);
	assert_int_equal(pg_report_junit(&txt[2], &f->report), 0);
	return g;
}

static void release3(pg_buf txt[3])
{
	pg_buf_release(&txt[0]);
	pg_buf_release(&txt[1]);
	pg_buf_release(&txt[2]);
}

static void test_everything(void **state)
{
	tdir *t = *state;
	const char *svg_files[] = { t->svg, NULL };
	const char *svg_names[] = { "profiles/diff-Hash-fnv1a-64K.svg", NULL };
	pg_config_upload up;
	pg_buf cand, txt[3];
	pg_gate_reports g;
	fx f;

	start(&f, t, &cand);
	g = render(&f, txt);
	upload_all(&up, t->dir);
	/* the upload is off: the copy is written all the same */
	up.enabled = 0;

	assert_int_equal(pg_gate_artifacts_write(&up, &g, &cand, t->work, svg_files,
						 svg_names, 1), 0);
	/* as it is: the seed of each run before its results */
	expect_file(t, "results.txt", results_txt);
	expect_file(t, "report.json", txt[0].ptr);
	expect_file(t, "report.md", txt[1].ptr);
	expect_file(t, "report.xml", txt[2].ptr);
	expect_file(t, "profiles/Hash-fnv1a-64K.pb.gz", "profile of Hash");
	expect_file(t, "profiles/run-2/Sort.pb.gz", "profile of Sort");
	expect_file(t, "profiles/diff-Hash-fnv1a-64K.svg", "<svg>Hash</svg>");
	expect_no_file(t, "old.pb.gz");
	expect_no_file(t, "profiles/old.pb.gz");
	expect_no_file(t, "diff-1.svg");

	/* again: the same names are replaced */
	work_file(t, "profiles/Hash-fnv1a-64K.pb.gz", "a newer profile");
	assert_int_equal(pg_gate_artifacts_write(&up, &g, &cand, t->work, svg_files,
						 svg_names, 1), 0);
	expect_file(t, "profiles/Hash-fnv1a-64K.pb.gz", "a newer profile");

	pg_buf_release(&cand);
	release3(txt);
	fx_release(&f);
}

/* upload.results/reports/profiles choose, as for the store; no
 * candidate results, no temporary directory: nothing of theirs */
static void test_selection(void **state)
{
	tdir *t = *state;
	const char *svg_files[] = { t->svg, NULL };
	const char *svg_names[] = { "profiles/diff-Hash.svg", NULL };
	pg_config_upload up;
	pg_buf cand, txt[3];
	pg_gate_reports g;
	fx f;

	start(&f, t, &cand);
	g = render(&f, txt);
	upload_all(&up, t->dir);
	up.reports = 0;
	up.profiles = 0;
	assert_int_equal(pg_gate_artifacts_write(&up, &g, &cand, t->work, svg_files,
						 svg_names, 1), 0);
	expect_file(t, "results.txt", NULL);
	expect_no_file(t, "report.json");
	expect_no_file(t, "profiles/Hash-fnv1a-64K.pb.gz");
	expect_no_file(t, "profiles/diff-Hash.svg");
	pg_buf_release(&cand);
	assert_int_equal(pg_remove_tree(t->dir), 0);

	upload_all(&up, t->dir);
	up.results = 0;
	assert_int_equal(pg_gate_artifacts_write(&up, &g, NULL, NULL, NULL, NULL, 0), 0);
	expect_no_file(t, "results.txt");
	expect_file(t, "report.md", NULL);
	expect_no_file(t, "profiles/Hash-fnv1a-64K.pb.gz");

	/* no folder configured: nothing at all */
	assert_int_equal(pg_remove_tree(t->dir), 0);
	upload_all(&up, NULL);
	assert_int_equal(pg_gate_artifacts_write(&up, &g, NULL, t->work, svg_files,
						 svg_names, 1), 0);
	assert_int_equal(access(t->dir, F_OK), -1);
	release3(txt);
	fx_release(&f);
}

static void test_errors(void **state)
{
	tdir *t = *state;
	const char *svg_files[] = { "/nonexistent/diff-1.svg", NULL };
	const char *svg_names[] = { "profiles/diff-Hash.svg", NULL };
	char blocked[128], msg[256];
	pg_config_upload up;
	pg_buf txt[3];
	pg_gate_reports g;
	fx f;

	fx_sample(&f);
	g = render(&f, txt);
	/* the folder's place is taken by a file */
	snprintf(blocked, sizeof(blocked), "%s/file", t->path);
	assert_int_equal(pg_file_write_atomic(blocked, "x", 1), 0);
	snprintf(blocked, sizeof(blocked), "%s/file/ci", t->path);
	upload_all(&up, blocked);
	assert_int_equal(pg_gate_artifacts_write(&up, &g, NULL, NULL, NULL, NULL, 0),
			 PG_EINFRA);
	assert_non_null(strstr(pg_error_last(), "/file"));

	/* a flame graph that is gone: the error names it */
	upload_all(&up, t->dir);
	assert_true(pg_gate_artifacts_write(&up, &g, NULL, NULL, svg_files, svg_names,
					    1) < 0);
	snprintf(msg, sizeof(msg), "%s", pg_error_last());
	assert_non_null(strstr(msg, "'/nonexistent/diff-1.svg'"));
	/* ... after the reports were written */
	expect_file(t, "report.json", NULL);

	upload_all(&up, "");
	assert_int_equal(pg_gate_artifacts_write(&up, &g, NULL, NULL, NULL, NULL, 0),
			 PG_EINPUT);
	assert_string_equal(pg_error_last(), "the artifacts folder is an empty name");
	release3(txt);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_selection, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};

	return cmocka_run_group_tests_name("gate_artifacts", tests, NULL, NULL);
}
