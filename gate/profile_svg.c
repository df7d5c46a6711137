/*
 * The differential flame graph (see gate/profile_svg.h): SVG text built in
 * a pg_buf from the merged call tree of stats/profile.c.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/format_util.h"
#include "gate/profile_svg.h"
#include "stats/profile.h"
#include "common/banned.h"

#define NONE SIZE_MAX

#define PAD_X 10.0       /* left and right margins */
#define GRAPH_TOP 84.0   /* below the header */
#define FRAME_H 16.0     /* one stack level */
#define FOOTER_H 24.0
#define FONT_PX 12.0
#define CHAR_W 7.2       /* a monospace character at FONT_PX (0.6 em) */
#define MIN_WIDTH 0.1    /* narrower nodes are not drawn */

void pg_xml_escape(pg_buf *out, const char *s)
{
	pg_buf clean = PG_BUF_INIT;
	const unsigned char *p;

	/* invalid UTF-8 -> U+FFFD, control characters -> '?' */
	pg_utf8_sanitize(&clean, s, 1);
	if (pg_buf_failed(&clean)) {
		pg_buf_release(&clean);
		out->failed = 1;
		return;
	}
	for (p = (const unsigned char *)clean.ptr; *p; p++) {
		switch (*p) {
		case '&':
			pg_buf_adds(out, "&amp;");
			break;
		case '<':
			pg_buf_adds(out, "&lt;");
			break;
		case '>':
			pg_buf_adds(out, "&gt;");
			break;
		case '"':
			pg_buf_adds(out, "&quot;");
			break;
		case '\'':
			pg_buf_adds(out, "&apos;");
			break;
		default:
			/* U+FFFE and U+FFFF are not XML characters either */
			if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
				pg_buf_adds(out, "\xEF\xBF\xBD");
				p += 2;
			} else {
				pg_buf_addch(out, *p);
			}
		}
	}
	pg_buf_release(&clean);
}

/* Append at most `max` characters (code points) of `s`, escaped; ".." at
 * the end when it was cut. */
static void add_truncated(pg_buf *out, const char *s, size_t max)
{
	pg_buf cut = PG_BUF_INIT;
	size_t chars = pg_display_width(s), n = 0;
	const char *p = s;

	if (chars <= max) {
		pg_xml_escape(out, s);
		return;
	}
	/* keep max - 2 characters, never splitting a UTF-8 sequence */
	while (*p) {
		if (((unsigned char)*p & 0xC0) != 0x80) {
			if (n == max - 2)
				break;
			n++;
		}
		p++;
	}
	pg_buf_add(&cut, s, (size_t)(p - s));
	pg_buf_adds(&cut, "..");
	if (pg_buf_failed(&cut))
		out->failed = 1;
	else
		pg_xml_escape(out, cut.ptr);
	pg_buf_release(&cut);
}

typedef struct rgb {
	int r, g, b;
} rgb;

static rgb mix(rgb a, rgb b, double t)
{
	rgb c;

	c.r = (int)lround(a.r + (b.r - a.r) * t);
	c.g = (int)lround(a.g + (b.g - a.g) * t);
	c.b = (int)lround(a.b + (b.b - a.b) * t);
	return c;
}

static const rgb NEUTRAL = { 221, 221, 221 };
static const rgb RED_LO = { 250, 200, 196 }, RED_HI = { 214, 39, 40 };
static const rgb BLUE_LO = { 198, 214, 250 }, BLUE_HI = { 31, 90, 200 };

/* The colour for a change of `points`; *dark when white text reads
 * better. */
static rgb diff_colour(double points, const pg_profile_svg_opts *o, int *dark)
{
	double a = fabs(points), t;

	*dark = 0;
	if (!(a >= o->neutral_points) || points == 0)
		return NEUTRAL;
	t = o->full_points > o->neutral_points ?
		(a - o->neutral_points) / (o->full_points - o->neutral_points) : 1.0;
	if (t > 1)
		t = 1;
	*dark = t > 0.65;
	return points > 0 ? mix(RED_LO, RED_HI, t) : mix(BLUE_LO, BLUE_HI, t);
}

/* Flame-graph warm colours, stable per name (no base to compare with). */
static rgb plain_colour(const char *name)
{
	uint64_t h = pg_hash_bytes(name, strlen(name));
	rgb c;

	c.r = 205 + (int)(h % 50);
	c.g = 100 + (int)((h >> 8) % 130);
	c.b = (int)((h >> 16) % 55);
	return c;
}

static double pct(int64_t v, int64_t total)
{
	return total ? 100.0 * (double)v / (double)total : 0.0;
}

void pg_profile_add_amount(pg_buf *out, int64_t v, const char *unit)
{
	double x = (double)v;

	if (!strcmp(unit, "nanoseconds")) {
		if (fabs(x) >= 1e9)
			pg_buf_addf(out, "%.3gs", x / 1e9);
		else if (fabs(x) >= 1e6)
			pg_buf_addf(out, "%.3gms", x / 1e6);
		else if (fabs(x) >= 1e3)
			pg_buf_addf(out, "%.3g\xC2\xB5s", x / 1e3);
		else
			pg_buf_addf(out, v ? "%.0fns" : "0", x);
	} else if (!strcmp(unit, "count") || !unit[0]) {
		pg_buf_addf(out, "%lld", (long long)v);
	} else {
		pg_buf_addf(out, "%lld %s", (long long)v, unit);
	}
}

static void add_title(pg_buf *out, const pg_profile_tree *t, const pg_profile_node *nd)
{
	const pg_profile_tree_func *f = &t->funcs[nd->func];
	double nc = pct(f->new_cum, t->new_total), nf = pct(f->new_flat, t->new_total);
	double np = pct(nd->new_cum, t->new_total);

	pg_buf_adds(out, "<title>");
	pg_xml_escape(out, nd->name);
	if (t->has_base) {
		double bc = pct(f->base_cum, t->base_total);

		pg_buf_addf(out, ": %.1f%% (base %.1f%%, %+.1f points)", nc, bc, nc - bc);
		pg_buf_addf(out, "&#10;flat: %.1f%% (base %.1f%%)", nf,
			    pct(f->base_flat, t->base_total));
		pg_buf_addf(out, "&#10;this call path: %.1f%% (base %.1f%%)", np,
			    pct(nd->base_cum, t->base_total));
	} else {
		pg_buf_addf(out, ": %.1f%%&#10;flat: %.1f%%&#10;this call path: %.1f%%",
			    nc, nf, np);
	}
	pg_buf_adds(out, "</title>");
}

static void add_legend(pg_buf *out, const pg_profile_tree *t, const pg_profile_svg_opts *o,
		       double y)
{
	double x = PAD_X;

	if (t->has_base) {
		static const double steps[] = { -1, -0.5, 0, 0.5, 1 };
		size_t i;

		for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
			double pts = steps[i] * o->full_points;
			int dark;
			rgb c = diff_colour(pts, o, &dark);

			pg_buf_addf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"46\" height=\"14\" "
				    "fill=\"rgb(%d,%d,%d)\"/>", x, y - 11, c.r, c.g, c.b);
			pg_buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"l%s\">%+g</text>\n",
				    x + 4, y, dark ? " d" : "", pts);
			x += 48;
		}
		pg_buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\">points: change of each function's "
			    "share (red grew, blue shrank); width: new share; root at the "
			    "bottom</text>\n", x + 6, y);
	} else {
		pg_buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\">width: share of the profile; "
			    "root at the bottom</text>\n", x, y);
	}
}

int pg_profile_svg_render(pg_buf *out, const pg_profile_tree *t,
			  const pg_profile_svg_opts *opts)
{
	pg_profile_svg_opts o = PG_PROFILE_SVG_OPTS_INIT;
	double *x = NULL, gw, height, scale;
	size_t i, c;
	int err = 0;

	if (opts)
		o = *opts;
	if (!(o.width >= 200))
		o.width = 200;
	if (!(o.full_points > 0))
		o.full_points = 10;
	if (!(o.neutral_points >= 0))
		o.neutral_points = 0;
	gw = o.width - 2 * PAD_X;
	height = GRAPH_TOP + (double)(t->max_depth + 1) * FRAME_H + FOOTER_H;
	scale = t->new_total > 0 ? gw / (double)t->new_total : 0;
	x = calloc(t->n ? t->n : 1, sizeof(*x));
	if (!x)
		return pg_error_set(PG_ENOMEM, "out of memory");

	pg_buf_addf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
		    "<svg version=\"1.1\" xmlns=\"http://www.w3.org/2000/svg\" "
		    "width=\"%.0f\" height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\">\n",
		    o.width, height, o.width, height);
	pg_buf_adds(out, "<style>\n"
		    "text { font-family: monospace; font-size: 12px; fill: #000; }\n"
		    "text.h { font-size: 17px; font-weight: bold; }\n"
		    "text.l { font-size: 11px; }\n"
		    "text.d { fill: #fff; }\n"
		    "g.f text { pointer-events: none; }\n"
		    "g.f:hover rect { stroke: #000; stroke-width: 1; }\n"
		    "</style>\n");
	pg_buf_addf(out, "<rect x=\"0\" y=\"0\" width=\"%.0f\" height=\"%.0f\" fill=\"#fff\"/>\n",
		    o.width, height);
	pg_buf_addf(out, "<text x=\"%.1f\" y=\"22\" class=\"h\">", PAD_X);
	pg_xml_escape(out, o.title ? o.title : t->has_base ? "Differential flame graph" :
		      "Flame graph");
	pg_buf_adds(out, "</text>\n");
	pg_buf_addf(out, "<text x=\"%.1f\" y=\"40\">", PAD_X);
	if (o.subtitle) {
		pg_xml_escape(out, o.subtitle);
		pg_buf_adds(out, "  ");
	}
	pg_buf_adds(out, "sample type ");
	pg_xml_escape(out, t->type);
	pg_buf_adds(out, "/");
	pg_xml_escape(out, t->unit);
	pg_buf_adds(out, ": new total ");
	{
		pg_buf amount = PG_BUF_INIT;

		pg_profile_add_amount(&amount, t->new_total, t->unit);
		if (t->has_base) {
			pg_buf_adds(&amount, ", base total ");
			pg_profile_add_amount(&amount, t->base_total, t->unit);
		}
		pg_xml_escape(out, amount.ptr);
		if (pg_buf_failed(&amount))
			out->failed = 1;
		pg_buf_release(&amount);
	}
	pg_buf_adds(out, "</text>\n");
	add_legend(out, t, &o, 62);

	/* nodes: a parent always comes before its children, so one pass in
	 * index order places every node */
	x[0] = PAD_X;
	for (i = 0; i < t->n; i++) {
		const pg_profile_node *nd = &t->nodes[i];
		double w = (double)nd->new_cum * scale, cx = x[i], y;
		double pts = 0;
		int dark = 0;
		rgb col;

		for (c = nd->first_child; c != NONE; c = t->nodes[c].next_sibling) {
			x[c] = cx;
			if (t->nodes[c].new_cum > 0)
				cx += (double)t->nodes[c].new_cum * scale;
		}
		if (!(w >= MIN_WIDTH))
			continue;
		y = GRAPH_TOP + (double)(t->max_depth - nd->depth) * FRAME_H;
		if (t->has_base) {
			const pg_profile_tree_func *f = &t->funcs[nd->func];

			pts = pct(f->new_cum, t->new_total) - pct(f->base_cum, t->base_total);
			col = diff_colour(pts, &o, &dark);
		} else {
			col = plain_colour(nd->name);
		}
		pg_buf_adds(out, "<g class=\"f\">");
		add_title(out, t, nd);
		pg_buf_addf(out, "<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" height=\"%.1f\" "
			    "rx=\"2\" fill=\"rgb(%d,%d,%d)\"/>", x[i], y, w, FRAME_H - 1,
			    col.r, col.g, col.b);
		if (w - 6 >= 3 * CHAR_W) {
			pg_buf_addf(out, "<text x=\"%.2f\" y=\"%.1f\"%s>", x[i] + 3,
				    y + FRAME_H - 4.5, dark ? " class=\"d\"" : "");
			add_truncated(out, nd->name, (size_t)((w - 6) / CHAR_W));
			pg_buf_adds(out, "</text>");
		}
		pg_buf_adds(out, "</g>\n");
	}
	pg_buf_addf(out, "<text x=\"%.1f\" y=\"%.1f\" class=\"l\">hover over a frame for its "
		    "shares; made by perfgate</text>\n", PAD_X, height - 8);
	pg_buf_adds(out, "</svg>\n");
	if (pg_buf_failed(out))
		err = pg_error_set(PG_ENOMEM, "out of memory");
	free(x);
	return err;
}

int pg_profile_svg(pg_buf *out, const pg_profile *base, const pg_profile *next,
		   const char *spec, const pg_profile_svg_opts *opts)
{
	pg_profile_tree tree;
	int err;

	if ((err = pg_profile_tree_build(&tree, base, next, spec)) < 0)
		return err;
	err = pg_profile_svg_render(out, &tree, opts);
	pg_profile_tree_release(&tree);
	return err;
}
