/*
 * The HTTP store (http://, https://): a WebDAV-style server that takes
 * PUT, GET, HEAD and DELETE on object URLs -- nginx's dav module with
 * create_full_put_path, Artifactory, Nexus raw repositories, GitLab's
 * generic packages -- and lists with PROPFIND (nginx dav_ext, any WebDAV
 * server; GitLab's generic package registry, known by its URL, cannot
 * list). Object URL = store URL + "/" + key (percent-encoded).
 *
 * Credentials come from the environment (read at open, see gate/store.h),
 * never from the URL; they travel in a header or as basic auth and never
 * appear in messages or log lines.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <libxml/parser.h>
#include <libxml/tree.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/http.h"
#include "gate/store_internal.h"
#include "gate/store_remote.h"
#include "common/banned.h"

/* a PROPFIND answer larger than this is refused */
#define MAX_LISTING ((size_t)64 << 20)
/* at most this many collections are walked by one listing */
#define MAX_COLLECTIONS 100000
/* why a listing failed on a server without PROPFIND (Nexus raw, GitLab's
 * generic packages): only ls and prune list */
#define NO_PROPFIND "the server does not support WebDAV PROPFIND, which listing needs: " \
	"baseline ls and prune need a WebDAV server, e.g. nginx with dav_ext, or S3; " \
	"gate, refresh, push and pull work without it"

static const char propfind_body[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
	"<D:propfind xmlns:D=\"DAV:\"><D:prop>"
	"<D:resourcetype/><D:getcontentlength/>"
	"</D:prop></D:propfind>\n";

struct http_impl {
	char *base;          /* scheme://host[:port]/path, no trailing '/' */
	char *root_path;     /* the path decoded, ending in '/' */
	char *auth_header;   /* "Authorization: Bearer ..." or "NAME: ...", or NULL */
	char *userpwd;       /* "user:password" for basic auth, or NULL */
};

/* ------------------------------------------------------------ open */

static void http_free(pg_store *s)
{
	struct http_impl *impl = s->impl;

	if (!impl)
		return;
	free(impl->base);
	free(impl->root_path);
	if (impl->auth_header) {
		/* do not leave the secret in freed memory */
		explicit_bzero(impl->auth_header, strlen(impl->auth_header));
		free(impl->auth_header);
	}
	if (impl->userpwd) {
		explicit_bzero(impl->userpwd, strlen(impl->userpwd));
		free(impl->userpwd);
	}
	free(impl);
	s->impl = NULL;
}

static int header_name_ok(const char *name)
{
	const char *p;

	if (!*name)
		return 0;
	for (p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

static int one_line(const char *value)
{
	return !strpbrk(value, "\r\n");
}

/* Credentials from the environment: PERFGATE_STORE_TOKEN (with
 * PERFGATE_STORE_TOKEN_HEADER), else PERFGATE_STORE_USER and
 * PERFGATE_STORE_PASSWORD. */
static int read_credentials(struct http_impl *impl)
{
	const char *token = getenv("PERFGATE_STORE_TOKEN");
	const char *header = getenv("PERFGATE_STORE_TOKEN_HEADER");
	const char *user = getenv("PERFGATE_STORE_USER");
	const char *password = getenv("PERFGATE_STORE_PASSWORD");
	pg_buf b = PG_BUF_INIT;

	if (token && *token) {
		if (!one_line(token))
			return pg_error_set(PG_EINPUT, "PERFGATE_STORE_TOKEN must be one line");
		if (header && *header && !header_name_ok(header))
			return pg_error_set(PG_EINPUT, "PERFGATE_STORE_TOKEN_HEADER '%.100s' is "
					    "not a header name (letters, digits, '-', '_')", header);
		if (header && *header)
			pg_buf_addf(&b, "%s: %s", header, token);
		else
			pg_buf_addf(&b, "Authorization: Bearer %s", token);
		if (pg_buf_failed(&b))
			return PG_ENOMEM;
		impl->auth_header = pg_buf_detach(&b, NULL);
		return impl->auth_header ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	if (header && *header)
		return pg_error_set(PG_EINPUT, "PERFGATE_STORE_TOKEN_HEADER is set but "
				    "PERFGATE_STORE_TOKEN is not");
	if (user && *user) {
		if (!password)
			return pg_error_set(PG_EINPUT, "PERFGATE_STORE_USER is set but "
					    "PERFGATE_STORE_PASSWORD is not");
		if (strchr(user, ':') || !one_line(user))
			return pg_error_set(PG_EINPUT, "PERFGATE_STORE_USER must not contain ':' "
					    "or line breaks");
		pg_buf_addf(&b, "%s:%s", user, password);
		if (pg_buf_failed(&b))
			return PG_ENOMEM;
		impl->userpwd = pg_buf_detach(&b, NULL);
		return impl->userpwd ? 0 : pg_error_set(PG_ENOMEM, "out of memory");
	}
	if (password && *password)
		return pg_error_set(PG_EINPUT, "PERFGATE_STORE_PASSWORD is set but "
				    "PERFGATE_STORE_USER is not");
	return 0;
}

static const pg_store_ops http_ops;

int pg_store_http_open(pg_store *s, const char *url)
{
	struct http_impl *impl = NULL;
	pg_buf shown = PG_BUF_INIT, base = PG_BUF_INIT, root = PG_BUF_INIT;
	CURLU *u = NULL;
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL, *part = NULL;
	size_t plen;
	int parsed, err;

	if ((err = pg_url_redact(&shown, url)) < 0)
		goto cleanup;
	if ((err = pg_http_global_init()) < 0)
		goto cleanup;
	u = curl_url();
	if (!u) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	/* libcurl reads "https:///x" as the host "x" */
	parsed = strstr(url, "://") && strstr(url, "://")[3] != '/' &&
		 curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK &&
		 curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK;
	/* a URL libcurl cannot parse may still hold a password ("https://
	 * u:pa/ss@host"): say so, without showing it */
	if (pg_url_has_userinfo(url) &&
	    (!parsed || curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK ||
	     curl_url_get(u, CURLUPART_PASSWORD, &part, 0) == CURLUE_OK)) {
		err = pg_error_set(PG_EINPUT, "store URL '%s' must not contain credentials: "
				   "set PERFGATE_STORE_TOKEN, or PERFGATE_STORE_USER and "
				   "PERFGATE_STORE_PASSWORD", shown.ptr);
		goto cleanup;
	}
	if (!parsed || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		err = pg_error_set(PG_EINPUT, "invalid store URL '%s'", shown.ptr);
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &part, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &part, 0) == CURLUE_OK) {
		err = pg_error_set(PG_EINPUT, "store URL '%s' must not have a query or a "
				   "fragment", shown.ptr);
		goto cleanup;
	}
	if (curl_url_get(u, CURLUPART_PORT, &port, 0) != CURLUE_OK)
		port = NULL;

	impl = calloc(1, sizeof(*impl));
	if (!impl) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	s->impl = impl;
	s->ops = &http_ops;

	plen = strlen(path);
	while (plen && path[plen - 1] == '/')
		plen--;
	pg_buf_addf(&base, "%s://%s", scheme, host);
	if (port)
		pg_buf_addf(&base, ":%s", port);
	pg_buf_add(&base, path, plen);
	if (pg_buf_failed(&base)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = pg_url_decode(&root, path, plen)) < 0) {
		err = pg_error_set(PG_EINPUT, "invalid store URL '%s': malformed "
				   "percent-encoding", shown.ptr);
		goto cleanup;
	}
	if ((err = pg_buf_addch(&root, '/')) < 0)
		goto cleanup;
	if ((err = read_credentials(impl)) < 0)
		goto cleanup;
	if ((impl->auth_header || impl->userpwd) && !strcmp(scheme, "http") &&
	    !pg_http_host_is_loopback(host) && !s->opts.allow_insecure_http) {
		err = pg_error_set(PG_EINPUT, "refusing to send credentials over plain http:// "
				   "to '%s': use https://, or --allow-insecure-http on a "
				   "trusted network", host);
		goto cleanup;
	}
	if ((err = pg_http_check_cacert(s->opts.cacert)) < 0)
		goto cleanup;
	if ((err = pg_buf_add(&s->display_url, base.ptr, base.len)) < 0)
		goto cleanup;
	impl->base = pg_buf_detach(&base, NULL);
	impl->root_path = pg_buf_detach(&root, NULL);
	if (!impl->base || !impl->root_path)
		err = pg_error_set(PG_ENOMEM, "out of memory");

cleanup:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_free(part);
	curl_url_cleanup(u);
	pg_buf_release(&shown);
	pg_buf_release(&base);
	pg_buf_release(&root);
	return err;
}

/* ------------------------------------------------------------ requests */

int pg_store_http_object_url(pg_buf *out, const pg_store *s, const char *key)
{
	const struct http_impl *impl = s->impl;

	pg_buf_adds(out, impl->base);
	pg_buf_addch(out, '/');
	return pg_url_encode(out, key, strlen(key), 1);
}

/* The headers of a request: the token's, then `extra` (may be NULL). */
static int make_headers(struct curl_slist **out, const struct http_impl *impl,
			const char *const *extra)
{
	struct curl_slist *list = NULL, *next;

	*out = NULL;
	if (impl->auth_header) {
		if (!(list = curl_slist_append(NULL, impl->auth_header)))
			return pg_error_set(PG_ENOMEM, "out of memory");
	}
	for (; extra && *extra; extra++) {
		next = curl_slist_append(list, *extra);
		if (!next) {
			curl_slist_free_all(list);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		list = next;
	}
	*out = list;
	return 0;
}

static void free_headers(struct curl_slist *list)
{
	struct curl_slist *l;

	for (l = list; l; l = l->next)
		explicit_bzero(l->data, strlen(l->data));
	curl_slist_free_all(list);
}

struct request {
	pg_http_request req;
	pg_http_response resp;
	pg_buf url;
	pg_buf display;
};

/* Set up and perform `method` on `key`'s URL (or on `url_path`, already
 * encoded, relative to the base, when not NULL). */
static int perform(struct request *r, pg_store *s, const char *method, const char *operation,
		   const char *key, const char *const *extra, const pg_store_source *body,
		   const pg_store_sink *sink)
{
	const struct http_impl *impl = s->impl;
	struct curl_slist *headers = NULL;
	int err;

	memset(&r->req, 0, sizeof(r->req));
	if ((err = pg_store_http_object_url(&r->url, s, key)) < 0)
		return err;
	if ((err = pg_store_key_url(&r->display, s, key)) < 0)
		return err;
	if ((err = make_headers(&headers, impl, extra)) < 0)
		return err;
	r->req.method = method;
	r->req.url = r->url.ptr;
	r->req.display_url = r->display.ptr;
	r->req.operation = operation;
	r->req.headers = headers;
	r->req.body = body;
	r->req.sink = sink;
	r->req.userpwd = impl->userpwd;
	err = pg_http_perform(&r->resp, &r->req, &s->opts);
	free_headers(headers);
	r->req.headers = NULL;
	return err;
}

static void request_release(struct request *r)
{
	pg_buf_release(&r->url);
	pg_buf_release(&r->display);
}

static void request_init(struct request *r)
{
	memset(r, 0, sizeof(*r));
	pg_buf_init(&r->url, 0);
	pg_buf_init(&r->display, 0);
}

static int http_get(pg_store *s, const char *key, const pg_store_sink *sink)
{
	struct request r;
	int err;

	request_init(&r);
	if ((err = perform(&r, s, "GET", "download", key, NULL, NULL, sink)) < 0)
		goto cleanup;
	if (r.resp.status == 200)
		err = 0;
	else if (r.resp.status == 404 || r.resp.status == 410)
		err = PG_ENOTFOUND;
	else
		err = pg_http_response_error(&r.req, &r.resp, NULL);

cleanup:
	request_release(&r);
	return err;
}

static int http_put(pg_store *s, const char *key, const pg_store_source *src)
{
	struct request r;
	const char *detail = NULL;
	int err;

	request_init(&r);
	if ((err = perform(&r, s, "PUT", "upload", key, NULL, src, NULL)) < 0)
		goto cleanup;
	switch (r.resp.status) {
	case 200:
	case 201:
	case 204:
		err = 0;
		goto cleanup;
	case 409:
		detail = "the server must create missing folders, e.g. nginx's "
			 "'create_full_put_path on'";
		break;
	case 405:
		detail = "the server does not take PUT, e.g. nginx needs "
			 "'dav_methods PUT DELETE'";
		break;
	case 413:
		detail = "the server's upload size limit is too low, e.g. nginx's "
			 "client_max_body_size";
		break;
	}
	err = pg_http_response_error(&r.req, &r.resp, detail);

cleanup:
	request_release(&r);
	return err;
}

static int http_head(pg_store *s, const char *key, unsigned long long *size)
{
	struct request r;
	int err;

	request_init(&r);
	if ((err = perform(&r, s, "HEAD", "check", key, NULL, NULL, NULL)) < 0)
		goto cleanup;
	if (r.resp.status == 200) {
		*size = r.resp.has_content_length ? r.resp.content_length : 0;
		err = 0;
	} else if (r.resp.status == 404 || r.resp.status == 410) {
		err = PG_ENOTFOUND;
	} else {
		err = pg_http_response_error(&r.req, &r.resp, NULL);
	}

cleanup:
	request_release(&r);
	return err;
}

static int http_del(pg_store *s, const char *key)
{
	struct request r;
	int err;

	request_init(&r);
	if ((err = perform(&r, s, "DELETE", "delete", key, NULL, NULL, NULL)) < 0)
		goto cleanup;
	switch (r.resp.status) {
	case 200:
	case 202:
	case 204:
	case 404:
	case 410:
		err = 0;
		break;
	default:
		err = pg_http_response_error(&r.req, &r.resp, NULL);
	}

cleanup:
	request_release(&r);
	return err;
}

/* ------------------------------------------------------------ listing */

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

/* The first element called `name` below `n` (depth first) for which
 * `want` holds, or NULL. */
static xmlNode *descendant(xmlNode *n, const char *name, int (*want)(xmlNode *))
{
	xmlNode *c, *found;

	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (local_is(c, name) && (!want || want(c)))
			return c;
		if ((found = descendant(c, name, want)))
			return found;
	}
	return NULL;
}

static int has_text(xmlNode *n)
{
	xmlChar *t = xmlNodeGetContent(n);
	int ok = t && t[strspn((const char *)t, " \t\r\n")];

	xmlFree(t);
	return ok;
}

static int is_collection_type(xmlNode *n)
{
	return child(n, "collection") != NULL;
}

/* The decoded path of an href: "/a/b%20c" or "https://h/a/b%20c". */
static int href_path(pg_buf *out, const char *href)
{
	const char *p = href, *end;
	const char *scheme_end;

	p += strspn(p, " \t\r\n");
	scheme_end = strstr(p, "://");
	if (scheme_end && scheme_end < p + strcspn(p, "/?#")) {
		p = scheme_end + 3;
		p += strcspn(p, "/?#");
		if (*p != '/')
			return pg_buf_addch(out, '/');
	}
	end = p + strcspn(p, "?#");
	while (end > p && strchr(" \t\r\n", end[-1]))
		end--;
	return pg_url_decode(out, p, (size_t)(end - p));
}

int pg_webdav_parse(pg_store_list *files, pg_store_list *dirs, const char *xml, size_t len,
		    const char *root_path, const char *coll_path)
{
	size_t root_len = strlen(root_path), coll_len = strlen(coll_path);
	pg_buf path = PG_BUF_INIT, first = PG_BUF_INIT;
	xmlDoc *doc = NULL;
	xmlNode *top, *resp;
	size_t responses = 0, inside = 0;
	int err = 0;

	if ((err = pg_http_global_init()) < 0)
		return err;
	if (len > INT_MAX ||
	    !(doc = xmlReadMemory(xml, (int)len, "propfind.xml", NULL,
				  XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING)) ||
	    !(top = xmlDocGetRootElement(doc)) || !local_is(top, "multistatus")) {
		err = pg_error_set(PG_EINFRA, "the server's PROPFIND answer is not a WebDAV "
				   "multistatus document");
		goto cleanup;
	}
	for (resp = top->children; resp; resp = resp->next) {
		xmlNode *href_node, *type, *length;
		xmlChar *href = NULL;
		const char *rel;
		size_t rel_len;
		int collection;

		if (!local_is(resp, "response") || !(href_node = child(resp, "href")))
			continue;
		responses++;
		href = xmlNodeGetContent(href_node);
		pg_buf_reset(&path);
		err = href ? href_path(&path, (const char *)href) : PG_EINPUT;
		xmlFree(href);
		if (err == PG_ENOMEM)
			goto cleanup;
		if (err < 0 || !path.len) {
			err = 0;
			continue; /* a malformed href */
		}
		if (!first.len && pg_buf_adds(&first, path.ptr) < 0) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		/* the collection itself, perhaps without its slash */
		if ((path.len == coll_len - 1 && !strncmp(path.ptr, coll_path, path.len)) ||
		    !strcmp(path.ptr, coll_path)) {
			inside++;
			continue;
		}
		if (path.len <= coll_len || strncmp(path.ptr, coll_path, coll_len))
			continue; /* not below the collection */
		inside++;
		type = descendant(resp, "resourcetype", is_collection_type);
		collection = type || path.ptr[path.len - 1] == '/';
		rel = path.ptr + root_len;
		rel_len = path.len - root_len;
		while (rel_len && rel[rel_len - 1] == '/')
			rel_len--;
		if (!rel_len)
			continue;
		pg_buf_truncate(&path, root_len + rel_len);
		if (pg_store_key_ok(rel) < 0)
			continue; /* a name the store would never have written */
		if (collection) {
			pg_buf_addch(&path, '/');
			if (pg_buf_failed(&path)) {
				err = PG_ENOMEM;
				goto cleanup;
			}
			err = pg_store_list_add(dirs, path.ptr + root_len, rel_len + 1, 0);
		} else {
			unsigned long long size = 0;

			length = descendant(resp, "getcontentlength", has_text);
			if (length) {
				xmlChar *t = xmlNodeGetContent(length);

				size = t ? strtoull((const char *)t, NULL, 10) : 0;
				xmlFree(t);
			}
			err = pg_store_list_add(files, rel, rel_len, size);
		}
		if (err < 0)
			goto cleanup;
	}
	if (responses && !inside) {
		err = pg_error_set(PG_EINFRA, "the server's PROPFIND answer about '%s' names "
				   "other paths, e.g. '%s' (a proxy rewriting paths?)",
				   coll_path, first.ptr);
		goto cleanup;
	}
	err = 0;

cleanup:
	xmlFreeDoc(doc);
	pg_buf_release(&path);
	pg_buf_release(&first);
	return err;
}

/* PROPFIND one collection (`rel`: "" or a prefix ending in '/'). */
static int propfind(pg_store *s, const char *rel, pg_store_list *files, pg_store_list *dirs)
{
	static const char *const extra[] = {
		"Depth: 1", "Content-Type: application/xml; charset=utf-8", NULL
	};
	const struct http_impl *impl = s->impl;
	struct curl_slist *headers = NULL;
	pg_store_source body;
	pg_store_sink sink;
	pg_store_buf_sink bs;
	pg_buf xml = PG_BUF_INIT, url = PG_BUF_INIT, display = PG_BUF_INIT, coll = PG_BUF_INIT;
	pg_http_request req;
	pg_http_response resp;
	int err;

	pg_buf_init(&xml, MAX_LISTING + 1);
	pg_buf_addf(&url, "%s/", impl->base);
	pg_url_encode(&url, rel, strlen(rel), 1);
	pg_buf_addf(&display, "%s/%s", s->display_url.ptr, rel);
	pg_buf_addf(&coll, "%s%s", impl->root_path, rel);
	if (pg_buf_failed(&url) || pg_buf_failed(&display) || pg_buf_failed(&coll)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	if ((err = make_headers(&headers, impl, extra)) < 0)
		goto cleanup;
	body.fd = -1;
	body.data = propfind_body;
	body.len = sizeof(propfind_body) - 1;
	body.sha256_hex = NULL;
	pg_store_buf_sink_init(&sink, &bs, &xml, MAX_LISTING);
	memset(&req, 0, sizeof(req));
	req.method = "PROPFIND";
	req.url = url.ptr;
	req.display_url = display.ptr;
	req.operation = "list";
	req.headers = headers;
	req.body = &body;
	req.sink = &sink;
	req.userpwd = impl->userpwd;
	if ((err = pg_http_perform(&resp, &req, &s->opts)) < 0)
		goto cleanup;
	if (resp.status == 207)
		err = pg_webdav_parse(files, dirs, xml.ptr, xml.len, impl->root_path, coll.ptr);
	else if (resp.status == 404)
		err = 0; /* no such prefix: nothing there */
	else if (resp.status == 405 || resp.status == 501 || (resp.status >= 200 &&
							       resp.status < 300))
		err = pg_http_response_error(&req, &resp, NO_PROPFIND);
	else
		err = pg_http_response_error(&req, &resp, NULL);

cleanup:
	free_headers(headers);
	pg_buf_release(&xml);
	pg_buf_release(&url);
	pg_buf_release(&display);
	pg_buf_release(&coll);
	return err;
}

/* Whether the store is GitLab's generic package registry
 * (/api/v4/projects/<id>/packages/generic/<name>/<version>): it has no
 * listing at all, and answers a PROPFIND with 404, which elsewhere means
 * an absent folder (nothing there). */
static int is_gitlab_generic(const struct http_impl *impl)
{
	return strstr(impl->root_path, "/packages/generic/") != NULL;
}

static int http_list(pg_store *s, const char *prefix, pg_store_list *out)
{
	struct http_impl *impl = s->impl;
	pg_store_list dirs;
	size_t next;
	int err;

	pg_store_list_init(&dirs);
	if (is_gitlab_generic(impl)) {
		err = pg_error_set(PG_EINFRA, "list of '%s/%s' failed: GitLab's generic package "
				   "registry cannot list folders (%s)", s->display_url.ptr,
				   prefix, NO_PROPFIND);
		goto cleanup;
	}
	if ((err = pg_store_list_add(&dirs, prefix, strlen(prefix), 0)) < 0)
		goto cleanup;
	for (next = 0; next < dirs.n; next++) {
		if (next >= MAX_COLLECTIONS) {
			err = pg_error_set(PG_EINFRA, "listing '%s/%s' walked more than %d "
					   "folders", s->display_url.ptr, prefix, MAX_COLLECTIONS);
			goto cleanup;
		}
		if ((err = propfind(s, dirs.items[next].key, out, &dirs)) < 0)
			goto cleanup;
	}

cleanup:
	pg_store_list_release(&dirs);
	return err;
}

static const pg_store_ops http_ops = {
	"http", http_get, http_put, http_head, http_del, http_list, http_free
};
