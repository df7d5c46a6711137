#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/profile_files.h"
#include "gate/profile_svg.h"
#include "stats/profile.h"
#include "common/banned.h"

int pg_profile_read_files(pg_profile *out, const char *const *files, size_t n,
			  const char *label_key, const char *label_value)
{
	pg_buf data = PG_BUF_INIT, names = PG_BUF_INIT;
	pg_profile one;
	size_t i, before = out->nsamples;
	int err = 0;

	pg_profile_init(&one);
	for (i = 0; i < n; i++) {
		pg_buf_reset(&data);
		if ((err = pg_file_read(&data, files[i])) < 0)
			goto cleanup;
		if (!label_key) {
			if ((err = pg_profile_parse(out, files[i], data.ptr, data.len)) < 0)
				goto cleanup;
			continue;
		}
		pg_profile_release(&one);
		if ((err = pg_profile_parse(&one, files[i], data.ptr, data.len)) < 0 ||
		    (err = pg_profile_filter_label(out, &one, label_key, label_value)) < 0)
			goto cleanup;
		pg_buf_addf(&names, "%s%s", i ? "," : "", files[i]);
	}
	if (label_key && out->nsamples == before) {
		err = pg_error_set(PG_ENOTFOUND, "no samples with label %s=%s in '%s'",
				   label_key, label_value ? label_value : "", names.ptr);
		goto cleanup;
	}

cleanup:
	pg_profile_release(&one);
	pg_buf_release(&data);
	pg_buf_release(&names);
	return err;
}

/* Diff two read profiles into `out` (may be NULL) and `svg` (may be NULL). */
static int diff_read(pg_profile_diff *out, pg_buf *svg, const pg_profile *base,
		     const pg_profile *next, const char *svg_title)
{
	pg_profile_svg_opts opts = PG_PROFILE_SVG_OPTS_INIT;
	int err;

	if (out && (err = pg_profile_diff_compute(out, base, next, NULL)) < 0)
		return err;
	if (svg) {
		opts.title = svg_title;
		if ((err = pg_profile_svg(svg, base, next, NULL, &opts)) < 0) {
			pg_profile_diff_release(out);
			return err;
		}
	}
	return 0;
}

/* Read the base and the new files, every sample. */
static int read_both(pg_profile *base, pg_profile *next, const char *const *base_files,
		     size_t nb, const char *const *new_files, size_t nn)
{
	int err;

	if (nb == 0 || nn == 0)
		return pg_error_set(PG_EINPUT, "no %s profile to compare",
				    nb == 0 ? "base" : "new");
	if ((err = pg_profile_read_files(base, base_files, nb, NULL, NULL)) < 0)
		return err;
	return pg_profile_read_files(next, new_files, nn, NULL, NULL);
}

/* Whether any sample of `p` carries a label `key`. */
static int has_label(const pg_profile *p, const char *key)
{
	size_t i;

	for (i = 0; i < p->nlabels; i++)
		if (!strcmp(p->strings[p->labels[i].key], key))
			return 1;
	return 0;
}

int pg_profile_diff_benchmark(pg_profile_diff *out, pg_buf *svg,
			      const char *const *base_files, size_t nb,
			      const char *const *new_files, size_t nn,
			      const char *benchmark, const char *svg_title)
{
	pg_profile base, next, base_one, next_one;
	int err;

	if (out)
		memset(out, 0, sizeof(*out));
	pg_profile_init(&base);
	pg_profile_init(&next);
	pg_profile_init(&base_one);
	pg_profile_init(&next_one);
	if ((err = read_both(&base, &next, base_files, nb, new_files, nn)) < 0)
		goto cleanup;
	if (!has_label(&base, "benchmark") && !has_label(&next, "benchmark")) {
		/* profiles of the whole run (perf record): all there is */
		err = diff_read(out, svg, &base, &next, svg_title);
		goto cleanup;
	}
	if ((err = pg_profile_filter_label(&base_one, &base, "benchmark", benchmark)) < 0 ||
	    (err = pg_profile_filter_label(&next_one, &next, "benchmark", benchmark)) < 0)
		goto cleanup;
	if (!base_one.nsamples || !next_one.nsamples) {
		err = pg_error_set(PG_ENOTFOUND, "no %s profile of this benchmark",
				   base_one.nsamples ? "candidate" : "baseline");
		goto cleanup;
	}
	err = diff_read(out, svg, &base_one, &next_one, svg_title);

cleanup:
	pg_profile_release(&base);
	pg_profile_release(&next);
	pg_profile_release(&base_one);
	pg_profile_release(&next_one);
	return err;
}
