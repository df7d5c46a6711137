/*
 * The S3 store (gate/store_s3.c): URLs (virtual-hosted on AWS, path-style
 * on PERFGATE_S3_ENDPOINT), the checks at open (credentials, bucket,
 * prefix, insecure endpoints), the ListObjectsV2 query and its parsing
 * (canned pages), the signed requests a scripted server receives, the
 * statuses and S3 error codes, and that no secret shows in a log line or
 * message.
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

#define KEY_ID "AKIDEXAMPLE"
#define SECRET "sk-SECRET-wJalrXUtnFEMI/K7MDENG+bPxRfiCY"
#define SESSION "st-SECRET-FwoGZXIvYXdzEBY"
#define EMPTY_SHA "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void clear_env(void)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	unsetenv("PERFGATE_S3_ENDPOINT");
	unsetenv("PERFGATE_S3_MAX_KEYS");
}

static int setup(void **state)
{
	(void)state;
	clear_env();
	setenv("AWS_ACCESS_KEY_ID", KEY_ID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
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

static void check_urls(const char *url, const char *display, const char *key,
		       const char *object_url)
{
	pg_buf b = PG_BUF_INIT;
	pg_store *s = open_ok(url, NULL);

	assert_string_equal(pg_store_display_url(s), display);
	assert_int_equal(pg_store_s3_object_url(&b, s, key), 0);
	assert_string_equal(b.ptr, object_url);
	pg_buf_reset(&b);
	pg_store_key_url(&b, s, key);
	assert_true(!strncmp(b.ptr, display, strlen(display)));
	pg_buf_release(&b);
	pg_store_free(s);
}

/* ------------------------------------------------------------ open */

static void test_virtual_hosted(void **state)
{
	(void)state;
	check_urls("s3://perf-bucket/pre/fix/", "s3://perf-bucket/pre/fix", "v1/a+b=c",
		   "https://perf-bucket.s3.us-east-1.amazonaws.com/pre/fix/v1/a%2Bb%3Dc");
	check_urls("s3://perf-bucket", "s3://perf-bucket", "v1/x",
		   "https://perf-bucket.s3.us-east-1.amazonaws.com/v1/x");
	check_urls("s3://perf-bucket/", "s3://perf-bucket", "v1/x",
		   "https://perf-bucket.s3.us-east-1.amazonaws.com/v1/x");
	setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
	check_urls("s3://perf-bucket/p", "s3://perf-bucket/p", "k",
		   "https://perf-bucket.s3.ap-south-1.amazonaws.com/p/k");
	setenv("AWS_REGION", "eu-west-1", 1);
	check_urls("s3://perf-bucket/p", "s3://perf-bucket/p", "k",
		   "https://perf-bucket.s3.eu-west-1.amazonaws.com/p/k");
	/* dots: the wildcard certificate does not cover them, path-style */
	check_urls("s3://perf.example.com/p", "s3://perf.example.com/p", "k@1",
		   "https://s3.eu-west-1.amazonaws.com/perf.example.com/p/k%401");
}

static void test_path_style_endpoint(void **state)
{
	(void)state;
	setenv("PERFGATE_S3_ENDPOINT", "http://127.0.0.1:4569", 1);
	check_urls("s3://perfgate/pre", "s3://perfgate/pre", "v1/p/x:y,z",
		   "http://127.0.0.1:4569/perfgate/pre/v1/p/x%3Ay%2Cz");
	setenv("PERFGATE_S3_ENDPOINT", "https://minio.example:9000/s3/", 1);
	check_urls("s3://Legacy_Bucket", "s3://Legacy_Bucket", "v1/x",
		   "https://minio.example:9000/s3/Legacy_Bucket/v1/x");
	setenv("PERFGATE_S3_ENDPOINT", "http://localhost:9000/", 1);
	check_urls("s3://b12/p", "s3://b12/p", "k", "http://localhost:9000/b12/p/k");
}

static void test_open_refusals(void **state)
{
	static const char *const bad_urls[] = {
		"s3://", "s3:///x", "s3://ab/x", "s3://Bad_Bucket/x", "s3://-bucket/x",
		"s3://bucket-/x", "s3://bucket/a/../b", "s3://bucket/a//b", "s3://bucket/a b",
		"s3://bucket:9000/x",
	};
	pg_store_options o;
	pg_store *s = NULL;
	size_t i;

	(void)state;
	pg_store_options_init(&o);
	for (i = 0; i < sizeof(bad_urls) / sizeof(bad_urls[0]); i++) {
		if (pg_store_open(&s, bad_urls[i], &o) != PG_EINPUT)
			fail_msg("'%s' should be refused", bad_urls[i]);
		assert_null(s);
	}

	/* SECRET has a '/' in it */
	assert_int_equal(pg_store_open(&s, "s3://" KEY_ID ":" SECRET "@bucket/x", &o),
			 PG_EINPUT);
	assert_contains(pg_error_last(), "must not contain credentials");
	assert_lacks(pg_error_last(), SECRET);
	assert_lacks(pg_error_last(), "sk-SECRET");
	assert_int_equal(pg_store_open(&s, "s3://" KEY_ID ":pw@bucket/x", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "'s3://bucket/x' must not contain credentials");
	/* a prefix may hold ':' and '@' */
	s = open_ok("s3://bucket/team:a@b", &o);
	assert_string_equal(pg_store_display_url(s), "s3://bucket/team:a@b");
	pg_store_free(s);
	s = NULL;

	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_string_equal(pg_error_last(), "the S3 store 's3://bucket/x' needs credentials: "
			    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
	setenv("AWS_SECRET_ACCESS_KEY", SECRET, 1);
	unsetenv("AWS_ACCESS_KEY_ID");
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY");
	setenv("AWS_ACCESS_KEY_ID", KEY_ID, 1);

	setenv("AWS_REGION", "us-east-1:evil", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	unsetenv("AWS_REGION");
	setenv("AWS_SESSION_TOKEN", SESSION "\r\nX-Evil: 1", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_lacks(pg_error_last(), SESSION);
	unsetenv("AWS_SESSION_TOKEN");
	setenv("PERFGATE_S3_MAX_KEYS", "0", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	setenv("PERFGATE_S3_MAX_KEYS", "1001", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	setenv("PERFGATE_S3_MAX_KEYS", "12x", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	unsetenv("PERFGATE_S3_MAX_KEYS");

	/* endpoints */
	setenv("PERFGATE_S3_ENDPOINT", "http://minio.internal:9000", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "refusing to send credentials over plain http:// to "
			"'minio.internal'");
	assert_contains(pg_error_last(), "--allow-insecure-http");
	o.allow_insecure_http = 1;
	s = open_ok("s3://bucket/x", &o);
	pg_store_free(s);
	s = NULL;
	o.allow_insecure_http = 0;
	setenv("PERFGATE_S3_ENDPOINT", "https://" KEY_ID ":" SECRET "@minio.internal", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "must not contain credentials");
	assert_lacks(pg_error_last(), "sk-SECRET");
	setenv("PERFGATE_S3_ENDPOINT", "https://" KEY_ID ":pw@minio.internal", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_contains(pg_error_last(), "'https://minio.internal' must not contain credentials");
	setenv("PERFGATE_S3_ENDPOINT", "ftp://minio.internal", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	setenv("PERFGATE_S3_ENDPOINT", "https://minio.internal/?x=1", 1);
	assert_int_equal(pg_store_open(&s, "s3://bucket/x", &o), PG_EINPUT);
	assert_null(s);
}

/* ------------------------------------------------------------ listing */

static void test_list_query(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	assert_int_equal(pg_s3_list_query(&b, "1a+b/c==", 2, "pre/fix/v1/a+b/"), 0);
	assert_string_equal(b.ptr, "continuation-token=1a%2Bb%2Fc%3D%3D&list-type=2&max-keys=2"
			    "&prefix=pre%2Ffix%2Fv1%2Fa%2Bb%2F");
	pg_buf_reset(&b);
	assert_int_equal(pg_s3_list_query(&b, NULL, 0, ""), 0);
	assert_string_equal(b.ptr, "list-type=2");
	pg_buf_reset(&b);
	assert_int_equal(pg_s3_list_query(&b, "", 1000, "v1/"), 0);
	assert_string_equal(b.ptr, "list-type=2&max-keys=1000&prefix=v1%2F");
	pg_buf_release(&b);
}

static const char page1[] =
	"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	"<Name>perfgate</Name><Prefix>pre/v1/</Prefix><KeyCount>3</KeyCount>"
	"<MaxKeys>3</MaxKeys><IsTruncated>true</IsTruncated>"
	"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
	"<Contents><Key>pre/v1/a.json</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
	"<ETag>&quot;x&quot;</ETag><Size>12</Size><StorageClass>STANDARD</StorageClass></Contents>"
	"<Contents><Key>pre/v1/b+c=d.txt</Key><Size>0</Size></Contents>"
	"<Contents><Key>pre/v1/has space</Key><Size>5</Size></Contents>"
	"</ListBucketResult>";

static const char page2[] =
	"<ListBucketResult><IsTruncated>false</IsTruncated>"
	"<Contents><Key>pre/v1/z/deep/file</Key><Size>123456789012</Size></Contents>"
	"<Contents><Key>other/v1/x</Key><Size>1</Size></Contents>"
	"</ListBucketResult>";

static void test_parse_list(void **state)
{
	static const char truncated_no_token[] =
		"<ListBucketResult><IsTruncated>true</IsTruncated></ListBucketResult>";
	static const char error_doc[] =
		"<Error><Code>AccessDenied</Code><Message>no</Message></Error>";
	pg_store_list l;
	pg_buf token = PG_BUF_INIT;
	int truncated = -1;

	(void)state;
	pg_store_list_init(&l);
	assert_int_equal(pg_s3_parse_list(&l, &token, &truncated, page1, sizeof(page1) - 1,
					  "pre/"), 0);
	assert_int_equal(truncated, 1);
	assert_string_equal(token.ptr, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	assert_int_equal(l.n, 2); /* "has space" is no store key */
	assert_string_equal(l.items[0].key, "v1/a.json");
	assert_int_equal(l.items[0].size, 12);
	assert_string_equal(l.items[1].key, "v1/b+c=d.txt");
	assert_int_equal(l.items[1].size, 0);
	assert_int_equal(pg_s3_parse_list(&l, &token, &truncated, page2, sizeof(page2) - 1,
					  "pre/"), 0);
	assert_int_equal(truncated, 0);
	assert_string_equal(token.ptr, "");
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[2].key, "v1/z/deep/file");
	assert_true(l.items[2].size == 123456789012ULL);

	assert_int_equal(pg_s3_parse_list(&l, &token, &truncated, truncated_no_token,
					  sizeof(truncated_no_token) - 1, ""), PG_EINFRA);
	assert_contains(pg_error_last(), "no NextContinuationToken");
	assert_int_equal(pg_s3_parse_list(&l, &token, &truncated, error_doc,
					  sizeof(error_doc) - 1, ""), PG_EINFRA);
	assert_int_equal(pg_s3_parse_list(&l, &token, &truncated, "junk", 4, ""), PG_EINFRA);
	assert_contains(pg_error_last(), "not a ListBucketResult document");
	assert_int_equal(l.n, 3);
	pg_store_list_release(&l);
	pg_buf_release(&token);
}

static void test_error_code(void **state)
{
	char code[64];

	(void)state;
	pg_s3_error_code(code, sizeof(code), "<?xml version=\"1.0\"?>\n<Error><Code>NoSuchKey"
			 "</Code><Message>The specified key does not exist.</Message></Error>");
	assert_string_equal(code, "NoSuchKey");
	pg_s3_error_code(code, sizeof(code), "<html>502 Bad Gateway</html>");
	assert_string_equal(code, "");
	pg_s3_error_code(code, sizeof(code), "<Error><Code>SignatureDoesN");
	assert_string_equal(code, "");
	pg_s3_error_code(code, 6, "<Error><Code>SignatureDoesNotMatch</Code>");
	assert_string_equal(code, "");
}

/* A store on the scripted server, path-style. */
static pg_store *open_at(ts_server *srv, const char *url, pg_store_options *o)
{
	setenv("PERFGATE_S3_ENDPOINT", srv->url, 1);
	return open_ok(url, o);
}

static void test_list_pages(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(200, "Content-Type: application/xml\r\n", page1),
		TS_BODY(200, "Content-Type: application/xml\r\n", page2),
	};
	pg_store_options o;
	pg_store_list l;
	ts_server srv;
	pg_store *s;

	(void)state;
	ts_options(&o);
	setenv("AWS_SESSION_TOKEN", SESSION, 1);
	setenv("PERFGATE_S3_MAX_KEYS", "3", 1);
	ts_start(&srv, script, 2);
	s = open_at(&srv, "s3://perfgate/pre", &o);
	pg_store_list_init(&l);
	assert_int_equal(pg_store_list_prefix(s, "v1/", &l), 0);
	ts_stop(&srv);
	assert_int_equal(l.n, 3);
	assert_string_equal(l.items[0].key, "v1/a.json");
	assert_string_equal(l.items[1].key, "v1/b+c=d.txt");
	assert_string_equal(l.items[2].key, "v1/z/deep/file");
	ts_assert_prefix(srv.req[0].ptr, "GET /perfgate?list-type=2&max-keys=3"
			     "&prefix=pre%2Fv1%2F HTTP/1.1\r\n");
	ts_assert_prefix(srv.req[1].ptr, "GET /perfgate?continuation-token="
			     "1ueGcxLPRx1Tr%2FXYExHnhbYLgveDs2J%2Fwm36Hy4vbOwM%3D"
			     "&list-type=2&max-keys=3&prefix=pre%2Fv1%2F HTTP/1.1\r\n");
	/* signed by libcurl, with our payload hash and session token signed */
	assert_contains(srv.req[0].ptr, "\r\nx-amz-content-sha256: " EMPTY_SHA "\r\n");
	assert_contains(srv.req[0].ptr, "\r\nx-amz-security-token: " SESSION "\r\n");
	assert_contains(srv.req[0].ptr, "\r\nAuthorization: AWS4-HMAC-SHA256 Credential="
			KEY_ID "/");
	assert_contains(srv.req[0].ptr, "/us-east-1/s3/aws4_request, SignedHeaders=host;"
			"x-amz-content-sha256;x-amz-date;x-amz-security-token, Signature=");
	assert_contains(srv.req[0].ptr, "\r\nX-Amz-Date: ");
	pg_store_list_release(&l);
	pg_store_free(s);
	ts_release(&srv);
}

static void test_list_errors(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(404, "", "<Error><Code>NoSuchBucket</Code></Error>"),
		TS_BODY(200, "", "<ListBucketResult><IsTruncated>true</IsTruncated>"
			"<NextContinuationToken>same</NextContinuationToken></ListBucketResult>"),
		TS_BODY(200, "", "<ListBucketResult><IsTruncated>true</IsTruncated>"
			"<NextContinuationToken>same</NextContinuationToken></ListBucketResult>"),
	};
	pg_store_options o;
	pg_store_list l;
	ts_server srv;
	pg_store *s;

	(void)state;
	ts_options(&o);
	ts_start(&srv, script, 3);
	s = open_at(&srv, "s3://nobucket", &o);
	pg_store_list_init(&l);
	assert_int_equal(pg_store_list_prefix(s, "", &l), PG_EINFRA);
	assert_contains(pg_error_last(), "list of 's3://nobucket/' failed: HTTP 404 Not Found "
			"(NoSuchBucket)");
	assert_int_equal(pg_store_list_prefix(s, "v1/", &l), PG_EINFRA);
	assert_contains(pg_error_last(), "the same continuation token twice");
	ts_stop(&srv);
	pg_store_list_release(&l);
	pg_store_free(s);
	ts_release(&srv);
}

/* ------------------------------------------------------------ objects */

static void test_objects(void **state)
{
	static const ts_answer script[] = {
		TS_STATUS(200),                                                   /* put */
		TS_BODY(200, "", "data"),                                         /* get */
		TS_BODY(404, "", "<Error><Code>NoSuchKey</Code></Error>"),        /* get */
		TS_BODY(404, "", "<Error><Code>NoSuchBucket</Code></Error>"),     /* get */
		TS_BODY(200, "", "twelve bytes"),                                 /* head */
		TS_STATUS(404),                                                   /* head */
		TS_STATUS(204),                                                   /* delete */
		TS_BODY(403, "", "<Error><Code>SignatureDoesNotMatch</Code><StringToSign>"
			"AWS4-HMAC-SHA256</StringToSign></Error>"),                /* get */
		TS_BODY(400, "", "<Error><Code>AuthorizationHeaderMalformed</Code></Error>"),
		TS_BODY(503, "", "<Error><Code>SlowDown</Code></Error>"),        /* put */
		TS_STATUS(200),
	};
	pg_store_options o;
	pg_buf b = PG_BUF_INIT;
	unsigned long long size = 0;
	ts_server srv;
	pg_store *s;

	(void)state;
	ts_options(&o);
	ts_start(&srv, script, 11);
	s = open_at(&srv, "s3://perfgate/p", &o);
	assert_int_equal(pg_store_put_buf(s, "v1/a+b", "data", 4), 0);
	assert_int_equal(pg_store_get_buf(s, "v1/a+b", &b, 100), 0);
	assert_string_equal(b.ptr, "data");
	assert_int_equal(pg_store_get_buf(s, "v1/none", &b, 100), PG_ENOTFOUND);
	assert_int_equal(pg_store_get_buf(s, "v1/none", &b, 100), PG_EINFRA);
	assert_contains(pg_error_last(), "download of 's3://perfgate/p/v1/none' failed: "
			"HTTP 404 Not Found (NoSuchBucket)");
	assert_int_equal(pg_store_head(s, "v1/a+b", &size), 0);
	assert_int_equal(size, 12);
	assert_int_equal(pg_store_head(s, "v1/none", &size), PG_ENOTFOUND);
	assert_int_equal(pg_store_delete(s, "v1/a+b"), 0);
	assert_int_equal(pg_store_get_buf(s, "v1/a+b", &b, 100), PG_EINFRA);
	assert_string_equal(pg_error_last(), "download of 's3://perfgate/p/v1/a+b' failed: "
			    "HTTP 403 Forbidden (SignatureDoesNotMatch) (check "
			    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)");
	assert_int_equal(pg_store_get_buf(s, "v1/a+b", &b, 100), PG_EINFRA);
	assert_contains(pg_error_last(), "(AuthorizationHeaderMalformed: the bucket is in "
			"another region, set AWS_REGION)");
	assert_int_equal(pg_store_put_buf(s, "v1/c", "data", 4), 0); /* after a retry */
	ts_stop(&srv);
	assert_int_equal(srv.served, 11);

	ts_assert_prefix(srv.req[0].ptr, "PUT /perfgate/p/v1/a%2Bb HTTP/1.1\r\n");
	/* sha256("data") */
	assert_contains(srv.req[0].ptr, "\r\nx-amz-content-sha256: 3a6eb0790f39ac87c94f3856b2dd"
			"2c5d110e6811602261a9a923d3bb23adc8b7\r\n");
	assert_contains(srv.req[0].ptr, "SignedHeaders=host;x-amz-content-sha256;x-amz-date, ");
	assert_string_equal(ts_body(&srv, 0), "data");
	ts_assert_prefix(srv.req[1].ptr, "GET /perfgate/p/v1/a%2Bb HTTP/1.1\r\n");
	assert_contains(srv.req[1].ptr, "\r\nx-amz-content-sha256: " EMPTY_SHA "\r\n");
	ts_assert_prefix(srv.req[4].ptr, "HEAD /perfgate/p/v1/a%2Bb HTTP/1.1\r\n");
	assert_contains(srv.req[4].ptr, "\r\nx-amz-content-sha256: " EMPTY_SHA "\r\n");
	ts_assert_prefix(srv.req[6].ptr, "DELETE /perfgate/p/v1/a%2Bb HTTP/1.1\r\n");
	assert_contains(srv.req[6].ptr, "\r\nx-amz-content-sha256: " EMPTY_SHA "\r\n");
	assert_string_equal(ts_body(&srv, 10), "data");
	pg_store_free(s);
	pg_buf_release(&b);
	ts_release(&srv);
}

/* ------------------------------------------------------------ secrets */

static void test_no_secret_in_logs_or_messages(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(503, "", "<Error><Code>SlowDown</Code></Error>"),
		TS_DO(TS_RESET),
		TS_BODY(403, "", "<Error><Code>InvalidAccessKeyId</Code><AWSAccessKeyId>"
			KEY_ID "</AWSAccessKeyId></Error>"),
		TS_BODY(403, "", "<Error><Code>AccessDenied</Code></Error>"),
		TS_BODY(500, "", "<Error><Code>InternalError</Code></Error>"),
	};
	pg_store_options o;
	pg_buf b = PG_BUF_INIT, errors = PG_BUF_INIT;
	pg_store_list l;
	ts_server srv;
	pg_store *s;
	size_t i;

	(void)state;
	ts_options(&o);
	o.max_attempts = 3;
	setenv("AWS_SESSION_TOKEN", SESSION, 1);
	ts_start(&srv, script, 5);
	s = open_at(&srv, "s3://perfgate/p", &o);
	assert_int_equal(pg_store_get_buf(s, "v1/k", &b, 100), PG_EINFRA);
	pg_buf_addf(&errors, "%s\n", pg_error_last());
	assert_int_equal(pg_store_put_buf(s, "v1/k", "x", 1), PG_EINFRA);
	pg_buf_addf(&errors, "%s\n", pg_error_last());
	pg_store_list_init(&l);
	assert_int_equal(pg_store_list_prefix(s, "", &l), PG_EINFRA);
	pg_buf_addf(&errors, "%s\n", pg_error_last());
	pg_store_list_release(&l);
	ts_stop(&srv);
	assert_int_equal(pg_store_head(s, "v1/k", NULL), PG_EINFRA); /* refused */
	pg_buf_addf(&errors, "%s\n", pg_error_last());
	pg_store_free(s);

	/* the session token is sent; the secret key never leaves the process */
	assert_contains(srv.req[0].ptr, SESSION);
	for (i = 0; i < srv.served; i++)
		assert_lacks(srv.req[i].ptr, SECRET);
	assert_true(ts_log_lines >= 5);
	for (i = 0; i < 2; i++) {
		const char *text = i ? errors.ptr : ts_log.ptr;

		assert_lacks(text, SECRET);
		assert_lacks(text, SESSION);
		assert_lacks(text, "Authorization");
		assert_lacks(text, "Signature");
		assert_lacks(text, "x-amz-security-token");
	}
	pg_buf_release(&b);
	pg_buf_release(&errors);
	ts_release(&srv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_virtual_hosted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_path_style_endpoint, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_query, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_code, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_pages, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_objects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_secret_in_logs_or_messages, setup, teardown),
	};

	return cmocka_run_group_tests_name("store_s3", tests, NULL, NULL);
}
