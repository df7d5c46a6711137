#ifndef PG_FILE_H
#define PG_FILE_H

#include <stdarg.h>
#include <stddef.h>

#include "buf.h"

/*
 * Whole-file helpers. Errors name the file in the usual form
 * "cannot open 'x': No such file or directory".
 */

/* Append the content of `path` ("-" reads standard input) to `out`.
 * Files larger than out->cap fail with PG_EINPUT ("'x' is too large").
 * Returns 0, PG_EINPUT (missing/unreadable/too large) or PG_ENOMEM. */
int pg_file_read(pg_buf *out, const char *path);

/* Write `len` bytes to `path` atomically: a temporary file in the same
 * directory, fsync'd, then renamed over `path`. A reader never sees a
 * half-written file; on failure nothing is left behind. A symbolic link
 * is followed (the file it names is replaced, the link stays); what is not
 * a regular file (/dev/null, /dev/stdout, a FIFO, a terminal) is written
 * in place, never replaced. Returns 0 or PG_EINFRA. */
int pg_file_write_atomic(const char *path, const void *data, size_t len);

/* Copy the content of the file `src` (read as pg_file_read reads it) to
 * `dst`, written as pg_file_write_atomic writes it: `dst`'s folder must
 * exist; a reader of `dst` never sees half of it. Nothing is left for the
 * caller to free. 0, PG_EINPUT (`src` missing, unreadable or too large for
 * a pg_buf), PG_EINFRA (`dst` not written) or PG_ENOMEM, with the message
 * naming the file. */
int pg_file_copy(const char *dst, const char *src);

/* The regular files below `dir` (at any depth), as paths relative to it,
 * sorted, appended to the NULL-terminated, malloc'd array *out (one
 * malloc'd string each; free with pg_free_strv). *n receives the count. A
 * missing `dir` gives no files. 0, PG_EINFRA, PG_ENOMEM. */
int pg_list_files(char ***out, size_t *n, const char *dir);

/* Remove `path` and everything below it (like rm -rf, without following
 * symbolic links). A missing path is fine. 0 or PG_EINFRA. */
int pg_remove_tree(const char *path);

/* Free a NULL-terminated array of malloc'd strings. Safe on NULL. */
void pg_free_strv(char **v);

/* Append a printf-formatted string to `*v`, a NULL-terminated, malloc'd
 * array of `*n` malloc'd strings (start with NULL and 0), keeping it
 * NULL-terminated; free it with pg_free_strv. 0, or PG_ENOMEM with the
 * message set (the array is then unchanged, still NULL-terminated). */
int pg_strv_pushf(char ***v, size_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int pg_strv_vpushf(char ***v, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

/* Create `path` and its missing parents (like mkdir -p). 0 or PG_EINFRA. */
int pg_mkdir_p(const char *path, int mode);

/* Create a new private directory "$TMPDIR/<prefix>.XXXXXX" (/tmp when
 * TMPDIR is unset or empty) and append its path to `out`, which must be
 * empty. 0, PG_ENOMEM, or PG_EINFRA "cannot create a temporary directory
 * '<path>'"; on failure `out` is left empty. The caller removes it. */
int pg_mkdtemp(pg_buf *out, const char *prefix);

#endif
