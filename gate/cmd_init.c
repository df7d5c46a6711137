/*
 * perfgate init: write a starter perfgate.json (every key at its default)
 * at the top of the repository, or in the current directory outside one.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/buf.h"
#include "common/error.h"
#include "common/file.h"
#include "gate/cmd.h"
#include "gate/config.h"
#include "common/banned.h"

static const char init_usage[] =
	"usage: perfgate init [-f|--force] [--suite CMD [ARGS...]]\n"
	"       perfgate init [-f|--force] [-- CMD [ARGS...]]\n"
	"\n"
	"Write a starter perfgate.json at the top of the git repository containing\n"
	"the current directory (outside a repository: in the current directory),\n"
	"with every key at its default. The keys are documented in the README\n"
	"(\"perfgate.json\").\n"
	"\n"
	"    -f, --force        overwrite an existing perfgate.json\n"
	"    --suite CMD...     the benchmark command and its arguments: every word\n"
	"                       after --suite (or after --); default: none, set\n"
	"                       \"suite\" in the file before running 'perfgate gate'\n"
	"\n"
	"exit status: 0 written, 2 usage error or the file exists already,\n"
	"3 the file could not be written\n";

/* Create `path` with `text`, failing with PG_EEXISTS when it exists (even
 * as a dangling symlink). Nothing is left behind on failure. */
static int write_new(const char *path, const char *text, size_t len)
{
	size_t done = 0;
	ssize_t n;
	int fd, err = 0;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	if (fd < 0) {
		if (errno == EEXIST)
			return pg_error_set(PG_EEXISTS, "'%s' exists already; use --force to "
					    "overwrite it", path);
		return pg_error_set_errno(PG_EINFRA, "cannot create '%s'", path);
	}
	while (done < len) {
		n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
			break;
		}
		done += (size_t)n;
	}
	if (!err && fsync(fd) != 0)
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
	if (close(fd) != 0 && !err)
		err = pg_error_set_errno(PG_EINFRA, "cannot write '%s'", path);
	if (err)
		unlink(path);
	return err;
}

int cmd_init(int argc, char **argv)
{
	pg_buf path = PG_BUF_INIT, text = PG_BUF_INIT;
	char **suite = NULL;
	size_t nsuite = 0;
	int force = 0, i, err, status = PG_EXIT_OK;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-f") || !strcmp(a, "--force")) {
			force = 1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(init_usage, stdout);
			status = pg_finish_stdout(PG_EXIT_OK);
			goto cleanup;
		} else if (!strcmp(a, "--suite") || !strcmp(a, "--")) {
			if (i + 1 >= argc) {
				status = pg_usage_error(init_usage, "%s needs the benchmark command", a);
				goto cleanup;
			}
			suite = argv + i + 1;
			nsuite = (size_t)(argc - i - 1);
			break;
		} else if (a[0] == '-') {
			status = pg_usage_error(init_usage, "unknown option '%s'", a);
			goto cleanup;
		} else {
			status = pg_usage_error(init_usage, "unexpected argument '%s' (the suite "
						"command goes after --suite)", a);
			goto cleanup;
		}
	}
	if (nsuite && suite[0][0] == '\0') {
		status = pg_usage_error(init_usage, "the suite command is empty");
		goto cleanup;
	}

	if ((err = pg_config_default_path(&path)) < 0 ||
	    (err = pg_config_starter(&text, suite, nsuite)) < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	if (force)
		err = pg_file_write_atomic(path.ptr, text.ptr, text.len);
	else
		err = write_new(path.ptr, text.ptr, text.len);
	if (err < 0) {
		status = pg_die_code(err);
		goto cleanup;
	}
	printf("wrote %s\n", path.ptr);
	if (!nsuite)
		fputs("next: set \"suite\" in it to the command that runs your benchmarks, "
		      "e.g. [\"build/bench\", \"-benchmem\"]\n", stdout);
	status = pg_finish_stdout(PG_EXIT_OK);

cleanup:
	pg_buf_release(&path);
	pg_buf_release(&text);
	return status;
}
