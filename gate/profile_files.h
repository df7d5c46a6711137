#ifndef PG_PROFILE_FILES_H
#define PG_PROFILE_FILES_H

#include <stddef.h>

#include "common/buf.h"
#include "stats/profile.h"

/*
 * Profiles read from files: what `perfgate profile` and the gate's reports
 * use (the gate: "top growing functions" of a regressed benchmark, and the
 * differential flame graph uploaded beside the report). Nothing here
 * prints.
 */

/* Read the pprof files (gzipped or not) and merge them into `out` (which
 * must be initialised; it may hold samples already). With `label_key` not
 * NULL only the samples carrying the label label_key=label_value are kept;
 * when no sample of any file has it: PG_ENOTFOUND "no samples with label
 * benchmark=Hash in 'a.pb.gz,b.pb.gz'". Errors name the file: PG_EINPUT
 * (missing or unreadable file, not a profile; see pg_profile_parse()),
 * PG_ENOMEM. On failure `out` may hold the samples of the files before the
 * failing one: release it. */
int pg_profile_read_files(pg_profile *out, const char *const *files, size_t n,
			  const char *label_key, const char *label_value);

/*
 * What the gate shows for one regressed benchmark: read and merge the base
 * files and the new files (several runs each) and diff them for the
 * default sample type (cpu/nanoseconds when present), keeping the samples
 * whose label "benchmark" is `benchmark`. Only when no sample on either
 * side carries a "benchmark" label at all (profiles of the whole run, from
 * perf record) are the whole profiles compared. When one side has
 * labelled samples but none of this benchmark: PG_ENOTFOUND "no baseline
 * profile of this benchmark" (or "no candidate profile ..."), never the
 * other benchmarks' samples in its place.
 *
 * `out` (may be NULL when only the SVG is wanted) is overwritten (it need
 * not be initialised); free it with pg_profile_diff_release(), also after
 * a failure (it is then empty). out->funcs is sorted by growth_points,
 * largest growth first: the "top growing functions" are the first entries
 * whose growth_points is above the threshold (e.g. 2 points). When `svg`
 * is not NULL the differential flame graph (gate/profile_svg.h) is
 * appended to it (the caller owns the pg_buf and writes it where it
 * likes, e.g. pg_file_write_atomic()); `svg_title` is its header line
 * (NULL: "Differential flame graph").
 * 0, PG_EINPUT (no file on a side, or see pg_profile_read_files()),
 * PG_ENOTFOUND or PG_ENOMEM.
 */
int pg_profile_diff_benchmark(pg_profile_diff *out, pg_buf *svg,
			      const char *const *base_files, size_t nb,
			      const char *const *new_files, size_t nn,
			      const char *benchmark, const char *svg_title);

#endif
