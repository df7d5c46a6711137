/*
 * The gate's JUnit XML report (GitLab's test report, Jenkins...), written
 * with libxml2's xmlTextWriter, which escapes markup in attributes and
 * text:
 *
 *   <testsuites name="perfgate" tests="3" failures="1" errors="0" skipped="1">
 *     <testsuite name="perfgate" tests="3" failures="1" errors="0" skipped="1">
 *       <properties>
 *         <property name="verdict" value="regression"/>
 *         <property name="baseline_commit" value="..."/> ...
 *       </properties>
 *       <testcase classname="ns/op" name="Hash/fnv1a-64K">
 *         <failure type="regression" message="Hash/fnv1a-64K ns/op +16.2% &gt; 5%">...</failure>
 *       </testcase>
 *       <testcase classname="ns/op" name="New"><skipped message="..."/></testcase>
 *       <testcase classname="ns/op" name="Sort"><system-out>...</system-out></testcase>
 *       <system-out>the notes and the verdict</system-out>
 *     </testsuite>
 *   </testsuites>
 *
 * A PG_VERDICT_ERROR adds a test case (classname "perfgate", name "gate")
 * holding an <error>; a missing baseline one (name "baseline") that is
 * <skipped> when the gate passes and a <failure> when it fails.
 */
#include <stdio.h>
#include <string.h>

#include <libxml/encoding.h>
#include <libxml/xmlstring.h>
#include <libxml/xmlwriter.h>

#include "common/error.h"
#include "gate/format_util.h"
#include "gate/report.h"
#include "gate/report_internal.h"
#include "common/banned.h"

typedef struct writer {
	xmlTextWriterPtr w;
	pg_buf clean;  /* scratch: the XML-safe form of a value */
	int bad;       /* a libxml2 call failed */
} writer;

/* `s` as XML 1.0 can hold it: valid UTF-8, control characters other than
 * tab, LF and CR as '?', the non-characters U+FFFE and U+FFFF as U+FFFD
 * (the writer escapes <, &, " and line breaks itself). */
static const xmlChar *xml_clean(writer *j, const char *s)
{
	pg_buf raw = PG_BUF_INIT;
	size_t i;

	pg_buf_reset(&j->clean);
	pg_utf8_sanitize(&raw, s, 0);
	for (i = 0; i < raw.len; i++) {
		unsigned char c = (unsigned char)raw.ptr[i];

		if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') {
			pg_buf_addch(&j->clean, '?');
		} else if (c == 0xEF && i + 2 < raw.len &&
			   (unsigned char)raw.ptr[i + 1] == 0xBF &&
			   ((unsigned char)raw.ptr[i + 2] == 0xBE ||
			    (unsigned char)raw.ptr[i + 2] == 0xBF)) {
			pg_buf_adds(&j->clean, "\xEF\xBF\xBD");
			i += 2;
		} else {
			pg_buf_addch(&j->clean, c);
		}
	}
	if (pg_buf_failed(&raw) || pg_buf_failed(&j->clean))
		j->bad = 1;
	pg_buf_release(&raw);
	return (const xmlChar *)j->clean.ptr;
}

static void check(writer *j, int rc)
{
	if (rc < 0)
		j->bad = 1;
}

static void start(writer *j, const char *name)
{
	check(j, xmlTextWriterStartElement(j->w, BAD_CAST name));
}

static void end(writer *j)
{
	check(j, xmlTextWriterEndElement(j->w));
}

static void attr(writer *j, const char *name, const char *value)
{
	check(j, xmlTextWriterWriteAttribute(j->w, BAD_CAST name, xml_clean(j, value)));
}

static void attr_count(writer *j, const char *name, size_t n)
{
	check(j, xmlTextWriterWriteFormatAttribute(j->w, BAD_CAST name, "%zu", n));
}

static void text(writer *j, const char *s)
{
	check(j, xmlTextWriterWriteString(j->w, xml_clean(j, s)));
}

static void property(writer *j, const char *name, const char *value)
{
	if (!value)
		return;
	start(j, "property");
	attr(j, "name", name);
	attr(j, "value", value);
	end(j);
}

/* <failure|error|skipped type= message=>body</...>; `body` may be NULL */
static void outcome(writer *j, const char *element, const char *type,
		    const char *message, const char *body)
{
	start(j, element);
	if (type)
		attr(j, "type", type);
	attr(j, "message", message);
	if (body && *body)
		text(j, body);
	end(j);
}

static void render_properties(writer *j, const pg_report *r)
{
	char exit_code[16];

	snprintf(exit_code, sizeof(exit_code), "%d", r->exit_code);
	start(j, "properties");
	property(j, "verdict", pg_verdict_name(r->verdict));
	property(j, "exit_code", exit_code);
	property(j, "project", r->project);
	property(j, "baseline_commit", r->baseline_commit);
	property(j, "baseline_source", r->baseline_source);
	property(j, "baseline_branch", r->baseline_branch);
	property(j, "candidate_commit", r->candidate_commit);
	property(j, "candidate_branch", r->candidate_branch);
	if (r->candidate_commit)
		property(j, "candidate_dirty", r->candidate_dirty ? "true" : "false");
	if (r->decision)
		property(j, "drift_suspected", r->decision->drift_suspected ? "true" : "false");
	property(j, "artifacts", r->artifacts_url);
	property(j, "perfgate_version", r->perfgate_version);
	end(j);
}

static void render_row(writer *j, const pg_report *r, size_t i, pg_buf *msg, pg_buf *body)
{
	const pg_decide_row *row = &r->decision->rows[i];

	start(j, "testcase");
	attr(j, "classname", row->unit);
	attr(j, "name", row->benchmark);

	pg_buf_reset(msg);
	pg_buf_reset(body);
	pg_report_add_figures(body, r, row);
	if (row->reason[0]) {
		pg_buf_adds(body, "\n");
		pg_report_add_detail(body, row, pg_report_plain);
	}
	pg_report_add_unpaired(body, r, i);
	/* a suspect measured again: its first pass too */
	pg_buf_adds(body, "\n");
	if (!pg_report_add_first_pass(body, r, i))
		pg_buf_truncate(body, body->len - 1);
	switch (row->decision) {
	case PG_DECISION_REGRESSION:
		pg_report_add_row_name(msg, row, pg_report_plain);
		pg_buf_addch(msg, ' ');
		pg_report_add_change(msg, row);
		outcome(j, "failure", "regression", msg->ptr, body->ptr);
		pg_buf_reset(msg);
		if (pg_report_add_first_pass(msg, r, i)) {
			start(j, "system-out");
			text(j, msg->ptr);
			end(j);
		}
		break;
	case PG_DECISION_NEW:
	case PG_DECISION_REMOVED:
		pg_report_add_detail(msg, row, pg_report_plain);
		outcome(j, "skipped", NULL, msg->ptr, NULL);
		break;
	default:
		pg_buf_addf(msg, "%s: ", pg_decision_name(row->decision));
		pg_buf_add(msg, body->ptr, body->len);
		start(j, "system-out");
		text(j, msg->ptr);
		end(j);
		break;
	}
	end(j);
	if (pg_buf_failed(msg) || pg_buf_failed(body))
		j->bad = 1;
}

struct notes_ctx {
	pg_buf *out;
};

static int add_note(void *ctx, pg_note_kind kind, const char *s)
{
	struct notes_ctx *n = ctx;

	if (kind == PG_NOTE_WARNING)
		pg_buf_adds(n->out, "warning: ");
	pg_buf_adds(n->out, s);
	return pg_buf_addch(n->out, '\n');
}

static int render(writer *j, const pg_report *r)
{
	const pg_decision_set *d = r->decision;
	pg_report_counts c;
	pg_buf msg = PG_BUF_INIT, body = PG_BUF_INIT;
	struct notes_ctx notes = { &body };
	int suite_case = r->verdict == PG_VERDICT_ERROR ||
			 r->verdict == PG_VERDICT_NO_BASELINE;
	int no_baseline_fails = r->verdict == PG_VERDICT_NO_BASELINE && r->exit_code;
	size_t tests, failures, errors, skipped, i, k;
	int err = 0;

	pg_report_count(&c, r);
	tests = c.rows + (suite_case ? 1 : 0);
	failures = c.decision[PG_DECISION_REGRESSION] + (no_baseline_fails ? 1 : 0);
	errors = r->verdict == PG_VERDICT_ERROR ? 1 : 0;
	skipped = c.decision[PG_DECISION_NEW] + c.decision[PG_DECISION_REMOVED] +
		  (r->verdict == PG_VERDICT_NO_BASELINE && !no_baseline_fails ? 1 : 0);

	check(j, xmlTextWriterStartDocument(j->w, NULL, "UTF-8", NULL));
	for (k = 0; k < 2; k++) {
		start(j, k ? "testsuite" : "testsuites");
		attr(j, "name", "perfgate");
		attr_count(j, "tests", tests);
		attr_count(j, "failures", failures);
		attr_count(j, "errors", errors);
		attr_count(j, "skipped", skipped);
	}
	render_properties(j, r);

	if (suite_case) {
		pg_report_add_sentence(&msg, r, pg_report_plain);
		start(j, "testcase");
		attr(j, "classname", "perfgate");
		attr(j, "name", r->verdict == PG_VERDICT_ERROR ? "gate" : "baseline");
		if (r->verdict == PG_VERDICT_ERROR)
			outcome(j, "error", "error", msg.ptr, msg.ptr);
		else if (no_baseline_fails)
			outcome(j, "failure", "no-baseline", msg.ptr, msg.ptr);
		else
			outcome(j, "skipped", NULL, msg.ptr, NULL);
		end(j);
	}
	for (i = 0; d && i < d->nrows; i++)
		render_row(j, r, i, &msg, &body);

	pg_buf_reset(&body);
	if ((err = pg_report_each_note(r, pg_report_plain, add_note, &notes)) < 0)
		goto cleanup;
	pg_buf_addf(&body, "perfgate: %s: ", pg_verdict_title(r->verdict));
	pg_report_add_sentence(&body, r, pg_report_plain);
	start(j, "system-out");
	text(j, body.ptr);
	end(j);

	end(j); /* testsuite */
	end(j); /* testsuites */
	check(j, xmlTextWriterEndDocument(j->w));
	if (pg_buf_failed(&msg) || pg_buf_failed(&body))
		j->bad = 1;

cleanup:
	pg_buf_release(&msg);
	pg_buf_release(&body);
	return err;
}

int pg_report_junit(pg_buf *out, const pg_report *r)
{
	writer j = { NULL, PG_BUF_INIT, 0 };
	xmlBufferPtr xml = NULL;
	int err = 0;

	if (!(xml = xmlBufferCreate()) || !(j.w = xmlNewTextWriterMemory(xml, 0))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	check(&j, xmlTextWriterSetIndent(j.w, 1));
	check(&j, xmlTextWriterSetIndentString(j.w, BAD_CAST "  "));
	if ((err = render(&j, r)) < 0)
		goto cleanup;
	/* freeing the writer flushes it into `xml` */
	xmlFreeTextWriter(j.w);
	j.w = NULL;
	if (j.bad) {
		err = pg_error_set(PG_ENOMEM, "cannot write the JUnit report: out of memory");
		goto cleanup;
	}
	pg_buf_add(out, xmlBufferContent(xml), (size_t)xmlBufferLength(xml));
	if (pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	if (j.w)
		xmlFreeTextWriter(j.w);
	xmlBufferFree(xml);
	pg_buf_release(&j.clean);
	return err;
}
