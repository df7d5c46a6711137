/*
 * The public side of the artifact store (gate/store.h): URL dispatch, key
 * checks, temporary files for downloads, SHA-256 of uploads. The backends
 * (store_file.c, store_http.c, store_s3.c) only move bytes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/sha256.h"
#include "gate/store_internal.h"
#include "common/banned.h"

#define MAX_COMPONENT 200

void pg_store_options_init(pg_store_options *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->connect_timeout = 10;
	opts->timeout = 120;
	opts->retry_budget = 30;
	opts->max_attempts = 5;
}

void pg_store_list_init(pg_store_list *l)
{
	memset(l, 0, sizeof(*l));
}

void pg_store_list_release(pg_store_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->items[i].key);
	free(l->items);
	pg_store_list_init(l);
}

int pg_store_list_add(pg_store_list *l, const char *key, size_t key_len,
		      unsigned long long size)
{
	char *copy;

	if (l->n == l->alloc) {
		size_t alloc = l->alloc ? l->alloc * 2 : 16;
		pg_store_entry *items = realloc(l->items, alloc * sizeof(*items));

		if (!items)
			return pg_error_set(PG_ENOMEM, "out of memory");
		l->items = items;
		l->alloc = alloc;
	}
	copy = malloc(key_len + 1);
	if (!copy)
		return pg_error_set(PG_ENOMEM, "out of memory");
	memcpy(copy, key, key_len);
	copy[key_len] = '\0';
	l->items[l->n].key = copy;
	l->items[l->n].size = size;
	l->n++;
	return 0;
}

/* ------------------------------------------------------------ keys */

static int component_char_ok(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || (c && strchr("-._+=@,:~", c));
}

/* Check components of `key` (a key, or a prefix ending in '/'). */
static int check_components(const char *key, int prefix)
{
	const char *p = key;

	if (!*key)
		return prefix ? 0 : pg_error_set(PG_EINPUT, "empty store key");
	for (;;) {
		const char *end = strchr(p, '/');
		size_t len = end ? (size_t)(end - p) : strlen(p), i;

		if (!end && prefix && len == 0)
			return 0; /* the prefix's trailing slash */
		if (len == 0 || len > MAX_COMPONENT || (len == 1 && p[0] == '.') ||
		    (len == 2 && p[0] == '.' && p[1] == '.'))
			goto bad;
		for (i = 0; i < len; i++)
			if (!component_char_ok((unsigned char)p[i]))
				goto bad;
		if (!end)
			return prefix ? pg_error_set(PG_EINPUT,
						     "store prefix '%s' must end with '/'", key) : 0;
		p = end + 1;
		if (!*p && !prefix)
			goto bad;
	}

bad:
	return pg_error_set(PG_EINPUT, "invalid store key '%.*s'", 300, key);
}

int pg_store_key_ok(const char *key)
{
	return check_components(key, 0);
}

int pg_store_sanitize_component(pg_buf *out, const char *name)
{
	size_t start = out->len, i;

	for (i = 0; name[i] && out->len - start < MAX_COMPONENT; i++) {
		unsigned char c = (unsigned char)name[i];

		pg_buf_addch(out, component_char_ok(c) ? (char)c : '-');
	}
	if (out->len == start || !strcmp(out->ptr + start, ".") ||
	    !strcmp(out->ptr + start, "..")) {
		pg_buf_truncate(out, start);
		pg_buf_addch(out, '_');
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ open */

int pg_store_open(pg_store **out, const char *url, const pg_store_options *opts)
{
	pg_store *s = NULL;
	int err;

	*out = NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (opts)
		s->opts = *opts;
	else
		pg_store_options_init(&s->opts);
	pg_buf_init(&s->display_url, 0);
	if (!*url)
		err = pg_error_set(PG_EINPUT, "empty store URL");
	else if (!strncmp(url, "s3://", 5))
		err = pg_store_s3_open(s, url);
	else if (!strncmp(url, "http://", 7) || !strncmp(url, "https://", 8))
		err = pg_store_http_open(s, url);
	else if (!strncmp(url, "file://", 7) || !strstr(url, "://"))
		err = pg_store_file_open(s, url);
	else
		err = pg_error_set(PG_EINPUT,
				   "unsupported store URL '%.*s' (expected a folder, file://, "
				   "http://, https:// or s3://)",
				   (int)strcspn(url, ":"), url);
	if (err < 0) {
		pg_store_free(s);
		return err;
	}
	*out = s;
	return 0;
}

void pg_store_free(pg_store *s)
{
	if (!s)
		return;
	if (s->ops && s->ops->free)
		s->ops->free(s);
	pg_buf_release(&s->display_url);
	free(s);
}

const char *pg_store_display_url(const pg_store *s)
{
	return s->display_url.ptr;
}

int pg_store_key_url(pg_buf *out, const pg_store *s, const char *key)
{
	pg_buf_addf(out, "%s/%s", s->display_url.ptr, key);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ downloads */

struct file_sink {
	int fd;
	unsigned long long written;
	const char *path;
};

static int file_sink_write(void *ctx, const void *data, size_t len)
{
	struct file_sink *f = ctx;
	const char *p = data;

	while (len) {
		ssize_t n = write(f->fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return pg_error_set_errno(PG_EINFRA, "cannot write '%s'", f->path);
		p += n;
		len -= (size_t)n;
		f->written += (unsigned long long)n;
	}
	return 0;
}

static int file_sink_reset(void *ctx)
{
	struct file_sink *f = ctx;

	if (ftruncate(f->fd, 0) < 0 || lseek(f->fd, 0, SEEK_SET) < 0)
		return pg_error_set_errno(PG_EINFRA, "cannot rewrite '%s'", f->path);
	f->written = 0;
	return 0;
}

int pg_store_get_file(pg_store *s, const char *key, const char *path)
{
	pg_buf tmp = PG_BUF_INIT;
	struct file_sink f = { -1, 0, NULL };
	pg_store_sink sink;
	int err;

	if ((err = pg_store_key_ok(key)) < 0)
		return err;
	if ((err = pg_buf_addf(&tmp, "%s.tmp.XXXXXX", path)) < 0)
		goto cleanup;
	f.fd = mkstemp(tmp.ptr);
	if (f.fd < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot create '%s'", tmp.ptr);
		goto cleanup;
	}
	f.path = path;
	sink.write = file_sink_write;
	sink.reset = file_sink_reset;
	sink.ctx = &f;
	sink.max = 0;
	if ((err = s->ops->get(s, key, &sink)) < 0)
		goto cleanup;
	if (fchmod(f.fd, 0644) < 0 || fsync(f.fd) < 0 || close(f.fd) < 0) {
		f.fd = -1;
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
		goto cleanup;
	}
	f.fd = -1;
	if (rename(tmp.ptr, path) < 0)
		err = pg_error_set_errno(PG_EINFRA, "cannot rename '%s' to '%s'", tmp.ptr, path);

cleanup:
	if (f.fd >= 0)
		close(f.fd);
	if (err < 0 && tmp.len)
		unlink(tmp.ptr);
	pg_buf_release(&tmp);
	return err;
}

static int buf_sink_write(void *ctx, const void *data, size_t len)
{
	pg_store_buf_sink *b = ctx;

	return pg_buf_add(b->buf, data, len);
}

static int buf_sink_reset(void *ctx)
{
	pg_store_buf_sink *b = ctx;

	pg_buf_truncate(b->buf, b->start);
	return 0;
}

void pg_store_buf_sink_init(pg_store_sink *sink, pg_store_buf_sink *ctx,
			    pg_buf *buf, size_t max)
{
	ctx->buf = buf;
	ctx->start = buf->len;
	sink->write = buf_sink_write;
	sink->reset = buf_sink_reset;
	sink->ctx = ctx;
	sink->max = max;
}

int pg_store_get_buf(pg_store *s, const char *key, pg_buf *out, size_t max)
{
	pg_store_buf_sink b;
	pg_store_sink sink;
	int err;

	if ((err = pg_store_key_ok(key)) < 0)
		return err;
	pg_store_buf_sink_init(&sink, &b, out, max);
	err = s->ops->get(s, key, &sink);
	if (err < 0)
		pg_buf_truncate(out, b.start);
	return err;
}

/* ------------------------------------------------------------ uploads */

int pg_store_put_file(pg_store *s, const char *key, const char *path,
		      const char *sha256_hex)
{
	pg_store_source src;
	char sha[65];
	struct stat st;
	int fd = -1, err;

	if ((err = pg_store_key_ok(key)) < 0)
		return err;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pg_error_set_errno(PG_EINPUT, "cannot open '%s'", path);
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		err = pg_error_set(PG_EINPUT, "'%s' is not a regular file", path);
		goto cleanup;
	}
	if (!sha256_hex) {
		if ((err = pg_sha256_file_hex(sha, path, NULL)) < 0)
			goto cleanup;
		sha256_hex = sha;
	}
	src.fd = fd;
	src.data = NULL;
	src.len = (unsigned long long)st.st_size;
	src.sha256_hex = sha256_hex;
	err = s->ops->put(s, key, &src);

cleanup:
	close(fd);
	return err;
}

int pg_store_put_buf(pg_store *s, const char *key, const void *data, size_t len)
{
	pg_store_source src;
	char sha[65];
	int err;

	if ((err = pg_store_key_ok(key)) < 0)
		return err;
	if ((err = pg_sha256_hex(sha, data, len)) < 0)
		return err;
	src.fd = -1;
	src.data = data;
	src.len = len;
	src.sha256_hex = sha;
	return s->ops->put(s, key, &src);
}

/* ------------------------------------------------------------ the rest */

int pg_store_head(pg_store *s, const char *key, unsigned long long *size)
{
	unsigned long long dummy;
	int err;

	if ((err = pg_store_key_ok(key)) < 0)
		return err;
	return s->ops->head(s, key, size ? size : &dummy);
}

int pg_store_delete(pg_store *s, const char *key)
{
	int err;

	if ((err = pg_store_key_ok(key)) < 0)
		return err;
	return s->ops->del(s, key);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const pg_store_entry *)a)->key, ((const pg_store_entry *)b)->key);
}

int pg_store_list_prefix(pg_store *s, const char *prefix, pg_store_list *out)
{
	size_t before = out->n;
	int err;

	if ((err = check_components(prefix, 1)) < 0)
		return err;
	if ((err = s->ops->list(s, prefix, out)) < 0)
		return err;
	if (out->n > before)
		qsort(out->items + before, out->n - before, sizeof(*out->items), cmp_entry);
	return 0;
}
