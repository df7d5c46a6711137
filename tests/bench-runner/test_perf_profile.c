#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>
#include <cmocka.h>

#include "bench-runner/perf_profile.h"
#include "common/error.h"
#include "profile.pb-c.h"

/* perf script -F comm,tid,period,ip,sym,dso,event output, as perf 6.1
 * writes it (a C++ symbol with spaces, an unknown frame, CRLF-free) */
static const char script[] =
	"example-suite 10565   10000000 cpu-clock:ppp: \n"
	"\t            342a bench_fnv1a_64k (/work/build/examples/example-suite)\n"
	"\t            b031 [unknown] ([unknown])\n"
	"\n"
	"example-suite 10565   20000000 cpu-clock:ppp: \n"
	"\t            5000 std::vector<int, std::allocator<int> >::push_back(int const&) (/usr/lib/libfoo.so.1)\n"
	"\t            342a bench_fnv1a_64k (/work/build/examples/example-suite)\n"
	"\t            1234 [unknown] (/usr/lib/x86_64-linux-gnu/libc.so.6)\n"
	"\n"
	"my suite 7 3000 cpu-clock:ppp: \n"
	"\t            342a bench_fnv1a_64k (/work/build/examples/example-suite)\n";

static Perftools__Profiles__Profile *decode(const pg_buf *gz, uint8_t *raw, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
	z.next_in = (Bytef *)gz->ptr;
	z.avail_in = (uInt)gz->len;
	z.next_out = raw;
	z.avail_out = (uInt)cap;
	assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
	inflateEnd(&z);
	return perftools__profiles__profile__unpack(NULL, cap - z.avail_out, raw);
}

static const char *fname(const Perftools__Profiles__Profile *p, uint64_t loc_id)
{
	const Perftools__Profiles__Location *l = p->location[loc_id - 1];
	const Perftools__Profiles__Function *f = p->function[l->line[0]->function_id - 1];

	return p->string_table[f->name];
}

static void test_script_to_pprof(void **state)
{
	static uint8_t raw[1 << 16];
	Perftools__Profiles__Profile *p;
	pg_buf gz = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_perf_script_to_pprof(&gz, script, strlen(script), 100), 0);
	p = decode(&gz, raw, sizeof(raw));
	assert_non_null(p);
	assert_string_equal(p->string_table[0], "");
	assert_int_equal(p->n_sample_type, 2);
	assert_string_equal(p->string_table[p->sample_type[0]->type], "samples");
	assert_string_equal(p->string_table[p->sample_type[1]->type], "cpu");
	assert_string_equal(p->string_table[p->sample_type[1]->unit], "nanoseconds");
	assert_int_equal(p->period, 10000000);
	assert_int_equal(p->n_sample, 3);
	/* leaf first, periods as the values */
	assert_int_equal(p->sample[0]->n_location_id, 2);
	assert_string_equal(fname(p, p->sample[0]->location_id[0]), "bench_fnv1a_64k");
	assert_string_equal(fname(p, p->sample[0]->location_id[1]), "[unknown]");
	assert_int_equal(p->sample[0]->value[0], 1);
	assert_int_equal(p->sample[0]->value[1], 10000000);
	assert_string_equal(fname(p, p->sample[1]->location_id[0]),
			    "std::vector<int, std::allocator<int> >::push_back(int const&)");
	assert_string_equal(fname(p, p->sample[1]->location_id[2]), "[libc.so.6]");
	assert_int_equal(p->sample[1]->value[1], 20000000);
	/* a command name with a space */
	assert_int_equal(p->sample[2]->value[1], 3000);
	/* one function (and location) per name */
	assert_int_equal(p->n_function, 4);
	assert_int_equal(p->n_comment, 1);
	assert_non_null(strstr(p->string_table[p->comment[0]], "perf record -F 100"));
	perftools__profiles__profile__free_unpacked(p, NULL);
	pg_buf_release(&gz);
}

static void test_no_samples(void **state)
{
	pg_buf gz = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_perf_script_to_pprof(&gz, "", 0, 100), PG_EINPUT);
	assert_string_equal(pg_error_last(), "perf recorded no samples");
	pg_buf_release(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_script_to_pprof),
		cmocka_unit_test(test_no_samples),
	};

	return cmocka_run_group_tests_name("perf_profile", tests, NULL, NULL);
}
