#ifndef PG_STORE_REMOTE_H
#define PG_STORE_REMOTE_H

/*
 * Helpers of the network backends (gate/store_http.c, gate/store_s3.c,
 * gate/http.c), shared between them and exposed for their unit tests.
 * Only gate/store*.c, gate/http.c and the tests include this.
 */

#include <stddef.h>

#include "common/buf.h"
#include "gate/store_internal.h"

/* ------------------------------------------------------------ URLs */

/* Append `len` bytes of `s` percent-encoded: everything but RFC 3986's
 * unreserved characters (A-Z a-z 0-9 - . _ ~) becomes %XX with uppercase
 * hex -- the form S3's SigV4 canonical request expects -- and '/' too
 * unless `keep_slash`. 0 or PG_ENOMEM. */
int pg_url_encode(pg_buf *out, const char *s, size_t len, int keep_slash);

/* Append the percent-decoding of `len` bytes of `s`. PG_EINPUT for a
 * malformed escape or %00, PG_ENOMEM. */
int pg_url_decode(pg_buf *out, const char *s, size_t len);

/* Append `url` with any userinfo ("user:password@") removed: for messages
 * about a URL that may hold credentials. Also catches a password pasted
 * with a raw '/' ("https://u:pa/ss@host": an '@' after a ':' before the
 * query), at the price of redacting a path holding ":...@". 0 or
 * PG_ENOMEM. */
int pg_url_redact(pg_buf *out, const char *url);

/* Whether pg_url_redact() would remove something. */
int pg_url_has_userinfo(const char *url);

/* Check the --cacert file: readable, and PEM. 0 (also for NULL) or
 * PG_EINPUT naming the file. */
int pg_http_check_cacert(const char *path);

/* ------------------------------------------------------------ HTTP */

/* The URL requested for `key` (no credentials in it), into `out`. */
int pg_store_http_object_url(pg_buf *out, const pg_store *s, const char *key);

/*
 * Parse a WebDAV PROPFIND (Depth: 1) multistatus answer about the
 * collection whose decoded path is `coll_path` (ending in '/'). Hrefs may
 * be absolute paths or full URLs, percent-encoded; they are decoded and
 * mapped to keys relative to `root_path` (the store root's decoded path,
 * ending in '/'). Objects strictly below the collection go to `files`
 * (with getcontentlength), sub-collections to `dirs` as keys ending in
 * '/'; the collection itself, entries outside it and names that are not
 * valid keys are skipped. Namespace prefixes are ignored (elements are
 * matched by local name). 0, PG_EINFRA (not a multistatus document),
 * PG_ENOMEM.
 */
int pg_webdav_parse(pg_store_list *files, pg_store_list *dirs, const char *xml, size_t len,
		    const char *root_path, const char *coll_path);

/* ------------------------------------------------------------ S3 */

/* The URL requested for `key` (path-style with PERFGATE_S3_ENDPOINT,
 * virtual-hosted on AWS), into `out`. */
int pg_store_s3_object_url(pg_buf *out, const pg_store *s, const char *key);

/* The ListObjectsV2 query string for one page, parameters in the
 * canonical (sorted) order SigV4 signs and URI-encoded as it requires:
 * "continuation-token=..&list-type=2&max-keys=..&prefix=..". `token` may
 * be NULL, `max_keys` 0 (server default), `prefix` "" (omitted). */
int pg_s3_list_query(pg_buf *out, const char *token, int max_keys, const char *prefix);

/*
 * Parse one ListObjectsV2 page: every Contents/Key that starts with
 * `strip` is appended to `out` without it (with its Size); keys that are
 * not valid store keys are skipped. *truncated gets IsTruncated, `token`
 * (reset first) NextContinuationToken. Namespace-agnostic. 0, PG_EINFRA
 * (not a ListBucketResult; a truncated page without a token), PG_ENOMEM.
 */
int pg_s3_parse_list(pg_store_list *out, pg_buf *token, int *truncated, const char *xml,
		     size_t len, const char *strip);

/* The <Code> of an S3 error document (possibly cut short) into `out`, ""
 * when there is none. */
void pg_s3_error_code(char *out, size_t size, const char *body);

#endif
