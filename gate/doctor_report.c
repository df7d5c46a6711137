/*
 * Text and JSON rendering of the quiet-host findings (see doctor_report.h).
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "common/error.h"
#include "gate/doctor_report.h"
#include "common/banned.h"

#define INDENT "                      " /* under the message: 6 + 16 columns */

int pg_doctor_render(pg_buf *out, const pg_doctor_report *r, int warnings_only)
{
	size_t i;

	for (i = 0; i < r->n; i++) {
		const pg_finding *f = &r->items[i];
		const char *p;
		int first = 1;

		if (warnings_only && f->level != PG_CHECK_WARN)
			continue;
		pg_buf_addf(out, "%-5s %-15s %s\n", pg_check_level_name(f->level), f->check,
			    f->message);
		for (p = f->fix; p && *p; first = 0) {
			const char *eol = strchr(p, '\n');
			size_t len = eol ? (size_t)(eol - p) : strlen(p);

			pg_buf_addf(out, INDENT "%s %.*s\n", first ? "fix:" : " or:", (int)len, p);
			p = eol ? eol + 1 : p + len;
		}
	}
	return pg_buf_failed(out) ? pg_error_set(PG_ENOMEM, "out of memory") : 0;
}

int pg_doctor_render_summary(pg_buf *out, const pg_doctor_report *r, int require_quiet)
{
	size_t n = pg_doctor_warnings(r);

	if (n == 0)
		pg_buf_adds(out, "this host looks quiet\n");
	else
		pg_buf_addf(out, "%zu warning%s: this host is not quiet; %s\n", n,
			    n == 1 ? "" : "s",
			    require_quiet ? "failing because of --require-quiet"
					  : "results will be noisier");
	return pg_buf_failed(out) ? pg_error_set(PG_ENOMEM, "out of memory") : 0;
}

int pg_doctor_print(FILE *f, const pg_doctor_report *r, int warnings_only)
{
	pg_buf text = PG_BUF_INIT;
	int err;

	if ((err = pg_doctor_render(&text, r, warnings_only)) < 0)
		goto cleanup;
	if ((!warnings_only || pg_doctor_warnings(r)) &&
	    (err = pg_doctor_render_summary(&text, r, 0)) < 0)
		goto cleanup;
	if (fwrite(text.ptr, 1, text.len, f) != text.len || fflush(f) != 0)
		err = pg_error_set_errno(PG_EINFRA, "cannot write the host checks");

cleanup:
	pg_buf_release(&text);
	return err;
}

json_t *pg_doctor_to_json(const pg_doctor_report *r)
{
	pg_buf cpus = PG_BUF_INIT;
	json_t *doc = NULL, *findings = NULL, *result = NULL;
	size_t i;

	if (pg_cpuset_format(&cpus, &r->cpus) < 0)
		goto cleanup;
	doc = json_object();
	findings = json_array();
	if (!doc || !findings ||
	    json_object_set_new(doc, "cpus", json_string(cpus.ptr)) < 0)
		goto cleanup;
	for (i = 0; i < r->n; i++) {
		const pg_finding *f = &r->items[i];
		json_t *o = json_pack("{s:s, s:s, s:s, s:o}", "check", f->check,
				      "level", pg_check_level_name(f->level),
				      "message", f->message,
				      "fix", f->fix ? json_string(f->fix) : json_null());

		if (!o || json_array_append_new(findings, o) < 0)
			goto cleanup;
	}
	if (json_object_set(doc, "findings", findings) < 0 ||
	    json_object_set_new(doc, "warnings",
				json_integer((json_int_t)pg_doctor_warnings(r))) < 0)
		goto cleanup;
	result = doc;
	doc = NULL;

cleanup:
	pg_buf_release(&cpus);
	json_decref(findings);
	json_decref(doc);
	return result;
}
