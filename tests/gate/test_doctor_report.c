/*
 * Rendering of the quiet-host findings (gate/doctor_report.c): the text
 * lines of `perfgate doctor` and `perfgate run`, the summary, the JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <jansson.h>

#include "bench-runner/doctor.h"
#include "common/buf.h"
#include "common/error.h"
#include "gate/doctor_report.h"

static void add(pg_doctor_report *r, const char *check, pg_check_level level,
		const char *message, const char *fix)
{
	pg_finding *items = realloc(r->items, (r->n + 1) * sizeof(*items));

	assert_non_null(items);
	r->items = items;
	r->alloc = r->n + 1;
	items[r->n].check = check;
	items[r->n].level = level;
	items[r->n].message = strdup(message);
	items[r->n].fix = fix ? strdup(fix) : NULL;
	r->n++;
}

static void sample(pg_doctor_report *r)
{
	pg_doctor_report_init(r);
	pg_cpuset_add(&r->cpus, 1);
	pg_cpuset_add(&r->cpus, 3);
	add(r, "governor", PG_CHECK_WARN, "frequency governor 'powersave' on CPU 1",
	    "sudo cpupower frequency-set -g performance\necho performance | sudo tee x");
	add(r, "aslr", PG_CHECK_OK, "ASLR is on", NULL);
	add(r, "perf_event", PG_CHECK_INFO, "no counter", NULL);
	add(r, "virtualization", PG_CHECK_WARN, "virtual machine (KVM)", "a dedicated runner");
}

static void test_text(void **state)
{
	pg_doctor_report r;
	pg_buf b = PG_BUF_INIT;

	(void)state;
	sample(&r);
	assert_int_equal(pg_doctor_render(&b, &r, 0), 0);
	assert_string_equal(b.ptr,
		"warn  governor        frequency governor 'powersave' on CPU 1\n"
		"                      fix: sudo cpupower frequency-set -g performance\n"
		"                       or: echo performance | sudo tee x\n"
		"ok    aslr            ASLR is on\n"
		"info  perf_event      no counter\n"
		"warn  virtualization  virtual machine (KVM)\n"
		"                      fix: a dedicated runner\n");
	pg_buf_reset(&b);
	assert_int_equal(pg_doctor_render(&b, &r, 1), 0);
	assert_string_equal(b.ptr,
		"warn  governor        frequency governor 'powersave' on CPU 1\n"
		"                      fix: sudo cpupower frequency-set -g performance\n"
		"                       or: echo performance | sudo tee x\n"
		"warn  virtualization  virtual machine (KVM)\n"
		"                      fix: a dedicated runner\n");
	pg_buf_release(&b);
	pg_doctor_report_release(&r);
}

static void test_summary(void **state)
{
	pg_doctor_report r;
	pg_buf b = PG_BUF_INIT;

	(void)state;
	sample(&r);
	assert_int_equal(pg_doctor_render_summary(&b, &r, 0), 0);
	assert_string_equal(b.ptr, "2 warnings: this host is not quiet; results will be noisier\n");
	pg_buf_reset(&b);
	assert_int_equal(pg_doctor_render_summary(&b, &r, 1), 0);
	assert_string_equal(b.ptr, "2 warnings: this host is not quiet; failing because of "
			    "--require-quiet\n");
	r.items[0].level = PG_CHECK_OK;
	pg_buf_reset(&b);
	assert_int_equal(pg_doctor_render_summary(&b, &r, 0), 0);
	assert_string_equal(b.ptr, "1 warning: this host is not quiet; results will be noisier\n");
	r.items[3].level = PG_CHECK_INFO;
	pg_buf_reset(&b);
	assert_int_equal(pg_doctor_render_summary(&b, &r, 1), 0);
	assert_string_equal(b.ptr, "this host looks quiet\n");
	pg_buf_release(&b);
	pg_doctor_report_release(&r);
}

static void read_back(FILE *f, char *buf, size_t cap)
{
	size_t n;

	rewind(f);
	n = fread(buf, 1, cap - 1, f);
	buf[n] = '\0';
}

static void test_print(void **state)
{
	pg_doctor_report r;
	char text[2048];
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	sample(&r);
	assert_int_equal(pg_doctor_print(f, &r, 1), 0);
	read_back(f, text, sizeof(text));
	assert_non_null(strstr(text, "warn  virtualization  virtual machine (KVM)\n"));
	assert_null(strstr(text, "ASLR"));
	assert_non_null(strstr(text, "\n2 warnings: this host is not quiet; results will be "
			       "noisier\n"));
	fclose(f);

	/* only warnings, and there are none: nothing at all */
	r.items[0].level = PG_CHECK_OK;
	r.items[3].level = PG_CHECK_OK;
	f = tmpfile();
	assert_non_null(f);
	assert_int_equal(pg_doctor_print(f, &r, 1), 0);
	assert_int_equal(ftell(f), 0);
	/* everything: the findings and the summary */
	assert_int_equal(pg_doctor_print(f, &r, 0), 0);
	read_back(f, text, sizeof(text));
	assert_non_null(strstr(text, "ok    aslr            ASLR is on\n"));
	assert_non_null(strstr(text, "\nthis host looks quiet\n"));
	fclose(f);

	/* a failed write is reported */
	f = fopen("/dev/full", "w");
	if (f) {
		assert_int_equal(pg_doctor_print(f, &r, 0), PG_EINFRA);
		fclose(f);
	}
	pg_doctor_report_release(&r);
}

static void test_json(void **state)
{
	pg_doctor_report r;
	json_t *doc, *findings, *f;

	(void)state;
	sample(&r);
	doc = pg_doctor_to_json(&r);
	assert_non_null(doc);
	assert_string_equal(json_string_value(json_object_get(doc, "cpus")), "1,3");
	assert_int_equal(json_integer_value(json_object_get(doc, "warnings")), 2);
	findings = json_object_get(doc, "findings");
	assert_true(json_is_array(findings));
	assert_int_equal(json_array_size(findings), 4);
	f = json_array_get(findings, 0);
	assert_int_equal(json_object_size(f), 4);
	assert_string_equal(json_string_value(json_object_get(f, "check")), "governor");
	assert_string_equal(json_string_value(json_object_get(f, "level")), "warn");
	assert_string_equal(json_string_value(json_object_get(f, "message")),
			    "frequency governor 'powersave' on CPU 1");
	assert_string_equal(json_string_value(json_object_get(f, "fix")),
			    "sudo cpupower frequency-set -g performance\necho performance | sudo tee x");
	f = json_array_get(findings, 2);
	assert_string_equal(json_string_value(json_object_get(f, "level")), "info");
	assert_true(json_is_null(json_object_get(f, "fix")));
	json_decref(doc);
	pg_doctor_report_release(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text),
		cmocka_unit_test(test_summary),
		cmocka_unit_test(test_print),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests_name("doctor_report", tests, NULL, NULL);
}
