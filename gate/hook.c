/*
 * perfgate's git pre-push hook: where it goes, its text, installing it
 * beside (never over) a hook that is there already, and removing it.
 */
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/git.h"
#include "gate/hook.h"
#include "hook_script.h" /* generated from ci-templates/hooks/pre-push */
#include "common/banned.h"

/* The line of the template that `pg_hook_render` rewrites. */
#define BIN_LINE "\nperfgate_bin=\n"

/* Hooks are small; anything larger is not ours and is only moved. */
#define HOOK_MAX ((size_t)16 << 20)

/* ------------------------------------------------------------ text */

int pg_shell_quote(pg_buf *out, const char *s)
{
	const char *p;

	pg_buf_addch(out, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			pg_buf_adds(out, "'\\''");
		else
			pg_buf_addch(out, *p);
	}
	pg_buf_addch(out, '\'');
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_hook_render(pg_buf *out, const char *perfgate)
{
	const char *line = strstr(pg_hook_script, BIN_LINE);
	size_t head;

	if (!line || strstr(line + 1, BIN_LINE))
		return pg_error_set(PG_ERROR, "the hook's text has no single 'perfgate_bin=' line");
	if (!perfgate || !*perfgate)
		return pg_buf_adds(out, pg_hook_script);
	head = (size_t)(line - pg_hook_script) + strlen(BIN_LINE) - 1; /* up to the '\n' */
	pg_buf_add(out, pg_hook_script, head);
	pg_shell_quote(out, perfgate);
	pg_buf_adds(out, line + strlen(BIN_LINE) - 1);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_hook_is_ours(const char *text, size_t len)
{
	size_t n = strlen(PG_HOOK_MARKER), i;

	for (i = 0; i + n <= len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && !memcmp(text + i, PG_HOOK_MARKER, n) &&
		    (i + n == len || text[i + n] == '\n'))
			return 1;
	}
	return 0;
}

/* ------------------------------------------------------------ where */

int pg_hook_dir(pg_buf *out, const char *path)
{
	git_repository *repo = NULL;
	git_config *cfg = NULL;
	git_buf val = { NULL, 0, 0 };
	const char *base;
	size_t len;
	int rc, err;

	err = pg_git_open(&repo, path);
	if (err == PG_ENOTFOUND)
		return strcmp(path, ".") ?
			pg_error_set(PG_ENOTFOUND, "'%s' is not in a git repository", path) :
			pg_error_set(PG_ENOTFOUND, "the current directory is not in a git "
				     "repository");
	if (err < 0)
		return err;
	if (git_repository_config_snapshot(&cfg, repo) < 0) {
		err = pg_git_error(PG_EINFRA, "cannot read the repository's configuration");
		goto cleanup;
	}
	rc = git_config_get_path(&val, cfg, "core.hooksPath");
	if (rc == 0 && val.size) {
		if (val.ptr[0] != '/') {
			/* git runs hooks at the top of the working tree (bare:
			 * in the git directory); a relative path starts there */
			base = git_repository_workdir(repo);
			if (!base)
				base = git_repository_path(repo);
			pg_buf_adds(out, base);
			if (out->len && out->ptr[out->len - 1] != '/')
				pg_buf_addch(out, '/');
		}
		pg_buf_add(out, val.ptr, val.size);
	} else if (rc == 0 || rc == GIT_ENOTFOUND) {
		git_buf_dispose(&val);
		if (git_repository_item_path(&val, repo, GIT_REPOSITORY_ITEM_HOOKS) < 0) {
			err = pg_git_error(PG_EINFRA, "cannot find the repository's hooks directory");
			goto cleanup;
		}
		pg_buf_add(out, val.ptr, val.size);
	} else {
		err = pg_git_error(PG_EINFRA, "cannot read core.hooksPath");
		goto cleanup;
	}
	len = out->len;
	while (len > 1 && out->ptr[len - 1] == '/')
		len--;
	pg_buf_truncate(out, len);
	err = pg_buf_failed(out) ? PG_ENOMEM : 0;

cleanup:
	git_buf_dispose(&val);
	git_config_free(cfg);
	git_repository_free(repo);
	return err;
}

/* ------------------------------------------------------------ files */

/* Whether `path` exists (a dangling symlink does). 1, 0 or PG_EINFRA. */
static int exists(const char *path)
{
	struct stat st;

	if (lstat(path, &st) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return pg_error_set_errno(PG_EINFRA, "cannot look at '%s'", path);
}

/* Whether the hook at `path` (which exists) is ours. 1, 0 or PG_EINFRA. A
 * dangling symlink is not ours. */
static int hook_is_ours(const char *path)
{
	struct stat st;
	pg_buf text;
	int err;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? 0 : pg_error_set_errno(PG_EINFRA, "cannot look at '%s'",
								  path);
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > HOOK_MAX)
		return 0;
	pg_buf_init(&text, HOOK_MAX);
	err = pg_file_read(&text, path);
	if (err < 0)
		err = pg_error_prefix(PG_EINFRA, "cannot read the existing hook");
	else
		err = pg_hook_is_ours(text.ptr, text.len);
	pg_buf_release(&text);
	return err;
}

/* Whether the file at `path` holds exactly `text`. 1, 0 or PG_EINFRA. */
static int same_text(const char *path, const char *text, size_t len)
{
	pg_buf cur;
	int err;

	pg_buf_init(&cur, HOOK_MAX);
	err = pg_file_read(&cur, path);
	if (err < 0)
		err = pg_error_prefix(PG_EINFRA, "cannot read the existing hook");
	else
		err = cur.len == len && !memcmp(cur.ptr, text, len);
	pg_buf_release(&cur);
	return err;
}

/* Write an executable file atomically: a temporary file beside it, then
 * rename(2). Nothing is left behind on failure. */
static int write_executable(const char *path, const char *text, size_t len)
{
	pg_buf tmp = PG_BUF_INIT;
	size_t done = 0;
	ssize_t n;
	int fd = -1, err = 0;

	if (pg_buf_addf(&tmp, "%s.tmp-XXXXXX", path) < 0)
		return PG_ENOMEM;
	fd = mkstemp(tmp.ptr);
	if (fd < 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot create a file beside '%s'", path);
		goto cleanup;
	}
	while (done < len) {
		n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", tmp.ptr);
			goto cleanup;
		}
		done += (size_t)n;
	}
	if (fchmod(fd, 0755) != 0 || fsync(fd) != 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", tmp.ptr);
		goto cleanup;
	}
	if (close(fd) != 0) {
		fd = -1;
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", tmp.ptr);
		goto cleanup;
	}
	fd = -1;
	if (rename(tmp.ptr, path) != 0)
		err = pg_error_set_errno(PG_EINFRA, "cannot rename '%s' to '%s'", tmp.ptr, path);

cleanup:
	if (fd >= 0)
		close(fd);
	if (err < 0 && tmp.len)
		unlink(tmp.ptr);
	pg_buf_release(&tmp);
	return err;
}

static int join(pg_buf *out, const char *dir, const char *name)
{
	pg_buf_reset(out);
	pg_buf_addf(out, "%s/%s", dir, name);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

/* ------------------------------------------------------------ install */

int pg_hook_install(enum pg_hook_installed *out, const char *dir, const char *text,
		    size_t len)
{
	pg_buf hook = PG_BUF_INIT, local = PG_BUF_INIT;
	int err, there, moved = 0;

	*out = PG_HOOK_INSTALLED;
	if ((err = join(&hook, dir, PG_HOOK_NAME)) < 0 ||
	    (err = join(&local, dir, PG_HOOK_LOCAL_NAME)) < 0 ||
	    (err = pg_mkdir_p(dir, 0777)) < 0)
		goto cleanup;
	if ((there = exists(hook.ptr)) < 0) {
		err = there;
		goto cleanup;
	}
	if (there) {
		if ((err = hook_is_ours(hook.ptr)) < 0)
			goto cleanup;
		if (err == 1) {
			if ((err = same_text(hook.ptr, text, len)) < 0)
				goto cleanup;
			if (err == 1) {
				*out = PG_HOOK_UNCHANGED;
				err = 0;
				goto cleanup;
			}
			*out = PG_HOOK_UPDATED;
		} else {
			/* someone else's hook: it becomes pre-push.local */
			if ((err = exists(local.ptr)) < 0)
				goto cleanup;
			if (err == 1) {
				err = pg_error_set(PG_EEXISTS, "'%s' is not perfgate's hook and '%s' "
						   "exists already, so neither can be kept; move one "
						   "of them away, or call 'perfgate gate --quick' from "
						   "your hook yourself", hook.ptr, local.ptr);
				goto cleanup;
			}
			if (rename(hook.ptr, local.ptr) != 0) {
				err = pg_error_set_errno(PG_EINFRA, "cannot rename '%s' to '%s'",
							 hook.ptr, local.ptr);
				goto cleanup;
			}
			moved = 1;
			*out = PG_HOOK_CHAINED;
		}
	}
	err = write_executable(hook.ptr, text, len);
	if (err < 0 && moved && rename(local.ptr, hook.ptr) != 0)
		err = pg_error_prefix(err, "'%s' is now '%s'", hook.ptr, local.ptr);

cleanup:
	pg_buf_release(&hook);
	pg_buf_release(&local);
	return err < 0 ? err : 0;
}

int pg_hook_uninstall(enum pg_hook_removed *out, const char *dir)
{
	pg_buf hook = PG_BUF_INIT, local = PG_BUF_INIT;
	int err, there, have_local;

	*out = PG_HOOK_ABSENT;
	if ((err = join(&hook, dir, PG_HOOK_NAME)) < 0 ||
	    (err = join(&local, dir, PG_HOOK_LOCAL_NAME)) < 0)
		goto cleanup;
	if ((there = exists(hook.ptr)) < 0 || (have_local = exists(local.ptr)) < 0) {
		err = there < 0 ? there : have_local;
		goto cleanup;
	}
	if (there) {
		if ((err = hook_is_ours(hook.ptr)) < 0)
			goto cleanup;
		if (err == 0) {
			err = pg_error_set(PG_EINPUT, "'%s' is not perfgate's hook; leaving it as "
					   "it is", hook.ptr);
			goto cleanup;
		}
		if (unlink(hook.ptr) != 0) {
			err = pg_error_set_errno(PG_EINFRA, "cannot remove '%s'", hook.ptr);
			goto cleanup;
		}
		*out = PG_HOOK_REMOVED;
	}
	/* the hook that was there before ours (also when ours was deleted by
	 * hand: nothing would run pre-push.local any more) */
	err = 0;
	if (have_local) {
		if (rename(local.ptr, hook.ptr) != 0) {
			err = pg_error_set_errno(PG_EINFRA, "cannot rename '%s' to '%s'", local.ptr,
						 hook.ptr);
			goto cleanup;
		}
		*out = PG_HOOK_RESTORED;
	}

cleanup:
	pg_buf_release(&hook);
	pg_buf_release(&local);
	return err < 0 ? err : 0;
}
