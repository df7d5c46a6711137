#ifndef PG_STORE_H
#define PG_STORE_H

#include <stddef.h>

#include "common/buf.h"

/*
 * The artifact store: where baselines and run artifacts live. One small
 * interface, one file per backend, chosen by URL:
 *
 *   /path/to/dir, file:///path   a local folder          (gate/store_file.c)
 *   http://..., https://...      WebDAV-style HTTP server (gate/store_http.c)
 *   s3://bucket/prefix           AWS S3 and compatibles   (gate/store_s3.c)
 *
 * Keys are relative paths made of sanitized components ("v1/proj/
 * baselines/<sha>/manifest.json", see pg_store_key_ok()); a backend maps
 * them below its root. Objects are written whole: a reader sees the old
 * object, the new one, or none, never half of one.
 *
 * Library code: nothing here prints or exits. Errors name the operation,
 * the URL with any credentials removed, and the HTTP status or curl error:
 *   "download of 'https://store.example/v1/p/refs/main' failed: HTTP 403 Forbidden"
 * Infrastructure errors are PG_EINFRA (a checksum mismatch PG_EINTEGRITY),
 * a missing object PG_ENOTFOUND (without a message: absence is often
 * expected), a bad URL or key PG_EINPUT.
 *
 * Credentials come from the environment only, never from the URL or the
 * command line, and never appear in messages or logs:
 *   HTTP: PERFGATE_STORE_TOKEN (sent as "Authorization: Bearer <token>",
 *         or under the header named by PERFGATE_STORE_TOKEN_HEADER, e.g.
 *         GitLab's JOB-TOKEN), or PERFGATE_STORE_USER and
 *         PERFGATE_STORE_PASSWORD (basic auth).
 *   S3:   AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
 *         AWS_REGION (default us-east-1), PERFGATE_S3_ENDPOINT (an
 *         S3-compatible endpoint, path-style addressing).
 */

typedef struct pg_store pg_store;

typedef struct pg_store_options {
	const char *cacert;        /* a CA file to trust in addition to the
				    * system's, or NULL; TLS verification is
				    * always on */
	int allow_insecure_http;   /* allow credentials over plain http:// to
				    * a host that is not loopback */
	double connect_timeout;    /* seconds per connection attempt (10) */
	double timeout;            /* seconds per request, whole transfer (120) */
	double retry_budget;       /* seconds an operation may spend retrying
				    * in all, sleeps included (30); a request
				    * that moves no byte for half of it, or
				    * for what is left of it, is abandoned:
				    * a dead or stalled server is given up on
				    * within this */
	int max_attempts;          /* attempts per operation (5) */
	/* verbose: one line per request ("PUT <url> -> 201 (0.02 s)"), with
	 * credentials removed; NULL for none */
	void (*log)(void *ctx, const char *line);
	void *log_ctx;
	/* injected for deterministic tests; NULL for the real ones */
	void (*sleep)(double seconds);
	double (*random)(void);    /* uniform in [0, 1), for the jitter */
	double (*clock)(void);     /* monotonic seconds, for the retry budget
				    * (an injected sleep should advance it) */
} pg_store_options;

/* Defaults as documented above. */
void pg_store_options_init(pg_store_options *opts);

/* An object found by pg_store_list(). */
typedef struct pg_store_entry {
	char *key;                 /* relative to the store's root */
	unsigned long long size;
} pg_store_entry;

typedef struct pg_store_list {
	pg_store_entry *items;
	size_t n;
	size_t alloc;
} pg_store_list;

void pg_store_list_init(pg_store_list *l);
void pg_store_list_release(pg_store_list *l); /* safe on NULL */

/* Add an entry (the first `key_len` bytes of `key`, copied). */
int pg_store_list_add(pg_store_list *l, const char *key, size_t key_len,
		      unsigned long long size);

/*
 * Open the store at `url` (opts may be NULL for the defaults; it is
 * copied). Checks the URL and the credentials in the environment
 * (refusing credentials over plain http:// to a non-loopback host unless
 * allowed); does not contact the server. The caller frees the store with
 * pg_store_free(). Returns 0, PG_EINPUT (a bad URL, an insecure
 * configuration), PG_ENOMEM.
 */
int pg_store_open(pg_store **out, const char *url, const pg_store_options *opts);

void pg_store_free(pg_store *s); /* safe on NULL */

/* The store's URL for messages (credentials removed). */
const char *pg_store_display_url(const pg_store *s);

/* The URL of `key` for messages (credentials removed), into `out`. */
int pg_store_key_url(pg_buf *out, const pg_store *s, const char *key);

/* Download `key` into the local file `path`: streamed into a temporary
 * file beside it, renamed over `path` when complete. Returns 0,
 * PG_ENOTFOUND (no such object; `path` untouched), PG_EINFRA. */
int pg_store_get_file(pg_store *s, const char *key, const char *path);

/* Download `key` into `out` (appended), refusing objects larger than
 * `max` bytes (PG_EINFRA "... is larger than N bytes"). */
int pg_store_get_buf(pg_store *s, const char *key, pg_buf *out, size_t max);

/* Upload the local file `path` as `key`, streamed. `sha256_hex` (64 hex
 * digits of the file's SHA-256, or NULL to compute it) is sent where the
 * protocol carries it (S3's x-amz-content-sha256). */
int pg_store_put_file(pg_store *s, const char *key, const char *path,
		      const char *sha256_hex);

/* Upload `len` bytes from memory as `key`. */
int pg_store_put_buf(pg_store *s, const char *key, const void *data, size_t len);

/* Whether `key` exists: 0 (and its size in *size when not NULL),
 * PG_ENOTFOUND, PG_EINFRA. */
int pg_store_head(pg_store *s, const char *key, unsigned long long *size);

/* Delete `key`; deleting an absent object succeeds. */
int pg_store_delete(pg_store *s, const char *key);

/* Every object whose key starts with `prefix` (a key prefix ending in
 * '/', or "" for all), at any depth, appended to `out` (keys relative to
 * the store root, sorted). Listing is paged where the protocol pages
 * (S3's continuation tokens). An absent prefix gives an empty list. */
int pg_store_list_prefix(pg_store *s, const char *prefix, pg_store_list *out);

/*
 * Key safety. A key is made of components separated by '/'; each must be
 * non-empty, not "." or "..", at most 200 bytes, and made of printable
 * ASCII other than '/', '\\' and the characters that URLs or shells make
 * special (allowed: letters, digits, and "-._+=@,:~"). pg_store_key_ok()
 * checks a whole key (0 or PG_EINPUT naming it).
 * pg_store_sanitize_component() turns a name from outside (a branch like
 * "feature/x", a project directory name, a benchmark name) into one
 * component: disallowed bytes become '-', "/" becomes "-" too, a result
 * of "", "." or ".." becomes "_", and it is cut to 200 bytes.
 */
int pg_store_key_ok(const char *key);
int pg_store_sanitize_component(pg_buf *out, const char *name);

#endif
