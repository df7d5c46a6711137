#ifndef PG_HTTP_TEST_SERVER_H
#define PG_HTTP_TEST_SERVER_H

/*
 * A tiny HTTP server for the store clients' unit tests (include after
 * <cmocka.h>): a thread listening on an ephemeral port of 127.0.0.1 that
 * serves one scripted answer per connection ("Connection: close", so every
 * attempt of the client is a new connection) and records each request
 * (head and body) for the test to look at. After the script, the listening
 * socket is closed, so an extra attempt is refused rather than left
 * hanging. Everything is bounded in time: accept() waits at most 10 s.
 *
 *   ts_server srv;
 *   ts_answer script[] = { TS_STATUS(503), TS_BODY(200, "", "hello") };
 *   ts_start(&srv, script, 2);
 *   ... requests to srv.url ...
 *   ts_stop(&srv);            joins the thread; srv.served, srv.req[i]
 *   ts_release(&srv);
 *
 * Also ts_dead_port(): a port of 127.0.0.1 that nothing listens on.
 */

#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/buf.h"

enum ts_action {
	TS_RESPOND,   /* send `status`, `headers` and `body` */
	TS_CLOSE,     /* read the request, close without answering */
	TS_RESET,     /* read the request, reset the connection (RST) */
	TS_HANG,      /* read the request, answer nothing until the client
		       * goes away (at most `hang` seconds) */
	TS_SHORT,     /* announce `body` with a Content-Length 10 bytes larger,
		       * send it and close */
	TS_TRICKLE,   /* send the head at once, then `body` one byte every
		       * `hang` seconds */
	TS_SLOW_READ  /* read the request body 64 KiB every `hang` seconds
		       * through a small receive buffer, then answer `status`
		       * (the slow reader of a large upload) */
};

typedef struct ts_answer {
	enum ts_action action;
	int status;
	const char *headers;   /* extra header lines, each ending in "\r\n" */
	const char *body;
	double hang;
} ts_answer;

#define TS_STATUS(st) { TS_RESPOND, (st), "", "", 0 }
#define TS_BODY(st, hdrs, body) { TS_RESPOND, (st), (hdrs), (body), 0 }
#define TS_DO(action) { (action), 0, "", "", 5.0 }
/* hang for `sec` seconds, or until the client goes away */
#define TS_HANG_FOR(sec) { TS_HANG, 0, "", "", (sec) }

#define TS_MAX 32

typedef struct ts_server {
	int fd;
	int port;
	char url[64];          /* "http://127.0.0.1:PORT" */
	pthread_t thread;
	const ts_answer *script;
	size_t n;
	size_t served;         /* connections that got their scripted answer */
	pg_buf req[TS_MAX];    /* each request: head, then body */
	volatile int stop;
} ts_server;

static inline int ts__wait(int fd, short events, int ms)
{
	struct pollfd p;

	p.fd = fd;
	p.events = events;
	p.revents = 0;
	return poll(&p, 1, ms);
}

/* Read one request (head and Content-Length body) into `out`; answer
 * "Expect: 100-continue". With `pause` > 0, wait that many seconds
 * before each read of the body. */
static inline void ts__read_request(int c, pg_buf *out, double pause)
{
	char buf[65536];
	size_t head_end = 0, want = 0;
	int continued = 0;

	for (;;) {
		ssize_t n;

		if (head_end && out->len >= head_end + want)
			return;
		if (head_end && pause > 0)
			poll(NULL, 0, (int)(pause * 1000));
		if (ts__wait(c, POLLIN, 5000) <= 0)
			return;
		n = recv(c, buf, sizeof(buf), 0);
		if (n <= 0)
			return;
		pg_buf_add(out, buf, (size_t)n);
		if (!head_end) {
			const char *e = strstr(out->ptr, "\r\n\r\n");
			const char *cl;

			if (!e)
				continue;
			head_end = (size_t)(e - out->ptr) + 4;
			cl = strcasestr(out->ptr, "\r\nContent-Length:");
			if (cl && cl < e)
				want = strtoul(cl + 17, NULL, 10);
			if (!continued && strcasestr(out->ptr, "\r\nExpect: 100-continue") &&
			    out->len < head_end + want) {
				static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

				continued = 1;
				if (send(c, cont, sizeof(cont) - 1, MSG_NOSIGNAL) < 0)
					return;
			}
		}
	}
}

static inline void ts__send_all(int c, const char *p, size_t len)
{
	while (len) {
		ssize_t n = send(c, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

static inline void ts__answer(int c, const ts_answer *a, pg_buf *req)
{
	pg_buf out = PG_BUF_INIT;
	size_t len = strlen(a->body);
	int head = !strncmp(req->ptr, "HEAD ", 5);

	switch (a->action) {
	case TS_RESPOND:
	case TS_SHORT:
		pg_buf_addf(&out, "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n"
			    "Connection: close\r\n%s\r\n", a->status,
			    len + (a->action == TS_SHORT ? 10 : 0), a->headers);
		if (!head)
			pg_buf_add(&out, a->body, len);
		ts__send_all(c, out.ptr, out.len);
		break;
	case TS_TRICKLE: {
		size_t i;

		pg_buf_addf(&out, "HTTP/1.1 %d Scripted\r\nContent-Length: %zu\r\n"
			    "Connection: close\r\n%s\r\n", a->status, len, a->headers);
		ts__send_all(c, out.ptr, out.len);
		for (i = 0; i < len; i++) {
			poll(NULL, 0, (int)(a->hang * 1000));
			ts__send_all(c, a->body + i, 1);
		}
		break;
	}
	case TS_SLOW_READ:
		pg_buf_addf(&out, "HTTP/1.1 %d Scripted\r\nContent-Length: 0\r\n"
			    "Connection: close\r\n\r\n", a->status);
		ts__send_all(c, out.ptr, out.len);
		break;
	case TS_CLOSE:
		break;
	case TS_RESET: {
		struct linger l = { 1, 0 };

		setsockopt(c, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
		break;
	}
	case TS_HANG:
		/* until the client gives up (and closes) or `hang` passes */
		while (ts__wait(c, POLLIN, (int)(a->hang * 1000)) > 0) {
			char buf[512];

			if (recv(c, buf, sizeof(buf), 0) <= 0)
				break;
		}
		break;
	}
	pg_buf_release(&out);
}

static inline void *ts__main(void *arg)
{
	ts_server *s = arg;
	size_t i;

	for (i = 0; i < s->n && i < TS_MAX && !s->stop; i++) {
		int c = -1, waited = 0;

		while (!s->stop && waited < 10000) {
			if (ts__wait(s->fd, POLLIN, 50) > 0) {
				c = accept(s->fd, NULL, NULL);
				break;
			}
			waited += 50;
		}
		if (c < 0)
			break;
		ts__read_request(c, &s->req[i],
				 s->script[i].action == TS_SLOW_READ ? s->script[i].hang : 0);
		ts__answer(c, &s->script[i], &s->req[i]);
		s->served = i + 1;
		close(c);
	}
	close(s->fd);
	s->fd = -1;
	return NULL;
}

static inline void ts_start(ts_server *s, const ts_answer *script, size_t n)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	size_t i;
	int one = 1;

	memset(s, 0, sizeof(*s));
	for (i = 0; i < TS_MAX; i++)
		pg_buf_init(&s->req[i], 0);
	s->script = script;
	s->n = n;
	s->fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(s->fd >= 0);
	setsockopt(s->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	for (i = 0; i < n; i++)
		if (script[i].action == TS_SLOW_READ) {
			/* inherited by the accepted sockets: the client's data
			 * then waits for our reads instead of filling a large
			 * buffer at once */
			int small = 64 << 10;

			setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
			break;
		}
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	a.sin_port = 0;
	assert_int_equal(bind(s->fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s->fd, 16), 0);
	assert_int_equal(getsockname(s->fd, (struct sockaddr *)&a, &alen), 0);
	s->port = ntohs(a.sin_port);
	snprintf(s->url, sizeof(s->url), "http://127.0.0.1:%d", s->port);
	assert_int_equal(pthread_create(&s->thread, NULL, ts__main, s), 0);
}

static inline void ts_stop(ts_server *s)
{
	s->stop = 1;
	pthread_join(s->thread, NULL);
}

static inline void ts_release(ts_server *s)
{
	size_t i;

	for (i = 0; i < TS_MAX; i++)
		pg_buf_release(&s->req[i]);
}

/* The body of recorded request `i`. */
static inline const char *ts_body(const ts_server *s, size_t i)
{
	const char *e = strstr(s->req[i].ptr, "\r\n\r\n");

	return e ? e + 4 : "";
}

/* Fail unless `s` starts with `prefix`. */
static inline void ts_assert_prefix(const char *s, const char *prefix)
{
	if (strncmp(s, prefix, strlen(prefix)))
		fail_msg("'%.200s' does not start with '%s'", s, prefix);
}

/* A port of 127.0.0.1 that nothing listens on (bound, then closed). */
static inline int ts_dead_port(void)
{
	struct sockaddr_in a;
	socklen_t alen = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), port;

	assert_true(fd >= 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &alen), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

/* Injected sleep, random and clock for pg_store_options: sleeps are
 * recorded, never slept, and advance the clock, which nothing else moves
 * (so the retry budget is spent exactly by the sleeps, however long the
 * requests take); the random function returns ts_random_value. */
static double ts_sleeps[64];
static int ts_nsleeps;
static double ts_random_value = 0.5;
static double ts_now;

static inline void ts_sleep(double seconds)
{
	if (ts_nsleeps < 64)
		ts_sleeps[ts_nsleeps] = seconds;
	ts_nsleeps++;
	ts_now += seconds;
}

static inline double ts_clock(void)
{
	return ts_now;
}

static inline double ts_random(void)
{
	return ts_random_value;
}

/* Log lines, collected into one buffer (one line each). */
static pg_buf ts_log = PG_BUF_INIT;
static int ts_log_lines;

static inline void ts_logger(void *ctx, const char *line)
{
	(void)ctx;
	pg_buf_adds(&ts_log, line);
	pg_buf_addch(&ts_log, '\n');
	ts_log_lines++;
}

/* Options for a test: injected sleep, random, clock and log; defaults
 * otherwise. */
static inline void ts_options(pg_store_options *o)
{
	pg_store_options_init(o);
	o->sleep = ts_sleep;
	o->random = ts_random;
	o->clock = ts_clock;
	o->log = ts_logger;
	ts_nsleeps = 0;
	ts_now = 1000;
	ts_random_value = 0.5;
	pg_buf_release(&ts_log);
	ts_log_lines = 0;
}

#endif
