#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench-runner/host.h"
#include "common/error.h"
#include "common/file.h"
#include "common/sha256.h"
#include "common/version.h"
#include "gate/baseline.h"
#include "stats/results.h"
#include "common/banned.h"

#define MANIFEST_MAX ((size_t)4 << 20)
#define REF_MAX ((size_t)64 << 10)

/* ------------------------------------------------------------ small helpers */

int pg_commit_ok(const char *commit)
{
	size_t n = strlen(commit), i;

	if (n < 4 || n > 64)
		goto bad;
	for (i = 0; i < n; i++)
		if (!((commit[i] >= '0' && commit[i] <= '9') ||
		      (commit[i] >= 'a' && commit[i] <= 'f')))
			goto bad;
	return 0;
bad:
	return pg_error_set(PG_EINPUT, "invalid commit '%.80s' (expected 4 to 64 "
			    "lowercase hex digits)", commit);
}

int pg_format_time(pg_buf *out, double t)
{
	time_t secs = (time_t)t;
	struct tm tm;
	char buf[64];

	if (!gmtime_r(&secs, &tm) || !strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
		return pg_error_set(PG_EINPUT, "time out of range");
	return pg_buf_adds(out, buf);
}

int pg_parse_time(double *out, const char *s)
{
	struct tm tm;
	const char *end;

	memset(&tm, 0, sizeof(tm));
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return pg_error_set(PG_EINPUT, "invalid time '%.64s' (expected "
				    "YYYY-MM-DDTHH:MM:SSZ)", s);
	*out = (double)timegm(&tm);
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void pg_manifest_init(pg_manifest *m)
{
	memset(m, 0, sizeof(*m));
}

void pg_manifest_release(pg_manifest *m)
{
	size_t i;

	if (!m)
		return;
	free(m->kind);
	free(m->project);
	free(m->commit);
	free(m->branch);
	free(m->run_id);
	free(m->created);
	free(m->perfgate_version);
	free(m->upload_id);
	json_decref(m->host);
	for (i = 0; i < m->nfiles; i++) {
		free(m->files[i].name);
		free(m->files[i].key);
	}
	free(m->files);
	pg_manifest_init(m);
}

unsigned long long pg_manifest_size(const pg_manifest *m)
{
	unsigned long long total = 0;
	size_t i;

	for (i = 0; i < m->nfiles; i++)
		total += m->files[i].size;
	return total;
}

static int add_component(pg_buf *out, const char *name)
{
	return pg_store_sanitize_component(out, name);
}

int pg_baseline_prefix(pg_buf *out, const char *project, const char *commit)
{
	pg_buf_adds(out, "v1/");
	add_component(out, project);
	pg_buf_adds(out, "/baselines/");
	add_component(out, commit);
	pg_buf_addch(out, '/');
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_run_prefix(pg_buf *out, const char *project, const char *commit,
		  const char *run_id)
{
	pg_buf_adds(out, "v1/");
	add_component(out, project);
	pg_buf_adds(out, "/runs/");
	add_component(out, commit);
	pg_buf_addch(out, '/');
	add_component(out, run_id);
	pg_buf_addch(out, '/');
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ manifest I/O */

static int hex64_ok(const char *s)
{
	size_t i;

	if (strlen(s) != 64)
		return 0;
	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return 1;
}

int pg_manifest_parse(pg_manifest *out, const char *text, size_t len,
		      const char *set_prefix, const char *what)
{
	json_t *root = NULL, *files, *f, *host;
	json_error_t jerr;
	size_t i, plen = strlen(set_prefix);
	int err = 0;

	pg_manifest_init(out);
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		err = pg_error_set(PG_EINTEGRITY, "manifest '%s' is not valid JSON: %s",
				   what, jerr.text);
		goto cleanup;
	}
#define STR(k) (json_is_string(json_object_get(root, k)) ? \
		json_string_value(json_object_get(root, k)) : NULL)
	if (json_integer_value(json_object_get(root, "version")) != 1 || !STR("kind") ||
	    !STR("commit") || !STR("created") || !STR("upload_id") ||
	    !json_is_array(files = json_object_get(root, "files"))) {
		err = pg_error_set(PG_EINTEGRITY, "manifest '%s' lacks required keys "
				   "(version 1, kind, commit, created, upload_id, files)", what);
		goto cleanup;
	}
	out->kind = dup_or_null(STR("kind"));
	out->project = dup_or_null(STR("project"));
	out->commit = dup_or_null(STR("commit"));
	out->branch = dup_or_null(STR("branch"));
	out->run_id = dup_or_null(STR("run_id"));
	out->created = dup_or_null(STR("created"));
	out->perfgate_version = dup_or_null(STR("perfgate_version"));
	out->upload_id = dup_or_null(STR("upload_id"));
#undef STR
	host = json_object_get(root, "host");
	out->host = json_is_object(host) ? json_incref(host) : json_object();
	out->files = calloc(json_array_size(files) + 1, sizeof(*out->files));
	if (!out->kind || !out->commit || !out->created || !out->upload_id ||
	    !out->host || !out->files) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	json_array_foreach(files, i, f) {
		const char *name = json_string_value(json_object_get(f, "name"));
		const char *key = json_string_value(json_object_get(f, "key"));
		const char *sha = json_string_value(json_object_get(f, "sha256"));
		json_t *size = json_object_get(f, "size");
		pg_manifest_file *mf = &out->files[out->nfiles];

		if (!name || !key || !sha || !json_is_integer(size) ||
		    json_integer_value(size) < 0 || !hex64_ok(sha) ||
		    pg_store_key_ok(name) < 0 || pg_store_key_ok(key) < 0 ||
		    strncmp(key, set_prefix, plen) != 0) {
			err = pg_error_set(PG_EINTEGRITY, "manifest '%s': files[%zu] is "
					   "malformed or points outside its set", what, i);
			goto cleanup;
		}
		mf->name = strdup(name);
		mf->key = strdup(key);
		mf->size = (unsigned long long)json_integer_value(size);
		memcpy(mf->sha256, sha, 65);
		out->nfiles++;
		if (!mf->name || !mf->key) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	if (out->nfiles == 0)
		err = pg_error_set(PG_EINTEGRITY, "manifest '%s' lists no files", what);

cleanup:
	if (err < 0)
		pg_manifest_release(out);
	json_decref(root);
	return err;
}

static json_t *manifest_to_json(const pg_manifest *m)
{
	json_t *files = json_array(), *root;
	size_t i;

	if (!files)
		return NULL;
	for (i = 0; i < m->nfiles; i++) {
		const pg_manifest_file *f = &m->files[i];

		if (json_array_append_new(files, json_pack("{s:s, s:s, s:I, s:s}",
				"name", f->name, "key", f->key,
				"size", (json_int_t)f->size, "sha256", f->sha256)) < 0) {
			json_decref(files);
			return NULL;
		}
	}
	root = json_pack("{s:i, s:s, s:s?, s:s, s:s?, s:s?, s:s, s:s, s:s, s:O, s:o}",
			 "version", 1, "kind", m->kind, "project", m->project,
			 "commit", m->commit, "branch", m->branch, "run_id", m->run_id,
			 "created", m->created, "perfgate_version", PERFGATE_VERSION,
			 "upload_id", m->upload_id, "host", m->host, "files", files);
	return root;
}

int pg_manifest_fetch(pg_manifest *out, pg_store *s, const char *set_prefix)
{
	pg_buf key = PG_BUF_INIT, text = PG_BUF_INIT, url = PG_BUF_INIT;
	int err;

	pg_manifest_init(out);
	pg_buf_addf(&key, "%smanifest.json", set_prefix);
	if (pg_buf_failed(&key)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_store_get_buf(s, key.ptr, &text, MANIFEST_MAX)) < 0)
		goto cleanup;
	pg_store_key_url(&url, s, key.ptr);
	err = pg_manifest_parse(out, text.ptr, text.len, set_prefix, url.ptr);

cleanup:
	pg_buf_release(&key);
	pg_buf_release(&text);
	pg_buf_release(&url);
	return err;
}

/* ------------------------------------------------------------ push */

int pg_new_upload_id(pg_buf *out, double now)
{
	unsigned char rnd[4] = { 0 };
	time_t secs = (time_t)now;
	struct tm tm;
	char stamp[32];

	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return pg_error_set_errno(PG_EINFRA, "cannot read random bytes");
	if (!gmtime_r(&secs, &tm) || !strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm))
		return pg_error_set(PG_EINPUT, "time out of range");
	pg_buf_addf(out, "u%s-%02x%02x%02x%02x", stamp, rnd[0], rnd[1], rnd[2], rnd[3]);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* The upload id's time ("u20261126T130400Z-..."), or -1. */
static double upload_id_time(const char *id)
{
	char stamp[17];
	struct tm tm;

	if (id[0] != 'u' || strlen(id) < 17)
		return -1;
	memcpy(stamp, id + 1, 16);
	stamp[16] = '\0';
	memset(&tm, 0, sizeof(tm));
	if (!strptime(stamp, "%Y%m%dT%H%M%SZ", &tm))
		return -1;
	return (double)timegm(&tm);
}

/* The host fingerprint from the results' configuration lines. */
static int host_from_results(json_t **out, const char *path)
{
	pg_buf data = PG_BUF_INIT;
	pg_results r;
	size_t i;
	int err;

	*out = NULL;
	pg_results_init(&r);
	if ((err = pg_file_read(&data, path)) < 0 ||
	    (err = pg_results_parse(&r, path, data.ptr, data.len)) < 0)
		goto cleanup;
	*out = json_object();
	if (!*out) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; pg_host_keys[i]; i++) {
		const char *v = pg_results_config(&r, pg_host_keys[i]);

		if (v && json_object_set_new(*out, pg_host_keys[i], json_string(v)) < 0) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
	}

cleanup:
	if (err < 0) {
		json_decref(*out);
		*out = NULL;
	}
	pg_results_release(&r);
	pg_buf_release(&data);
	return err;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

int pg_push_set(pg_buf *where, pg_store *s, const pg_push *p)
{
	pg_manifest m;
	pg_buf set = PG_BUF_INIT, upload = PG_BUF_INIT, key = PG_BUF_INIT,
	       name = PG_BUF_INIT, created = PG_BUF_INIT, mkey = PG_BUF_INIT;
	json_t *doc = NULL;
	char *text = NULL;
	struct stat st;
	size_t i;
	int err = 0;

	pg_manifest_init(&m);
	if (p->npaths == 0) {
		err = pg_error_set(PG_EINPUT, "nothing to push");
		goto cleanup;
	}
	if ((err = pg_commit_ok(p->commit)) < 0)
		goto cleanup;
	/* the results must parse: never upload garbage as a baseline */
	if (p->host) {
		m.host = json_incref(p->host);
	} else if ((err = host_from_results(&m.host, p->paths[0])) < 0) {
		goto cleanup;
	}
	err = p->run_id ? pg_run_prefix(&set, p->project, p->commit, p->run_id) :
			  pg_baseline_prefix(&set, p->project, p->commit);
	if (err < 0 || (err = p->upload_id ? pg_buf_adds(&upload, p->upload_id) :
				      pg_new_upload_id(&upload, p->now)) < 0 ||
	    (err = pg_format_time(&created, p->now)) < 0)
		goto cleanup;
	m.kind = strdup(p->run_id ? "run" : "baseline");
	m.project = strdup(p->project);
	m.commit = strdup(p->commit);
	m.branch = dup_or_null(p->branch);
	m.run_id = dup_or_null(p->run_id);
	m.created = strdup(created.ptr);
	m.upload_id = strdup(upload.ptr);
	m.files = calloc(p->npaths, sizeof(*m.files));
	if (!m.kind || !m.project || !m.commit || !m.created || !m.upload_id || !m.files ||
	    (p->branch && !m.branch) || (p->run_id && !m.run_id)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < p->npaths; i++) {
		pg_manifest_file *f = &m.files[i];
		const char *given = p->names ? p->names[i] : NULL;
		size_t j;

		pg_buf_reset(&name);
		if (given) {
			pg_buf_adds(&name, given);
		} else if (i == 0) {
			pg_buf_adds(&name, "results.txt");
		} else {
			pg_buf_adds(&name, "profiles/");
			pg_store_sanitize_component(&name, base_name(p->paths[i]));
		}
		if (pg_buf_failed(&name)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if ((err = pg_store_key_ok(name.ptr)) < 0)
			goto cleanup;
		for (j = 0; j < i; j++)
			if (!strcmp(m.files[j].name, name.ptr)) {
				err = pg_error_set(PG_EINPUT, "two files would be named '%s' "
						   "in the set", name.ptr);
				goto cleanup;
			}
		pg_buf_reset(&key);
		pg_buf_addf(&key, "%s%s/%s", set.ptr, upload.ptr, name.ptr);
		if (pg_buf_failed(&key)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		/* every file is read before anything is uploaded: one that
		 * cannot be read must not leave the others behind in the store
		 * (nor may a FIFO or a device make the hashing hang) */
		if (stat(p->paths[i], &st) == 0 && !S_ISREG(st.st_mode)) {
			err = pg_error_set(PG_EINPUT, "'%s' is not a regular file", p->paths[i]);
			goto cleanup;
		}
		if ((err = pg_sha256_file_hex(f->sha256, p->paths[i], &f->size)) < 0)
			goto cleanup;
		f->name = strdup(name.ptr);
		f->key = strdup(key.ptr);
		m.nfiles++;
		if (!f->name || !f->key) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
	}
	for (i = 0; i < m.nfiles; i++)
		if ((err = pg_store_put_file(s, m.files[i].key, p->paths[i], m.files[i].sha256)) < 0)
			goto cleanup;
	/* the manifest last: only now does the set exist */
	doc = manifest_to_json(&m);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	pg_buf_addf(&mkey, "%smanifest.json", set.ptr);
	if (pg_buf_failed(&mkey)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_store_put_buf(s, mkey.ptr, text, strlen(text))) < 0)
		goto cleanup;
	if (p->branch && !p->run_id &&
	    (err = pg_ref_write(s, p->project, p->branch, p->commit, p->now)) < 0)
		goto cleanup;
	err = pg_buf_adds(where, set.ptr);

cleanup:
	free(text);
	json_decref(doc);
	pg_manifest_release(&m);
	pg_buf_release(&set);
	pg_buf_release(&upload);
	pg_buf_release(&key);
	pg_buf_release(&name);
	pg_buf_release(&created);
	pg_buf_release(&mkey);
	return err;
}

/* ------------------------------------------------------------ pull */

static int verify_file(const char *path, const pg_manifest_file *f,
		       const char *url)
{
	unsigned long long size = 0;
	char sha[65];
	int err;

	if ((err = pg_sha256_file_hex(sha, path, &size)) < 0)
		return pg_error_prefix(PG_EINFRA, "cannot check '%s'", path);
	if (size != f->size)
		return pg_error_set(PG_EINTEGRITY, "size mismatch for '%s': the manifest "
				    "says %llu bytes, the store holds %llu", url, f->size, size);
	if (strcmp(sha, f->sha256))
		return pg_error_set(PG_EINTEGRITY, "checksum mismatch for '%s': the manifest "
				    "says sha256 %s, the store holds %s", url, f->sha256, sha);
	return 0;
}

int pg_pull_set(pg_manifest *out, pg_store *s, const char *set_prefix,
		const char *dir)
{
	pg_buf path = PG_BUF_INIT, partial = PG_BUF_INIT, url = PG_BUF_INIT;
	json_t *doc = NULL;
	char *text = NULL;
	size_t i;
	int err;

	if ((err = pg_manifest_fetch(out, s, set_prefix)) < 0)
		return err;
	if ((err = pg_mkdir_p(dir, 0755)) < 0)
		goto cleanup;
	for (i = 0; i < out->nfiles; i++) {
		const pg_manifest_file *f = &out->files[i];
		char *slash;

		pg_buf_reset(&path);
		pg_buf_reset(&partial);
		pg_buf_reset(&url);
		pg_buf_addf(&path, "%s/%s", dir, f->name);
		pg_store_key_url(&url, s, f->key);
		if (pg_buf_failed(&path) || pg_buf_failed(&url)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		slash = strrchr(path.ptr, '/');
		*slash = '\0';
		if ((err = pg_mkdir_p(path.ptr, 0755)) < 0)
			goto cleanup;
		*slash = '/';
		pg_buf_addf(&partial, "%.*s/.%s.partial", (int)(slash - path.ptr),
			    path.ptr, slash + 1);
		if (pg_buf_failed(&partial)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		err = pg_store_get_file(s, f->key, partial.ptr);
		if (err == PG_ENOTFOUND) {
			err = pg_error_set(PG_EINTEGRITY, "'%s' is listed in the manifest "
					   "but missing from the store", url.ptr);
			goto cleanup;
		}
		if (err < 0)
			goto cleanup;
		if ((err = verify_file(partial.ptr, f, url.ptr)) < 0) {
			unlink(partial.ptr);
			goto cleanup;
		}
		if (rename(partial.ptr, path.ptr) < 0) {
			err = pg_error_set_errno(PG_EINFRA, "cannot rename '%s'", partial.ptr);
			unlink(partial.ptr);
			goto cleanup;
		}
	}
	doc = manifest_to_json(out);
	text = doc ? json_dumps(doc, JSON_INDENT(2) | JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	pg_buf_reset(&path);
	pg_buf_addf(&path, "%s/manifest.json", dir);
	err = pg_buf_failed(&path) ? PG_ENOMEM :
		pg_file_write_atomic(path.ptr, text, strlen(text));

cleanup:
	if (err < 0)
		pg_manifest_release(out);
	free(text);
	json_decref(doc);
	pg_buf_release(&path);
	pg_buf_release(&partial);
	pg_buf_release(&url);
	return err;
}

/* ------------------------------------------------------------ refs */

static int ref_key(pg_buf *out, const char *project, const char *branch)
{
	pg_buf_adds(out, "v1/");
	add_component(out, project);
	pg_buf_adds(out, "/refs/");
	add_component(out, branch);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_ref_read(pg_buf *commit, pg_store *s, const char *project,
		const char *branch)
{
	pg_buf key = PG_BUF_INIT, text = PG_BUF_INIT, url = PG_BUF_INIT;
	json_t *root = NULL;
	const char *c;
	int err;

	if ((err = ref_key(&key, project, branch)) < 0 ||
	    (err = pg_store_get_buf(s, key.ptr, &text, REF_MAX)) < 0)
		goto cleanup;
	pg_store_key_url(&url, s, key.ptr);
	root = json_loadb(text.ptr, text.len, 0, NULL);
	c = json_string_value(json_object_get(root, "commit"));
	if (!c || pg_commit_ok(c) < 0) {
		err = pg_error_set(PG_EINTEGRITY, "ref '%s' is malformed", url.ptr);
		goto cleanup;
	}
	err = pg_buf_adds(commit, c);

cleanup:
	json_decref(root);
	pg_buf_release(&key);
	pg_buf_release(&text);
	pg_buf_release(&url);
	return err;
}

int pg_ref_write(pg_store *s, const char *project, const char *branch,
		 const char *commit, double now)
{
	pg_buf key = PG_BUF_INIT, when = PG_BUF_INIT;
	json_t *doc = NULL;
	char *text = NULL;
	int err;

	if ((err = ref_key(&key, project, branch)) < 0 ||
	    (err = pg_format_time(&when, now)) < 0)
		goto cleanup;
	doc = json_pack("{s:s, s:s, s:s}", "commit", commit, "branch", branch,
			"updated", when.ptr);
	text = doc ? json_dumps(doc, JSON_PRESERVE_ORDER) : NULL;
	if (!text) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	err = pg_store_put_buf(s, key.ptr, text, strlen(text));

cleanup:
	free(text);
	json_decref(doc);
	pg_buf_release(&key);
	pg_buf_release(&when);
	return err;
}

/* ------------------------------------------------------------ listing */

void pg_baseline_list_release(pg_baseline_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		pg_manifest_release(&l->items[i]);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static int cmp_newest_first(const void *a, const void *b)
{
	const pg_manifest *x = a, *y = b;
	int c = strcmp(y->created, x->created);

	return c ? c : strcmp(x->commit, y->commit);
}

/* Manifests directly below `prefix` at the given depth ("<commit>/
 * manifest.json" is depth 1 below baselines/, "<commit>/<run>/manifest.json"
 * depth 2 below runs/). Appends their set prefixes to `sets`. */
static int find_sets(pg_store_list *sets, pg_store *s, const char *prefix,
		     int depth, pg_store_list *all)
{
	size_t plen = strlen(prefix), i;
	int err;

	if ((err = pg_store_list_prefix(s, prefix, all)) < 0)
		return err;
	for (i = 0; i < all->n; i++) {
		const char *rest = all->items[i].key + plen;
		const char *p = rest;
		int slashes = 0;

		if (strncmp(all->items[i].key, prefix, plen))
			continue;
		for (; *p; p++)
			slashes += *p == '/';
		if (slashes != depth || strcmp(strrchr(rest, '/') + 1, "manifest.json"))
			continue;
		if ((err = pg_store_list_add(sets, all->items[i].key,
					     strlen(all->items[i].key) - strlen("manifest.json"),
					     0)) < 0)
			return err;
	}
	return 0;
}

int pg_baselines_list(pg_baseline_list *out, pg_store *s, const char *project,
		      size_t *skipped)
{
	pg_store_list sets, all;
	pg_buf prefix = PG_BUF_INIT;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	pg_store_list_init(&sets);
	pg_store_list_init(&all);
	if (skipped)
		*skipped = 0;
	pg_buf_adds(&prefix, "v1/");
	add_component(&prefix, project);
	pg_buf_adds(&prefix, "/baselines/");
	if (pg_buf_failed(&prefix)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = find_sets(&sets, s, prefix.ptr, 1, &all)) < 0)
		goto cleanup;
	out->items = calloc(sets.n + 1, sizeof(*out->items));
	if (!out->items) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < sets.n; i++) {
		err = pg_manifest_fetch(&out->items[out->n], s, sets.items[i].key);
		if (err == PG_EINTEGRITY || err == PG_ENOTFOUND) {
			if (skipped)
				(*skipped)++;
			err = 0;
			continue;
		}
		if (err < 0)
			goto cleanup;
		out->n++;
	}
	qsort(out->items, out->n, sizeof(*out->items), cmp_newest_first);

cleanup:
	if (err < 0)
		pg_baseline_list_release(out);
	pg_store_list_release(&sets);
	pg_store_list_release(&all);
	pg_buf_release(&prefix);
	return err;
}

/* ------------------------------------------------------------ prune */

struct pruner {
	pg_store *s;
	pg_prune_result *res;
	int dry_run;
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	pg_store_list all;      /* every object of the project, sorted */
	pg_store_list deleted;  /* prefixes of the sets deleted */
	pg_store_list used;     /* keys the surviving manifests name */
};

static void plog(struct pruner *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void plog(struct pruner *p, const char *fmt, ...)
{
	pg_buf line = PG_BUF_INIT;
	va_list ap;

	if (!p->log)
		return;
	va_start(ap, fmt);
	pg_buf_vaddf(&line, fmt, ap);
	va_end(ap);
	p->log(p->log_ctx, line.ptr);
	pg_buf_release(&line);
}

static int has_prefix(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Delete a set or an upload: every object under `prefix`, the manifest
 * (when the prefix is a set's) first, so that readers stop seeing the set
 * before any of its objects go. */
static int delete_under(struct pruner *p, const char *prefix, int is_set)
{
	pg_buf mkey = PG_BUF_INIT;
	size_t i;
	int err = 0;

	if (is_set) {
		pg_buf_addf(&mkey, "%smanifest.json", prefix);
		if (pg_buf_failed(&mkey)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if (!p->dry_run && (err = pg_store_delete(p->s, mkey.ptr)) < 0)
			goto cleanup;
		if ((err = pg_store_list_add(&p->deleted, prefix, strlen(prefix), 0)) < 0)
			goto cleanup;
	}
	for (i = 0; i < p->all.n; i++) {
		const pg_store_entry *e = &p->all.items[i];

		if (!has_prefix(e->key, prefix))
			continue;
		p->res->objects++;
		p->res->bytes += e->size;
		if (!p->dry_run && (!is_set || strcmp(e->key, mkey.ptr)) &&
		    (err = pg_store_delete(p->s, e->key)) < 0)
			goto cleanup;
	}

cleanup:
	pg_buf_release(&mkey);
	return err;
}

static int mark_used(struct pruner *p, const pg_manifest *m)
{
	size_t k;
	int err;

	for (k = 0; k < m->nfiles; k++)
		if ((err = pg_store_list_add(&p->used, m->files[k].key,
					     strlen(m->files[k].key), 0)) < 0)
			return err;
	return 0;
}

/* The commits refs/ point to, into `out` (keys only). */
static int ref_commits(pg_store_list *out, struct pruner *p, const char *refs_prefix)
{
	size_t i;
	int err = 0;

	for (i = 0; i < p->all.n && err == 0; i++) {
		pg_buf text = PG_BUF_INIT;
		json_t *root;
		const char *c;

		if (!has_prefix(p->all.items[i].key, refs_prefix))
			continue;
		err = pg_store_get_buf(p->s, p->all.items[i].key, &text, REF_MAX);
		if (err == 0) {
			root = json_loadb(text.ptr, text.len, 0, NULL);
			c = json_string_value(json_object_get(root, "commit"));
			if (c)
				err = pg_store_list_add(out, c, strlen(c), 0);
			json_decref(root);
		} else if (err == PG_ENOTFOUND) {
			err = 0;
		}
		pg_buf_release(&text);
	}
	return err;
}

static int in_list(const pg_store_list *l, const char *key)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].key, key))
			return 1;
	return 0;
}

static int prune_runs(struct pruner *p, const char *proj, double cutoff)
{
	pg_store_list sets, scratch;
	pg_buf pfx = PG_BUF_INIT;
	size_t i;
	int err;

	pg_store_list_init(&sets);
	pg_store_list_init(&scratch);
	pg_buf_addf(&pfx, "%sruns/", proj);
	if ((err = find_sets(&sets, p->s, pfx.ptr, 2, &scratch)) < 0)
		goto cleanup;
	for (i = 0; i < sets.n; i++) {
		pg_manifest m;
		double t;

		err = pg_manifest_fetch(&m, p->s, sets.items[i].key);
		if (err == PG_ENOTFOUND || err == PG_EINTEGRITY) {
			err = 0; /* unreadable: left alone (its uploads too) */
			pg_store_list_add(&p->used, sets.items[i].key,
					  strlen(sets.items[i].key), 0);
			continue;
		}
		if (err < 0)
			goto cleanup;
		if (pg_parse_time(&t, m.created) == 0 && t < cutoff) {
			plog(p, "%s run %s of commit %s (created %s)",
			     p->dry_run ? "would delete" : "deleting",
			     m.run_id ? m.run_id : "?", m.commit, m.created);
			err = delete_under(p, sets.items[i].key, 1);
			p->res->runs++;
		} else {
			err = mark_used(p, &m);
		}
		pg_manifest_release(&m);
		if (err < 0)
			goto cleanup;
	}

cleanup:
	pg_store_list_release(&sets);
	pg_store_list_release(&scratch);
	pg_buf_release(&pfx);
	return err;
}

static int prune_baselines(struct pruner *p, const char *project, const char *proj,
			   double cutoff, size_t keep_last)
{
	pg_baseline_list bases;
	pg_store_list latest;
	pg_buf pfx = PG_BUF_INIT;
	size_t i;
	int err;

	memset(&bases, 0, sizeof(bases));
	pg_store_list_init(&latest);
	pg_buf_addf(&pfx, "%srefs/", proj);
	if ((err = ref_commits(&latest, p, pfx.ptr)) < 0 ||
	    (err = pg_baselines_list(&bases, p->s, project, NULL)) < 0)
		goto cleanup;
	for (i = 0; i < bases.n; i++) {  /* newest first */
		const pg_manifest *m = &bases.items[i];
		double t;
		int old = pg_parse_time(&t, m->created) == 0 && t < cutoff;

		if (!old || i < keep_last || in_list(&latest, m->commit)) {
			p->res->kept++;
			if ((err = mark_used(p, m)) < 0)
				goto cleanup;
			continue;
		}
		plog(p, "%s baseline %s%s%s (created %s)", p->dry_run ? "would delete" : "deleting",
		     m->commit, m->branch ? " of " : "", m->branch ? m->branch : "", m->created);
		pg_buf_reset(&pfx);
		if ((err = pg_baseline_prefix(&pfx, project, m->commit)) < 0 ||
		    (err = delete_under(p, pfx.ptr, 1)) < 0)
			goto cleanup;
		p->res->baselines++;
	}

cleanup:
	pg_baseline_list_release(&bases);
	pg_store_list_release(&latest);
	pg_buf_release(&pfx);
	return err;
}

/* Uploads no surviving manifest refers to: "<set><upload>/...", the set
 * "baselines/<commit>/" or "runs/<commit>/<run>/" below `proj`. */
static int prune_orphans(struct pruner *p, const char *proj, double cutoff)
{
	size_t plen = strlen(proj), i = 0, k;
	int err = 0;

	while (i < p->all.n) {
		const char *key = p->all.items[i].key, *c = key + plen, *id;
		size_t depth, set_len, id_len;
		char upload[1024];
		int used = 0, gone = 0;
		double t;

		i++;
		if (has_prefix(c, "baselines/"))
			depth = 2;
		else if (has_prefix(c, "runs/"))
			depth = 3;
		else
			continue;
		for (k = 0; k < depth && c; k++)
			c = strchr(c, '/') ? strchr(c, '/') + 1 : NULL;
		if (!c || !strchr(c, '/'))
			continue; /* a manifest, not an upload's object */
		id = c;
		id_len = (size_t)(strchr(id, '/') - id);
		set_len = (size_t)(id - key);
		if (set_len + id_len + 2 > sizeof(upload))
			continue;
		memcpy(upload, key, set_len + id_len + 1);
		upload[set_len + id_len + 1] = '\0'; /* "<set><upload>/" */
		for (k = 0; k < p->deleted.n && !gone; k++)
			gone = has_prefix(upload, p->deleted.items[k].key);
		for (k = 0; k < p->used.n && !used; k++)
			used = has_prefix(p->used.items[k].key, upload) ||
			       has_prefix(upload, p->used.items[k].key);
		/* skip the rest of this upload's objects */
		while (i < p->all.n && has_prefix(p->all.items[i].key, upload))
			i++;
		memcpy(upload + set_len, id, id_len);
		upload[set_len + id_len] = '\0';
		t = upload_id_time(upload + set_len);
		upload[set_len + id_len] = '/';
		if (gone || used || t < 0 || t >= cutoff)
			continue;
		plog(p, "%s orphaned upload %s", p->dry_run ? "would delete" : "deleting", upload);
		if ((err = delete_under(p, upload, 0)) < 0)
			return err;
		p->res->orphans++;
	}
	return 0;
}

int pg_prune(pg_prune_result *out, pg_store *s, const char *project,
	     double cutoff, size_t keep_last, int dry_run,
	     void (*log)(void *ctx, const char *line), void *log_ctx)
{
	struct pruner p;
	pg_buf proj = PG_BUF_INIT;
	int err;

	memset(out, 0, sizeof(*out));
	memset(&p, 0, sizeof(p));
	pg_store_list_init(&p.all);
	pg_store_list_init(&p.deleted);
	pg_store_list_init(&p.used);
	p.s = s;
	p.res = out;
	p.dry_run = dry_run;
	p.log = log;
	p.log_ctx = log_ctx;
	pg_buf_adds(&proj, "v1/");
	add_component(&proj, project);
	pg_buf_addch(&proj, '/');
	if (pg_buf_failed(&proj)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_store_list_prefix(s, proj.ptr, &p.all)) < 0 ||
	    (err = prune_runs(&p, proj.ptr, cutoff)) < 0 ||
	    (err = prune_baselines(&p, project, proj.ptr, cutoff, keep_last)) < 0)
		goto cleanup;
	err = prune_orphans(&p, proj.ptr, cutoff);

cleanup:
	pg_store_list_release(&p.all);
	pg_store_list_release(&p.deleted);
	pg_store_list_release(&p.used);
	pg_buf_release(&proj);
	return err;
}
