#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "error.h"
#include "banned.h"

char pg_buf__empty[1];

void pg_buf_init(pg_buf *b, size_t cap)
{
	b->ptr = pg_buf__empty;
	b->len = 0;
	b->alloc = 0;
	b->cap = cap ? cap : PG_BUF_DEFAULT_CAP;
	b->failed = 0;
}

void pg_buf_release(pg_buf *b)
{
	if (!b)
		return;
	if (b->alloc)
		free(b->ptr);
	pg_buf_init(b, b->cap);
}

void pg_buf_reset(pg_buf *b)
{
	b->len = 0;
	b->failed = 0;
	if (b->alloc)
		b->ptr[0] = '\0';
}

static int buf_fail(pg_buf *b, const char *why)
{
	b->failed = 1;
	return pg_error_set(PG_ENOMEM, "%s", why);
}

int pg_buf_grow(pg_buf *b, size_t extra)
{
	size_t want, new_alloc;
	char *p;

	if (b->failed)
		return PG_ENOMEM;
	if (extra > b->cap || b->len > b->cap - extra)
		return buf_fail(b, "buffer size limit exceeded");
	want = b->len + extra + 1;
	if (want <= b->alloc)
		return 0;
	new_alloc = b->alloc ? b->alloc : 64;
	while (new_alloc < want)
		new_alloc = new_alloc < ((size_t)1 << 62) ? new_alloc * 2 : want;
	p = realloc(b->alloc ? b->ptr : NULL, new_alloc);
	if (!p)
		return buf_fail(b, "out of memory");
	if (!b->alloc)
		p[0] = '\0';
	b->ptr = p;
	b->alloc = new_alloc;
	return 0;
}

int pg_buf_add(pg_buf *b, const void *data, size_t len)
{
	int err;

	if ((err = pg_buf_grow(b, len)) < 0)
		return err;
	if (len)
		memmove(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return 0;
}

int pg_buf_adds(pg_buf *b, const char *s)
{
	return pg_buf_add(b, s, strlen(s));
}

int pg_buf_addch(pg_buf *b, int c)
{
	char ch = (char)c;

	return pg_buf_add(b, &ch, 1);
}

int pg_buf_vaddf(pg_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	int n, err;

	if (b->failed)
		return PG_ENOMEM;
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0)
		return buf_fail(b, "formatting failed");
	if ((err = pg_buf_grow(b, (size_t)n)) < 0)
		return err;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return 0;
}

int pg_buf_addf(pg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = pg_buf_vaddf(b, fmt, ap);
	va_end(ap);
	return err;
}

void pg_buf_truncate(pg_buf *b, size_t len)
{
	if (len >= b->len)
		return;
	b->len = len;
	b->ptr[len] = '\0';
}

void pg_buf_rtrim(pg_buf *b)
{
	size_t len = b->len;

	while (len && (b->ptr[len - 1] == ' ' || b->ptr[len - 1] == '\t' ||
		       b->ptr[len - 1] == '\n' || b->ptr[len - 1] == '\r'))
		len--;
	pg_buf_truncate(b, len);
}

int pg_buf_failed(const pg_buf *b)
{
	return b->failed;
}

char *pg_buf_detach(pg_buf *b, size_t *len_out)
{
	char *p;

	if (len_out)
		*len_out = b->len;
	if (!b->alloc) {
		p = malloc(1);
		if (p)
			p[0] = '\0';
	} else {
		p = b->ptr;
	}
	pg_buf_init(b, b->cap);
	return p;
}
