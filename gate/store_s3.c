/*
 * The S3 store (s3://bucket/prefix): AWS S3 and S3-compatible servers
 * (MinIO, Cloudflare R2, Ceph RGW, s3rver).
 *
 * Addressing: with PERFGATE_S3_ENDPOINT (e.g. http://127.0.0.1:4569)
 * path-style, <endpoint>/<bucket>/<prefix>/<key>; else AWS's
 * virtual-hosted https://<bucket>.s3.<region>.amazonaws.com/<prefix>/<key>
 * (path-style on https://s3.<region>.amazonaws.com for bucket names with
 * dots, which the wildcard certificate does not cover).
 *
 * Signing: libcurl's CURLOPT_AWS_SIGV4 ("aws:amz:<region>:s3") with
 * CURLOPT_USERPWD "<key id>:<secret>". libcurl 7.88 signs the Host header,
 * every header we add (x-amz-content-sha256, x-amz-security-token) and the
 * x-amz-date it adds; it takes the payload hash from our
 * x-amz-content-sha256 header (the body's SHA-256, or the empty string's
 * for requests without one), and it puts the URL's path and query into
 * the canonical request as they are -- so we percent-encode keys the way
 * SigV4 does (RFC 3986 unreserved characters kept, uppercase hex) and
 * write query parameters sorted and encoded (pg_s3_list_query()).
 *
 * Listing: ListObjectsV2 pages (PERFGATE_S3_MAX_KEYS keys each, for
 * tests; the server's default of 1000 otherwise), following continuation
 * tokens.
 */
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <openssl/evp.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/sha256.h"
#include "gate/http.h"
#include "gate/store_internal.h"
#include "gate/store_remote.h"
#include "common/banned.h"

/* a ListObjectsV2 page larger than this is refused */
#define MAX_PAGE ((size_t)64 << 20)
/* at most this many pages per listing */
#define MAX_PAGES 1000000

struct s3_impl {
	char *bucket;
	char *prefix;        /* "" or "a/b/" */
	char *base;          /* the bucket's URL, no trailing '/' */
	int path_style;      /* base ends with "/<bucket>" */
	char *userpwd;       /* "<key id>:<secret>" */
	char *sigv4;         /* "aws:amz:<region>:s3" */
	char *token_header;  /* "x-amz-security-token: ..." or NULL */
	int max_keys;        /* 0: the server's default */
};

static void wipe_free(char *p)
{
	if (p) {
		explicit_bzero(p, strlen(p));
		free(p);
	}
}

static void s3_free(pg_store *s)
{
	struct s3_impl *impl = s->impl;

	if (!impl)
		return;
	free(impl->bucket);
	free(impl->prefix);
	free(impl->base);
	wipe_free(impl->userpwd);
	free(impl->sigv4);
	wipe_free(impl->token_header);
	free(impl);
	s->impl = NULL;
}

/* ------------------------------------------------------------ open */

static int bucket_ok(const char *b, size_t len, int aws)
{
	size_t i;

	if (len < 3 || len > (aws ? 63 : 255))
		return 0;
	for (i = 0; i < len; i++) {
		char c = b[i];

		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-')
			continue;
		if (!aws && ((c >= 'A' && c <= 'Z') || c == '_'))
			continue;
		return 0;
	}
	return b[0] != '.' && b[0] != '-' && b[len - 1] != '.' && b[len - 1] != '-';
}

static int region_ok(const char *r)
{
	size_t i, len = strlen(r);

	if (len < 1 || len > 64)
		return 0;
	for (i = 0; i < len; i++)
		if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= 'A' && r[i] <= 'Z') ||
		      (r[i] >= '0' && r[i] <= '9') || r[i] == '-' || r[i] == '_'))
			return 0;
	return 1;
}

static const char *env_nonempty(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The bucket's URL on PERFGATE_S3_ENDPOINT (path-style), into `base`. */
static int endpoint_base(pg_buf *base, const char *endpoint, const char *bucket,
			 const pg_store_options *opts)
{
	pg_buf shown = PG_BUF_INIT;
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *part = NULL;
	size_t plen;
	int parsed, err = 0;

	if ((err = pg_url_redact(&shown, endpoint)) < 0)
		goto cleanup;
	if (!(u = curl_url())) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	parsed = strstr(endpoint, "://") && strstr(endpoint, "://")[3] != '/' &&
		 curl_url_set(u, CURLUPART_URL, endpoint, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK;
	if (pg_url_has_userinfo(endpoint) &&
	    (!parsed || curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	     curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK)) {
		err = pg_error_set(PG_EINPUT, "PERFGATE_S3_ENDPOINT '%s' must not contain "
				   "credentials: set AWS_ACCESS_KEY_ID and "
				   "AWS_SECRET_ACCESS_KEY", shown.ptr);
		goto cleanup;
	}
	if (!parsed || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		err = pg_error_set(PG_EINPUT, "invalid PERFGATE_S3_ENDPOINT '%s' (expected "
				   "http(s)://host[:port])", shown.ptr);
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		err = pg_error_set(PG_EINPUT, "PERFGATE_S3_ENDPOINT '%s' must not have a "
				   "query or a fragment", shown.ptr);
		goto cleanup;
	}
	if (!strcmp(scheme, "http") && !pg_http_host_is_loopback(host) &&
	    !opts->allow_insecure_http) {
		err = pg_error_set(PG_EINPUT, "refusing to send credentials over plain http:// "
				   "to '%s' (PERFGATE_S3_ENDPOINT): use https://, or "
				   "--allow-insecure-http on a trusted network", host);
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;
	plen = strlen(path);
	while (plen && path[plen - 1] == '/')
		plen--;
	pg_buf_addf(base, "%s://%s", scheme, host);
	if (port)
		pg_buf_addf(base, ":%s", port);
	pg_buf_add(base, path, plen);
	pg_buf_addch(base, '/');
	err = pg_url_encode(base, bucket, strlen(bucket), 0);

cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(part);
	curl_url_cleanup(u);
	pg_buf_release(&shown);
	return err;
}

static const pg_store_ops s3_ops;

int pg_store_s3_open(pg_store *s, const char *url)
{
	const char *rest = url + 5, *slash, *endpoint, *region, *key_id, *secret, *token;
	const char *max_keys;
	struct s3_impl *impl = NULL;
	pg_buf shown = PG_BUF_INIT, b = PG_BUF_INIT;
	size_t blen, plen;
	int err;

	if ((err = pg_url_redact(&shown, url)) < 0)
		goto cleanup;
	if ((err = pg_http_global_init()) < 0)
		goto cleanup;
	blen = strcspn(rest, "/");
	slash = rest + blen;
	if (memchr(rest, '@', blen) || memchr(rest, ':', blen)) {
		err = pg_error_set(PG_EINPUT, "store URL '%s' must not contain credentials: set "
				   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", shown.ptr);
		goto cleanup;
	}
	endpoint = env_nonempty("PERFGATE_S3_ENDPOINT");
	if (!bucket_ok(rest, blen, !endpoint)) {
		err = pg_error_set(PG_EINPUT, "invalid store URL '%s': expected "
				   "s3://bucket/prefix with a bucket name of 3 to 63 lowercase "
				   "letters, digits, '.' and '-'", shown.ptr);
		goto cleanup;
	}
	impl = calloc(1, sizeof(*impl));
	if (!impl) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	s->impl = impl;
	s->ops = &s3_ops;
	if (!(impl->bucket = strndup(rest, blen))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}

	/* the prefix: key components, without the slashes around them */
	rest = *slash ? slash + 1 : slash;
	plen = strlen(rest);
	while (plen && rest[plen - 1] == '/')
		plen--;
	if (plen) {
		pg_buf_add(&b, rest, plen);
		if (pg_buf_failed(&b)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if (pg_store_key_ok(b.ptr) < 0) {
			err = pg_error_set(PG_EINPUT, "invalid store URL '%s': the prefix must be "
					   "made of key components (letters, digits, "
					   "\"-._+=@,:~\")", shown.ptr);
			goto cleanup;
		}
		pg_buf_addch(&b, '/');
	}
	if (!(impl->prefix = pg_buf_detach(&b, NULL))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}

	/* credentials and region */
	key_id = env_nonempty("AWS_ACCESS_KEY_ID");
	secret = env_nonempty("AWS_SECRET_ACCESS_KEY");
	token = env_nonempty("AWS_SESSION_TOKEN");
	if (!key_id || !secret) {
		err = pg_error_set(PG_EINPUT, "the S3 store '%s' needs credentials: set "
				   "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY", shown.ptr);
		goto cleanup;
	}
	if (strchr(key_id, ':') || strpbrk(key_id, "\r\n") || strpbrk(secret, "\r\n")) {
		err = pg_error_set(PG_EINPUT, "AWS_ACCESS_KEY_ID must not contain ':' and "
				   "neither it nor AWS_SECRET_ACCESS_KEY line breaks");
		goto cleanup;
	}
	if (token && strpbrk(token, "\r\n")) {
		err = pg_error_set(PG_EINPUT, "AWS_SESSION_TOKEN must be one line");
		goto cleanup;
	}
	region = env_nonempty("AWS_REGION");
	if (!region)
		region = env_nonempty("AWS_DEFAULT_REGION");
	if (!region)
		region = "us-east-1";
	if (!region_ok(region)) {
		err = pg_error_set(PG_EINPUT, "invalid AWS_REGION '%.64s'", region);
		goto cleanup;
	}
	pg_buf_addf(&b, "%s:%s", key_id, secret);
	impl->userpwd = pg_buf_detach(&b, NULL);
	pg_buf_addf(&b, "aws:amz:%s:s3", region);
	impl->sigv4 = pg_buf_detach(&b, NULL);
	if (token) {
		pg_buf_addf(&b, "x-amz-security-token: %s", token);
		impl->token_header = pg_buf_detach(&b, NULL);
	}
	if (!impl->userpwd || !impl->sigv4 || (token && !impl->token_header)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if ((max_keys = env_nonempty("PERFGATE_S3_MAX_KEYS"))) {
		char *end;
		long n = strtol(max_keys, &end, 10);

		if (*end || n < 1 || n > 1000) {
			err = pg_error_set(PG_EINPUT, "PERFGATE_S3_MAX_KEYS '%.30s' is not a "
					   "number from 1 to 1000", max_keys);
			goto cleanup;
		}
		impl->max_keys = (int)n;
	}

	/* where the bucket is */
	if (endpoint) {
		impl->path_style = 1;
		err = endpoint_base(&b, endpoint, impl->bucket, &s->opts);
	} else if (strchr(impl->bucket, '.')) {
		impl->path_style = 1;
		err = pg_buf_addf(&b, "https://s3.%s.amazonaws.com/%s", region, impl->bucket);
	} else {
		err = pg_buf_addf(&b, "https://%s.s3.%s.amazonaws.com", impl->bucket, region);
	}
	if (err < 0)
		goto cleanup;
	if (!(impl->base = pg_buf_detach(&b, NULL))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	if ((err = pg_http_check_cacert(s->opts.cacert)) < 0)
		goto cleanup;
	pg_buf_addf(&s->display_url, "s3://%s", impl->bucket);
	if (plen)
		pg_buf_addf(&s->display_url, "/%.*s", (int)plen, impl->prefix);
	err = pg_buf_failed(&s->display_url) ? PG_ENOMEM : 0;

cleanup:
	pg_buf_release(&shown);
	pg_buf_release(&b);
	return err;
}

/* ------------------------------------------------------------ requests */

int pg_store_s3_object_url(pg_buf *out, const pg_store *s, const char *key)
{
	const struct s3_impl *impl = s->impl;

	pg_buf_adds(out, impl->base);
	pg_buf_addch(out, '/');
	pg_url_encode(out, impl->prefix, strlen(impl->prefix), 1);
	return pg_url_encode(out, key, strlen(key), 1);
}

void pg_s3_error_code(char *out, size_t size, const char *body)
{
	const char *p = strstr(body, "<Code>");
	size_t n = 0;

	if (size)
		out[0] = '\0';
	if (!p || !size)
		return;
	for (p += 6; *p && *p != '<' && n + 1 < size; p++)
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == '_')
			out[n++] = *p;
	out[n] = '\0';
	if (*p != '<')
		out[0] = '\0'; /* cut short: do not show half a code */
}

/* The detail for an error status: S3's code, with a hint for the usual
 * suspects. */
static const char *error_detail(char *buf, size_t size, const pg_http_response *resp)
{
	char code[64];

	pg_s3_error_code(code, sizeof(code), resp->error_body);
	if (!code[0])
		return NULL;
	if (!strcmp(code, "PermanentRedirect") || !strcmp(code, "AuthorizationHeaderMalformed") ||
	    !strcmp(code, "IllegalLocationConstraintException"))
		snprintf(buf, size, "%s: the bucket is in another region, set AWS_REGION", code);
	else if (!strcmp(code, "RequestTimeTooSkewed"))
		snprintf(buf, size, "%s: this machine's clock is off", code);
	else
		snprintf(buf, size, "%s", code);
	return buf;
}

static int has_code(const pg_http_response *resp, const char *want)
{
	char code[64];

	pg_s3_error_code(code, sizeof(code), resp->error_body);
	return !strcmp(code, want);
}

/* The SHA-256 of the bytes of `fd` (read with pread from 0). */
static int sha256_fd(char out[65], int fd, unsigned long long len)
{
	static const char digits[] = "0123456789abcdef";
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[32], buf[65536];
	unsigned long long off = 0;
	unsigned int mdlen = 0;
	int i, err = 0;

	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		err = pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
		goto cleanup;
	}
	while (off < len) {
		size_t want = len - off < sizeof(buf) ? (size_t)(len - off) : sizeof(buf);
		ssize_t n = pread(fd, buf, want, (off_t)off);

		if (n <= 0) {
			err = pg_error_set_errno(PG_EINFRA, "cannot read the data to upload");
			goto cleanup;
		}
		if (!EVP_DigestUpdate(ctx, buf, (size_t)n)) {
			err = pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
			goto cleanup;
		}
		off += (unsigned long long)n;
	}
	if (!EVP_DigestFinal_ex(ctx, md, &mdlen) || mdlen != 32) {
		err = pg_error_set(PG_ENOMEM, "cannot compute a SHA-256 digest");
		goto cleanup;
	}
	for (i = 0; i < 32; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[64] = '\0';

cleanup:
	EVP_MD_CTX_free(ctx);
	return err;
}

static int hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[64] == '\0';
}

struct request {
	pg_http_request req;
	pg_http_response resp;
	pg_buf url;
	pg_buf display;
};

static void request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
	pg_buf_init(&r->url, 0);
	pg_buf_init(&r->display, 0);
}

static void request_release(struct request *r)
{
	pg_buf_release(&r->url);
	pg_buf_release(&r->display);
}

/* Perform a signed request on r->url (set by the caller) with the payload
 * hash `sha256_hex`. */
static int perform(struct request *r, pg_store *s, const char *method, const char *operation,
		   const char *sha256_hex, const pg_store_source *body,
		   const pg_store_sink *sink)
{
	const struct s3_impl *impl = s->impl;
	struct curl_slist *headers = NULL, *next;
	char content[100];
	int err;

	if (pg_buf_failed(&r->url) || pg_buf_failed(&r->display))
		return PG_ENOMEM;
	snprintf(content, sizeof(content), "x-amz-content-sha256: %s", sha256_hex);
	if (!(headers = curl_slist_append(NULL, content)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (impl->token_header) {
		if (!(next = curl_slist_append(headers, impl->token_header))) {
			curl_slist_free_all(headers);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		headers = next;
	}
	memset(&r->req, 0, sizeof(r->req));
	r->req.method = method;
	r->req.url = r->url.ptr;
	r->req.display_url = r->display.ptr;
	r->req.operation = operation;
	r->req.headers = headers;
	r->req.body = body;
	r->req.sink = sink;
	r->req.userpwd = impl->userpwd;
	r->req.aws_sigv4 = impl->sigv4;
	err = pg_http_perform(&r->resp, &r->req, &s->opts);
	for (next = headers; next; next = next->next)
		explicit_bzero(next->data, strlen(next->data));
	curl_slist_free_all(headers);
	r->req.headers = NULL;
	return err;
}

static int object_request(struct request *r, pg_store *s, const char *key)
{
	pg_store_s3_object_url(&r->url, s, key);
	return pg_store_key_url(&r->display, s, key);
}

static int status_error(struct request *r)
{
	char detail[160];

	return pg_http_response_error(&r->req, &r->resp,
				      error_detail(detail, sizeof(detail), &r->resp));
}

static int s3_get(pg_store *s, const char *key, const pg_store_sink *sink)
{
	struct request r;
	int err;

	request_init(&r);
	if ((err = object_request(&r, s, key)) < 0)
		goto cleanup;
	if ((err = perform(&r, s, "GET", "download", pg_sha256_empty, NULL, sink)) < 0)
		goto cleanup;
	if (r.resp.status == 200)
		err = 0;
	else if (r.resp.status == 404 && (!r.resp.error_body[0] || has_code(&r.resp, "NoSuchKey")))
		err = PG_ENOTFOUND;
	else
		err = status_error(&r);

cleanup:
	request_release(&r);
	return err;
}

static int s3_put(pg_store *s, const char *key, const pg_store_source *src)
{
	struct request r;
	char sha[65];
	const char *hash = src->sha256_hex;
	int err;

	request_init(&r);
	if (!hash || !hex64(hash)) {
		err = src->fd >= 0 ? sha256_fd(sha, src->fd, src->len)
				   : pg_sha256_hex(sha, src->data, (size_t)src->len);
		if (err < 0)
			goto cleanup;
		hash = sha;
	}
	if ((err = object_request(&r, s, key)) < 0)
		goto cleanup;
	if ((err = perform(&r, s, "PUT", "upload", hash, src, NULL)) < 0)
		goto cleanup;
	if (r.resp.status == 200 || r.resp.status == 201 || r.resp.status == 204)
		err = 0;
	else
		err = status_error(&r);

cleanup:
	request_release(&r);
	return err;
}

static int s3_head(pg_store *s, const char *key, unsigned long long *size)
{
	struct request r;
	int err;

	request_init(&r);
	if ((err = object_request(&r, s, key)) < 0)
		goto cleanup;
	if ((err = perform(&r, s, "HEAD", "check", pg_sha256_empty, NULL, NULL)) < 0)
		goto cleanup;
	if (r.resp.status == 200) {
		*size = r.resp.has_content_length ? r.resp.content_length : 0;
		err = 0;
	} else if (r.resp.status == 404) {
		err = PG_ENOTFOUND;
	} else {
		err = status_error(&r);
	}

cleanup:
	request_release(&r);
	return err;
}

static int s3_del(pg_store *s, const char *key)
{
	struct request r;
	int err;

	request_init(&r);
	if ((err = object_request(&r, s, key)) < 0)
		goto cleanup;
	if ((err = perform(&r, s, "DELETE", "delete", pg_sha256_empty, NULL, NULL)) < 0)
		goto cleanup;
	if (r.resp.status == 200 || r.resp.status == 202 || r.resp.status == 204 ||
	    (r.resp.status == 404 && (!r.resp.error_body[0] || has_code(&r.resp, "NoSuchKey"))))
		err = 0;
	else
		err = status_error(&r);

cleanup:
	request_release(&r);
	return err;
}

/* ------------------------------------------------------------ listing */

int pg_s3_list_query(pg_buf *out, const char *token, int max_keys, const char *prefix)
{
	/* sorted by name, as SigV4's canonical query string is */
	if (token && *token) {
		pg_buf_adds(out, "continuation-token=");
		pg_url_encode(out, token, strlen(token), 0);
		pg_buf_addch(out, '&');
	}
	pg_buf_adds(out, "list-type=2");
	if (max_keys > 0)
		pg_buf_addf(out, "&max-keys=%d", max_keys);
	if (prefix && *prefix) {
		pg_buf_adds(out, "&prefix=");
		pg_url_encode(out, prefix, strlen(prefix), 0);
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

static int local_is(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE && !strcmp((const char *)n->name, name);
}

static xmlNode *child(xmlNode *n, const char *name)
{
	xmlNode *c;

	for (c = n->children; c; c = c->next)
		if (local_is(c, name))
			return c;
	return NULL;
}

int pg_s3_parse_list(pg_store_list *out, pg_buf *token, int *truncated, const char *xml,
		     size_t len, const char *strip)
{
	size_t strip_len = strlen(strip);
	xmlDoc *doc = NULL;
	xmlNode *top, *n;
	int err = 0;

	*truncated = 0;
	pg_buf_reset(token);
	if ((err = pg_http_global_init()) < 0)
		return err;
	if (len > INT_MAX ||
	    !(doc = xmlReadMemory(xml, (int)len, "list.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) ||
	    !(top = xmlDocGetRootElement(doc)) || !local_is(top, "ListBucketResult")) {
		err = pg_error_set(PG_EINFRA, "the server's answer to ListObjectsV2 is not a "
				   "ListBucketResult document");
		goto cleanup;
	}
	for (n = top->children; n; n = n->next) {
		xmlNode *k, *sz;
		xmlChar *key, *t;
		unsigned long long size = 0;

		if (local_is(n, "IsTruncated")) {
			t = xmlNodeGetContent(n);
			*truncated = t && !strcmp((const char *)t, "true");
			xmlFree(t);
			continue;
		}
		if (local_is(n, "NextContinuationToken")) {
			t = xmlNodeGetContent(n);
			pg_buf_reset(token);
			if (t)
				pg_buf_adds(token, (const char *)t);
			xmlFree(t);
			if (pg_buf_failed(token)) {
				err = PG_ENOMEM;
				goto cleanup;
			}
			continue;
		}
		if (!local_is(n, "Contents") || !(k = child(n, "Key")))
			continue;
		key = xmlNodeGetContent(k);
		if (!key) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		if ((sz = child(n, "Size")) && (t = xmlNodeGetContent(sz))) {
			size = strtoull((const char *)t, NULL, 10);
			xmlFree(t);
		}
		if (!strncmp((const char *)key, strip, strip_len) &&
		    pg_store_key_ok((const char *)key + strip_len) == 0)
			err = pg_store_list_add(out, (const char *)key + strip_len,
						strlen((const char *)key + strip_len), size);
		xmlFree(key);
		if (err < 0)
			goto cleanup;
	}
	if (*truncated && !token->len)
		err = pg_error_set(PG_EINFRA, "the server's ListObjectsV2 page is truncated but "
				   "has no NextContinuationToken");

cleanup:
	xmlFreeDoc(doc);
	return err;
}

static int s3_list(pg_store *s, const char *prefix, pg_store_list *out)
{
	const struct s3_impl *impl = s->impl;
	pg_buf full = PG_BUF_INIT, token = PG_BUF_INIT, last = PG_BUF_INIT, xml = PG_BUF_INIT;
	pg_store_buf_sink bs;
	pg_store_sink sink;
	struct request r;
	long pages;
	int truncated = 0, err = 0;

	request_init(&r);
	pg_buf_init(&xml, MAX_PAGE + 1);
	if ((err = pg_buf_addf(&full, "%s%s", impl->prefix, prefix)) < 0)
		goto cleanup;
	pg_store_buf_sink_init(&sink, &bs, &xml, MAX_PAGE);
	for (pages = 0;; pages++) {
		if (pages >= MAX_PAGES) {
			err = pg_error_set(PG_EINFRA, "listing '%s/%s' took more than %d pages",
					   s->display_url.ptr, prefix, MAX_PAGES);
			goto cleanup;
		}
		pg_buf_reset(&r.url);
		pg_buf_reset(&r.display);
		pg_buf_reset(&xml);
		pg_buf_addf(&r.url, "%s%s?", impl->base, impl->path_style ? "" : "/");
		if ((err = pg_s3_list_query(&r.url, token.ptr, impl->max_keys, full.ptr)) < 0)
			goto cleanup;
		pg_buf_addf(&r.display, "%s/%s", s->display_url.ptr, prefix);
		if ((err = perform(&r, s, "GET", "list", pg_sha256_empty, NULL, &sink)) < 0)
			goto cleanup;
		if (r.resp.status != 200) {
			err = status_error(&r);
			goto cleanup;
		}
		pg_buf_reset(&last);
		if ((err = pg_buf_add(&last, token.ptr, token.len)) < 0)
			goto cleanup;
		if ((err = pg_s3_parse_list(out, &token, &truncated, xml.ptr, xml.len,
					    impl->prefix)) < 0)
			goto cleanup;
		if (!truncated)
			break;
		if (!strcmp(last.ptr, token.ptr)) {
			err = pg_error_set(PG_EINFRA, "listing '%s/%s': the server sent the same "
					   "continuation token twice", s->display_url.ptr, prefix);
			goto cleanup;
		}
	}

cleanup:
	request_release(&r);
	pg_buf_release(&full);
	pg_buf_release(&token);
	pg_buf_release(&last);
	pg_buf_release(&xml);
	return err;
}

static const pg_store_ops s3_ops = {
	"s3", s3_get, s3_put, s3_head, s3_del, s3_list, s3_free
};
