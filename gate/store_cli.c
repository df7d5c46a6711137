#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gate/cmd.h"
#include "gate/git.h"
#include "gate/store_cli.h"
#include "common/banned.h"

static void log_line(void *ctx, const char *line)
{
	(void)ctx;
	fprintf(stderr, "perfgate: store: %s\n", line);
}

void pg_store_cli_init(pg_store_cli *c)
{
	c->url = NULL;
	pg_store_options_init(&c->opts);
}

int pg_store_cli_option(pg_store_cli *c, int opt, const char *arg)
{
	size_t n;
	int err;

	switch (opt) {
	case PG_OPT_STORE:
		c->url = arg;
		return 1;
	case PG_OPT_CACERT:
		c->opts.cacert = arg;
		return 1;
	case PG_OPT_INSECURE_HTTP:
		c->opts.allow_insecure_http = 1;
		return 1;
	case PG_OPT_CONNECT_TIMEOUT:
		err = pg_parse_seconds(&c->opts.connect_timeout, "--connect-timeout", arg);
		return err < 0 ? err : 1;
	case PG_OPT_TIMEOUT:
		err = pg_parse_seconds(&c->opts.timeout, "--timeout", arg);
		return err < 0 ? err : 1;
	case PG_OPT_RETRY_BUDGET:
		err = pg_parse_seconds(&c->opts.retry_budget, "--retry-budget", arg);
		return err < 0 ? err : 1;
	case PG_OPT_ATTEMPTS:
		if ((err = pg_parse_count(&n, "--attempts", arg, 1)) < 0)
			return err;
		c->opts.max_attempts = n > 100 ? 100 : (int)n;
		return 1;
	case PG_OPT_VERBOSE:
	case 'v':
		return pg_store_cli_verbose(&c->opts);
	default:
		return 0;
	}
}

int pg_store_cli_verbose(pg_store_options *opts)
{
	opts->log = log_line;
	return 1;
}

int pg_store_cli_url(pg_buf *out, const pg_store_cli *c)
{
	int err;

	if (c->url)
		return pg_buf_adds(out, c->url);
	err = pg_git_private_dir(out, ".");
	if (err == PG_ENOTFOUND)
		return pg_buf_adds(out, ".perfgate/store");
	if (err == 0)
		return pg_buf_adds(out, "/store");
	/* .perfgate cannot be created (a read-only checkout): reading the
	 * store may still work, and writing it fails with its own message */
	pg_error_clear();
	if ((err = pg_git_toplevel(out, ".")) < 0)
		return err;
	return pg_buf_adds(out, "/.perfgate/store");
}

int pg_store_cli_open(pg_store **out, const pg_store_cli *c)
{
	pg_buf url = PG_BUF_INIT;
	int err;

	if ((err = pg_store_cli_url(&url, c)) == 0)
		err = pg_store_open(out, url.ptr, &c->opts);
	pg_buf_release(&url);
	return err;
}
