#ifndef PG_COMPARE_FORMAT_H
#define PG_COMPARE_FORMAT_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "stats/compare.h"

/*
 * Rendering of a comparison: the benchstat-like text table, JSON (a
 * documented, stable contract: see README "compare --format json"), CSV
 * and Markdown. Rendering never prints: it appends to a buffer, so a
 * command writes all or nothing.
 */

typedef enum pg_format {
	PG_FORMAT_TEXT = 0,
	PG_FORMAT_JSON,
	PG_FORMAT_CSV,
	PG_FORMAT_MARKDOWN
} pg_format;

/* The inputs, for the report's header. */
typedef struct pg_compare_inputs {
	const char *const *old_files;
	size_t nold;
	const char *const *new_files;
	size_t nnew;
} pg_compare_inputs;

/* "text", "json", "csv", "markdown" (also "md"). 0 or PG_EINPUT. */
int pg_format_parse(pg_format *out, const char *name);

int pg_compare_render(pg_buf *out, const pg_comparison *c,
		      const pg_compare_inputs *in, pg_format format);

/* The JSON document of `compare --format json` (a new reference the
 * caller releases with json_decref), or NULL when out of memory. */
json_t *pg_compare_to_json(const pg_comparison *c, const pg_compare_inputs *in);

/* The JSON object of one row (also used by the gate's report). */
json_t *pg_compare_row_to_json(const pg_compare_row *row, pg_test_kind test);

/* Value formatting shared by the text and Markdown tables:
 * "12.35µs" for ns-based units, SI-scaled otherwise ("2.048k"). */
int pg_format_value(pg_buf *out, double v, const char *unit);

#endif
