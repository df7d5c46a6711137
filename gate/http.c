/*
 * One HTTP request with libcurl, for the HTTP and S3 stores (gate/http.h):
 * TLS always verified, timeouts, retries with exponential backoff and full
 * jitter inside a time budget, bodies streamed from a file or memory and
 * to a sink with a size cap, one log line per attempt without credentials.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/sockios.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <libxml/parser.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/cmd.h"
#include "gate/http.h"
#include "gate/store_remote.h"
#include "common/banned.h"

/* The first retry waits up to 0.5 s, each later one twice as long (full
 * jitter: a uniform draw in [0, backoff]), never more than 8 s. */
#define BACKOFF_FIRST 0.5
#define BACKOFF_MAX 8.0
/* A retry is only worth making with this much of the budget left after
 * its sleep. */
#define MIN_ATTEMPT_TIME 0.5
/* An attempt is abandoned when no byte has moved either way for this
 * share of the retry budget (and never later than the budget's end). */
#define STALL_SHARE 0.5
/* Sockets of one request whose send queue is watched (libcurl opens one,
 * or a few while it tries a host's addresses). */
#define MAX_SOCKETS 8
/* Where the system's CA bundle is when libcurl does not say. */
#define SYSTEM_CA_BUNDLE "/etc/ssl/certs/ca-certificates.crt"

/* ------------------------------------------------------------ global init */

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static CURLcode init_rc = CURLE_OK;

static void global_init(void)
{
	init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	xmlInitParser();
}

int pg_http_global_init(void)
{
	pthread_once(&init_once, global_init);
	if (init_rc != CURLE_OK)
		return pg_error_set(PG_EINFRA, "cannot initialise libcurl: %s",
				    curl_easy_strerror(init_rc));
	return 0;
}

/* ------------------------------------------------------------ URLs */

static int is_unreserved(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

int pg_url_encode(pg_buf *out, const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			pg_buf_addch(out, c);
		} else {
			pg_buf_addch(out, '%');
			pg_buf_addch(out, hex[c >> 4]);
			pg_buf_addch(out, hex[c & 15]);
		}
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int pg_url_decode(pg_buf *out, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			pg_buf_addch(out, s[i]);
			continue;
		}
		hi = i + 2 < len ? hexval((unsigned char)s[i + 1]) : -1;
		lo = i + 2 < len ? hexval((unsigned char)s[i + 2]) : -1;
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return pg_error_set(PG_EINPUT, "malformed percent-encoding in '%.*s'",
					    (int)(len > 300 ? 300 : len), s);
		pg_buf_addch(out, hi * 16 + lo);
		i += 2;
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/*
 * Where the userinfo of `url` ends (the offset just past its '@'), or 0.
 * The userinfo is what precedes the last '@' of the authority; a password
 * pasted with a raw '/' in it ("https://u:pa/ss@host") would end the
 * authority early, so an '@' after a ':' anywhere before the query counts
 * too (a path with ":...@" in it is then redacted as well: better too
 * much than a secret).
 */
static size_t userinfo_end(const char *url)
{
	const char *auth = strstr(url, "://"), *colon;
	size_t auth_len, span, i, at = 0;

	if (!auth)
		return 0;
	auth += 3;
	auth_len = strcspn(auth, "/?#");
	for (i = 0; i < auth_len; i++)
		if (auth[i] == '@')
			at = i + 1;
	if (!at) {
		span = strcspn(auth, "?#");
		colon = memchr(auth, ':', span);
		for (i = colon ? (size_t)(colon - auth) : span; i < span; i++)
			if (auth[i] == '@')
				at = i + 1;
	}
	return at ? (size_t)(auth - url) + at : 0;
}

int pg_url_has_userinfo(const char *url)
{
	return userinfo_end(url) != 0;
}

int pg_url_redact(pg_buf *out, const char *url)
{
	size_t end = userinfo_end(url);

	if (!end)
		return pg_buf_adds(out, url);
	pg_buf_add(out, url, (size_t)(strstr(url, "://") + 3 - url));
	pg_buf_adds(out, url + end);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_http_host_is_loopback(const char *host)
{
	char buf[128];
	struct in_addr a4;
	struct in6_addr a6;
	size_t len;

	if (!host || !*host)
		return 0;
	len = strlen(host);
	if (host[0] == '[' && host[len - 1] == ']') {
		host++;
		len -= 2;
	}
	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, host, len);
	buf[len] = '\0';
	if (len && buf[len - 1] == '.')
		buf[--len] = '\0';
	if (!strcasecmp(buf, "localhost"))
		return 1;
	if (inet_pton(AF_INET, buf, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, buf, &a6) == 1) {
		if (IN6_IS_ADDR_LOOPBACK(&a6))
			return 1;
		return IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127;
	}
	return 0;
}

/* ------------------------------------------------------------ CA */

int pg_http_check_cacert(const char *path)
{
	pg_buf b = PG_BUF_INIT;
	int err;

	if (!path)
		return 0;
	pg_buf_init(&b, (size_t)16 << 20);
	if ((err = pg_file_read(&b, path)) < 0) {
		err = pg_error_prefix(PG_EINPUT, "cannot use --cacert");
		goto cleanup;
	}
	if (!strstr(b.ptr, "-----BEGIN CERTIFICATE-----"))
		err = pg_error_set(PG_EINPUT,
				   "--cacert '%s' holds no PEM certificate "
				   "(\"-----BEGIN CERTIFICATE-----\")", path);

cleanup:
	pg_buf_release(&b);
	return err;
}

/*
 * The CAs to trust with --cacert: the system's bundle (the one libcurl was
 * built to use, else Debian's) followed by the user's file, as one PEM
 * blob for CURLOPT_CAINFO_BLOB -- the extra CA is added to the system's,
 * it does not replace them.
 */
static int load_ca_blob(pg_buf *out, CURL *h, const char *cacert)
{
	char *sys = NULL;
	int err;

	if (curl_easy_getinfo(h, CURLINFO_CAINFO, &sys) != CURLE_OK || !sys)
		sys = NULL;
	if (pg_file_read(out, sys ? sys : SYSTEM_CA_BUNDLE) < 0)
		pg_buf_reset(out); /* no system bundle: the user's CA alone */
	if (out->len && out->ptr[out->len - 1] != '\n')
		pg_buf_addch(out, '\n');
	if ((err = pg_http_check_cacert(cacert)) < 0)
		return err;
	if ((err = pg_file_read(out, cacert)) < 0)
		return pg_error_prefix(PG_EINPUT, "cannot use --cacert");
	return 0;
}

/* ------------------------------------------------------------ statuses */

const char *pg_http_reason(long status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 206: return "Partial Content";
	case 207: return "Multi-Status";
	case 301: return "Moved Permanently";
	case 302: return "Found";
	case 303: return "See Other";
	case 304: return "Not Modified";
	case 307: return "Temporary Redirect";
	case 308: return "Permanent Redirect";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 411: return "Length Required";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 416: return "Range Not Satisfiable";
	case 422: return "Unprocessable Content";
	case 423: return "Locked";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	case 507: return "Insufficient Storage";
	default: return NULL;
	}
}

static void add_status(pg_buf *b, long status)
{
	const char *reason = pg_http_reason(status);

	if (reason)
		pg_buf_addf(b, "HTTP %ld %s", status, reason);
	else
		pg_buf_addf(b, "HTTP %ld", status);
}

static const char *status_hint(const pg_http_request *req, long status)
{
	if (status == 401 || status == 403)
		return req->aws_sigv4 ? "check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
				      : "check PERFGATE_STORE_TOKEN or "
					"PERFGATE_STORE_USER/PERFGATE_STORE_PASSWORD";
	if (status >= 300 && status < 400)
		return "redirects are not followed: use the URL the store moved to";
	return NULL;
}

int pg_http_response_error(const pg_http_request *req, const pg_http_response *resp,
			   const char *detail)
{
	pg_buf b = PG_BUF_INIT;
	const char *hint = status_hint(req, resp->status);

	pg_buf_init(&b, PG_ERROR_MAX);
	add_status(&b, resp->status);
	if (detail && *detail)
		pg_buf_addf(&b, " (%s)", detail);
	if (hint)
		pg_buf_addf(&b, " (%s)", hint);
	if (resp->attempts > 1)
		pg_buf_addf(&b, " (after %d attempts in %.1f s)", resp->attempts,
			    resp->seconds);
	pg_error_set(PG_EINFRA, "%s of '%s' failed: %s", req->operation, req->display_url,
		     b.ptr);
	pg_buf_release(&b);
	return PG_EINFRA;
}

int pg_http_status_error(const pg_http_request *req, long status)
{
	pg_http_response resp;

	memset(&resp, 0, sizeof(resp));
	resp.status = status;
	resp.attempts = 1;
	return pg_http_response_error(req, &resp, NULL);
}

/* ------------------------------------------------------------ transfer */

struct xfer {
	const pg_http_request *req;
	pg_http_response *resp;
	CURL *h;
	unsigned long long offset;    /* upload: next byte to send */
	int read_errno;               /* upload: why reading failed (-1: EOF) */
	unsigned long long received;  /* download: bytes given to the sink */
	size_t error_len;             /* bytes in resp->error_body */
	int sink_err;                 /* the sink's error code */
	int too_large;                /* the object is over sink->max */
	double stall;                 /* abandon the attempt when no byte has
				       * moved for this long (0: never) */
	double last_move;             /* when a byte last moved (now()) */
	curl_off_t moved;             /* bytes sent and received so far */
	long long queued;             /* bytes in the sockets' send queues */
	int stalled;                  /* abandoned for that */
	curl_socket_t socks[MAX_SOCKETS]; /* the open sockets, or -1 */
};

static size_t read_cb(char *buf, size_t size, size_t nitems, void *ctx)
{
	struct xfer *x = ctx;
	const pg_store_source *src = x->req->body;
	unsigned long long left = src->len - x->offset;
	size_t want = size * nitems;

	if (x->offset >= src->len)
		return 0;
	if (want > left)
		want = (size_t)left;
	if (src->fd < 0) {
		memcpy(buf, (const char *)src->data + x->offset, want);
	} else {
		ssize_t n;

		do
			n = pread(src->fd, buf, want, (off_t)x->offset);
		while (n < 0 && errno == EINTR);
		if (n <= 0) {
			x->read_errno = n < 0 ? errno : -1;
			return CURL_READFUNC_ABORT;
		}
		want = (size_t)n;
	}
	x->offset += want;
	return want;
}

static int seek_cb(void *ctx, curl_off_t offset, int origin)
{
	struct xfer *x = ctx;

	if (origin != SEEK_SET || offset < 0 ||
	    (unsigned long long)offset > x->req->body->len)
		return CURL_SEEKFUNC_CANTSEEK;
	x->offset = (unsigned long long)offset;
	return CURL_SEEKFUNC_OK;
}

static size_t write_cb(char *data, size_t size, size_t nitems, void *ctx)
{
	struct xfer *x = ctx;
	const pg_store_sink *sink = x->req->sink;
	size_t len = size * nitems;
	long status = 0;
	int err;

	curl_easy_getinfo(x->h, CURLINFO_RESPONSE_CODE, &status);
	if (status < 200 || status > 299) {
		/* an error page: keep its start for the message */
		size_t room = sizeof(x->resp->error_body) - 1 - x->error_len;

		if (room > len)
			room = len;
		memcpy(x->resp->error_body + x->error_len, data, room);
		x->error_len += room;
		x->resp->error_body[x->error_len] = '\0';
		return len;
	}
	if (!sink)
		return len;
	if (sink->max) {
		curl_off_t cl = -1;

		if (x->received == 0 &&
		    curl_easy_getinfo(x->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
		    cl > 0 && (unsigned long long)cl > sink->max) {
			x->too_large = 1;
			return 0;
		}
		if (x->received + len > sink->max) {
			x->too_large = 1;
			return 0;
		}
	}
	if ((err = sink->write(sink->ctx, data, len)) < 0) {
		x->sink_err = err;
		return 0;
	}
	x->received += len;
	return len;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void real_sleep(double seconds)
{
	struct timespec ts;

	if (seconds <= 0)
		return;
	ts.tv_sec = (time_t)seconds;
	ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static double real_random(void)
{
	static _Thread_local unsigned short state[3];
	static _Thread_local int seeded;

	if (!seeded) {
		struct timespec ts;
		unsigned long long seed;

		clock_gettime(CLOCK_REALTIME, &ts);
		seed = (unsigned long long)ts.tv_nsec ^ ((unsigned long long)ts.tv_sec << 20) ^
		       ((unsigned long long)getpid() << 40) ^ (unsigned long long)(size_t)&seeded;
		state[0] = (unsigned short)seed;
		state[1] = (unsigned short)(seed >> 16);
		state[2] = (unsigned short)(seed >> 32);
		seeded = 1;
	}
	return erand48(state);
}

/* libcurl's sockets are recorded, so that progress_cb() can see the
 * server take the bytes queued in them. */
static int sockopt_cb(void *ctx, curl_socket_t fd, curlsocktype purpose)
{
	struct xfer *x = ctx;
	size_t i;

	(void)purpose;
	for (i = 0; i < MAX_SOCKETS; i++)
		if (x->socks[i] == CURL_SOCKET_BAD) {
			x->socks[i] = fd;
			break;
		}
	return CURL_SOCKOPT_OK;
}

static int closesocket_cb(void *ctx, curl_socket_t fd)
{
	struct xfer *x = ctx;
	size_t i;

	for (i = 0; i < MAX_SOCKETS; i++)
		if (x->socks[i] == fd)
			x->socks[i] = CURL_SOCKET_BAD;
	return close(fd);
}

/* Bytes sent but not yet taken by the peer, in all the sockets. */
static long long send_queue(const struct xfer *x)
{
	long long total = 0;
	size_t i;

	for (i = 0; i < MAX_SOCKETS; i++) {
		int n = 0;

		if (x->socks[i] != CURL_SOCKET_BAD && ioctl(x->socks[i], SIOCOUTQ, &n) == 0)
			total += n;
	}
	return total;
}

/*
 * libcurl calls this often during a transfer, and about once a second when
 * nothing happens: a transfer that moves no byte in either direction for
 * x->stall seconds is abandoned, one that keeps moving is left alone
 * (only --timeout bounds it). A byte moves when libcurl sends or receives
 * it, or when the server takes one that waited in a socket's send queue
 * (the end of a large upload may wait there for a slow reader). Real
 * time, even with an injected clock: the stall is the server's, not the
 * budget's.
 */
static int progress_cb(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct xfer *x = ctx;
	long long queued = send_queue(x);
	double t = now();

	(void)dltotal;
	(void)ultotal;
	if (dlnow + ulnow != x->moved || queued != x->queued) {
		x->moved = dlnow + ulnow;
		x->queued = queued;
		x->last_move = t;
	} else if (x->stall > 0 && t - x->last_move >= x->stall) {
		x->stalled = 1;
		return 1; /* CURLE_ABORTED_BY_CALLBACK */
	}
	return 0;
}

/* Errors worth another attempt: the connection could not be made or
 * broke, or the server took too long. */
static int retryable_error(CURLcode rc)
{
	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return 1;
	default:
		return 0;
	}
}

int pg_http_retryable_status(long status)
{
	return status == 408 || status == 429 ||
	       (status >= 500 && status <= 599 && status != 501);
}

static long to_ms(double seconds)
{
	double ms = ceil(seconds * 1000.0);

	if (ms < 1)
		return 1;
	if (ms > 2e9)
		return 2000000000L;
	return (long)ms;
}

static const char *curl_message(CURLcode rc, const char *errbuf)
{
	return errbuf[0] ? errbuf : curl_easy_strerror(rc);
}

static void log_attempt(const pg_http_request *req, const pg_store_options *opts,
			CURLcode rc, const char *errbuf, long status, double took,
			const char *note)
{
	pg_buf b = PG_BUF_INIT;

	if (!opts->log)
		return;
	pg_buf_addf(&b, "%s %s -> ", req->method, req->url);
	if (rc == CURLE_OK)
		pg_buf_addf(&b, "%ld", status);
	else
		pg_buf_adds(&b, curl_message(rc, errbuf));
	pg_buf_addf(&b, " (%.2f s%s%s)", took, note ? ", " : "", note ? note : "");
	if (!pg_buf_failed(&b))
		opts->log(opts->log_ctx, b.ptr);
	pg_buf_release(&b);
}

/* Prepare the handle for one request; timeouts are set per attempt. */
static int setup(CURL *h, struct xfer *x, char *errbuf, const pg_buf *ca_blob)
{
	const pg_http_request *req = x->req;
	CURLcode rc = CURLE_OK;

#define SET(opt, val) do { if (rc == CURLE_OK) rc = curl_easy_setopt(h, opt, val); } while (0)
	SET(CURLOPT_URL, req->url);
	SET(CURLOPT_ERRORBUFFER, errbuf);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_PROTOCOLS_STR, "http,https");
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_USERAGENT, "perfgate/" PERFGATE_VERSION);
	SET(CURLOPT_WRITEFUNCTION, write_cb);
	SET(CURLOPT_WRITEDATA, x);
	SET(CURLOPT_NOPROGRESS, 0L);
	SET(CURLOPT_XFERINFOFUNCTION, progress_cb);
	SET(CURLOPT_XFERINFODATA, x);
	SET(CURLOPT_SOCKOPTFUNCTION, sockopt_cb);
	SET(CURLOPT_SOCKOPTDATA, x);
	SET(CURLOPT_CLOSESOCKETFUNCTION, closesocket_cb);
	SET(CURLOPT_CLOSESOCKETDATA, x);
	if (ca_blob->len) {
		struct curl_blob blob;

		blob.data = ca_blob->ptr;
		blob.len = ca_blob->len;
		blob.flags = CURL_BLOB_COPY;
		SET(CURLOPT_CAINFO_BLOB, &blob);
	}
	if (req->headers)
		SET(CURLOPT_HTTPHEADER, req->headers);
	if (req->userpwd)
		SET(CURLOPT_USERPWD, req->userpwd);
	if (req->aws_sigv4)
		SET(CURLOPT_AWS_SIGV4, req->aws_sigv4);
	else if (req->userpwd)
		SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	if (!strcmp(req->method, "HEAD")) {
		SET(CURLOPT_NOBODY, 1L);
	} else if (!strcmp(req->method, "GET")) {
		SET(CURLOPT_HTTPGET, 1L);
	} else if (req->body) {
		SET(CURLOPT_UPLOAD, 1L);
		SET(CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body->len);
		SET(CURLOPT_READFUNCTION, read_cb);
		SET(CURLOPT_READDATA, x);
		SET(CURLOPT_SEEKFUNCTION, seek_cb);
		SET(CURLOPT_SEEKDATA, x);
		if (strcmp(req->method, "PUT"))
			SET(CURLOPT_CUSTOMREQUEST, req->method);
	} else {
		SET(CURLOPT_CUSTOMREQUEST, req->method);
	}
#undef SET
	if (rc != CURLE_OK)
		return pg_error_set(PG_EINFRA, "%s of '%s' failed: cannot set up the request: %s",
				    req->operation, req->display_url, curl_easy_strerror(rc));
	return 0;
}

int pg_http_perform(pg_http_response *out, const pg_http_request *req,
		    const pg_store_options *opts)
{
	void (*do_sleep)(double) = opts->sleep ? opts->sleep : real_sleep;
	double (*draw)(void) = opts->random ? opts->random : real_random;
	double (*clock_now)(void) = opts->clock ? opts->clock : now;
	int max_attempts = opts->max_attempts > 0 ? opts->max_attempts : 1;
	char errbuf[CURL_ERROR_SIZE];
	pg_buf ca_blob = PG_BUF_INIT;
	struct xfer x;
	CURL *h = NULL;
	CURLcode rc = CURLE_OK;
	double start;
	size_t i;
	int attempt, err = 0;

	memset(out, 0, sizeof(*out));
	memset(&x, 0, sizeof(x));
	for (i = 0; i < MAX_SOCKETS; i++)
		x.socks[i] = CURL_SOCKET_BAD;
	errbuf[0] = '\0';
	if ((err = pg_http_global_init()) < 0)
		return err;
	h = curl_easy_init();
	if (!h) {
		err = pg_error_set(PG_ENOMEM, "cannot create a libcurl handle");
		goto cleanup;
	}
	if (opts->cacert && (err = load_ca_blob(&ca_blob, h, opts->cacert)) < 0)
		goto cleanup;
	x.req = req;
	x.resp = out;
	x.h = h;
	if ((err = setup(h, &x, errbuf, &ca_blob)) < 0)
		goto cleanup;

	start = clock_now();
	for (attempt = 1;; attempt++) {
		double elapsed = clock_now() - start;
		double remaining = opts->retry_budget - elapsed;
		double timeout = opts->timeout, connect = opts->connect_timeout;
		double stall = opts->retry_budget * STALL_SHARE;
		double t0, took, delay, backoff;
		long status = 0;
		curl_off_t cl = -1, retry_after = 0;
		char note[160];
		int retry;

		/* a transfer that keeps moving is bounded by `timeout` only; one
		 * that stalls is abandoned after a share of the budget, never
		 * later than the budget's end (the first attempt stalls after
		 * half of it, a retry after what is left at most) */
		if (stall > remaining)
			stall = remaining;
		if (stall < 0)
			stall = 0;
		if (timeout > 0 && (connect <= 0 || connect > timeout))
			connect = timeout;
		if (stall > 0 && (connect <= 0 || connect > stall))
			connect = stall;
		curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout > 0 ? to_ms(timeout) : 0L);
		curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, connect > 0 ? to_ms(connect) : 0L);
		x.offset = 0;
		x.read_errno = 0;
		x.received = 0;
		x.error_len = 0;
		x.stall = stall;
		x.moved = 0;
		x.queued = send_queue(&x);
		x.stalled = 0;
		out->error_body[0] = '\0';
		errbuf[0] = '\0';

		t0 = now();
		x.last_move = t0;
		rc = curl_easy_perform(h);
		took = now() - t0;
		out->attempts = attempt;
		if (rc == CURLE_ABORTED_BY_CALLBACK && x.stalled)
			snprintf(errbuf, CURL_ERROR_SIZE, "timed out: no data sent or received for %.1f s",
				 x.stall);
		if (rc == CURLE_OK) {
			curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
			out->status = status;
			if (curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &cl) == CURLE_OK &&
			    cl >= 0) {
				out->content_length = (unsigned long long)cl;
				out->has_content_length = 1;
			} else {
				out->content_length = 0;
				out->has_content_length = 0;
			}
			if (curl_easy_getinfo(h, CURLINFO_RETRY_AFTER, &retry_after) != CURLE_OK)
				retry_after = 0;
		}

		/* failures of our own making end the operation at once */
		if (x.sink_err || x.too_large || x.read_errno) {
			if (x.too_large)
				snprintf(note, sizeof(note), "larger than %zu bytes, giving up",
					 req->sink->max);
			else
				snprintf(note, sizeof(note), "giving up: %s",
					 x.sink_err ? "cannot store the data"
						    : "cannot read the data to upload");
			log_attempt(req, opts, rc, errbuf, status, took, note);
			out->seconds = clock_now() - start;
			if (x.sink_err)
				err = x.sink_err;
			else if (x.too_large)
				err = pg_error_set(PG_EINFRA, "%s of '%s' failed: the object is "
						   "larger than %zu bytes", req->operation,
						   req->display_url, req->sink->max);
			else if (x.read_errno > 0) {
				errno = x.read_errno;
				err = pg_error_set_errno(PG_EINFRA, "%s of '%s' failed: cannot read "
							 "the data to upload", req->operation,
							 req->display_url);
			} else
				err = pg_error_set(PG_EINFRA, "%s of '%s' failed: the file to upload "
						   "shrank while it was read", req->operation,
						   req->display_url);
			goto cleanup;
		}

		retry = rc == CURLE_OK ? pg_http_retryable_status(status) :
					 x.stalled || retryable_error(rc);
		if (!retry) {
			log_attempt(req, opts, rc, errbuf, status, took, NULL);
			break;
		}
		if (attempt >= max_attempts) {
			snprintf(note, sizeof(note), "attempt %d of %d, giving up", attempt,
				 max_attempts);
			log_attempt(req, opts, rc, errbuf, status, took, note);
			break;
		}
		backoff = BACKOFF_FIRST * pow(2, attempt - 1);
		if (backoff > BACKOFF_MAX)
			backoff = BACKOFF_MAX;
		if (rc == CURLE_OK && (status == 429 || status == 503) && retry_after > 0)
			delay = (double)retry_after;
		else
			delay = draw() * backoff;
		elapsed = clock_now() - start;
		if (elapsed + delay + MIN_ATTEMPT_TIME > opts->retry_budget) {
			snprintf(note, sizeof(note),
				 "attempt %d of %d, giving up: the retry budget of %g s is spent",
				 attempt, max_attempts, opts->retry_budget);
			log_attempt(req, opts, rc, errbuf, status, took, note);
			break;
		}
		if (x.received) {
			/* part of the body reached the sink: start it over */
			if (!req->sink->reset) {
				snprintf(note, sizeof(note), "attempt %d of %d, giving up: "
					 "cannot restart the download", attempt, max_attempts);
				log_attempt(req, opts, rc, errbuf, status, took, note);
				break;
			}
			if ((err = req->sink->reset(req->sink->ctx)) < 0)
				goto cleanup;
		}
		snprintf(note, sizeof(note), "attempt %d of %d, retrying in %.2f s%s", attempt,
			 max_attempts, delay,
			 rc == CURLE_OK && retry_after > 0 && delay == (double)retry_after
				 ? " as Retry-After asks" : "");
		log_attempt(req, opts, rc, errbuf, status, took, note);
		do_sleep(delay);
	}
	out->seconds = clock_now() - start;

	if (rc != CURLE_OK) {
		const char *hint = "";

		if (rc == CURLE_PEER_FAILED_VERIFICATION || rc == CURLE_SSL_CACERT_BADFILE)
			hint = " (to trust a private CA, use --cacert FILE)";
		err = pg_error_set(PG_EINFRA, "%s of '%s' failed: %s%s (after %d attempt%s in %.1f s)",
				   req->operation, req->display_url, curl_message(rc, errbuf), hint,
				   out->attempts, out->attempts == 1 ? "" : "s", out->seconds);
	}

cleanup:
	if (h)
		curl_easy_cleanup(h);
	pg_buf_release(&ca_blob);
	return err;
}
