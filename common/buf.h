#ifndef PG_BUF_H
#define PG_BUF_H

#include <stdarg.h>
#include <stddef.h>

/*
 * pg_buf: the one growable byte buffer of perfgate (after git's strbuf,
 * redis' sds and curl's dynbuf).
 *
 * Rules:
 *  - `ptr` is never NULL: an empty buffer points at a shared static "".
 *    Never write through `ptr` of a buffer whose `alloc` is 0.
 *  - `ptr[len]` is always '\0', so `ptr` is a C string (the content itself
 *    may hold NUL bytes; `len` is authoritative).
 *  - `len` never exceeds `cap` (the size cap given at init, or
 *    PG_BUF_DEFAULT_CAP). Growing beyond it fails like an allocation
 *    failure does.
 *  - On failure (out of memory or over the cap) a function returns
 *    PG_ENOMEM, sets the error message, leaves the content as it was and
 *    marks the buffer failed; every later add is then refused, so a
 *    caller may build a whole text and check pg_buf_failed() once.
 *  - The buffer owns `ptr`; pg_buf_release() frees it and leaves an empty
 *    buffer that can be used again. pg_buf_detach() hands the memory to
 *    the caller, who frees it with free().
 *  - Functions are safe on a released buffer.
 */

#define PG_BUF_DEFAULT_CAP ((size_t)1 << 30) /* 1 GiB */

typedef struct pg_buf {
	char *ptr;
	size_t len;
	size_t alloc;
	size_t cap;
	int failed;
} pg_buf;

extern char pg_buf__empty[];

#define PG_BUF_INIT { pg_buf__empty, 0, 0, PG_BUF_DEFAULT_CAP, 0 }

/* Initialise with a size cap (0 means PG_BUF_DEFAULT_CAP). Never fails. */
void pg_buf_init(pg_buf *b, size_t cap);

/* Free the memory; the buffer is empty (and usable) afterwards. Safe on
 * NULL. */
void pg_buf_release(pg_buf *b);

/* Empty the buffer, keep the memory, clear the failed mark. */
void pg_buf_reset(pg_buf *b);

/* Make room for `extra` more bytes (plus the terminating NUL). */
int pg_buf_grow(pg_buf *b, size_t extra);

int pg_buf_add(pg_buf *b, const void *data, size_t len);
int pg_buf_adds(pg_buf *b, const char *s);
int pg_buf_addch(pg_buf *b, int c);
int pg_buf_addf(pg_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int pg_buf_vaddf(pg_buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Shorten to `len` bytes (len <= b->len). */
void pg_buf_truncate(pg_buf *b, size_t len);

/* Remove trailing whitespace. */
void pg_buf_rtrim(pg_buf *b);

/* Nonzero when an operation on the buffer has failed since the last
 * reset. */
int pg_buf_failed(const pg_buf *b);

/* Hand the content to the caller (always a malloc'd, NUL-terminated
 * string, never NULL unless out of memory); `len_out` may be NULL. The
 * buffer is left empty. */
char *pg_buf_detach(pg_buf *b, size_t *len_out);

#endif
