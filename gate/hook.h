#ifndef PG_HOOK_H
#define PG_HOOK_H

#include <stddef.h>

#include "common/buf.h"

/*
 * perfgate's git pre-push hook (ci-templates/hooks/pre-push): where git
 * looks for hooks, the hook's text with the path of the perfgate binary
 * written in, and installing it without clobbering a hook that is there
 * already (that one is moved to pre-push.local, which ours runs first).
 * Library code: nothing printed, errors set with pg_error_set().
 */

#define PG_HOOK_NAME "pre-push"
#define PG_HOOK_LOCAL_NAME "pre-push.local"
/* The line that marks a hook as ours. */
#define PG_HOOK_MARKER "# perfgate-hook: pre-push"

/* The hooks directory of the repository containing `path` (discovered
 * upwards), appended to `out` without a trailing slash: core.hooksPath
 * when set (a relative path is relative to the top of the working tree,
 * or to the git directory of a bare repository, as git runs hooks there),
 * else the hooks directory of the common git directory. PG_ENOTFOUND
 * (message set) outside a repository, PG_EINFRA on libgit2 errors. */
int pg_hook_dir(pg_buf *out, const char *path);

/* Append the hook's text to `out`, with `perfgate` (an absolute path, or
 * NULL for the PATH lookup of the template) written into its
 * `perfgate_bin=` line, shell-quoted. PG_EINPUT when `perfgate` holds a
 * newline or a NUL-free but unusable value (empty). */
int pg_hook_render(pg_buf *out, const char *perfgate);

/* Whether `text` is one of our hooks (it holds the marker line). */
int pg_hook_is_ours(const char *text, size_t len);

/* Append `s` to `out` quoted for a POSIX shell ('...', with ' as '\''). */
int pg_shell_quote(pg_buf *out, const char *s);

enum pg_hook_installed {
	PG_HOOK_INSTALLED,  /* there was no pre-push hook */
	PG_HOOK_CHAINED,    /* the existing hook became pre-push.local */
	PG_HOOK_UPDATED,    /* ours was there, with another text */
	PG_HOOK_UNCHANGED   /* ours was there, identical: nothing done */
};

/* Install `text` (executable) as `dir`/pre-push, creating `dir` when
 * missing. A pre-push hook that is not ours is renamed to pre-push.local
 * first; PG_EEXISTS (nothing changed) when pre-push.local exists too.
 * The hook is written to a temporary file and renamed into place. 0,
 * PG_EEXISTS or PG_EINFRA. */
int pg_hook_install(enum pg_hook_installed *out, const char *dir, const char *text,
		    size_t len);

enum pg_hook_removed {
	PG_HOOK_REMOVED,    /* ours was removed */
	PG_HOOK_RESTORED,   /* ours was removed and pre-push.local put back */
	PG_HOOK_ABSENT      /* ours was not installed: nothing done */
};

/* Remove our pre-push hook from `dir`, moving pre-push.local back to
 * pre-push when it exists. PG_EINPUT (nothing changed) when the pre-push
 * hook there is not ours; PG_EINFRA on I/O errors. */
int pg_hook_uninstall(enum pg_hook_removed *out, const char *dir);

#endif
