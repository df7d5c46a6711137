/*
 * The gate's JUnit XML report (gate/report_junit.c): well-formed (parsed
 * back with libxml2), the counts in <testsuites> and <testsuite> match the
 * test cases, failures for regressions, skipped for new and removed rows,
 * the properties, a suite-level error, and names and messages holding
 * < & " (and characters XML cannot hold at all) read back intact.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/buf.h"
#include "gate/report.h"
#include "report_fixture.h"

typedef struct parsed {
	char *text;
	xmlDoc *doc;
	xmlNode *suites, *suite;
} parsed;

static int is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (is(c, name))
			return c;
	return NULL;
}

static size_t count_children(xmlNode *n, const char *name)
{
	xmlNode *c;
	size_t k = 0;

	for (c = n->children; c; c = c->next)
		k += is(c, name);
	return k;
}

/* The value of attribute `name` as a string that lives in a static
 * buffer until the next call. */
static const char *attr(xmlNode *n, const char *name)
{
	static char value[1024];
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);

	if (!v)
		return NULL;
	snprintf(value, sizeof(value), "%s", (const char *)v);
	xmlFree(v);
	return value;
}

static size_t attr_count(xmlNode *n, const char *name)
{
	const char *v = attr(n, name);

	if (!v)
		fail_msg("no attribute '%s' on <%s>", name, (const char *)n->name);
	return (size_t)strtoul(v, NULL, 10);
}

static void parse(parsed *p, const pg_report *r)
{
	pg_buf b = PG_BUF_INIT;

	assert_int_equal(pg_report_junit(&b, r), 0);
	p->text = pg_buf_detach(&b, NULL);
	assert_non_null(p->text);
	p->doc = xmlReadMemory(p->text, (int)strlen(p->text), "junit.xml", NULL,
			       XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!p->doc)
		fail_msg("not well-formed XML:\n%s", p->text);
	p->suites = xmlDocGetRootElement(p->doc);
	assert_non_null(p->suites);
	assert_true(is(p->suites, "testsuites"));
	p->suite = child(p->suites, "testsuite");
	assert_non_null(p->suite);
	assert_int_equal(count_children(p->suites, "testsuite"), 1);
}

static void release(parsed *p)
{
	xmlFreeDoc(p->doc);
	free(p->text);
}

/* The attributes of both <testsuites> and <testsuite> agree with what the
 * test cases hold. */
static void check_counts(parsed *p, size_t tests, size_t failures, size_t errors,
			 size_t skipped)
{
	xmlNode *el[2] = { p->suites, p->suite }, *c;
	size_t k, nf = 0, ne = 0, ns = 0;

	for (k = 0; k < 2; k++) {
		assert_string_equal(attr(el[k], "name"), "perfgate");
		assert_int_equal(attr_count(el[k], "tests"), tests);
		assert_int_equal(attr_count(el[k], "failures"), failures);
		assert_int_equal(attr_count(el[k], "errors"), errors);
		assert_int_equal(attr_count(el[k], "skipped"), skipped);
	}
	assert_int_equal(count_children(p->suite, "testcase"), tests);
	for (c = p->suite->children; c; c = c->next) {
		if (!is(c, "testcase"))
			continue;
		nf += count_children(c, "failure");
		ne += count_children(c, "error");
		ns += count_children(c, "skipped");
	}
	assert_int_equal(nf, failures);
	assert_int_equal(ne, errors);
	assert_int_equal(ns, skipped);
}

static const char *property(parsed *p, const char *name)
{
	xmlNode *props = child(p->suite, "properties"), *c;
	static char value[1024];

	assert_non_null(props);
	for (c = props->children; c; c = c->next) {
		xmlChar *n, *v;
		int match;

		if (!is(c, "property"))
			continue;
		n = xmlGetProp(c, (const xmlChar *)"name");
		match = n && !strcmp((const char *)n, name);
		xmlFree(n);
		if (!match)
			continue;
		v = xmlGetProp(c, (const xmlChar *)"value");
		snprintf(value, sizeof(value), "%s", v ? (const char *)v : "");
		xmlFree(v);
		return value;
	}
	return NULL;
}

/* The n-th <testcase>. */
static xmlNode *testcase(parsed *p, size_t n)
{
	xmlNode *c;

	for (c = p->suite->children; c; c = c->next)
		if (is(c, "testcase") && !n--)
			return c;
	fail_msg("no test case %zu", n);
	return NULL;
}

static void test_sample(void **state)
{
	parsed p;
	fx f;
	xmlNode *tc, *failure;
	xmlChar *content;

	(void)state;
	fx_sample(&f);
	parse(&p, &f.report);
	/* 9 rows: 2 regressions, a new and a removed one */
	check_counts(&p, 9, 2, 0, 2);
	assert_string_equal(property(&p, "verdict"), "regression");
	assert_string_equal(property(&p, "exit_code"), "1");
	assert_string_equal(property(&p, "baseline_commit"), f.report.baseline_commit);
	assert_string_equal(property(&p, "baseline_source"), f.report.baseline_source);
	assert_string_equal(property(&p, "candidate_commit"), f.report.candidate_commit);
	assert_string_equal(property(&p, "drift_suspected"), "true");
	/* properties come first */
	assert_true(is(xmlFirstElementChild(p.suite), "properties"));

	tc = testcase(&p, 0);
	assert_string_equal(attr(tc, "classname"), "ns/op");
	assert_string_equal(attr(tc, "name"), "Hash/fnv1a-64K");
	failure = child(tc, "failure");
	assert_non_null(failure);
	assert_string_equal(attr(failure, "type"), "regression");
	assert_string_equal(attr(failure, "message"), "Hash/fnv1a-64K ns/op +16.2% > 5%");
	content = xmlNodeGetContent(failure);
	assert_non_null(strstr((const char *)content, "old 41.20µs, new 47.88µs, delta "
			       "+16.21%, 95% CI [+14.0%, +18.5%], p=1e-06 (adjusted 2e-05)"));
	xmlFree(content);

	tc = testcase(&p, 8);
	assert_string_equal(attr(tc, "classname"), "MB/s");
	assert_string_equal(attr(child(tc, "failure"), "message"), "Checksum MB/s -12.0% < -5%");
	/* new and removed rows are skipped, the others pass with their figures */
	assert_non_null(child(testcase(&p, 5), "skipped"));
	assert_string_equal(attr(child(testcase(&p, 5), "skipped"), "message"),
			    "only in the candidate");
	assert_non_null(child(testcase(&p, 6), "skipped"));
	tc = testcase(&p, 1);
	assert_null(child(tc, "failure"));
	assert_null(child(tc, "skipped"));
	content = xmlNodeGetContent(child(tc, "system-out"));
	assert_memory_equal(content, "unchanged: old 3.702µs", strlen("unchanged: old 3.702µs"));
	xmlFree(content);
	/* the suite's output: the notes and the verdict */
	content = xmlNodeGetContent(child(p.suite, "system-out"));
	assert_non_null(strstr((const char *)content, "warning: fell back to refs/main"));
	assert_non_null(strstr((const char *)content, "\nperfgate: REGRESSION: 2 of 7 "));
	xmlFree(content);
	release(&p);
	fx_release(&f);
}

static void test_escaping(void **state)
{
	static const char name[] = "Parse<T>&\"quoted\"/'x'";
	static const char unit[] = "ns/<op>";
	static const char reason[] = "a < b && \"c\" > d";
	parsed p;
	fx f;
	xmlNode *tc, *failure;
	xmlChar *content;

	(void)state;
	fx_init(&f);
	fx_row(&f, name, unit, PG_DECISION_REGRESSION, 100, 120, 20, 18, 22, 1e-6, 1e-5,
	       reason);
	fx_row(&f, "Ctl\001\033x\xff", "ns/op", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1,
	       1, 1, "tab\there");
	fx_finish(&f);
	f.report.baseline_source = "file: <old>&\"new\".txt";
	parse(&p, &f.report);
	check_counts(&p, 2, 1, 0, 0);
	/* escaped in the text, intact once parsed */
	assert_non_null(strstr(p.text, "name=\"Parse&lt;T&gt;&amp;&quot;quoted&quot;/'x'\""));
	tc = testcase(&p, 0);
	assert_string_equal(attr(tc, "name"), name);
	assert_string_equal(attr(tc, "classname"), unit);
	failure = child(tc, "failure");
	assert_string_equal(attr(failure, "message"),
			    "Parse<T>&\"quoted\"/'x' ns/<op> +20.0% > 5%");
	content = xmlNodeGetContent(failure);
	assert_non_null(strstr((const char *)content, reason));
	xmlFree(content);
	assert_string_equal(property(&p, "baseline_source"), f.report.baseline_source);
	/* characters XML 1.0 cannot hold are replaced, not written */
	tc = testcase(&p, 1);
	assert_string_equal(attr(tc, "name"), "Ctl??x\xEF\xBF\xBD");
	release(&p);
	fx_release(&f);
}

static void test_error(void **state)
{
	parsed p;
	fx f;
	xmlNode *tc, *error;

	(void)state;
	fx_init(&f);
	f.report.verdict = PG_VERDICT_ERROR;
	f.report.exit_code = 3;
	f.report.decision = NULL;
	f.report.error = "suite './bench' was killed by signal 11 (Segmentation fault) <core>";
	parse(&p, &f.report);
	check_counts(&p, 1, 0, 1, 0);
	assert_string_equal(property(&p, "verdict"), "error");
	tc = testcase(&p, 0);
	assert_string_equal(attr(tc, "classname"), "perfgate");
	assert_string_equal(attr(tc, "name"), "gate");
	error = child(tc, "error");
	assert_non_null(error);
	assert_string_equal(attr(error, "message"), f.report.error);
	release(&p);

	/* an error after the decision (an upload that had to succeed): the rows
	 * are still there, plus the error */
	fx_row(&f, "Sort", "ns/op", PG_DECISION_UNCHANGED, 100, 100, 0, -1, 1, 1, 1, NULL);
	f.report.decision = &f.set;
	parse(&p, &f.report);
	check_counts(&p, 2, 0, 1, 0);
	release(&p);
	fx_release(&f);
}

static void test_no_baseline(void **state)
{
	parsed p;
	fx f;

	(void)state;
	fx_init(&f);
	f.report.verdict = PG_VERDICT_NO_BASELINE;
	f.report.decision = NULL;
	f.report.baseline_commit = NULL;
	parse(&p, &f.report);
	check_counts(&p, 1, 0, 0, 1);
	assert_string_equal(attr(testcase(&p, 0), "name"), "baseline");
	assert_null(property(&p, "baseline_commit"));
	release(&p);

	f.report.exit_code = 1; /* --missing-baseline fail */
	parse(&p, &f.report);
	check_counts(&p, 1, 1, 0, 0);
	assert_string_equal(attr(child(testcase(&p, 0), "failure"), "message"),
			    "no baseline found for branch 'main' "
			    "(failing: --missing-baseline fail)");
	release(&p);
	fx_release(&f);
}

/* A confirmed gate: the suspect's test case carries its first pass (in
 * the failure's text and in its system-out); the others do not. */
static void test_confirmation(void **state)
{
	fx f;
	fx_confirm c;
	parsed p;
	xmlNode *tc, *n;
	xmlChar *text;

	(void)state;
	fx_confirmation(&f, &c, PG_DECISION_REGRESSION);
	parse(&p, &f.report);
	check_counts(&p, 3, 1, 0, 0);
	tc = testcase(&p, 0);
	assert_string_equal(attr(tc, "name"), "Hash/fnv1a-64K");
	n = child(tc, "failure");
	assert_non_null(n);
	text = xmlNodeGetContent(n);
	assert_non_null(strstr((const char *)text, "paired: +15.0% > 5% threshold; unpaired "
			       "p=0.2, noise\nfirst pass: regression, old 41.20"));
	xmlFree(text);
	n = child(tc, "system-out");
	assert_non_null(n);
	text = xmlNodeGetContent(n);
	assert_true(strncmp((const char *)text, "first pass: regression, old 41.20", 33) == 0);
	assert_non_null(strstr((const char *)text, "delta +16.21%"));
	xmlFree(text);
	text = xmlNodeGetContent(child(testcase(&p, 1), "system-out"));
	assert_null(strstr((const char *)text, "first pass"));
	assert_null(strstr((const char *)text, "unpaired"));
	xmlFree(text);
	/* cleared: the first pass in the passing test case's system-out */
	release(&p);
	fx_release(&f);
	fx_confirmation(&f, &c, PG_DECISION_UNCHANGED);
	parse(&p, &f.report);
	check_counts(&p, 3, 0, 0, 0);
	text = xmlNodeGetContent(child(testcase(&p, 0), "system-out"));
	assert_non_null(strstr((const char *)text, "unchanged: old 41.20"));
	assert_non_null(strstr((const char *)text, "\nfirst pass: regression, old 41.20"));
	xmlFree(text);
	release(&p);
	fx_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_no_baseline),
		cmocka_unit_test(test_confirmation),
	};
	int rc;

	rc = cmocka_run_group_tests_name("report_junit", tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
