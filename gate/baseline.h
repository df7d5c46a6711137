#ifndef PG_BASELINE_H
#define PG_BASELINE_H

#include <jansson.h>
#include <stddef.h>

#include "common/buf.h"
#include "gate/store.h"

/*
 * Baselines and run artifacts in the store.
 *
 * Layout (a contract: see ARCHITECTURE.md and the README):
 *   v1/<project>/baselines/<commit>/manifest.json
 *   v1/<project>/baselines/<commit>/<upload-id>/<file>...
 *   v1/<project>/runs/<commit>/<run-id>/manifest.json
 *   v1/<project>/runs/<commit>/<run-id>/<upload-id>/<file>...
 *   v1/<project>/refs/<branch>          {"commit": "...", "updated": "..."}
 *
 * A set (a baseline or a run) is its objects plus the manifest, written
 * last; a set without a manifest does not exist for readers. Every push
 * writes its objects under a fresh upload id, and the manifest names
 * them: two writers racing on the same commit leave two complete uploads
 * and one manifest (the last one written), never a mix. Every download is
 * checked against the manifest's size and SHA-256.
 */

typedef struct pg_manifest_file {
	char *name;                /* path inside the set ("results.txt",
				    * "profiles/Hash.pb.gz") */
	char *key;                 /* the object's store key */
	unsigned long long size;
	char sha256[65];
} pg_manifest_file;

typedef struct pg_manifest {
	char *kind;                /* "baseline" or "run" */
	char *project;
	char *commit;
	char *branch;              /* NULL when unknown */
	char *run_id;              /* runs only */
	char *created;             /* RFC 3339, UTC */
	char *perfgate_version;
	char *upload_id;
	json_t *host;              /* the host fingerprint: an object of
				    * strings (never NULL once parsed) */
	pg_manifest_file *files;
	size_t nfiles;
} pg_manifest;

void pg_manifest_init(pg_manifest *m);
void pg_manifest_release(pg_manifest *m); /* safe on NULL */

/* Parse and validate a manifest read from `what` (a URL, for messages):
 * every key must lie below `set_prefix` and every name must be a safe
 * relative path. 0, PG_EINTEGRITY (malformed), PG_ENOMEM. */
int pg_manifest_parse(pg_manifest *out, const char *text, size_t len,
		      const char *set_prefix, const char *what);

/* The sum of the files' sizes. */
unsigned long long pg_manifest_size(const pg_manifest *m);

/* Key prefixes ("v1/<project>/baselines/<commit>/", with the trailing
 * '/'), the components already sanitized by the caller. */
int pg_baseline_prefix(pg_buf *out, const char *project, const char *commit);
int pg_run_prefix(pg_buf *out, const char *project, const char *commit,
		  const char *run_id);

typedef struct pg_push {
	const char *project;       /* sanitized component */
	const char *commit;        /* 4..64 hex digits */
	const char *branch;        /* or NULL */
	const char *run_id;        /* NULL for a baseline; a run's id */
	const char *const *paths;  /* local files; paths[0] is the results */
	const char *const *names;  /* their names in the set; NULL entries
				    * (or names == NULL) get "results.txt"
				    * for the first and "profiles/<base name>"
				    * for the others */
	size_t npaths;
	json_t *host;              /* fingerprint to record (borrowed), or
				    * NULL to read it from the results file's
				    * configuration lines */
	double now;                /* creation time, seconds since the epoch */
	const char *upload_id;     /* NULL: a fresh one (pg_new_upload_id) */
} pg_push;

/* A fresh upload id: "u<UTC time>-<8 random hex digits>". */
int pg_new_upload_id(pg_buf *out, double now);

/* Upload the files and then the manifest; with a branch and no run id,
 * also point refs/<branch> at the commit. `where` receives the set's key
 * prefix. The results file must parse (garbage is refused before anything
 * is uploaded). 0, PG_EINPUT, PG_EINFRA, PG_ENOMEM. */
int pg_push_set(pg_buf *where, pg_store *s, const pg_push *p);

/* Read the manifest of a set (its key prefix). PG_ENOTFOUND when there is
 * none (no message set). */
int pg_manifest_fetch(pg_manifest *out, pg_store *s, const char *set_prefix);

/* Download the set's files into `dir` (created if needed) and write its
 * manifest.json there; every file is checked against the manifest before
 * it takes its final name. PG_ENOTFOUND (no manifest), PG_EINTEGRITY (a
 * size or checksum mismatch, a missing object: the partial file is
 * removed), PG_EINFRA. */
int pg_pull_set(pg_manifest *out, pg_store *s, const char *set_prefix,
		const char *dir);

/* The commit refs/<branch> points to (appended to `commit`), PG_ENOTFOUND
 * when there is no such ref. `branch` is sanitized here. */
int pg_ref_read(pg_buf *commit, pg_store *s, const char *project,
		const char *branch);
int pg_ref_write(pg_store *s, const char *project, const char *branch,
		 const char *commit, double now);

/* All baselines of a project (manifests parsed; unreadable ones are
 * skipped and counted in *skipped when not NULL), newest first. */
typedef struct pg_baseline_list {
	pg_manifest *items;
	size_t n;
	size_t alloc;
} pg_baseline_list;

void pg_baseline_list_release(pg_baseline_list *l);
int pg_baselines_list(pg_baseline_list *out, pg_store *s, const char *project,
		      size_t *skipped);

/* Retention. Deletes (manifest first, then the objects): runs created
 * before `cutoff`; baselines created before it, except the latest of
 * every branch (what refs/<branch> points to) and the `keep_last` newest;
 * uploads no manifest refers to (a lost race, an interrupted push) whose
 * upload id is older than the cutoff. With `dry_run` nothing is deleted.
 * `log` receives one line per set or upload deleted (or that would be). */
typedef struct pg_prune_result {
	size_t runs, baselines, orphans, objects, kept;
	unsigned long long bytes;
} pg_prune_result;

int pg_prune(pg_prune_result *out, pg_store *s, const char *project,
	     double cutoff, size_t keep_last, int dry_run,
	     void (*log)(void *ctx, const char *line), void *log_ctx);

/* Helpers shared with the commands. */
int pg_format_time(pg_buf *out, double t);              /* RFC 3339 UTC */
int pg_parse_time(double *out, const char *rfc3339);    /* "...Z" only */
int pg_commit_ok(const char *commit);                   /* 4..64 hex digits */

#endif
