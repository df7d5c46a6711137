#ifndef PG_STORE_CLI_H
#define PG_STORE_CLI_H

#include <getopt.h>

#include "common/buf.h"
#include "gate/store.h"

/*
 * The store options every command that talks to the store shares
 * (perfgate store, baseline, gate): their getopt_long entries, parsing,
 * usage text, and opening the store with the built-in default
 * (.perfgate/store at the repository root).
 */

enum {
	PG_OPT_STORE = 1000,
	PG_OPT_CACERT,
	PG_OPT_INSECURE_HTTP,
	PG_OPT_CONNECT_TIMEOUT,
	PG_OPT_TIMEOUT,
	PG_OPT_RETRY_BUDGET,
	PG_OPT_ATTEMPTS,
	PG_OPT_VERBOSE
};

#define PG_STORE_CLI_LONGOPTS \
	{ "store", required_argument, NULL, PG_OPT_STORE }, \
	{ "cacert", required_argument, NULL, PG_OPT_CACERT }, \
	{ "allow-insecure-http", no_argument, NULL, PG_OPT_INSECURE_HTTP }, \
	{ "connect-timeout", required_argument, NULL, PG_OPT_CONNECT_TIMEOUT }, \
	{ "timeout", required_argument, NULL, PG_OPT_TIMEOUT }, \
	{ "retry-budget", required_argument, NULL, PG_OPT_RETRY_BUDGET }, \
	{ "attempts", required_argument, NULL, PG_OPT_ATTEMPTS }, \
	{ "verbose", no_argument, NULL, PG_OPT_VERBOSE }

#define PG_STORE_CLI_USAGE \
	"    --store URL           the artifact store: a folder, file://, http(s)://\n" \
	"                          or s3://bucket/prefix (default: .perfgate/store\n" \
	"                          at the repository root)\n" \
	"    --cacert FILE         trust this CA too (TLS verification is always on)\n" \
	"    --allow-insecure-http allow credentials over plain http:// to a host\n" \
	"                          that is not loopback\n" \
	"    --connect-timeout S   seconds per connection attempt (default 10)\n" \
	"    --timeout S           seconds per request, whole transfer (default 120)\n" \
	"    --retry-budget S      seconds an operation may spend retrying (default 30);\n" \
	"                          a request that moves no byte for half of it is\n" \
	"                          abandoned, so a dead server is given up on within it\n" \
	"    --attempts N          attempts per operation (default 5)\n" \
	"    -v, --verbose         log every request on stderr (never credentials)\n"

typedef struct pg_store_cli {
	const char *url;
	pg_store_options opts;
} pg_store_cli;

void pg_store_cli_init(pg_store_cli *c);

/* Handle option `opt` (a PG_OPT_* value, or 'v'): 1 when it was a store
 * option, 0 when not, PG_EINPUT for a bad value (message set). */
int pg_store_cli_option(pg_store_cli *c, int opt, const char *arg);

/* Log every store request on stderr (-v). */
int pg_store_cli_verbose(pg_store_options *opts);

/* The store URL to use: --store, else .perfgate/store at the top of the
 * repository containing the current directory (.perfgate is created with
 * a .gitignore of "*": pg_git_private_dir()), else ./.perfgate/store. */
int pg_store_cli_url(pg_buf *out, const pg_store_cli *c);

/* Open the store (PG_E* code and message on failure). */
int pg_store_cli_open(pg_store **out, const pg_store_cli *c);

#endif
