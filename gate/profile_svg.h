#ifndef PG_PROFILE_SVG_H
#define PG_PROFILE_SVG_H

#include <stdint.h>

#include "common/buf.h"
#include "stats/profile.h"

/*
 * A differential flame graph as a self-contained SVG: no script, no
 * external resource, a few lines of inline CSS; it opens in any browser.
 *
 *  - One rectangle per node of the NEW profile's merged call tree
 *    (pg_profile_tree_build()): the root ("all") at the BOTTOM, callees
 *    above their callers, siblings in name order, the width proportional
 *    to the node's cumulative samples in the new profile (nodes narrower
 *    than 0.1 px are left out).
 *  - The colour compares the FUNCTION's cumulative share (the share of the
 *    samples with the function anywhere on the stack, as in `perfgate
 *    profile top`; for a leaf function its flat share) in the new profile
 *    with its share in the base: red when it grew, blue when it shrank,
 *    more saturated the larger the change, saturating at `full_points`;
 *    neutral grey when the change is below `neutral_points`. The function
 *    is compared, not the call path, so a wrapper added on the way (a
 *    new caller, different inlining) does not paint the frames above it:
 *    the function that got slower is red, and so are the callers whose
 *    share grew with it.
 *  - Every rectangle has a <title> (the browser's hover tooltip):
 *    "parse_header: 19.2% (base 8.1%, +11.1 points)" (the function's
 *    cumulative shares), then "flat: 19.0% (base 8.0%)" and "this call
 *    path: 12.3% (base 5.0%)" (the box itself: its width) on two more
 *    lines.
 *  - The name is written in the box when at least three characters fit
 *    (truncated with ".." otherwise).
 *  - A header: the title, and a legend line saying what width and colour
 *    mean, the sample type and both totals.
 * Without a base profile (tree->has_base == 0) it is a plain flame graph
 * (warm colours by name, titles with the new shares only).
 *
 * Names are written as XML text: & < > " ' escaped, invalid UTF-8 replaced
 * by U+FFFD and control characters (which XML 1.0 cannot carry even
 * escaped) by '?'.
 */

typedef struct pg_profile_svg_opts {
	const char *title;     /* first header line; NULL: "Differential flame graph" */
	const char *subtitle;  /* an extra header line (e.g. the files), or NULL */
	double width;          /* of the image, px (default 1200) */
	double neutral_points; /* |change| below this is grey (default 0.5) */
	double full_points;    /* |change| at which the colour saturates (default 10) */
} pg_profile_svg_opts;

#define PG_PROFILE_SVG_OPTS_INIT { NULL, NULL, 1200.0, 0.5, 10.0 }

/* Append the SVG of `tree` to `out`; `opts` may be NULL (defaults).
 * 0 or PG_ENOMEM. */
int pg_profile_svg_render(pg_buf *out, const pg_profile_tree *tree,
			  const pg_profile_svg_opts *opts);

/* Build the tree of `next` against `base` (may be NULL) for sample type
 * `spec` (NULL: the default, see pg_profile_find_type()) and append its
 * SVG to `out`. 0, PG_EINPUT (sample type, empty profile) or PG_ENOMEM. */
int pg_profile_svg(pg_buf *out, const pg_profile *base, const pg_profile *next,
		   const char *spec, const pg_profile_svg_opts *opts);

/* Append an amount of a sample type's unit for people: nanoseconds as
 * "1.23s", "450ms", "12.5µs", "80ns" (3 significant digits); "count" as the
 * number; other units as "<number> <unit>". */
void pg_profile_add_amount(pg_buf *out, int64_t v, const char *unit);

/* Append `s` as XML character data / attribute value (see above). */
void pg_xml_escape(pg_buf *out, const char *s);

#endif
