#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "error.h"
#include "file.h"
#include "banned.h"

int pg_file_read(pg_buf *out, const char *path)
{
	int fd = -1, err = 0;
	int is_stdin = strcmp(path, "-") == 0;
	const char *name = is_stdin ? "<stdin>" : path;
	struct stat st;

	fd = is_stdin ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return pg_error_set_errno(PG_EINPUT, "cannot open '%s'", name);
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		err = pg_error_set(PG_EINPUT, "cannot read '%s': Is a directory",
				   name);
		goto cleanup;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0) {
		if ((size_t)st.st_size > out->cap - out->len) {
			err = pg_error_set(PG_EINPUT, "'%s' is too large (%lld bytes)",
					   name, (long long)st.st_size);
			goto cleanup;
		}
		if ((err = pg_buf_grow(out, (size_t)st.st_size)) < 0)
			goto cleanup;
	}
	for (;;) {
		ssize_t n;

		if (out->alloc - out->len < 65536 + 1 &&
		    (err = pg_buf_grow(out, 65536)) < 0) {
			if (out->len + 65536 > out->cap)
				err = pg_error_set(PG_EINPUT, "'%s' is too large",
						   name);
			goto cleanup;
		}
		n = read(fd, out->ptr + out->len, out->alloc - out->len - 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			err = pg_error_set_errno(PG_EINPUT, "cannot read '%s'", name);
			goto cleanup;
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		out->ptr[out->len] = '\0';
	}

cleanup:
	if (fd >= 0 && !is_stdin)
		close(fd);
	return err;
}

/* Write all of `data` to `fd`; 0 or PG_EINFRA naming `path`. */
static int write_all(int fd, const char *path, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* The plain write of `path` for what must not be replaced by a rename: a
 * device, a FIFO, a terminal, /dev/stdout, or a dangling symbolic link
 * (created through the link, as the shell's ">" does). */
static int write_in_place(const char *path, const void *data, size_t len)
{
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return pg_error_set_errno(PG_EINFRA, "cannot open '%s'", path);
	err = write_all(fd, path, data, len);
	if (close(fd) < 0 && err == 0)
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
	return err;
}

int pg_file_write_atomic(const char *path, const void *data, size_t len)
{
	pg_buf tmp = PG_BUF_INIT;
	char *resolved = NULL;
	const char *target = path;
	struct stat st;
	int fd = -1, err = 0;

	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode))
			return pg_error_set(PG_EINFRA, "cannot write '%s': Is a directory",
					    path);
		if (!S_ISREG(st.st_mode))
			return write_in_place(path, data, len);
	}
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		/* replace the file the link points to, not the link */
		resolved = realpath(path, NULL);
		if (!resolved) {
			err = write_in_place(path, data, len);
			goto cleanup;
		}
		target = resolved;
	}
	if ((err = pg_buf_addf(&tmp, "%s.tmp.XXXXXX", target)) < 0)
		goto cleanup;
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot create '%s'", tmp.ptr);
		pg_buf_reset(&tmp);
		goto cleanup;
	}
	if ((err = write_all(fd, path, data, len)) < 0)
		goto cleanup;
	if (fchmod(fd, 0644) < 0 || fsync(fd) < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
		goto cleanup;
	}
	if (close(fd) < 0) {
		fd = -1;
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp.ptr, target) < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot rename '%s' to '%s'",
					 tmp.ptr, target);
		goto cleanup;
	}

cleanup:
	if (fd >= 0)
		close(fd);
	if (err < 0 && tmp.len)
		unlink(tmp.ptr);
	pg_buf_release(&tmp);
	free(resolved);
	return err;
}

int pg_file_copy(const char *dst, const char *src)
{
	pg_buf data = PG_BUF_INIT;
	int err;

	if ((err = pg_file_read(&data, src)) == 0)
		err = pg_file_write_atomic(dst, data.ptr, data.len);
	pg_buf_release(&data);
	return err;
}

int pg_mkdtemp(pg_buf *out, const char *prefix)
{
	const char *base = getenv("TMPDIR");
	int err;

	pg_buf_addf(out, "%s/%s.XXXXXX", base && *base ? base : "/tmp", prefix);
	if (pg_buf_failed(out))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (!mkdtemp(out->ptr)) {
		err = pg_error_set_errno(PG_EINFRA, "cannot create a temporary directory '%s'",
					 out->ptr);
		pg_buf_reset(out);
		return err;
	}
	return 0;
}

int pg_mkdir_p(const char *path, int mode)
{
	pg_buf dir = PG_BUF_INIT;
	size_t i;
	int err = 0;

	if ((err = pg_buf_adds(&dir, path)) < 0)
		goto cleanup;
	for (i = 1; i <= dir.len; i++) {
		char saved = dir.ptr[i];

		if (saved != '/' && saved != '\0')
			continue;
		dir.ptr[i] = '\0';
		if (mkdir(dir.ptr, (mode_t)mode) < 0 && errno != EEXIST) {
			err = pg_error_set_errno(PG_EINFRA, "cannot create directory '%s'",
						 dir.ptr);
			goto cleanup;
		}
		dir.ptr[i] = saved;
	}

cleanup:
	pg_buf_release(&dir);
	return err;
}

void pg_free_strv(char **v)
{
	size_t i;

	for (i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int pg_strv_vpushf(char ***v, size_t *n, const char *fmt, va_list ap)
{
	pg_buf b = PG_BUF_INIT;
	char **grown;
	char *s;

	pg_buf_vaddf(&b, fmt, ap);
	if (pg_buf_failed(&b)) {
		pg_buf_release(&b);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	grown = realloc(*v, (*n + 2) * sizeof(**v));
	if (!grown) {
		pg_buf_release(&b);
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	*v = grown;
	(*v)[*n] = NULL;
	s = pg_buf_detach(&b, NULL);
	if (!s)
		return pg_error_set(PG_ENOMEM, "out of memory");
	(*v)[(*n)++] = s;
	(*v)[*n] = NULL;
	return 0;
}

int pg_strv_pushf(char ***v, size_t *n, const char *fmt, ...)
{
	va_list ap;
	int err;

	va_start(ap, fmt);
	err = pg_strv_vpushf(v, n, fmt, ap);
	va_end(ap);
	return err;
}

static int strv_push(char ***v, size_t *n, size_t *alloc, const char *s)
{
	char *copy = strdup(s);

	if (!copy)
		return pg_error_set(PG_ENOMEM, "out of memory");
	if (*n + 2 > *alloc) {
		size_t a = *alloc ? *alloc * 2 : 16;
		char **p = realloc(*v, a * sizeof(*p));

		if (!p) {
			free(copy);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
		*v = p;
		*alloc = a;
	}
	(*v)[(*n)++] = copy;
	(*v)[*n] = NULL;
	return 0;
}

static int list_walk(char ***v, size_t *n, size_t *alloc, pg_buf *path, size_t root_len)
{
	DIR *d = opendir(path->ptr);
	struct dirent *e;
	size_t len = path->len;
	int err = 0;

	if (!d)
		return errno == ENOENT ? 0 :
			pg_error_set_errno(PG_EINFRA, "cannot list '%s'", path->ptr);
	while ((e = readdir(d)) && !err) {
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		pg_buf_truncate(path, len);
		pg_buf_addf(path, "/%s", e->d_name);
		if (pg_buf_failed(path)) {
			err = PG_ENOMEM;
			break;
		}
		if (lstat(path->ptr, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			err = list_walk(v, n, alloc, path, root_len);
		else if (S_ISREG(st.st_mode))
			err = strv_push(v, n, alloc, path->ptr + root_len + 1);
	}
	pg_buf_truncate(path, len);
	closedir(d);
	return err;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int pg_list_files(char ***out, size_t *n, const char *dir)
{
	pg_buf path = PG_BUF_INIT;
	size_t alloc = 0;
	int err;

	*out = NULL;
	*n = 0;
	if ((err = pg_buf_adds(&path, dir)) < 0)
		return err;
	err = list_walk(out, n, &alloc, &path, path.len);
	pg_buf_release(&path);
	if (err < 0) {
		pg_free_strv(*out);
		*out = NULL;
		*n = 0;
		return err;
	}
	if (*n)
		qsort(*out, *n, sizeof(**out), cmp_str);
	return 0;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((flag == FTW_DP ? rmdir(path) : unlink(path)) < 0 && errno != ENOENT)
		return pg_error_set_errno(PG_EINFRA, "cannot remove '%s'", path);
	return 0;
}

int pg_remove_tree(const char *path)
{
	int rc = nftw(path, remove_one, 16, FTW_DEPTH | FTW_PHYS);

	if (rc < 0 && errno == ENOENT)
		return 0;
	if (rc < 0)
		return pg_error_set_errno(PG_EINFRA, "cannot remove '%s'", path);
	return rc ? PG_EINFRA : 0;
}
