/*
 * CPU profiles, the output side (bench-runner/harness/profile_write.c):
 * the file-name rule, the directory, the pprof encoding decoded again with
 * the protobuf-c code generated from bench-runner/profile.proto (sample
 * types, labels, string_table[0] == "", comments, locations), libdw's
 * symbolization of this test's own functions (names, file:line, the
 * executable's mapping and build-id, -trimpath), and the gzipped file.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <cmocka.h>
#include <zlib.h>

#include "profile.pb-c.h"

#include "bench-runner/harness/internal.h"

/* ------------------------------------------------------------ helpers */

static const pg_bench_profile_meta test_meta = {
	"manual", "manual: samples recorded by the test", "each sample weighs what the test says",
	"a note", 250, 4000000,
};

static Perftools__Profiles__Profile *decode(const uint8_t *buf, size_t len)
{
	Perftools__Profiles__Profile *d = perftools__profiles__profile__unpack(NULL, len, buf);

	assert_non_null(d);
	return d;
}

static const char *str(const Perftools__Profiles__Profile *d, int64_t i)
{
	assert_true(i >= 0 && (size_t)i < d->n_string_table);
	return d->string_table[i];
}

/* The comment containing `needle`, or NULL. */
static const char *comment_with(const Perftools__Profiles__Profile *d, const char *needle)
{
	size_t i;

	for (i = 0; i < d->n_comment; i++)
		if (strstr(str(d, d->comment[i]), needle))
			return str(d, d->comment[i]);
	return NULL;
}

static const Perftools__Profiles__Location *location(const Perftools__Profiles__Profile *d,
						     uint64_t id)
{
	assert_true(id >= 1 && id <= d->n_location);
	assert_int_equal(d->location[id - 1]->id, id);
	return d->location[id - 1];
}

static const Perftools__Profiles__Function *function(const Perftools__Profiles__Profile *d,
						     uint64_t id)
{
	assert_true(id >= 1 && id <= d->n_function);
	assert_int_equal(d->function[id - 1]->id, id);
	return d->function[id - 1];
}

static int ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* ------------------------------------------------------------ file names */

static void check_name(const char *bench, const char *want)
{
	pg_bench_sb sb = PG_BENCH_SB_INIT;

	pg_bench_profile_file_name(&sb, bench);
	assert_false(sb.failed);
	assert_string_equal(pg_bench_sb_str(&sb), want);
	pg_bench_sb_release(&sb);
}

static void test_file_names(void **state)
{
	char longname[320], other[320];
	pg_bench_sb a = PG_BENCH_SB_INIT, b = PG_BENCH_SB_INIT;

	(void)state;
	check_name("BenchmarkHash/fnv1a-64K", "Hash-fnv1a-64K.pb.gz");
	check_name("BenchmarkSort/n=100", "Sort-n=100.pb.gz");
	check_name("BenchmarkSort/n=100#01", "Sort-n=100_01.pb.gz");
	check_name("BenchmarkA/b/c", "A-b-c.pb.gz");
	check_name("BenchmarkMap/size=1,k=2", "Map-size=1,k=2.pb.gz");
	check_name("BenchmarkX/a+b*c?d:e\\f\"g'h", "X-a_b_c_d_e_f_g_h.pb.gz");
	check_name("BenchmarkX/\xc3\xbc", "X-__.pb.gz"); /* UTF-8 bytes */
	check_name("BenchmarkX/\\x01", "X-_x01.pb.gz");
	check_name("Benchmark.hidden", "_hidden.pb.gz");
	check_name("Benchmark..", "_..pb.gz");
	check_name("Benchmark", "Benchmark.pb.gz"); /* nothing after the prefix: kept */
	check_name("", "_.pb.gz");

	/* long names: 200 bytes and a hash of the whole name */
	memset(longname, 'a', 300);
	longname[300] = '\0';
	memcpy(other, longname, 301);
	other[299] = 'b';
	pg_bench_profile_file_name(&a, longname);
	pg_bench_profile_file_name(&b, other);
	assert_int_equal(a.len, 200 + 1 + 16 + strlen(".pb.gz"));
	assert_int_equal(b.len, a.len);
	assert_memory_equal(a.ptr, longname, 200);
	assert_int_equal(a.ptr[200], '_');
	assert_string_not_equal(a.ptr, b.ptr);
	assert_true(ends_with(a.ptr, ".pb.gz"));
	pg_bench_sb_release(&a);
	pg_bench_sb_release(&b);
}

/* ------------------------------------------------------------ directories */

static void test_mkdir_p(void **state)
{
	char dir[] = "/tmp/pg-test-profile-XXXXXX", err[512];
	char *deep = NULL, *file = NULL, *under_file = NULL;
	struct stat st;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_true(asprintf(&deep, "%s/a/b//c/", dir) > 0);
	assert_int_equal(pg_bench_mkdir_p(deep, err, sizeof(err)), 0);
	assert_int_equal(stat(deep, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(pg_bench_mkdir_p(deep, err, sizeof(err)), 0); /* exists: fine */

	assert_true(asprintf(&file, "%s/file", dir) > 0);
	f = fopen(file, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(pg_bench_mkdir_p(file, err, sizeof(err)), -1);
	assert_true(ends_with(err, "/file': Not a directory"));
	assert_true(asprintf(&under_file, "%s/file/x", dir) > 0);
	assert_int_equal(pg_bench_mkdir_p(under_file, err, sizeof(err)), -1);
	assert_true(ends_with(err, "/file/x': Not a directory"));
	assert_int_equal(pg_bench_mkdir_p("", err, sizeof(err)), -1);
	assert_string_equal(err, "empty profile directory name");

	assert_int_equal(unlink(file), 0);
	free(deep);
	assert_true(asprintf(&deep, "rm -r '%s'", dir) > 0);
	assert_int_equal(system(deep), 0);
	free(deep);
	free(file);
	free(under_file);
}

/* ------------------------------------------------------------ encoding */

/* Without a symbolizer: addresses only; everything else exact. */
static void test_encode_round_trip(void **state)
{
	static const uint64_t s1[] = { 0x401000, 0x402000, 0x403000 };
	static const uint64_t s2[] = { 0x401100, 0x402000, 0x403000 };
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	pg_bench_profile_info info = { "BenchmarkHash/fnv1a-64K", &test_meta, NULL, NULL };
	Perftools__Profiles__Profile *d;
	uint8_t *buf = NULL;
	size_t len = 0, i, j;
	char err[256];

	(void)state;
	assert_int_equal(pg_bench_profile_add(&p, s1, 3, 1, 3, 5), 0);
	assert_int_equal(pg_bench_profile_add(&p, s2, 3, 0, 1, 1), 0);
	p.dropped = 7;
	p.cpu_ns = 2000000000;
	p.wall_ns = 2100000000;
	p.start_unix_ns = 1700000000123456789LL;
	assert_int_equal(pg_bench_profile_encode(&buf, &len, &p, &info, err, sizeof(err)), 0);
	d = decode(buf, len);

	assert_true(d->n_string_table > 1);
	assert_string_equal(d->string_table[0], "");
	assert_int_equal(d->n_sample_type, 2);
	assert_string_equal(str(d, d->sample_type[0]->type), "samples");
	assert_string_equal(str(d, d->sample_type[0]->unit), "count");
	assert_string_equal(str(d, d->sample_type[1]->type), "cpu");
	assert_string_equal(str(d, d->sample_type[1]->unit), "nanoseconds");
	assert_non_null(d->period_type);
	assert_string_equal(str(d, d->period_type->type), "cpu");
	assert_string_equal(str(d, d->period_type->unit), "nanoseconds");
	assert_int_equal(d->period, 4000000);
	assert_int_equal(d->time_nanos, 1700000000123456789LL);
	assert_int_equal(d->duration_nanos, 2100000000);

	assert_int_equal(d->n_sample, 2);
	for (i = 0; i < d->n_sample; i++) {
		const Perftools__Profiles__Sample *s = d->sample[i];
		const uint64_t *want = s->value[0] == 3 ? s1 : s2;
		int exact = want == s1;

		assert_int_equal(s->n_label, 1);
		assert_string_equal(str(d, s->label[0]->key), "benchmark");
		assert_string_equal(str(d, s->label[0]->str), "BenchmarkHash/fnv1a-64K");
		assert_int_equal(s->n_value, 2);
		assert_int_equal(s->value[1], exact ? 5 * 4000000 : 1 * 4000000);
		assert_int_equal(s->n_location_id, 3);
		for (j = 0; j < 3; j++) {
			const Perftools__Profiles__Location *l = location(d, s->location_id[j]);

			/* the leaf as sampled; return addresses minus one */
			assert_int_equal(l->address, j == 0 && exact ? want[j] : want[j] - 1);
			assert_int_equal(l->mapping_id, 0);
			assert_int_equal(l->n_line, 0);
		}
	}
	/* 0x402000 - 1 and 0x403000 - 1 are shared: 4 locations */
	assert_int_equal(d->n_location, 4);
	assert_int_equal(d->n_function, 0);
	assert_int_equal(d->n_mapping, 0);

	assert_string_equal(comment_with(d, "CPU profile of "),
			    "perfgate-bench CPU profile of BenchmarkHash/fnv1a-64K: the timed "
			    "regions only (2.100 s wall clock, 2.000 s thread CPU)");
	assert_string_equal(comment_with(d, "sampling source"),
			    "sampling source: manual: manual: samples recorded by the test");
	assert_string_equal(comment_with(d, "sampling rate"),
			    "sampling rate: requested 250 Hz (period 4000000 ns), effective 2.0 Hz "
			    "(4 samples in 2.000 s of thread CPU time)");
	assert_string_equal(comment_with(d, "weighting"),
			    "weighting: each sample weighs what the test says; cpu/nanoseconds "
			    "total 6 periods = 0.024 s");
	assert_string_equal(comment_with(d, "dropped"), "dropped samples: 7");
	assert_string_equal(comment_with(d, "note:"), "note: a note");
	assert_string_equal(comment_with(d, "symbolization"),
			    "symbolization: none (addresses only)");
	perftools__profiles__profile__free_unpacked(d, NULL);
	free(buf);

	/* an empty profile is a valid one */
	pg_bench_profile_release(&p);
	assert_int_equal(pg_bench_profile_encode(&buf, &len, &p, &info, err, sizeof(err)), 0);
	d = decode(buf, len);
	assert_int_equal(d->n_sample, 0);
	assert_int_equal(d->n_sample_type, 2);
	assert_string_equal(d->string_table[0], "");
	perftools__profiles__profile__free_unpacked(d, NULL);
	free(buf);
}

/* Two functions of this test, never inlined, one calling the other. */
__attribute__((noinline)) static int callee_for_symbols(int x)
{
	pg_bench_do_not_optimize(x);
	return x * 3 + 1;
}

static volatile int sym_arg = 5;
static uint64_t caller_return_address;

__attribute__((noinline)) static int caller_for_symbols(void)
{
	int r = callee_for_symbols(sym_arg);

	caller_return_address = (uint64_t)(uintptr_t)__builtin_return_address(0);
	pg_bench_do_not_optimize(r);
	return r;
}

/* With libdw: names, file:line, the executable's mapping first, with its
 * build-id; flags set truthfully; -trimpath. */
static void test_encode_symbolized(void **state)
{
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	pg_bench_symbolizer *sym = pg_bench_symbolizer_new();
	pg_bench_profile_info info = { "BenchmarkSym", &test_meta, NULL, sym };
	Perftools__Profiles__Profile *d;
	const Perftools__Profiles__Location *leaf, *caller, *unknown;
	const Perftools__Profiles__Function *f;
	const Perftools__Profiles__Mapping *m;
	uint64_t stack[3];
	uint8_t *buf = NULL;
	size_t len = 0, prefix_len;
	char err[256], exe[4096], *prefix;
	const char *file;
	ssize_t n;

	(void)state;
	assert_non_null(sym);
	assert_int_equal(caller_for_symbols(), 16);
	/* the leaf: inside callee_for_symbols; its caller: a return address
	 * into main's test runner; an address nowhere */
	stack[0] = (uint64_t)(uintptr_t)&callee_for_symbols + 1;
	stack[1] = caller_return_address;
	stack[2] = 0x10;
	assert_int_equal(pg_bench_profile_add(&p, stack, 3, 1, 1, 1), 0);
	assert_int_equal(pg_bench_profile_encode(&buf, &len, &p, &info, err, sizeof(err)), 0);
	d = decode(buf, len);

	assert_int_equal(d->n_sample, 1);
	leaf = location(d, d->sample[0]->location_id[0]);
	caller = location(d, d->sample[0]->location_id[1]);
	unknown = location(d, d->sample[0]->location_id[2]);
	assert_int_equal(leaf->address, stack[0]);
	assert_int_equal(caller->address, stack[1] - 1);

	assert_int_equal(leaf->n_line, 1);
	f = function(d, leaf->line[0]->function_id);
	assert_string_equal(str(d, f->name), "callee_for_symbols");
	assert_string_equal(str(d, f->system_name), "callee_for_symbols");
	file = str(d, f->filename);
	assert_true(ends_with(file, "tests/bench-runner/harness/test_profile_write.c"));
	assert_true(file[0] == '/'); /* made absolute with the compilation directory */
	assert_true(f->start_line > 0);
	assert_true(leaf->line[0]->line >= f->start_line);

	/* the caller: the test runner (whoever called caller_for_symbols) */
	assert_int_equal(caller->n_line, 1);
	f = function(d, caller->line[0]->function_id);
	assert_string_equal(str(d, f->name), "test_encode_symbolized");
	assert_true(caller->line[0]->line > f->start_line);

	assert_int_equal(unknown->address, 0x10 - 1);
	assert_int_equal(unknown->mapping_id, 0);
	assert_int_equal(unknown->n_line, 0);

	/* mappings: the executable first, with its build-id */
	assert_true(d->n_mapping >= 2);
	m = d->mapping[0];
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	assert_true(n > 0);
	exe[n] = '\0';
	assert_string_equal(str(d, m->filename), exe);
	assert_int_equal(leaf->mapping_id, 1);
	assert_int_equal(caller->mapping_id, 1);
	assert_true(leaf->address >= m->memory_start && leaf->address < m->memory_limit);
	assert_true(strlen(str(d, m->build_id)) >= 16);
	assert_int_equal(strspn(str(d, m->build_id), "0123456789abcdef"),
			 strlen(str(d, m->build_id)));
	assert_true(m->has_functions);
	assert_true(m->has_filenames);
	assert_true(m->has_line_numbers);
	assert_false(m->has_inline_frames);
	/* a mapping without locations claims nothing */
	assert_false(d->mapping[d->n_mapping - 1]->has_functions);
	assert_non_null(comment_with(d, "symbolization: libdw (elfutils "));

	/* -trimpath: the part before the repository's path goes */
	prefix_len = strlen(file) - strlen("tests/bench-runner/harness/test_profile_write.c");
	prefix = strndup(file, prefix_len);
	assert_non_null(prefix);
	perftools__profiles__profile__free_unpacked(d, NULL);
	free(buf);
	info.trimpath = prefix;
	assert_int_equal(pg_bench_profile_encode(&buf, &len, &p, &info, err, sizeof(err)), 0);
	d = decode(buf, len);
	leaf = location(d, d->sample[0]->location_id[0]);
	assert_string_equal(str(d, function(d, leaf->line[0]->function_id)->filename),
			    "tests/bench-runner/harness/test_profile_write.c");
	perftools__profiles__profile__free_unpacked(d, NULL);
	free(buf);

	free(prefix);
	pg_bench_profile_release(&p);
	pg_bench_symbolizer_free(sym);
	pg_bench_symbolizer_free(NULL);
}

/* ------------------------------------------------------------ the file */

static uint8_t *gunzip(const char *path, size_t *len)
{
	gzFile gz = gzopen(path, "rb");
	uint8_t *buf = malloc(1 << 20);
	int n;

	assert_non_null(gz);
	assert_non_null(buf);
	n = gzread(gz, buf, 1 << 20);
	assert_true(n > 0);
	assert_int_equal(gzclose(gz), Z_OK);
	*len = (size_t)n;
	return buf;
}

static void test_write(void **state)
{
	static const uint64_t s1[] = { 0x401000, 0x402000 };
	char dir[] = "/tmp/pg-test-profile-XXXXXX", err[512];
	pg_bench_profile p = PG_BENCH_PROFILE_INIT;
	pg_bench_profile_info info = { "BenchmarkSort/n=100", &test_meta, NULL, NULL };
	Perftools__Profiles__Profile *d;
	char *path = NULL, *missing = NULL, *cmd = NULL;
	uint8_t *buf;
	size_t len;
	unsigned char magic[2];
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(pg_bench_profile_add(&p, s1, 2, 1, 2, 2), 0);
	assert_int_equal(pg_bench_profile_write(dir, "Sort-n=100.pb.gz", &p, &info, err,
						sizeof(err)), 0);
	assert_true(asprintf(&path, "%s/Sort-n=100.pb.gz", dir) > 0);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fread(magic, 1, 2, f), 2);
	fclose(f);
	assert_int_equal(magic[0], 0x1f); /* gzip */
	assert_int_equal(magic[1], 0x8b);
	buf = gunzip(path, &len);
	d = decode(buf, len);
	assert_int_equal(d->n_sample, 1);
	assert_int_equal(d->sample[0]->value[0], 2);
	assert_string_equal(str(d, d->sample[0]->label[0]->str), "BenchmarkSort/n=100");
	perftools__profiles__profile__free_unpacked(d, NULL);
	free(buf);

	/* no temporary file left; a directory that does not exist: an error */
	assert_true(asprintf(&cmd, "test \"$(ls -A '%s')\" = Sort-n=100.pb.gz", dir) > 0);
	assert_int_equal(system(cmd), 0);
	assert_true(asprintf(&missing, "%s/missing", dir) > 0);
	assert_int_equal(pg_bench_profile_write(missing, "x.pb.gz", &p, &info, err, sizeof(err)),
			 -1);
	assert_true(strstr(err, "cannot create '") == err);
	assert_non_null(strstr(err, "/missing/.x.pb.gz.tmp-"));
	assert_true(ends_with(err, "': No such file or directory"));

	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	free(path);
	free(missing);
	free(cmd);
	pg_bench_profile_release(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_file_names),
		cmocka_unit_test(test_mkdir_p),
		cmocka_unit_test(test_encode_round_trip),
		cmocka_unit_test(test_encode_symbolized),
		cmocka_unit_test(test_write),
	};

	return cmocka_run_group_tests_name("harness_profile_write", tests, NULL, NULL);
}
