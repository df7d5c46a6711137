/*
 * A store in a local folder (a plain path or a file:// URL). Objects are
 * files below the root, written to a temporary file in the same directory
 * and renamed into place, so that readers see whole objects only.
 * Temporary names hold a '#', which keys cannot, so listings skip them.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/error.h"
#include "common/file.h"
#include "gate/store_internal.h"
#include "common/banned.h"

typedef struct file_store {
	pg_buf root; /* no trailing '/' (unless it is "/") */
} file_store;

static int object_path(pg_buf *out, const pg_store *s, const char *key)
{
	const file_store *f = s->impl;

	pg_buf_addf(out, "%s/%s", f->root.ptr, key);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

static int file_get(pg_store *s, const char *key, const pg_store_sink *sink)
{
	pg_buf path = PG_BUF_INIT;
	unsigned long long total = 0;
	char buf[65536];
	int fd = -1, err;

	if ((err = object_path(&path, s, key)) < 0)
		goto cleanup;
	fd = open(path.ptr, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno == ENOENT || errno == ENOTDIR ? PG_ENOTFOUND :
			pg_error_set_errno(PG_EINFRA, "download of '%s' failed", path.ptr);
		goto cleanup;
	}
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = pg_error_set_errno(PG_EINFRA, "download of '%s' failed", path.ptr);
			goto cleanup;
		}
		if (n == 0)
			break;
		total += (unsigned long long)n;
		if (sink->max && total > sink->max) {
			err = pg_error_set(PG_EINFRA, "download of '%s' failed: larger than %zu bytes",
					   path.ptr, sink->max);
			goto cleanup;
		}
		if ((err = sink->write(sink->ctx, buf, (size_t)n)) < 0)
			goto cleanup;
	}

cleanup:
	if (fd >= 0)
		close(fd);
	pg_buf_release(&path);
	return err;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Copy the source into fd. */
static int copy_source(int fd, const pg_store_source *src)
{
	char buf[65536];
	unsigned long long off = 0;

	if (src->fd < 0)
		return write_all(fd, src->data, (size_t)src->len);
	while (off < src->len) {
		ssize_t n = pread(src->fd, buf, sizeof(buf), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0 || write_all(fd, buf, (size_t)n) < 0)
			return -1;
		off += (unsigned long long)n;
	}
	return 0;
}

static int file_put(pg_store *s, const char *key, const pg_store_source *src)
{
	pg_buf path = PG_BUF_INIT, tmp = PG_BUF_INIT;
	char *slash;
	int fd = -1, created = 0, err;

	if ((err = object_path(&path, s, key)) < 0)
		goto cleanup;
	pg_buf_adds(&tmp, path.ptr);
	slash = strrchr(tmp.ptr, '/');
	if (slash) {
		*slash = '\0';
		if ((err = pg_mkdir_p(tmp.ptr, 0755)) < 0) {
			err = pg_error_prefix(PG_EINFRA, "upload of '%s' failed", path.ptr);
			goto cleanup;
		}
		*slash = '/';
		pg_buf_truncate(&tmp, (size_t)(slash - tmp.ptr) + 1);
	} else {
		pg_buf_reset(&tmp);
	}
	pg_buf_adds(&tmp, "#tmp#.XXXXXX");
	if (pg_buf_failed(&tmp)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	fd = mkstemp(tmp.ptr);
	created = fd >= 0;
	if (fd < 0 || copy_source(fd, src) < 0 || fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		err = pg_error_set_errno(PG_EINFRA, "upload of '%s' failed", path.ptr);
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		err = pg_error_set_errno(PG_EINFRA, "upload of '%s' failed", path.ptr);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp.ptr, path.ptr) < 0)
		err = pg_error_set_errno(PG_EINFRA, "upload of '%s' failed", path.ptr);

cleanup:
	if (fd >= 0)
		close(fd);
	if (err < 0 && created)
		unlink(tmp.ptr);
	pg_buf_release(&path);
	pg_buf_release(&tmp);
	return err;
}

static int file_head(pg_store *s, const char *key, unsigned long long *size)
{
	pg_buf path = PG_BUF_INIT;
	struct stat st;
	int err;

	if ((err = object_path(&path, s, key)) < 0)
		goto cleanup;
	if (stat(path.ptr, &st) < 0) {
		err = errno == ENOENT || errno == ENOTDIR ? PG_ENOTFOUND :
			pg_error_set_errno(PG_EINFRA, "check of '%s' failed", path.ptr);
		goto cleanup;
	}
	if (!S_ISREG(st.st_mode)) {
		err = PG_ENOTFOUND;
		goto cleanup;
	}
	*size = (unsigned long long)st.st_size;

cleanup:
	pg_buf_release(&path);
	return err;
}

static int file_del(pg_store *s, const char *key)
{
	const file_store *f = s->impl;
	pg_buf path = PG_BUF_INIT;
	int err = 0;

	if ((err = object_path(&path, s, key)) < 0)
		goto cleanup;
	if (unlink(path.ptr) < 0 && errno != ENOENT && errno != ENOTDIR) {
		err = pg_error_set_errno(PG_EINFRA, "delete of '%s' failed", path.ptr);
		goto cleanup;
	}
	/* remove directories left empty, up to the root */
	for (;;) {
		char *slash = strrchr(path.ptr, '/');

		if (!slash || (size_t)(slash - path.ptr) <= f->root.len)
			break;
		*slash = '\0';
		path.len = (size_t)(slash - path.ptr);
		if (rmdir(path.ptr) < 0)
			break;
	}

cleanup:
	pg_buf_release(&path);
	return err;
}

/* Add the files below `dir` (the key prefix `rel`) to `out`. */
static int walk(pg_buf *dir, pg_buf *rel, pg_store_list *out)
{
	DIR *d = NULL;
	struct dirent *e;
	size_t dlen = dir->len, rlen = rel->len;
	int err = 0;

	d = opendir(dir->ptr);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return pg_error_set_errno(PG_EINFRA, "cannot list '%s'", dir->ptr);
	}
	while ((e = readdir(d))) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
		    strchr(e->d_name, '#'))
			continue;
		pg_buf_truncate(dir, dlen);
		pg_buf_truncate(rel, rlen);
		pg_buf_addf(dir, "/%s", e->d_name);
		pg_buf_addf(rel, "%s%s", rlen ? "/" : "", e->d_name);
		if (pg_buf_failed(dir) || pg_buf_failed(rel)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if (lstat(dir->ptr, &st) < 0)
			continue; /* deleted meanwhile */
		if (S_ISDIR(st.st_mode))
			err = walk(dir, rel, out);
		else if (S_ISREG(st.st_mode))
			err = pg_store_list_add(out, rel->ptr, rel->len,
						(unsigned long long)st.st_size);
		if (err < 0)
			goto cleanup;
	}

cleanup:
	pg_buf_truncate(dir, dlen);
	pg_buf_truncate(rel, rlen);
	closedir(d);
	return err;
}

static int file_list(pg_store *s, const char *prefix, pg_store_list *out)
{
	const file_store *f = s->impl;
	pg_buf dir = PG_BUF_INIT, rel = PG_BUF_INIT;
	size_t plen = strlen(prefix);
	int err;

	/* the prefix ends with '/' (or is empty): list that directory */
	pg_buf_adds(&dir, f->root.ptr);
	if (plen) {
		pg_buf_addf(&dir, "/%.*s", (int)(plen - 1), prefix);
		pg_buf_add(&rel, prefix, plen - 1);
	}
	if (pg_buf_failed(&dir) || pg_buf_failed(&rel)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	err = walk(&dir, &rel, out);

cleanup:
	pg_buf_release(&dir);
	pg_buf_release(&rel);
	return err;
}

static void file_free(pg_store *s)
{
	file_store *f = s->impl;

	if (f) {
		pg_buf_release(&f->root);
		free(f);
	}
	s->impl = NULL;
}

static const pg_store_ops file_ops = {
	"file", file_get, file_put, file_head, file_del, file_list, file_free
};

int pg_store_file_open(pg_store *s, const char *url)
{
	const char *path = url;
	file_store *f;

	if (!strncmp(url, "file://", 7)) {
		path = url + 7;
		if (strncmp(path, "/", 1))
			return pg_error_set(PG_EINPUT,
					    "store URL '%s': file:// needs an absolute path "
					    "(file:///path)", url);
	}
	if (!*path)
		return pg_error_set(PG_EINPUT, "empty store path");
	f = calloc(1, sizeof(*f));
	if (!f)
		return pg_error_set(PG_ENOMEM, "out of memory");
	pg_buf_init(&f->root, 0);
	pg_buf_adds(&f->root, path);
	while (f->root.len > 1 && f->root.ptr[f->root.len - 1] == '/')
		pg_buf_truncate(&f->root, f->root.len - 1);
	s->impl = f;
	s->ops = &file_ops;
	pg_buf_adds(&s->display_url, f->root.ptr);
	return pg_buf_failed(&f->root) || pg_buf_failed(&s->display_url) ? PG_ENOMEM : 0;
}
