/*
 * perfgate hook install|uninstall|show|config: perfgate's git pre-push hook
 * (ci-templates/hooks/pre-push) in the repository containing the current
 * directory, and the settings it reads from perfgate.json.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/cmd.h"
#include "gate/config.h"
#include "gate/gate_job.h"
#include "gate/hook.h"
#include "common/banned.h"

static const char hook_usage[] =
	"usage: perfgate hook install\n"
	"   or: perfgate hook uninstall\n"
	"   or: perfgate hook show\n"
	"   or: perfgate hook config KEY\n"
	"\n"
	"perfgate's git pre-push hook: before a push of a branch, it runs 'perfgate\n"
	"gate --quick' on the pushed commit against the local store and refuses the\n"
	"push when a benchmark got slower than allowed (only then: no baseline, a\n"
	"store that is down or a crashed suite give a warning). A pushed commit that\n"
	"is not the clean HEAD is built apart in a temporary worktree with\n"
	"perfgate.json's \"build\" command (without one it is not checked).\n"
	"'git push --no-verify' skips the hook.\n"
	"\n"
	"    install     write the hook into the repository's hooks directory\n"
	"                (core.hooksPath when set), with this perfgate binary's\n"
	"                absolute path in it. A pre-push hook that is there already\n"
	"                is kept as pre-push.local and runs first. Installing again\n"
	"                changes nothing.\n"
	"    uninstall   remove the hook and put pre-push.local back\n"
	"    show        print the hook as install would write it\n"
	"    config KEY  print a setting of the repository's perfgate.json (or its\n"
	"                default) by its dotted key, e.g. build or quick.store: a\n"
	"                string as it is, null as nothing, the rest as JSON (the\n"
	"                hook reads the pushed commit's build command with it)\n"
	"\n"
	"exit status: 0 done, 2 usage error, not in a repository, a hook that\n"
	"cannot be kept (pre-push and pre-push.local both exist) or is not ours,\n"
	"or a broken perfgate.json or unknown KEY, 3 the hook could not be written\n";

/* The absolute path of this perfgate binary. */
static int self_path(pg_buf *out)
{
	char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 1);

	if (n < 0)
		return pg_error_set_errno(PG_EINFRA, "cannot find the perfgate binary "
					  "(/proc/self/exe)");
	if ((size_t)n >= sizeof(path) - 1)
		return pg_error_set(PG_EINFRA, "the perfgate binary's path is too long");
	return pg_buf_add(out, path, (size_t)n);
}

static int hook_text(pg_buf *out)
{
	pg_buf self = PG_BUF_INIT;
	int err;

	if ((err = self_path(&self)) == 0)
		err = pg_hook_render(out, self.ptr);
	pg_buf_release(&self);
	return err;
}

static int do_install(void)
{
	pg_buf dir = PG_BUF_INIT, text = PG_BUF_INIT;
	enum pg_hook_installed what;
	int err, status = PG_EXIT_OK;

	if ((err = pg_hook_dir(&dir, ".")) < 0 || (err = hook_text(&text)) < 0 ||
	    (err = pg_hook_install(&what, dir.ptr, text.ptr, text.len)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	switch (what) {
	case PG_HOOK_UNCHANGED:
		printf("perfgate: the pre-push hook is installed already: %s/%s\n", dir.ptr,
		       PG_HOOK_NAME);
		break;
	case PG_HOOK_UPDATED:
		printf("perfgate: updated the pre-push hook: %s/%s\n", dir.ptr, PG_HOOK_NAME);
		break;
	case PG_HOOK_CHAINED:
		printf("perfgate: installed the pre-push hook: %s/%s\n", dir.ptr, PG_HOOK_NAME);
		printf("perfgate: the hook that was there is now %s/%s; it runs first, and "
		       "'perfgate hook uninstall' puts it back\n", dir.ptr, PG_HOOK_LOCAL_NAME);
		break;
	case PG_HOOK_INSTALLED:
		printf("perfgate: installed the pre-push hook: %s/%s\n", dir.ptr, PG_HOOK_NAME);
		break;
	}
	if (what != PG_HOOK_UNCHANGED)
		fputs("perfgate: pushes now run 'perfgate gate --quick' on the pushed commit; a "
		      "regression refuses the push ('git push --no-verify' skips the check)\n",
		      stdout);
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_buf_release(&dir);
	pg_buf_release(&text);
	return status;
}

static int do_uninstall(void)
{
	pg_buf dir = PG_BUF_INIT;
	enum pg_hook_removed what;
	int err, status = PG_EXIT_OK;

	if ((err = pg_hook_dir(&dir, ".")) < 0 || (err = pg_hook_uninstall(&what, dir.ptr)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	switch (what) {
	case PG_HOOK_ABSENT:
		printf("perfgate: no perfgate pre-push hook in %s\n", dir.ptr);
		break;
	case PG_HOOK_REMOVED:
		printf("perfgate: removed the pre-push hook from %s\n", dir.ptr);
		break;
	case PG_HOOK_RESTORED:
		printf("perfgate: removed the pre-push hook from %s and put %s back as %s\n",
		       dir.ptr, PG_HOOK_LOCAL_NAME, PG_HOOK_NAME);
		break;
	}
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_buf_release(&dir);
	return status;
}

static int do_show(void)
{
	pg_buf text = PG_BUF_INIT;
	int err, status;

	if ((err = hook_text(&text)) < 0) {
		status = pg_die_code(err);
	} else {
		fwrite(text.ptr, 1, text.len, stdout);
		status = pg_finish_stdout(PG_EXIT_OK);
	}
	pg_buf_release(&text);
	return status;
}

static int do_config(const char *key)
{
	pg_gate_config cfg;
	pg_job_opts o;
	pg_buf value = PG_BUF_INIT;
	int err, status;

	pg_job_opts_init(&o);
	if ((err = pg_config_init(&cfg)) < 0 || (err = pg_job_config(&cfg, &o)) < 0 ||
	    (err = pg_config_value(&value, &cfg, key)) < 0) {
		status = pg_die_code(err);
	} else {
		if (value.len)
			printf("%s\n", value.ptr);
		status = pg_finish_stdout(PG_EXIT_OK);
	}
	pg_config_release(&cfg);
	pg_buf_release(&value);
	return status;
}

int cmd_hook(int argc, char **argv)
{
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (!sub)
		return pg_usage_error(hook_usage, "hook: install, uninstall, show or config?");
	if (!strcmp(sub, "-h") || !strcmp(sub, "--help")) {
		fputs(hook_usage, stdout);
		return pg_finish_stdout(PG_EXIT_OK);
	}
	if (!strcmp(sub, "config")) {
		if (argc == 3 && (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help"))) {
			fputs(hook_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK);
		}
		if (argc != 3)
			return pg_usage_error(hook_usage, "hook config: one KEY, e.g. build");
		return do_config(argv[2]);
	}
	if (argc > 2) {
		if (!strcmp(argv[2], "-h") || !strcmp(argv[2], "--help")) {
			fputs(hook_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK);
		}
		return pg_usage_error(hook_usage, "hook %s: unexpected argument '%s'", sub,
				      argv[2]);
	}
	if (!strcmp(sub, "install"))
		return do_install();
	if (!strcmp(sub, "uninstall"))
		return do_uninstall();
	if (!strcmp(sub, "show"))
		return do_show();
	return pg_usage_error(hook_usage, "hook: unknown subcommand '%s'", sub);
}
