#ifndef PG_STORE_INTERNAL_H
#define PG_STORE_INTERNAL_H

/*
 * The backend interface behind gate/store.h. Only gate/store*.c include
 * this. gate/store.c implements the public functions on top of these
 * operations (key checks, temporary files, SHA-256 of uploads), so each
 * backend only moves bytes.
 */

#include "gate/store.h"

/* Receives downloaded bytes; returns 0 or a negative PG_E* code (which
 * aborts the transfer). `reset` discards what was received so far (a
 * retry starts over); may be NULL when the sink cannot rewind. */
typedef struct pg_store_sink {
	int (*write)(void *ctx, const void *data, size_t len);
	int (*reset)(void *ctx);
	void *ctx;
	size_t max;            /* refuse objects larger than this (0: no cap) */
} pg_store_sink;

/* A sink appending to `buf` (a reset cuts it back to its length at init);
 * `ctx` holds its state and must outlive the transfer. */
typedef struct pg_store_buf_sink {
	pg_buf *buf;
	size_t start;
} pg_store_buf_sink;

void pg_store_buf_sink_init(pg_store_sink *sink, pg_store_buf_sink *ctx,
			    pg_buf *buf, size_t max);

/* Bytes to upload: from a file descriptor (read from offset 0, so that a
 * retry can start again with pread) or from memory. */
typedef struct pg_store_source {
	int fd;                /* -1 when uploading from memory */
	const void *data;
	unsigned long long len;
	const char *sha256_hex;   /* 64 hex digits of the content */
} pg_store_source;

typedef struct pg_store_ops {
	const char *scheme;    /* "file", "http", "s3" */
	int (*get)(pg_store *s, const char *key, const pg_store_sink *sink);
	int (*put)(pg_store *s, const char *key, const pg_store_source *src);
	int (*head)(pg_store *s, const char *key, unsigned long long *size);
	int (*del)(pg_store *s, const char *key);
	int (*list)(pg_store *s, const char *prefix, pg_store_list *out);
	void (*free)(pg_store *s);  /* the backend's private part only */
} pg_store_ops;

struct pg_store {
	const pg_store_ops *ops;
	pg_store_options opts;
	pg_buf display_url;    /* credentials removed, no trailing '/' */
	void *impl;            /* the backend's own state */
};

/* Backend constructors: fill s->ops, s->impl and s->display_url from
 * `url` (already recognised as theirs). 0, PG_EINPUT, PG_ENOMEM. */
int pg_store_file_open(pg_store *s, const char *url);
int pg_store_http_open(pg_store *s, const char *url);
int pg_store_s3_open(pg_store *s, const char *url);


#endif
