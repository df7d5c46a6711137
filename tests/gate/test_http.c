/*
 * One HTTP request with retries (gate/http.c), against a scripted server
 * on 127.0.0.1 (tests/gate/http_test_server.h): which failures are
 * retried, the exact backoff schedule (sleep and random are injected, so
 * nothing sleeps), the attempt and time budgets, Retry-After, timeouts,
 * streamed bodies, the size cap, the log lines and messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/http.h"
#include "gate/store.h"
#include "gate/store_remote.h"

#include "http_test_server.h"

/* ------------------------------------------------------------ helpers */

struct sink_state {
	pg_buf buf;
	int resets;
};

static int sink_write(void *ctx, const void *data, size_t len)
{
	struct sink_state *s = ctx;

	return pg_buf_add(&s->buf, data, len);
}

static int sink_reset(void *ctx)
{
	struct sink_state *s = ctx;

	pg_buf_reset(&s->buf);
	s->resets++;
	return 0;
}

static void sink_init(pg_store_sink *sink, struct sink_state *st, size_t max)
{
	memset(st, 0, sizeof(*st));
	pg_buf_init(&st->buf, 0);
	sink->write = sink_write;
	sink->reset = sink_reset;
	sink->ctx = st;
	sink->max = max;
}

static void request(pg_http_request *r, const char *method, const char *url)
{
	memset(r, 0, sizeof(*r));
	r->method = method;
	r->url = url;
	r->display_url = url;
	r->operation = !strcmp(method, "PUT") ? "upload" : "download";
}

/* GET srv.url/x with the script; returns pg_http_perform()'s result. */
static int get(ts_server *srv, const ts_answer *script, size_t n, pg_store_options *o,
	       pg_http_response *resp, struct sink_state *st, char *url, size_t url_size)
{
	pg_http_request r;
	pg_store_sink sink;
	int err;

	ts_start(srv, script, n);
	snprintf(url, url_size, "%s/x", srv->url);
	request(&r, "GET", url);
	sink_init(&sink, st, 0);
	r.sink = &sink;
	err = pg_http_perform(resp, &r, o);
	ts_stop(srv);
	return err;
}

/* PUT srv.url/up with the script, the body from `fd` (or from memory
 * when fd is -1); returns pg_http_perform()'s result. */
static int put(ts_server *srv, const ts_answer *script, size_t n, pg_store_options *o,
	       pg_http_response *resp, int fd, const void *data, size_t len)
{
	pg_http_request r;
	pg_store_source src;
	char url[96];
	int err;

	ts_start(srv, script, n);
	snprintf(url, sizeof(url), "%s/up", srv->url);
	request(&r, "PUT", url);
	src.fd = fd;
	src.data = data;
	src.len = len;
	src.sha256_hex = NULL;
	r.body = &src;
	err = pg_http_perform(resp, &r, o);
	ts_stop(srv);
	return err;
}

/* GET with the script, which must end in a 200 with `body` after
 * `attempts` attempts. */
static void get_ok(const ts_answer *script, size_t n, pg_store_options *o, const char *body,
		   int attempts)
{
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	assert_int_equal(get(&srv, script, n, o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, attempts);
	assert_string_equal(st.buf.ptr, body);
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void assert_sleeps(const double *want, int n)
{
	int i;

	if (ts_nsleeps != n)
		fail_msg("%d sleeps, expected %d", ts_nsleeps, n);
	for (i = 0; i < n; i++)
		if (!(ts_sleeps[i] > want[i] - 1e-9 && ts_sleeps[i] < want[i] + 1e-9))
			fail_msg("sleep %d: %.9g s, expected %.9g s", i + 1, ts_sleeps[i], want[i]);
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

/* ------------------------------------------------------------ retries */

static void test_retry_503_then_ok(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(503, "", "busy"), TS_BODY(503, "", "busy"), TS_BODY(200, "", "hello"),
	};
	static const double want[] = { 0.25, 0.5 };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96], line[256];

	(void)state;
	ts_options(&o);
	assert_int_equal(get(&srv, script, 3, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(srv.served, 3);
	assert_string_equal(st.buf.ptr, "hello"); /* the 503 pages never reach the sink */
	assert_sleeps(want, 2);
	assert_int_equal(ts_log_lines, 3);
	snprintf(line, sizeof(line), "GET %s -> 503 (", url);
	assert_contains(ts_log.ptr, line);
	assert_contains(ts_log.ptr, "s, attempt 1 of 5, retrying in 0.25 s)\n");
	assert_contains(ts_log.ptr, "s, attempt 2 of 5, retrying in 0.50 s)\n");
	snprintf(line, sizeof(line), "GET %s -> 200 (", url);
	assert_contains(ts_log.ptr, line);
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_retry_429_408_and_jitter(void **state)
{
	static const ts_answer script[] = {
		TS_STATUS(429), TS_STATUS(408), TS_STATUS(500), TS_BODY(200, "", "ok"),
	};
	/* full jitter: random() * 0.5 s * 2^(n-1) */
	static const double want[] = { 0.1, 0.2, 0.4 };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	ts_random_value = 0.2;
	assert_int_equal(get(&srv, script, 4, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 4);
	assert_sleeps(want, 3);
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_backoff_is_capped(void **state)
{
	static const ts_answer script[] = {
		TS_STATUS(502), TS_STATUS(502), TS_STATUS(502), TS_STATUS(502), TS_STATUS(502),
		TS_STATUS(502), TS_STATUS(502), TS_BODY(200, "", "ok"),
	};
	/* 0.5 * 2^(n-1), never more than 8 s; random() = 0 is no sleep */
	static const double want[] = { 0.5, 1, 2, 4, 8, 8, 8 };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	o.max_attempts = 8;
	o.retry_budget = 1000;
	ts_random_value = 0.9999999999;
	assert_int_equal(get(&srv, script, 8, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.attempts, 8);
	{
		double scaled[7];
		int i;

		for (i = 0; i < 7; i++)
			scaled[i] = want[i] * 0.9999999999;
		assert_sleeps(scaled, 7);
	}
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_no_retry_on_4xx(void **state)
{
	static const int statuses[] = { 404, 403, 401, 400, 409, 412 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		ts_answer script[2] = { TS_STATUS(0), TS_BODY(200, "", "late") };
		pg_store_options o;
		pg_http_response resp;
		struct sink_state st;
		ts_server srv;
		char url[96];

		script[0].status = statuses[i];
		ts_options(&o);
		assert_int_equal(get(&srv, script, 2, &o, &resp, &st, url, sizeof(url)), 0);
		assert_int_equal(resp.status, statuses[i]);
		assert_int_equal(resp.attempts, 1);
		assert_int_equal(srv.served, 1);
		assert_int_equal(ts_nsleeps, 0);
		assert_string_equal(st.buf.ptr, "");
		pg_buf_release(&st.buf);
		ts_release(&srv);
	}
}

static void test_attempts_honoured(void **state)
{
	static const ts_answer script[] = {
		TS_STATUS(503), TS_STATUS(503), TS_STATUS(503), TS_STATUS(503), TS_STATUS(503),
	};
	static const double want[] = { 0.25, 0.5 };
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	o.max_attempts = 3;
	assert_int_equal(get(&srv, script, 5, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(srv.served, 3);
	assert_sleeps(want, 2);
	assert_contains(ts_log.ptr, "attempt 3 of 3, giving up)");
	/* the caller's message */
	request(&r, "GET", url);
	assert_int_equal(pg_http_response_error(&r, &resp, NULL), PG_EINFRA);
	assert_contains(pg_error_last(), "download of '");
	assert_contains(pg_error_last(), "/x' failed: HTTP 503 Service Unavailable (after 3 "
			"attempts in ");
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_budget_honoured(void **state)
{
	static const ts_answer script[] = {
		TS_STATUS(503), TS_STATUS(503), TS_STATUS(503), TS_STATUS(503), TS_STATUS(503),
	};
	/* 0.4995 + 0.999 + 0.5 s for a last attempt fit in 2.2 s; the next
	 * sleep (1.998 s) does not: three attempts, not five */
	static const double want[] = { 0.4995, 0.999 };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	o.retry_budget = 2.2;
	ts_random_value = 0.999;
	assert_int_equal(get(&srv, script, 5, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.attempts, 3);
	assert_int_equal(srv.served, 3);
	assert_sleeps(want, 2);
	assert_contains(ts_log.ptr, "attempt 3 of 5, giving up: the retry budget of 2.2 s is "
			"spent)");
	/* the operation's time is the injected clock's, which only the
	 * sleeps moved */
	assert_true(resp.seconds > 0.4995 + 0.999 - 1e-9 && resp.seconds < 0.4995 + 0.999 + 1e-9);
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_zero_budget_means_no_retry(void **state)
{
	static const ts_answer script[] = { TS_STATUS(503), TS_STATUS(200) };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	o.retry_budget = 0;
	assert_int_equal(get(&srv, script, 2, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(ts_nsleeps, 0);
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_retry_after(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(429, "Retry-After: 3\r\n", ""), TS_BODY(503, "Retry-After: 2\r\n", ""),
		TS_BODY(200, "", "ok"),
	};
	static const double want[] = { 3, 2 };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	assert_int_equal(get(&srv, script, 3, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 200);
	assert_sleeps(want, 2);
	assert_contains(ts_log.ptr, "retrying in 3.00 s as Retry-After asks)");
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_retry_after_beyond_budget(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(503, "Retry-After: 3600\r\n", ""), TS_BODY(200, "", "ok"),
	};
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	assert_int_equal(get(&srv, script, 2, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 503);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(ts_nsleeps, 0);
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

/* ------------------------------------------------------------ connections */

static void test_connection_refused(void **state)
{
	static const double want[] = { 0.25, 0.5, 1.0 };
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	char url[96];

	(void)state;
	ts_options(&o);
	o.max_attempts = 4;
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/v1/x", ts_dead_port());
	request(&r, "GET", url);
	assert_int_equal(pg_http_perform(&resp, &r, &o), PG_EINFRA);
	assert_int_equal(resp.attempts, 4);
	assert_sleeps(want, 3);
	assert_contains(pg_error_last(), "download of 'http://127.0.0.1:");
	assert_contains(pg_error_last(), "/v1/x' failed: ");
	assert_contains(pg_error_last(), "Couldn't connect to server (after 4 attempts in ");
	assert_int_equal(ts_log_lines, 4);
	assert_contains(ts_log.ptr, "Couldn't connect to server (");
	assert_contains(ts_log.ptr, "attempt 1 of 4, retrying in 0.25 s)\n");
	assert_contains(ts_log.ptr, "attempt 4 of 4, giving up)\n");
}

static void test_connection_dropped(void **state)
{
	/* an empty reply, a reset and a body cut short are all retried */
	static const ts_answer script[] = {
		TS_DO(TS_CLOSE), TS_DO(TS_RESET),
		{ TS_SHORT, 200, "", "partial", 0 },
		TS_BODY(200, "", "complete"),
	};
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	assert_int_equal(get(&srv, script, 4, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(resp.attempts, 4);
	assert_int_equal(ts_nsleeps, 3);
	/* the partial body was discarded before the last attempt */
	assert_string_equal(st.buf.ptr, "complete");
	assert_int_equal(st.resets, 1);
	assert_contains(ts_log.ptr, "Empty reply from server");
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_timeout_retried(void **state)
{
	static const ts_answer script[] = { TS_DO(TS_HANG), TS_BODY(200, "", "ok") };
	pg_store_options o;

	(void)state;
	ts_options(&o);
	o.timeout = 0.3;
	get_ok(script, 2, &o, "ok", 2);
	assert_contains(ts_log.ptr, "imed out");
}

static void test_stall_abandoned(void **state)
{
	/* the server takes the request and answers nothing: with a budget
	 * of 2 s the attempt is abandoned after 1 s without a byte moving,
	 * long before its 100 s timeout (or the server's 20 s), and retried */
	static const ts_answer script[] = { TS_HANG_FOR(20), TS_BODY(200, "", "ok") };
	static const double want[] = { 0.25 };
	pg_store_options o;

	(void)state;
	ts_options(&o);
	o.timeout = 100;
	o.retry_budget = 2;
	get_ok(script, 2, &o, "ok", 2);
	assert_sleeps(want, 1);
	assert_contains(ts_log.ptr, "-> timed out: no data sent or received for 1.0 s (");
	assert_contains(ts_log.ptr, "attempt 1 of 5, retrying in 0.25 s)\n");
}

static void test_last_stall_window_cut_to_budget(void **state)
{
	/* Retry-After makes the retry wait 9 s of the 10 s budget: the
	 * second attempt may stall for the 1 s left, not for half the
	 * budget (5 s); then the budget is spent */
	static const ts_answer script[] = {
		TS_BODY(503, "Retry-After: 9\r\n", ""), TS_HANG_FOR(20), TS_BODY(200, "", "late"),
	};
	static const double want[] = { 9 };
	pg_store_options o;
	pg_http_response resp;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	o.timeout = 100;
	o.retry_budget = 10;
	ts_random_value = 0.9;
	assert_int_equal(get(&srv, script, 3, &o, &resp, &st, url, sizeof(url)), PG_EINFRA);
	assert_int_equal(resp.attempts, 2);
	assert_sleeps(want, 1);
	assert_contains(pg_error_last(), "/x' failed: timed out: no data sent or received for 1.0 s "
			"(after 2 attempts in 9.0 s)");
	assert_contains(ts_log.ptr, "attempt 2 of 5, giving up: the retry budget of 10 s is "
			"spent)");
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static void test_slow_download_not_stalled(void **state)
{
	/* a body sent one byte every 0.1 s for 2 s keeps moving: a stall
	 * limit of 1 s never fires, whatever the attempt's length */
	static const ts_answer script[] = {
		{ TS_TRICKLE, 200, "", "twenty bytes, slowly", 0.1 }, TS_BODY(200, "", "retried"),
	};
	pg_store_options o;

	(void)state;
	ts_options(&o);
	o.retry_budget = 2;
	get_ok(script, 2, &o, "twenty bytes, slowly", 1);
}

static void test_slow_upload_not_stalled(void **state)
{
	/* 16 MiB read by the server 64 KiB every 10 ms (about 2.5 s): the
	 * upload keeps moving, so a stall limit of 0.5 s never fires */
	static const ts_answer script[] = {
		{ TS_SLOW_READ, 201, "", "", 0.01 }, TS_STATUS(500),
	};
	size_t len = (size_t)16 << 20;
	pg_store_options o;
	pg_http_response resp;
	ts_server srv;
	char *data;

	(void)state;
	data = malloc(len);
	assert_non_null(data);
	memset(data, 'u', len);
	ts_options(&o);
	o.retry_budget = 1;
	assert_int_equal(put(&srv, script, 2, &o, &resp, -1, data, len), 0);
	assert_int_equal(resp.status, 201);
	assert_int_equal(resp.attempts, 1);
	assert_int_equal(srv.served, 1);
	assert_int_equal(strlen(ts_body(&srv, 0)), len);
	free(data);
	ts_release(&srv);
}

/* ------------------------------------------------------------ bodies */

static void test_upload_restarts_from_the_file(void **state)
{
	static const ts_answer script[] = { TS_STATUS(503), TS_STATUS(201) };
	char path[] = "/tmp/pg-http-test-XXXXXX";
	char content[5000];
	pg_store_options o;
	pg_http_response resp;
	ts_server srv;
	size_t i;
	int fd;

	(void)state;
	for (i = 0; i < sizeof(content); i++)
		content[i] = (char)('a' + i % 26);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, sizeof(content)), (ssize_t)sizeof(content));
	ts_options(&o);
	assert_int_equal(put(&srv, script, 2, &o, &resp, fd, NULL, sizeof(content)), 0);
	assert_int_equal(resp.status, 201);
	assert_int_equal(resp.attempts, 2);
	for (i = 0; i < 2; i++) {
		ts_assert_prefix(srv.req[i].ptr, "PUT /up HTTP/1.1\r\n");
		assert_contains(srv.req[i].ptr, "\r\nContent-Length: 5000\r\n");
		assert_int_equal(strlen(ts_body(&srv, i)), sizeof(content));
		assert_memory_equal(ts_body(&srv, i), content, sizeof(content));
	}
	close(fd);
	unlink(path);
	ts_release(&srv);
}

static void test_upload_from_memory(void **state)
{
	static const ts_answer script[] = { TS_STATUS(500), TS_STATUS(204) };
	static const char data[] = "in memory";
	pg_store_options o;
	pg_http_response resp;
	ts_server srv;

	(void)state;
	ts_options(&o);
	assert_int_equal(put(&srv, script, 2, &o, &resp, -1, data, sizeof(data) - 1), 0);
	assert_int_equal(resp.status, 204);
	assert_string_equal(ts_body(&srv, 0), data);
	assert_string_equal(ts_body(&srv, 1), data);
	ts_release(&srv);
}

static void test_size_cap(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(200, "", "0123456789abcdef"), TS_BODY(200, "", "x"),
	};
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	pg_store_sink sink;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	ts_start(&srv, script, 2);
	snprintf(url, sizeof(url), "%s/big", srv.url);
	request(&r, "GET", url);
	sink_init(&sink, &st, 10);
	r.sink = &sink;
	assert_int_equal(pg_http_perform(&resp, &r, &o), PG_EINFRA);
	ts_stop(&srv);
	assert_int_equal(srv.served, 1); /* not retried */
	assert_contains(pg_error_last(), "/big' failed: the object is larger than 10 bytes");
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

static int failing_write(void *ctx, const void *data, size_t len)
{
	(void)ctx;
	(void)data;
	(void)len;
	return pg_error_set(PG_EINFRA, "cannot write 'out': No space left on device");
}

static void test_sink_error_returned(void **state)
{
	static const ts_answer script[] = { TS_BODY(200, "", "data"), TS_BODY(200, "", "x") };
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	pg_store_sink sink;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	ts_start(&srv, script, 2);
	snprintf(url, sizeof(url), "%s/d", srv.url);
	request(&r, "GET", url);
	memset(&sink, 0, sizeof(sink));
	sink.write = failing_write;
	r.sink = &sink;
	assert_int_equal(pg_http_perform(&resp, &r, &o), PG_EINFRA);
	ts_stop(&srv);
	assert_int_equal(srv.served, 1);
	assert_string_equal(pg_error_last(), "cannot write 'out': No space left on device");
	ts_release(&srv);
}

static void test_head_and_error_body(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(200, "", "twelve bytes"),
		TS_BODY(404, "", "<Error><Code>NoSuchKey</Code></Error>"),
	};
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	ts_start(&srv, script, 2);
	snprintf(url, sizeof(url), "%s/h", srv.url);
	request(&r, "HEAD", url);
	assert_int_equal(pg_http_perform(&resp, &r, &o), 0);
	assert_int_equal(resp.status, 200);
	assert_true(resp.has_content_length);
	assert_int_equal(resp.content_length, 12);
	request(&r, "GET", url);
	assert_int_equal(pg_http_perform(&resp, &r, &o), 0);
	ts_stop(&srv);
	ts_assert_prefix(srv.req[0].ptr, "HEAD /h HTTP/1.1\r\n");
	assert_int_equal(resp.status, 404);
	assert_string_equal(resp.error_body, "<Error><Code>NoSuchKey</Code></Error>");
	ts_release(&srv);
}

static void test_redirect_not_followed(void **state)
{
	static const ts_answer script[] = {
		TS_BODY(302, "Location: http://127.0.0.1:1/elsewhere\r\n", ""),
		TS_BODY(200, "", "followed"),
	};
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	struct sink_state st;
	ts_server srv;
	char url[96];

	(void)state;
	ts_options(&o);
	assert_int_equal(get(&srv, script, 2, &o, &resp, &st, url, sizeof(url)), 0);
	assert_int_equal(resp.status, 302);
	assert_int_equal(srv.served, 1);
	request(&r, "GET", url);
	pg_http_response_error(&r, &resp, NULL);
	assert_contains(pg_error_last(), "HTTP 302 Found (redirects are not followed");
	assert_lacks(pg_error_last(), "elsewhere"); /* a Location may hold a signed URL */
	assert_lacks(ts_log.ptr, "elsewhere");
	pg_buf_release(&st.buf);
	ts_release(&srv);
}

/* ------------------------------------------------------------ messages */

static void test_status_messages(void **state)
{
	pg_http_request r;

	(void)state;
	request(&r, "PUT", "https://store.example/v1/p/refs/main");
	assert_int_equal(pg_http_status_error(&r, 503), PG_EINFRA);
	assert_string_equal(pg_error_last(), "upload of 'https://store.example/v1/p/refs/main' "
			    "failed: HTTP 503 Service Unavailable");
	pg_http_status_error(&r, 403);
	assert_string_equal(pg_error_last(), "upload of 'https://store.example/v1/p/refs/main' "
			    "failed: HTTP 403 Forbidden (check PERFGATE_STORE_TOKEN or "
			    "PERFGATE_STORE_USER/PERFGATE_STORE_PASSWORD)");
	r.aws_sigv4 = "aws:amz:us-east-1:s3";
	r.display_url = "s3://b/p/k";
	pg_http_status_error(&r, 401);
	assert_string_equal(pg_error_last(), "upload of 's3://b/p/k' failed: HTTP 401 "
			    "Unauthorized (check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)");
	pg_http_status_error(&r, 599);
	assert_string_equal(pg_error_last(), "upload of 's3://b/p/k' failed: HTTP 599");
	assert_string_equal(pg_http_reason(429), "Too Many Requests");
	assert_string_equal(pg_http_reason(207), "Multi-Status");
	assert_true(pg_http_retryable_status(500) && pg_http_retryable_status(408) &&
		    pg_http_retryable_status(429) && pg_http_retryable_status(502) &&
		    !pg_http_retryable_status(501) && !pg_http_retryable_status(404) &&
		    !pg_http_retryable_status(403) && !pg_http_retryable_status(200));
}

static void test_loopback(void **state)
{
	static const char *const yes[] = {
		"localhost", "LOCALHOST", "localhost.", "127.0.0.1", "127.1.2.3", "::1", "[::1]",
		"::ffff:127.0.0.1", "[0:0:0:0:0:0:0:1]",
	};
	static const char *const no[] = {
		"", "example.com", "localhost.example.com", "128.0.0.1", "10.0.0.1", "::2",
		"[::ffff:10.0.0.1]", "127.0.0.1.nip.io", "0.0.0.0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!pg_http_host_is_loopback(yes[i]))
			fail_msg("'%s' is loopback", yes[i]);
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (pg_http_host_is_loopback(no[i]))
			fail_msg("'%s' is not loopback", no[i]);
	assert_false(pg_http_host_is_loopback(NULL));
}

static void test_url_helpers(void **state)
{
	pg_buf b = PG_BUF_INIT;

	(void)state;
	pg_url_encode(&b, "v1/a+b=c@d,e:f~g_h.i-j k%", 25, 1);
	assert_string_equal(b.ptr, "v1/a%2Bb%3Dc%40d%2Ce%3Af~g_h.i-j%20k%25");
	pg_buf_reset(&b);
	pg_url_encode(&b, "a/b", 3, 0);
	assert_string_equal(b.ptr, "a%2Fb");
	pg_buf_reset(&b);
	assert_int_equal(pg_url_decode(&b, "/a%2Bb%2fc%20d", 14), 0);
	assert_string_equal(b.ptr, "/a+b/c d");
	pg_buf_reset(&b);
	assert_int_equal(pg_url_decode(&b, "a%2", 3), PG_EINPUT);
	pg_buf_reset(&b);
	assert_int_equal(pg_url_decode(&b, "a%zz", 4), PG_EINPUT);
	pg_buf_reset(&b);
	assert_int_equal(pg_url_decode(&b, "a%00", 4), PG_EINPUT);
	pg_buf_reset(&b);
	pg_url_redact(&b, "https://user:pa%40ss@host:1/p@th?q=a@b");
	assert_string_equal(b.ptr, "https://host:1/p@th?q=a@b");
	pg_buf_reset(&b);
	pg_url_redact(&b, "https://u:p@x@host/");
	assert_string_equal(b.ptr, "https://host/");
	pg_buf_reset(&b);
	pg_url_redact(&b, "https://host/a@b");
	assert_string_equal(b.ptr, "https://host/a@b");
	assert_false(pg_url_has_userinfo("https://host/a@b"));
	pg_buf_reset(&b);
	pg_url_redact(&b, "https://u:pa/ss@host/x");   /* a raw '/' in the password */
	assert_string_equal(b.ptr, "https://host/x");
	assert_true(pg_url_has_userinfo("https://u:pa/ss@host/x"));
	pg_buf_reset(&b);
	pg_url_redact(&b, "s3://KEY:se/cr/et@bucket/p");
	assert_string_equal(b.ptr, "s3://bucket/p");
	pg_buf_reset(&b);
	pg_url_redact(&b, "https://host/p?q=a:b@c");   /* the query is left alone */
	assert_string_equal(b.ptr, "https://host/p?q=a:b@c");
	pg_buf_release(&b);
}

static void test_cacert_checked(void **state)
{
	char path[] = "/tmp/pg-http-ca-XXXXXX";
	int fd;

	(void)state;
	assert_int_equal(pg_http_check_cacert(NULL), 0);
	assert_int_equal(pg_http_check_cacert("/nonexistent/ca.pem"), PG_EINPUT);
	assert_contains(pg_error_last(), "cannot use --cacert");
	assert_contains(pg_error_last(), "/nonexistent/ca.pem");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "not a certificate\n", 18), 18);
	close(fd);
	assert_int_equal(pg_http_check_cacert(path), PG_EINPUT);
	assert_contains(pg_error_last(), "holds no PEM certificate");
	unlink(path);
}

static void test_cacert_used_for_requests(void **state)
{
	/* a CA file that is not PEM fails the request before connecting */
	char path[] = "/tmp/pg-http-ca-XXXXXX";
	pg_store_options o;
	pg_http_response resp;
	pg_http_request r;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "junk\n", 5), 5);
	close(fd);
	ts_options(&o);
	o.cacert = path;
	request(&r, "GET", "https://127.0.0.1:1/x");
	assert_int_equal(pg_http_perform(&resp, &r, &o), PG_EINPUT);
	assert_int_equal(resp.attempts, 0);
	unlink(path);
}

static int teardown(void **state)
{
	(void)state;
	pg_buf_release(&ts_log);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry_503_then_ok),
		cmocka_unit_test(test_retry_429_408_and_jitter),
		cmocka_unit_test(test_backoff_is_capped),
		cmocka_unit_test(test_no_retry_on_4xx),
		cmocka_unit_test(test_attempts_honoured),
		cmocka_unit_test(test_budget_honoured),
		cmocka_unit_test(test_zero_budget_means_no_retry),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_retry_after_beyond_budget),
		cmocka_unit_test(test_connection_refused),
		cmocka_unit_test(test_connection_dropped),
		cmocka_unit_test(test_timeout_retried),
		cmocka_unit_test(test_stall_abandoned),
		cmocka_unit_test(test_last_stall_window_cut_to_budget),
		cmocka_unit_test(test_slow_download_not_stalled),
		cmocka_unit_test(test_slow_upload_not_stalled),
		cmocka_unit_test(test_upload_restarts_from_the_file),
		cmocka_unit_test(test_upload_from_memory),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_sink_error_returned),
		cmocka_unit_test(test_head_and_error_body),
		cmocka_unit_test(test_redirect_not_followed),
		cmocka_unit_test(test_status_messages),
		cmocka_unit_test(test_loopback),
		cmocka_unit_test(test_url_helpers),
		cmocka_unit_test(test_cacert_checked),
		cmocka_unit_test(test_cacert_used_for_requests),
	};

	return cmocka_run_group_tests_name("http", tests, NULL, teardown);
}
