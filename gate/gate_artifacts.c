/*
 * perfgate gate --artifacts-dir: a local copy of the run's artifacts (see
 * gate/gate_artifacts.h).
 */
#include <stdlib.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/gate_artifacts.h"
#include "common/banned.h"

/* `name` (may hold '/') below `dir` in `path`, its folders created on
 * the way. */
static int make_path(pg_buf *path, const char *dir, const char *name)
{
	char *slash;
	int err;

	if (pg_buf_addf(path, "%s/%s", dir, name) < 0)
		return PG_ENOMEM;
	slash = strrchr(path->ptr, '/');
	*slash = '\0';
	err = pg_mkdir_p(path->ptr, 0755);
	*slash = '/';
	return err;
}

/* Write `len` bytes as `name` below `dir`. */
static int put_file(const char *dir, const char *name, const void *data, size_t len)
{
	pg_buf path = PG_BUF_INIT;
	int err;

	if ((err = make_path(&path, dir, name)) == 0)
		err = pg_file_write_atomic(path.ptr, data, len);
	pg_buf_release(&path);
	return err;
}

/* Copy the file `src` as `name` below `dir`. */
static int copy_file(const char *dir, const char *name, const char *src)
{
	pg_buf path = PG_BUF_INIT;
	int err;

	if ((err = make_path(&path, dir, name)) == 0)
		err = pg_file_copy(path.ptr, src);
	pg_buf_release(&path);
	return err;
}

int pg_gate_artifacts_put_reports(const char *dir, const pg_gate_reports *reports)
{
	int err;

	if ((err = put_file(dir, "report.json", reports->json->ptr, reports->json->len)) < 0 ||
	    (err = put_file(dir, "report.md", reports->md->ptr, reports->md->len)) < 0)
		return err;
	return put_file(dir, "report.xml", reports->junit->ptr, reports->junit->len);
}

/* The candidate's profiles (workdir/profiles/..., at any depth) as
 * profiles/..., then the flame graphs under their own names. */
static int put_profiles(const char *dir, const char *workdir, const char *const *svg_files,
			const char *const *svg_names, size_t nsvg)
{
	pg_buf from = PG_BUF_INIT, src = PG_BUF_INIT, name = PG_BUF_INIT;
	char **files = NULL;
	size_t n = 0, i;
	int err = 0;

	if (workdir) {
		if (pg_buf_addf(&from, "%s/profiles", workdir) < 0) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if ((err = pg_list_files(&files, &n, from.ptr)) < 0)
			goto cleanup;
	}
	for (i = 0; i < n; i++) {
		pg_buf_reset(&src);
		pg_buf_reset(&name);
		if (pg_buf_addf(&src, "%s/%s", from.ptr, files[i]) < 0 ||
		    pg_buf_addf(&name, "profiles/%s", files[i]) < 0) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if ((err = copy_file(dir, name.ptr, src.ptr)) < 0)
			goto cleanup;
	}
	for (i = 0; i < nsvg; i++)
		if ((err = copy_file(dir, svg_names[i], svg_files[i])) < 0)
			goto cleanup;

cleanup:
	pg_free_strv(files);
	pg_buf_release(&from);
	pg_buf_release(&src);
	pg_buf_release(&name);
	return err;
}

/* The copy into `dir` (NULL: nothing), of what `with_results`,
 * `with_reports` and `profiles` choose. */
static int write_copy(const char *dir, int with_results, int with_reports, int profiles,
		      const pg_gate_reports *reports, const pg_buf *results, const char *workdir,
		      const char *const *svg_files, const char *const *svg_names, size_t nsvg)
{
	int err;

	if (!dir)
		return 0;
	if (!*dir)
		return pg_error_set(PG_EINPUT, "the artifacts folder is an empty name");
	if ((err = pg_mkdir_p(dir, 0755)) < 0)
		return err;
	if (with_results && results && results->len &&
	    (err = put_file(dir, "results.txt", results->ptr, results->len)) < 0)
		return err;
	if (with_reports && reports && (err = pg_gate_artifacts_put_reports(dir, reports)) < 0)
		return err;
	return profiles ? put_profiles(dir, workdir, svg_files, svg_names, nsvg) : 0;
}

int pg_gate_artifacts_write(const pg_config_upload *up, const pg_gate_reports *reports,
			    const pg_buf *results, const char *workdir,
			    const char *const *svg_files, const char *const *svg_names,
			    size_t nsvg)
{
	return write_copy(up->artifacts_dir, up->results, up->reports, up->profiles, reports,
			  results, workdir, svg_files, svg_names, nsvg);
}

int pg_gate_artifacts_write_set(const char *dir, const pg_buf *results,
				const char *workdir)
{
	return write_copy(dir, 1, 0, 1, NULL, results, workdir, NULL, NULL, 0);
}
