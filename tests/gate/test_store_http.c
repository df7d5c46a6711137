/*
 * The HTTP store (gate/store_http.c): URL checks and display URLs, the
 * refusal of credentials in URLs and over plain http://, the auth header
 * chosen from the environment, object URLs, the operations' statuses,
 * PROPFIND listing (canned multistatus documents and a scripted server),
 * and that no secret ever shows in a log line or message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/store.h"
#include "gate/store_remote.h"

#include "http_test_server.h"

#define TOKEN "tok-SECRET-4f8a"
#define PASSWORD "pw-SECRET-91c2"

static void clear_env(void)
{
	unsetenv("PERFGATE_STORE_TOKEN");
	unsetenv("PERFGATE_STORE_TOKEN_HEADER");
	unsetenv("PERFGATE_STORE_USER");
	unsetenv("PERFGATE_STORE_PASSWORD");
}

static int setup(void **state)
{
	(void)state;
	clear_env();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	clear_env();
	pg_buf_release(&ts_log);
	return 0;
}

static void assert_contains(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("'%s' is not in:\n%s", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("'%s' should not be in:\n%s", needle, hay);
}

static pg_store *open_ok(const char *url, const pg_store_options *o)
{
	pg_store *s = NULL;
	int err = pg_store_open(&s, url, o);

	if (err)
		fail_msg("cannot open '%s': %s", url, pg_error_last());
	return s;
}

/* ------------------------------------------------------------ open */

static void test_display_urls(void **state)
{
	static const char *const cases[][2] = {
		{ "https://store.example/perf", "https://store.example/perf" },
		{ "https://store.example/perf/", "https://store.example/perf" },
		{ "https://store.example/perf///", "https://store.example/perf" },
		{ "https://store.example", "https://store.example" },
		{ "https://store.example/", "https://store.example" },
		{ "https://store.example:8443/a/b%20c/", "https://store.example:8443/a/b%20c" },
		{ "http://127.0.0.1:8080/dav", "http://127.0.0.1:8080/dav" },
		{ "http://[::1]:8080/dav", "http://[::1]:8080/dav" },
	};
	pg_buf b = PG_BUF_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		pg_store *s = open_ok(cases[i][0], NULL);

		assert_string_equal(pg_store_display_url(s), cases[i][1]);
		pg_buf_reset(&b);
		assert_int_equal(pg_store_http_object_url(&b, s, "v1/p/a+b=c@d,e:f~g"), 0);
		assert_string_equal(b.ptr + strlen(cases[i][1]), "/v1/p/a%2Bb%3Dc%40d%2Ce%3Af~g");
		assert_true(!strncmp(b.ptr, cases[i][1], strlen(cases[i][1])));
		pg_buf_reset(&b);
		pg_store_key_url(&b, s, "v1/x");
		assert_string_equal(b.ptr + strlen(cases[i][1]), "/v1/x");
		pg_store_free(s);
	}
	pg_buf_release(&b);
}

static void test_at_in_path_is_no_userinfo(void **state)
{
	pg_store *s = open_ok("https://store.example/team:a@b/perf", NULL);

	(void)state;
	assert_string_equal(pg_store_display_url(s), "https://store.example/team:a@b/perf");
	pg_store_free(s);
}

static void test_bad_urls(void **state)
{
	static const char *const bad[] = {
		"https://", "https:///path", "https://host/a b", "https://host/x?a=1",
		"https://host/x#frag",
	};
	pg_store *s = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pg_store_open(&s, bad[i], NULL) != PG_EINPUT)
			fail_msg("'%s' should be refused", bad[i]);
		assert_null(s);
	}
}

static void test_userinfo_refused(void **state)
{
	static const char *const urls[] = {
		"https://alice:" PASSWORD "@store.example/perf",
		"https://alice@store.example/perf",
		"https://:" PASSWORD "@store.example/perf",
		"http://alice:" PASSWORD "@127.0.0.1:1/perf",
		/* a password with a raw '/': libcurl cannot parse it */
		"https://alice:" PASSWORD "/x@store.example/perf",
		"https://alice:" PASSWORD "/x@store.example",
	};
	pg_store *s = NULL;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(urls) / sizeof(urls[0]); i++) {
		assert_int_equal(pg_store_open(&s, urls[i], NULL), PG_EINPUT);
		assert_null(s);
		assert_contains(pg_error_last(), "must not contain credentials");
		assert_contains(pg_error_last(), "PERFGATE_STORE_USER");
		assert_lacks(pg_error_last(), PASSWORD);
		assert_lacks(pg_error_last(), "alice");
	}
	/* also when the URL is malformed */
	assert_int_equal(pg_store_open(&s, "https://alice:" PASSWORD "@store example/",
				       NULL), PG_EINPUT);
	assert_lacks(pg_error_last(), PASSWORD);
}

static void test_insecure_http(void **state)
{
	static const char *const loopback[] = {
		"http://127.0.0.1:8080/dav", "http://localhost/dav", "http://[::1]:9/dav",
		"http://127.0.0.2/dav",
	};
	pg_store_options o;
	pg_store *s = NULL;
	size_t i;

	(void)state;
	pg_store_options_init(&o);
	/* no credentials: plain http is fine anywhere */
	s = open_ok("http://store.example/dav", &o);
	pg_store_free(s);

	setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
	assert_int_equal(pg_store_open(&s, "http://store.example/dav", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "refusing to send credentials over plain http:// to "
			"'store.example'");
	assert_contains(pg_error_last(), "--allow-insecure-http");
	assert_lacks(pg_error_last(), TOKEN);
	for (i = 0; i < sizeof(loopback) / sizeof(loopback[0]); i++) {
		s = open_ok(loopback[i], &o);
		pg_store_free(s);
	}
	s = open_ok("https://store.example/dav", &o);
	pg_store_free(s);
	o.allow_insecure_http = 1;
	s = open_ok("http://store.example/dav", &o);
	pg_store_free(s);

	clear_env();
	o.allow_insecure_http = 0;
	setenv("PERFGATE_STORE_USER", "alice", 1);
	setenv("PERFGATE_STORE_PASSWORD", PASSWORD, 1);
	assert_int_equal(pg_store_open(&s, "http://10.0.0.1/dav", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "--allow-insecure-http");
	assert_lacks(pg_error_last(), PASSWORD);
}

static void test_credential_variables_checked(void **state)
{
	pg_store *s = NULL;

	(void)state;
	setenv("PERFGATE_STORE_USER", "alice", 1);
	assert_int_equal(pg_store_open(&s, "https://h/x", NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "PERFGATE_STORE_USER is set but PERFGATE_STORE_PASSWORD is not");
	clear_env();
	setenv("PERFGATE_STORE_PASSWORD", PASSWORD, 1);
	assert_int_equal(pg_store_open(&s, "https://h/x", NULL), PG_EINPUT);
	assert_string_equal(pg_error_last(),
			    "PERFGATE_STORE_PASSWORD is set but PERFGATE_STORE_USER is not");
	clear_env();
	setenv("PERFGATE_STORE_TOKEN_HEADER", "JOB-TOKEN", 1);
	assert_int_equal(pg_store_open(&s, "https://h/x", NULL), PG_EINPUT);
	clear_env();
	setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
	setenv("PERFGATE_STORE_TOKEN_HEADER", "Bad Header:", 1);
	assert_int_equal(pg_store_open(&s, "https://h/x", NULL), PG_EINPUT);
	assert_lacks(pg_error_last(), TOKEN);
	clear_env();
	setenv("PERFGATE_STORE_TOKEN", TOKEN "\r\nX-Injected: 1", 1);
	assert_int_equal(pg_store_open(&s, "https://h/x", NULL), PG_EINPUT);
	assert_lacks(pg_error_last(), TOKEN);
	assert_null(s);
}

static void test_cacert_checked_at_open(void **state)
{
	pg_store_options o;
	pg_store *s = NULL;

	(void)state;
	pg_store_options_init(&o);
	o.cacert = "/nonexistent/ca.pem";
	assert_int_equal(pg_store_open(&s, "https://h/x", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "/nonexistent/ca.pem");
}

/* ------------------------------------------------------------ auth headers */

/* PUT "data" through a store at the scripted server; returns the request. */
static void put_once(ts_server *srv, pg_store_options *o)
{
	static const ts_answer script[] = { TS_STATUS(201) };
	pg_store *s;

	ts_start(srv, script, 1);
	s = open_ok(srv->url, o);
	assert_int_equal(pg_store_put_buf(s, "v1/k", "data", 4), 0);
	ts_stop(srv);
	pg_store_free(s);
	ts_assert_prefix(srv->req[0].ptr, "PUT /v1/k HTTP/1.1\r\n");
	assert_string_equal(ts_body(srv, 0), "data");
}

static void test_auth_headers(void **state)
{
	pg_store_options o;
	ts_server srv;

	(void)state;
	ts_options(&o);
	/* nothing in the environment: no credentials sent */
	put_once(&srv, &o);
	assert_lacks(srv.req[0].ptr, "Authorization");
	ts_release(&srv);

	setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
	put_once(&srv, &o);
	assert_contains(srv.req[0].ptr, "\r\nAuthorization: Bearer " TOKEN "\r\n");
	ts_release(&srv);

	setenv("PERFGATE_STORE_TOKEN_HEADER", "JOB-TOKEN", 1);
	put_once(&srv, &o);
	assert_contains(srv.req[0].ptr, "\r\nJOB-TOKEN: " TOKEN "\r\n");
	assert_lacks(srv.req[0].ptr, "Authorization");
	ts_release(&srv);

	clear_env();
	setenv("PERFGATE_STORE_USER", "alice", 1);
	setenv("PERFGATE_STORE_PASSWORD", "open sesame", 1);
	put_once(&srv, &o);
	/* base64("alice:open sesame") */
	assert_contains(srv.req[0].ptr, "\r\nAuthorization: Basic YWxpY2U6b3BlbiBzZXNhbWU=\r\n");
	ts_release(&srv);

	/* the token wins over user and password */
	setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
	put_once(&srv, &o);
	assert_contains(srv.req[0].ptr, "\r\nAuthorization: Bearer " TOKEN "\r\n");
	assert_lacks(srv.req[0].ptr, "Basic");
	ts_release(&srv);
}

/* ------------------------------------------------------------ operations */

static void test_operations(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(200, "", "payload"),      /* get */
		TS_STATUS(404),                   /* get: absent */
		TS_BODY(200, "", "12345"),        /* head */
		TS_STATUS(404),                   /* head: absent */
		TS_STATUS(204),                   /* delete */
		TS_STATUS(404),                   /* delete: absent is fine */
		TS_STATUS(409),                   /* put: no folder */
		TS_STATUS(403),                   /* get: forbidden */
	};
	pg_store_options o;
	pg_buf b = PG_BUF_INIT;
	unsigned long long size = 0;
	ts_server srv;
	pg_store *s;
	char base[96];

	(void)state;
	ts_options(&o);
	ts_start(&srv, script, 8);
	snprintf(base, sizeof(base), "%s/dav/", srv.url);
	s = open_ok(base, &o);
	assert_int_equal(pg_store_get_buf(s, "v1/a", &b, 100), 0);
	assert_string_equal(b.ptr, "payload");
	assert_int_equal(pg_store_get_buf(s, "v1/b", &b, 100), PG_ENOTFOUND);
	assert_int_equal(pg_store_head(s, "v1/a", &size), 0);
	assert_int_equal(size, 5);
	assert_int_equal(pg_store_head(s, "v1/b", &size), PG_ENOTFOUND);
	assert_int_equal(pg_store_delete(s, "v1/a"), 0);
	assert_int_equal(pg_store_delete(s, "v1/b"), 0);
	assert_int_equal(pg_store_put_buf(s, "v1/c/d", "x", 1), PG_EINFRA);
	assert_contains(pg_error_last(), "upload of '");
	assert_contains(pg_error_last(), "/dav/v1/c/d' failed: HTTP 409 Conflict (the server "
			"must create missing folders");
	assert_int_equal(pg_store_get_buf(s, "v1/a", &b, 100), PG_EINFRA);
	assert_contains(pg_error_last(), "download of '");
	assert_contains(pg_error_last(), "failed: HTTP 403 Forbidden (check PERFGATE_STORE_TOKEN");
	ts_stop(&srv);
	assert_int_equal(srv.served, 8);
	ts_assert_prefix(srv.req[0].ptr, "GET /dav/v1/a HTTP/1.1\r\n");
	ts_assert_prefix(srv.req[2].ptr, "HEAD /dav/v1/a HTTP/1.1\r\n");
	ts_assert_prefix(srv.req[4].ptr, "DELETE /dav/v1/a HTTP/1.1\r\n");
	ts_assert_prefix(srv.req[6].ptr, "PUT /dav/v1/c/d HTTP/1.1\r\n");
	pg_store_free(s);
	pg_buf_release(&b);
	ts_release(&srv);
}

/* ------------------------------------------------------------ PROPFIND */

/* nginx dav_ext's style: D: prefix, absolute paths, collections with a
 * trailing slash */
static const char nginx_doc[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
	"<D:multistatus xmlns:D=\"DAV:\">\n"
	"<D:response>\n"
	"<D:href>/dav/perf/v1/p/</D:href>\n"
	"<D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype>"
	"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>\n"
	"</D:response>\n"
	"<D:response>\n"
	"<D:href>/dav/perf/v1/p/refs/</D:href>\n"
	"<D:propstat><D:prop><D:resourcetype><D:collection/></D:resourcetype>"
	"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>\n"
	"</D:response>\n"
	"<D:response>\n"
	"<D:href>/dav/perf/v1/p/a%2Bb%3Dc</D:href>\n"
	"<D:propstat><D:prop><D:resourcetype></D:resourcetype>"
	"<D:getcontentlength>1234</D:getcontentlength>"
	"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>\n"
	"</D:response>\n"
	"<D:response>\n"
	"<D:href>/dav/perf/v1/p/plain.json</D:href>\n"
	"<D:propstat><D:prop><D:resourcetype/>"
	"<D:getcontentlength>7</D:getcontentlength>"
	"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>\n"
	"</D:response>\n"
	"<D:response>\n"
	"<D:href>/dav/perf/v1/p/has%20space</D:href>\n"
	"<D:propstat><D:prop><D:resourcetype/>"
	"<D:getcontentlength>1</D:getcontentlength>"
	"</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>\n"
	"</D:response>\n"
	"</D:multistatus>\n";

/* another server's style: default namespace, full URLs, the collection
 * without its slash, a 404 propstat for the missing length, a directory
 * marked only by resourcetype */
static const char full_url_doc[] =
	"<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
	"<multistatus xmlns=\"DAV:\">\n"
	" <response><href>https://store.example:8443/dav/perf/v1/p</href>\n"
	"  <propstat><prop><resourcetype><collection/></resourcetype></prop>\n"
	"   <status>HTTP/1.1 200 OK</status></propstat></response>\n"
	" <response><href>\n   https://store.example:8443/dav/perf/v1/p/runs\n  </href>\n"
	"  <propstat><prop><resourcetype><collection/></resourcetype></prop>\n"
	"   <status>HTTP/1.1 200 OK</status></propstat>\n"
	"  <propstat><prop><getcontentlength/></prop>\n"
	"   <status>HTTP/1.1 404 Not Found</status></propstat></response>\n"
	" <response><href>https://store.example:8443/dav/perf/v1/p/x%40y%2Cz.txt</href>\n"
	"  <propstat><prop><getcontentlength/></prop>\n"
	"   <status>HTTP/1.1 404 Not Found</status></propstat>\n"
	"  <propstat><prop><resourcetype/><getcontentlength>42</getcontentlength></prop>\n"
	"   <status>HTTP/1.1 200 OK</status></propstat></response>\n"
	" <response><href>/elsewhere/v1/p/other</href>\n"
	"  <propstat><prop><getcontentlength>3</getcontentlength></prop>\n"
	"   <status>HTTP/1.1 200 OK</status></propstat></response>\n"
	" <response><href>/dav/perf/v1/p/bad%zzescape</href>\n"
	"  <propstat><prop><getcontentlength>3</getcontentlength></prop>\n"
	"   <status>HTTP/1.1 200 OK</status></propstat></response>\n"
	"</multistatus>\n";

static void test_propfind_parse_nginx(void **state)
{
	pg_store_list files, dirs;

	(void)state;
	pg_store_list_init(&files);
	pg_store_list_init(&dirs);
	assert_int_equal(pg_webdav_parse(&files, &dirs, nginx_doc, sizeof(nginx_doc) - 1,
					 "/dav/perf/", "/dav/perf/v1/p/"), 0);
	assert_int_equal(files.n, 2);
	assert_string_equal(files.items[0].key, "v1/p/a+b=c");
	assert_int_equal(files.items[0].size, 1234);
	assert_string_equal(files.items[1].key, "v1/p/plain.json");
	assert_int_equal(files.items[1].size, 7);
	assert_int_equal(dirs.n, 1);
	assert_string_equal(dirs.items[0].key, "v1/p/refs/");
	pg_store_list_release(&files);
	pg_store_list_release(&dirs);
}

static void test_propfind_parse_full_urls(void **state)
{
	pg_store_list files, dirs;

	(void)state;
	pg_store_list_init(&files);
	pg_store_list_init(&dirs);
	assert_int_equal(pg_webdav_parse(&files, &dirs, full_url_doc,
					 sizeof(full_url_doc) - 1, "/dav/perf/",
					 "/dav/perf/v1/p/"), 0);
	assert_int_equal(files.n, 1);
	assert_string_equal(files.items[0].key, "v1/p/x@y,z.txt");
	assert_int_equal(files.items[0].size, 42);
	assert_int_equal(dirs.n, 1);
	assert_string_equal(dirs.items[0].key, "v1/p/runs/");
	pg_store_list_release(&files);
	pg_store_list_release(&dirs);
}

static void test_propfind_parse_errors(void **state)
{
	static const char not_xml[] = "<html><body>Index of /</body>";
	static const char html[] = "<html><body>Index of /</body></html>";
	static const char rewritten[] =
		"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/v1/p/</D:href>"
		"</D:response><D:response><D:href>/v1/p/x</D:href></D:response>"
		"</D:multistatus>";
	static const char empty[] = "<D:multistatus xmlns:D=\"DAV:\"></D:multistatus>";
	pg_store_list files, dirs;

	(void)state;
	pg_store_list_init(&files);
	pg_store_list_init(&dirs);
	assert_int_equal(pg_webdav_parse(&files, &dirs, not_xml, sizeof(not_xml) - 1, "/",
					 "/"), PG_EINFRA);
	assert_contains(pg_error_last(), "not a WebDAV multistatus document");
	assert_int_equal(pg_webdav_parse(&files, &dirs, html, sizeof(html) - 1, "/", "/"),
			 PG_EINFRA);
	/* a proxy that strips /store from the paths */
	assert_int_equal(pg_webdav_parse(&files, &dirs, rewritten, sizeof(rewritten) - 1,
					 "/store/", "/store/v1/p/"), PG_EINFRA);
	assert_contains(pg_error_last(), "names other paths, e.g. '/v1/p/'");
	assert_int_equal(pg_webdav_parse(&files, &dirs, empty, sizeof(empty) - 1, "/", "/"), 0);
	assert_int_equal(files.n + dirs.n, 0);
	pg_store_list_release(&files);
	pg_store_list_release(&dirs);
}

static void test_list_walks_collections(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(207, "Content-Type: application/xml\r\n",
			"<D:multistatus xmlns:D=\"DAV:\">"
			"<D:response><D:href>/dav/v1/</D:href><D:propstat><D:prop>"
			"<D:resourcetype><D:collection/></D:resourcetype></D:prop>"
			"</D:propstat></D:response>"
			"<D:response><D:href>/dav/v1/b.txt</D:href><D:propstat><D:prop>"
			"<D:resourcetype/><D:getcontentlength>2</D:getcontentlength></D:prop>"
			"</D:propstat></D:response>"
			"<D:response><D:href>/dav/v1/sub%2Bdir/</D:href><D:propstat><D:prop>"
			"<D:resourcetype><D:collection/></D:resourcetype></D:prop>"
			"</D:propstat></D:response>"
			"</D:multistatus>"),
		TS_BODY(207, "",
			"<D:multistatus xmlns:D=\"DAV:\">"
			"<D:response><D:href>/dav/v1/sub%2Bdir/</D:href><D:propstat><D:prop>"
			"<D:resourcetype><D:collection/></D:resourcetype></D:prop>"
			"</D:propstat></D:response>"
			"<D:response><D:href>/dav/v1/sub%2Bdir/a.txt</D:href><D:propstat>"
			"<D:prop><D:resourcetype/><D:getcontentlength>10</D:getcontentlength>"
			"</D:prop></D:propstat></D:response>"
			"</D:multistatus>"),
		TS_STATUS(404),
		TS_STATUS(405),
		TS_STATUS(501),
		TS_BODY(207, "", "<D:multistatus xmlns:D=\"DAV:\"/>"),   /* not asked */
	};
	pg_store_options o;
	pg_store_list l;
	ts_server srv;
	pg_store *s;
	char base[96], want[512];

	(void)state;
	ts_options(&o);
	setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
	ts_start(&srv, script, 6);
	snprintf(base, sizeof(base), "%s/dav", srv.url);
	s = open_ok(base, &o);
	pg_store_list_init(&l);
	assert_int_equal(pg_store_list_prefix(s, "v1/", &l), 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.items[0].key, "v1/b.txt");
	assert_int_equal(l.items[0].size, 2);
	assert_string_equal(l.items[1].key, "v1/sub+dir/a.txt");
	assert_int_equal(l.items[1].size, 10);
	/* an absent prefix is an empty list */
	assert_int_equal(pg_store_list_prefix(s, "v2/", &l), 0);
	assert_int_equal(l.n, 2);
	/* a server without PROPFIND: one line that says what works */
	assert_int_equal(pg_store_list_prefix(s, "", &l), PG_EINFRA);
	snprintf(want, sizeof(want), "list of '%s/' failed: HTTP 405 Method Not Allowed (the "
		 "server does not support WebDAV PROPFIND, which listing needs: baseline ls "
		 "and prune need a WebDAV server, e.g. nginx with dav_ext, or S3; gate, "
		 "refresh, push and pull work without it)", base);
	assert_string_equal(pg_error_last(), want);
	/* a 501 says the same, and is not retried */
	assert_int_equal(pg_store_list_prefix(s, "v3/", &l), PG_EINFRA);
	assert_contains(pg_error_last(), "/dav/v3/' failed: HTTP 501 Not Implemented (the server "
			"does not support WebDAV PROPFIND");
	ts_stop(&srv);
	assert_int_equal(srv.served, 5);
	ts_assert_prefix(srv.req[0].ptr, "PROPFIND /dav/v1/ HTTP/1.1\r\n");
	assert_contains(srv.req[0].ptr, "\r\nDepth: 1\r\n");
	assert_contains(srv.req[0].ptr, "\r\nAuthorization: Bearer " TOKEN "\r\n");
	assert_contains(ts_body(&srv, 0), "<D:propfind xmlns:D=\"DAV:\">");
	ts_assert_prefix(srv.req[1].ptr, "PROPFIND /dav/v1/sub%2Bdir/ HTTP/1.1\r\n");
	ts_assert_prefix(srv.req[2].ptr, "PROPFIND /dav/v2/ HTTP/1.1\r\n");
	ts_assert_prefix(srv.req[3].ptr, "PROPFIND /dav/ HTTP/1.1\r\n");
	pg_store_list_release(&l);
	pg_store_free(s);
	ts_release(&srv);
}

/* ------------------------------------------------------------ secrets */

static void test_no_secret_in_logs_or_messages(void **state)
{
	static const ts_answer script[] = {
		TS_STATUS(503), TS_DO(TS_RESET), TS_STATUS(401),      /* get */
		TS_STATUS(403),                                       /* put */
		TS_BODY(207, "", "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>"
			"/x/</D:href></D:response></D:multistatus>"),   /* list */
	};
	size_t m;

	(void)state;
	for (m = 0; m < 3; m++) {
		pg_store_options o;
		pg_buf b = PG_BUF_INIT, errors = PG_BUF_INIT;
		pg_store_list l;
		ts_server srv;
		pg_store *s;
		size_t i;

		clear_env();
		if (m == 0) {
			setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
		} else if (m == 1) {
			setenv("PERFGATE_STORE_TOKEN", TOKEN, 1);
			setenv("PERFGATE_STORE_TOKEN_HEADER", "X-Api-Key", 1);
		} else {
			setenv("PERFGATE_STORE_USER", "alice", 1);
			setenv("PERFGATE_STORE_PASSWORD", PASSWORD, 1);
		}
		ts_options(&o);
		ts_start(&srv, script, 5);
		s = open_ok(srv.url, &o);
		assert_int_equal(pg_store_get_buf(s, "v1/k", &b, 100), PG_EINFRA);
		pg_buf_addf(&errors, "%s\n", pg_error_last());
		assert_int_equal(pg_store_put_buf(s, "v1/k", "x", 1), PG_EINFRA);
		pg_buf_addf(&errors, "%s\n", pg_error_last());
		pg_store_list_init(&l);
		assert_int_equal(pg_store_list_prefix(s, "", &l), PG_EINFRA);
		pg_buf_addf(&errors, "%s\n", pg_error_last());
		pg_store_list_release(&l);
		pg_store_free(s);
		ts_stop(&srv);
		/* a refused connection, logged too */
		s = open_ok(srv.url, &o);
		assert_int_equal(pg_store_head(s, "v1/k", NULL), PG_EINFRA);
		pg_buf_addf(&errors, "%s\n", pg_error_last());
		pg_store_free(s);

		/* the credentials did go out ... */
		assert_contains(srv.req[0].ptr, m == 2 ? "Authorization: Basic" : TOKEN);
		/* ... but never into a log line or a message */
		assert_true(ts_log_lines >= 5);
		for (i = 0; i < 2; i++) {
			const char *text = i ? errors.ptr : ts_log.ptr;

			assert_lacks(text, TOKEN);
			assert_lacks(text, PASSWORD);
			assert_lacks(text, "alice");
			assert_lacks(text, "Authorization");
			assert_lacks(text, "Basic");
			assert_lacks(text, "X-Api-Key");
			/* base64 of "alice:pw-SECRET..." starts like this */
			assert_lacks(text, "YWxpY2U6");
		}
		pg_buf_release(&b);
		pg_buf_release(&errors);
		ts_release(&srv);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_display_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_at_in_path_is_no_userinfo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_userinfo_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_insecure_http, setup, teardown),
		cmocka_unit_test_setup_teardown(test_credential_variables_checked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cacert_checked_at_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_auth_headers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_operations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_propfind_parse_nginx, setup, teardown),
		cmocka_unit_test_setup_teardown(test_propfind_parse_full_urls, setup, teardown),
		cmocka_unit_test_setup_teardown(test_propfind_parse_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_walks_collections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_secret_in_logs_or_messages, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_http", tests, NULL, NULL);
}
