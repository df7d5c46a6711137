/*
 * The differential flame graph (gate/profile_svg.c): the SVG is parsed back
 * with libxml2 (well-formed, names escaped), widths are proportional to the
 * new samples, colours follow growth and shrinkage, labels fit their box.
 */
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/profile_svg.h"
#include "stats/profile.h"
#include "stats/profile_fixture.h"

#define GRAPH_W 1180.0 /* 1200 minus the margins */

/* One frame of the graph, as read back from the SVG. */
typedef struct frame {
	char *title, *label;
	double x, y, width;
	int r, g, b;
} frame;

typedef struct svg_doc {
	xmlDocPtr doc;
	frame *frames;
	size_t n;
} svg_doc;

static char *attr(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	assert_non_null(v);
	s = strdup((const char *)v);
	xmlFree(v);
	return s;
}

static double attr_num(xmlNodePtr n, const char *name)
{
	char *v = attr(n, name);
	double d = strtod(v, NULL);

	free(v);
	return d;
}

/* Parse the SVG (failing the test when it is not well-formed XML) and
 * collect its frames (<g class="f">). */
static void svg_parse(svg_doc *out, const pg_buf *svg)
{
	xmlXPathContextPtr ctx;
	xmlXPathObjectPtr res;
	int i;

	memset(out, 0, sizeof(*out));
	out->doc = xmlReadMemory(svg->ptr, (int)svg->len, "diff.svg", NULL,
				 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!out->doc)
		fail_msg("the SVG is not well-formed XML:\n%s", svg->ptr);
	assert_string_equal((const char *)xmlDocGetRootElement(out->doc)->name, "svg");
	ctx = xmlXPathNewContext(out->doc);
	assert_non_null(ctx);
	xmlXPathRegisterNs(ctx, (const xmlChar *)"s", (const xmlChar *)"http://www.w3.org/2000/svg");
	res = xmlXPathEvalExpression((const xmlChar *)"//s:g[@class='f']", ctx);
	assert_non_null(res);
	out->n = res->nodesetval ? (size_t)res->nodesetval->nodeNr : 0;
	out->frames = calloc(out->n + 1, sizeof(*out->frames));
	assert_non_null(out->frames);
	for (i = 0; i < (int)out->n; i++) {
		xmlNodePtr g = res->nodesetval->nodeTab[i], c;
		frame *f = &out->frames[i];

		for (c = g->children; c; c = c->next) {
			xmlChar *text;

			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (!strcmp((const char *)c->name, "rect")) {
				char *fill = attr(c, "fill");

				f->x = attr_num(c, "x");
				f->y = attr_num(c, "y");
				f->width = attr_num(c, "width");
				assert_int_equal(sscanf(fill, "rgb(%d,%d,%d)", &f->r, &f->g, &f->b), 3);
				free(fill);
				continue;
			}
			text = xmlNodeGetContent(c);
			if (!strcmp((const char *)c->name, "title"))
				f->title = strdup((const char *)text);
			else if (!strcmp((const char *)c->name, "text"))
				f->label = strdup((const char *)text);
			xmlFree(text);
		}
		assert_non_null(f->title);
	}
	xmlXPathFreeObject(res);
	xmlXPathFreeContext(ctx);
}

static void svg_release(svg_doc *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->frames[i].title);
		free(d->frames[i].label);
	}
	free(d->frames);
	xmlFreeDoc(d->doc);
}

/* The frame whose title starts with "name:" (the n-th one). */
static const frame *frame_nth(const svg_doc *d, const char *name, int nth)
{
	size_t i, len = strlen(name);

	for (i = 0; i < d->n; i++)
		if (!strncmp(d->frames[i].title, name, len) && d->frames[i].title[len] == ':' &&
		    nth-- == 0)
			return &d->frames[i];
	fail_msg("no frame '%s'", name);
	return NULL;
}

static const frame *frame_of(const svg_doc *d, const char *name)
{
	return frame_nth(d, name, 0);
}

static void load(pg_profile *p, pb *b, const char *name)
{
	pg_buf d = PG_BUF_INIT;

	pg_profile_init(p);
	pb_encode(b, 1, &d);
	if (pg_profile_parse(p, name, d.ptr, d.len) < 0)
		fail_msg("%s", pg_error_last());
	pg_buf_release(&d);
	pb_free(b);
}

/* base: parse 10%, lex 40%, eval 50% (all under main);
 * new: parse 30%, lex 40%, eval 28%, gc 2% (under runtime). */
static void base_and_new(pg_profile *base, pg_profile *next)
{
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
	pb *n = pb_new2("samples", "count", "cpu", "nanoseconds");

	pb_sample(b, "parse;main", 1, 100);
	pb_sample(b, "lex;main", 4, 400);
	pb_sample(b, "eval;main", 5, 500);
	pb_sample(n, "parse;main", 3, 300);
	pb_sample(n, "lex;main", 4, 400);
	pb_sample(n, "eval;main", 3, 280);
	pb_sample(n, "gc;runtime", 1, 20);
	load(base, b, "base.pb.gz");
	load(next, n, "new.pb.gz");
}

static void test_widths(void **state)
{
	pg_profile base, next;
	pg_buf svg = PG_BUF_INIT;
	svg_doc d;
	const frame *all, *m, *parse, *lex, *eval, *gc;

	(void)state;
	base_and_new(&base, &next);
	assert_int_equal(pg_profile_svg(&svg, &base, &next, NULL, NULL), 0);
	svg_parse(&d, &svg);
	assert_int_equal(d.n, 7); /* all main parse lex eval runtime gc */
	all = frame_of(&d, "all");
	m = frame_of(&d, "main");
	parse = frame_of(&d, "parse");
	lex = frame_of(&d, "lex");
	eval = frame_of(&d, "eval");
	gc = frame_of(&d, "gc");
	assert_true(fabs(all->width - GRAPH_W) < 0.01);
	assert_true(fabs(m->width - 0.98 * GRAPH_W) < 0.01);
	assert_true(fabs(parse->width - 0.30 * GRAPH_W) < 0.01);
	assert_true(fabs(lex->width - 0.40 * GRAPH_W) < 0.01);
	assert_true(fabs(eval->width - 0.28 * GRAPH_W) < 0.01);
	assert_true(fabs(gc->width - 0.02 * GRAPH_W) < 0.01);
	/* the root at the bottom, callees above their callers */
	assert_true(all->y > m->y && m->y > parse->y);
	assert_true(fabs(parse->y - lex->y) < 1e-9);
	/* siblings side by side in name order: eval, lex, parse */
	assert_true(fabs(eval->x - m->x) < 0.01);
	assert_true(fabs(lex->x - (eval->x + eval->width)) < 0.01);
	assert_true(fabs(parse->x - (lex->x + lex->width)) < 0.01);
	/* the hover title: both shares */
	assert_string_equal(parse->title, "parse: 30.0% (base 10.0%, +20.0 points)\n"
			    "flat: 30.0% (base 10.0%)\nthis call path: 30.0% (base 10.0%)");
	assert_string_equal(all->label, "all");
	assert_string_equal(parse->label, "parse");
	assert_null(gc->label); /* 23.6 px: not three characters */
	assert_non_null(strstr(svg.ptr, "new total 1\xC2\xB5s, base total 1\xC2\xB5s"));
	svg_release(&d);
	pg_buf_release(&svg);
	pg_profile_release(&base);
	pg_profile_release(&next);
}

static void test_colours(void **state)
{
	pg_profile base, next;
	pg_buf svg = PG_BUF_INIT;
	svg_doc d;
	const frame *parse, *lex, *eval, *gc, *all;

	(void)state;
	base_and_new(&base, &next);
	assert_int_equal(pg_profile_svg(&svg, &base, &next, "cpu/nanoseconds", NULL), 0);
	svg_parse(&d, &svg);
	parse = frame_of(&d, "parse"); /* +20 points: saturated red */
	gc = frame_of(&d, "gc");       /* +2 points: light red */
	lex = frame_of(&d, "lex");     /* 0: grey */
	eval = frame_of(&d, "eval");   /* -22 points: saturated blue */
	all = frame_of(&d, "all");
	assert_true(parse->r > parse->g + 100 && parse->r > parse->b + 100);
	assert_true(gc->r > gc->g && gc->r > gc->b);
	assert_true(gc->g > parse->g); /* less saturated */
	assert_true(eval->b > eval->r + 100);
	assert_int_equal(lex->r, lex->g);
	assert_int_equal(lex->g, lex->b);
	assert_int_equal(all->r, all->b);
	svg_release(&d);
	pg_buf_reset(&svg);

	/* the thresholds are options: everything within 25 points is grey */
	{
		pg_profile_svg_opts o = PG_PROFILE_SVG_OPTS_INIT;

		o.neutral_points = 25;
		o.full_points = 50;
		o.title = "Hash: <before> & \"after\"";
		assert_int_equal(pg_profile_svg(&svg, &base, &next, NULL, &o), 0);
		svg_parse(&d, &svg);
		parse = frame_of(&d, "parse");
		assert_int_equal(parse->r, parse->b);
		assert_non_null(strstr(svg.ptr, "Hash: &lt;before&gt; &amp; &quot;after&quot;"));
		svg_release(&d);
	}
	pg_buf_release(&svg);
	pg_profile_release(&base);
	pg_profile_release(&next);
}

/* Names with XML metacharacters, control characters and invalid UTF-8. */
static void test_escaping(void **state)
{
	pg_profile base, next;
	pg_buf svg = PG_BUF_INIT;
	svg_doc d;
	const frame *f;
	pb *b = pb_new2("samples", "count", "cpu", "nanoseconds");
	pb *n = pb_new2("samples", "count", "cpu", "nanoseconds");

	(void)state;
	pb_sample(b, "operator<<(std::ostream&, \"x\")'s;main", 1, 10);
	pb_sample(b, "main", 1, 10);
	pb_sample(n, "operator<<(std::ostream&, \"x\")'s;main", 1, 10);
	pb_sample(n, "bad\xff\xfe name\x01\x1b[31m;main", 1, 10);
	pb_sample(n, "nonchar\xEF\xBF\xBE;main", 1, 10);
	load(&base, b, "b.pb.gz");
	load(&next, n, "n.pb.gz");
	assert_int_equal(pg_profile_svg(&svg, &base, &next, NULL, NULL), 0);
	assert_null(strchr(svg.ptr, '\x01'));
	assert_null(strchr(svg.ptr, '\x1b'));
	svg_parse(&d, &svg);
	f = frame_of(&d, "operator<<(std::ostream&, \"x\")'s");
	assert_string_equal(f->label, "operator<<(std::ostream&, \"x\")'s");
	assert_non_null(strstr(f->title, "(base 50.0%, -16.7 points)"));
	f = frame_of(&d, "bad\xEF\xBF\xBD\xEF\xBF\xBD name??[31m");
	assert_non_null(f->label);
	f = frame_of(&d, "nonchar\xEF\xBF\xBD");
	assert_non_null(f);
	svg_release(&d);
	pg_buf_release(&svg);
	pg_profile_release(&base);
	pg_profile_release(&next);
}

/* Labels are cut to fit their box (never inside a UTF-8 sequence); boxes
 * narrower than 0.1 px are left out. */
static void test_labels_and_tiny_frames(void **state)
{
	pg_profile next;
	pg_buf svg = PG_BUF_INIT, cut = PG_BUF_INIT;
	svg_doc d;
	const frame *f;
	pb *n = pb_new2("samples", "count", "cpu", "nanoseconds");
	pg_profile_svg_opts o = PG_PROFILE_SVG_OPTS_INIT;

	(void)state;
	/* 100000 ns in all: 1180 px; 8000 ns = 94.4 px = 12 characters */
	pb_sample(n, "\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9;main", 1, 8000);
	pb_sample(n, "tiny;main", 1, 5); /* 0.059 px */
	pb_sample(n, "main", 1, 91995);
	load(&next, n, "n.pb.gz");
	o.title = NULL;
	assert_int_equal(pg_profile_svg(&svg, NULL, &next, NULL, &o), 0);
	svg_parse(&d, &svg);
	assert_int_equal(d.n, 3); /* all, main, the long name; not tiny */
	assert_null(strstr(svg.ptr, ">tiny"));
	f = frame_nth(&d, "\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9", 0);
	/* (94.4 - 6) / 7.2 = 12 characters: 10 and ".." */
	pg_buf_adds(&cut, "\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_\xC3\xA9t..");
	assert_string_equal(f->label, cut.ptr);
	/* no base: a plain flame graph */
	assert_string_equal(f->title, "\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_\xC3\xA9t\xC3\xA9_"
			    "\xC3\xA9t\xC3\xA9: 8.0%\nflat: 8.0%\nthis call path: 8.0%");
	assert_non_null(strstr(svg.ptr, ">Flame graph<"));
	svg_release(&d);
	pg_buf_release(&svg);
	pg_buf_release(&cut);
	pg_profile_release(&next);
}

static void test_amount(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	pg_profile_add_amount(&b, 1234567890, "nanoseconds");
	pg_buf_addch(&b, ' ');
	pg_profile_add_amount(&b, 450000000, "nanoseconds");
	pg_buf_addch(&b, ' ');
	pg_profile_add_amount(&b, 12500, "nanoseconds");
	pg_buf_addch(&b, ' ');
	pg_profile_add_amount(&b, 80, "nanoseconds");
	pg_buf_addch(&b, ' ');
	pg_profile_add_amount(&b, 0, "nanoseconds");
	pg_buf_addch(&b, ' ');
	pg_profile_add_amount(&b, 42, "count");
	pg_buf_addch(&b, ' ');
	pg_profile_add_amount(&b, 4096, "bytes");
	assert_string_equal(b.ptr, "1.23s 450ms 12.5\xC2\xB5s 80ns 0 42 4096 bytes");
	pg_buf_reset(&b);
	pg_xml_escape(&b, "<a href=\"x\">&'</a>");
	assert_string_equal(b.ptr, "&lt;a href=&quot;x&quot;&gt;&amp;&apos;&lt;/a&gt;");
	pg_buf_release(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_escaping),
		cmocka_unit_test(test_labels_and_tiny_frames),
		cmocka_unit_test(test_amount),
	};
	int rc;

	rc = cmocka_run_group_tests_name("profile_svg", tests, NULL, NULL);
	xmlCleanupParser();
	return rc;
}
