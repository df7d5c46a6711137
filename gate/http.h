#ifndef PG_HTTP_H
#define PG_HTTP_H

/*
 * One HTTP request with libcurl, as the HTTP and S3 stores need it: TLS
 * verification always on (plus an optional extra CA), connect and total
 * timeouts, retries with exponential backoff and full jitter on
 * connection errors, timeouts, stalls, 5xx but 501, 408 and 429 (bounded
 * by the options' max_attempts and retry_budget; never on other 4xx),
 * response bodies streamed to a sink with a size cap, request bodies
 * streamed from a file or memory, CURLOPT_ERRORBUFFER for curl's own
 * message. The status is
 * checked by the caller (pg_http_status_error() builds the message).
 *
 * Details:
 *  - Retries: the n-th retry sleeps a uniform draw from [0, b] with
 *    b = 0.5 s * 2^(n-1), at most 8 s (full jitter), or what a 429/503's
 *    Retry-After asks. The budget counts from the start of the operation,
 *    requests and sleeps included; a retry is made only when its sleep plus
 *    0.5 s still fit in it.
 *  - Stalls: an attempt that moves no byte in either direction (connecting
 *    included) for half the budget, or for what is left of the budget if
 *    that is less, is abandoned ("timed out: no data sent or received for
 *    15.0 s") and retried like a timeout. A byte moves when libcurl sends
 *    or receives it, or when the server takes one from a socket's send
 *    queue. So a server that accepts connections but never answers is
 *    given up on within the budget (by default: after 15 s, then a retry
 *    of at most the 15 s left), while a transfer that keeps moving,
 *    however slowly, is bounded only by `timeout` -- a large upload is not
 *    cut short by the budget, on a retry either. A budget of 0 means no
 *    retry and no stall limit. The stall is measured in real time (to
 *    about 1 s: libcurl's progress callback), the budget with opts->clock
 *    when one is injected (the injected sleep() should then advance it).
 *  - Redirects are never followed (a 3xx is an error for the caller), so
 *    credentials never go to another host.
 *  - --cacert: the system's CA bundle (libcurl's CURLINFO_CAINFO, else
 *    /etc/ssl/certs/ca-certificates.crt) and the user's PEM file are read
 *    into one CURLOPT_CAINFO_BLOB: the CA is trusted in addition to the
 *    system's. Peer and host verification are never turned off.
 *  - Logging: one line per attempt, "PUT <url> -> 201 (0.02 s)" or
 *    "GET <url> -> <curl error> (0.00 s, attempt 1 of 5, retrying in
 *    0.43 s)", with req->url (which never holds credentials: they travel
 *    in headers or CURLOPT_USERPWD, which are never logged).
 *  - Thread safety: curl_global_init() (not thread-safe in libcurl 7.88)
 *    and xmlInitParser() run once per process under pthread_once(), at
 *    the first store open or request; after that requests may be made from
 *    several threads (one easy handle per request). No global cleanup.
 */

#include <curl/curl.h>

#include "gate/store_internal.h"

typedef struct pg_http_request {
	const char *method;        /* "GET", "PUT", "HEAD", "DELETE", "PROPFIND" */
	const char *url;           /* the URL to request (no credentials in it) */
	const char *display_url;   /* the same for messages */
	const char *operation;     /* "download", "upload", "delete", "list",
				    * "check" -- for messages */
	struct curl_slist *headers;        /* extra headers, or NULL */
	const pg_store_source *body;       /* request body, or NULL */
	const pg_store_sink *sink;         /* response body, or NULL to
					    * discard it */
	const char *userpwd;       /* "user:password" (basic auth, or the S3
				    * key pair with aws_sigv4), or NULL */
	const char *aws_sigv4;     /* CURLOPT_AWS_SIGV4 value, e.g.
				    * "aws:amz:us-east-1:s3", or NULL */
} pg_http_request;

typedef struct pg_http_response {
	long status;               /* HTTP status of the last attempt */
	unsigned long long content_length; /* from the headers, when sent */
	int has_content_length;
	int attempts;              /* how many were made */
	double seconds;            /* the whole operation, sleeps included */
	char error_body[1024];     /* the start of a non-2xx answer's body
				    * (NUL-terminated), e.g. S3's <Error>; a
				    * 2xx body goes to the sink only */
} pg_http_response;

/*
 * Perform the request, retrying as described above. Returns 0 when a
 * response arrived (any status; a 5xx/408/429 only once the retries are
 * spent) -- the caller checks out->status. Returns PG_EINFRA when no
 * response could be had: "download of 'URL' failed: Couldn't connect to
 * server (after 5 attempts in 12.3 s)"; a sink's error code is returned
 * as is.
 */
int pg_http_perform(pg_http_response *out, const pg_http_request *req,
		    const pg_store_options *opts);

/* Set the error for an unexpected status and return PG_EINFRA:
 * "upload of 'URL' failed: HTTP 403 Forbidden" (401/403 add a hint about
 * the credentials variables). */
int pg_http_status_error(const pg_http_request *req, long status);

/* The same with the response: adds " (<detail>)" when `detail` is not
 * NULL or "" (e.g. S3's error code), the credentials hint, and " (after N
 * attempts in X.X s)" when the request was retried. 3xx statuses get a
 * hint that redirects are not followed. Returns PG_EINFRA. */
int pg_http_response_error(const pg_http_request *req, const pg_http_response *resp,
			   const char *detail);

/* The reason phrase of common statuses ("Service Unavailable"), or NULL. */
const char *pg_http_reason(long status);

/* Whether a status is retried: 408, 429 and 5xx, but not 501 Not
 * Implemented (the server does not know the method: asking again cannot
 * help). */
int pg_http_retryable_status(long status);

/* Initialise libcurl and libxml2 once per process (see above); the store
 * backends call it when they open. 0 or PG_EINFRA. */
int pg_http_global_init(void);

/* Whether `host` (from a URL) is a loopback address: "localhost",
 * 127.0.0.0/8, "::1" (with or without brackets), ::ffff:127.x.x.x. */
int pg_http_host_is_loopback(const char *host);

#endif
