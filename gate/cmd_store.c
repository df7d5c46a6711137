/*
 * perfgate store: plumbing to look into (and repair) an artifact store by
 * hand: put, get, cat, head, ls, rm on single objects.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/buf.h"
#include "common/error.h"
#include "gate/cmd.h"
#include "gate/store.h"
#include "gate/store_cli.h"
#include "common/banned.h"

static const char store_usage[] =
	"usage: perfgate store [options] put KEY FILE\n"
	"   or: perfgate store [options] get KEY FILE\n"
	"   or: perfgate store [options] cat KEY\n"
	"   or: perfgate store [options] head KEY\n"
	"   or: perfgate store [options] ls [PREFIX/]\n"
	"   or: perfgate store [options] rm KEY\n"
	"\n"
	"Low-level access to single objects of an artifact store (for inspection\n"
	"and repair; 'perfgate baseline' manages baselines).\n"
	"\n"
	PG_STORE_CLI_USAGE
	"\n"
	"exit status: 0 done, 2 usage error or no such object, 3 store error\n";

struct store_sub {
	const char *name;
	int nargs_min, nargs_max;
	int (*fn)(pg_store *s, char **args, int nargs);
};

static int not_found(pg_store *s, const char *key)
{
	pg_err("no object '%s' in '%s'", key, pg_store_display_url(s));
	return PG_EXIT_USAGE;
}

static int sub_put(pg_store *s, char **args, int nargs)
{
	int err;

	(void)nargs;
	if ((err = pg_store_put_file(s, args[0], args[1], NULL)) < 0)
		return pg_die_code(err);
	return PG_EXIT_OK;
}

static int sub_get(pg_store *s, char **args, int nargs)
{
	int err;

	(void)nargs;
	err = pg_store_get_file(s, args[0], args[1]);
	if (err == PG_ENOTFOUND)
		return not_found(s, args[0]);
	if (err < 0)
		return pg_die_code(err);
	return PG_EXIT_OK;
}

static int sub_cat(pg_store *s, char **args, int nargs)
{
	pg_buf data = PG_BUF_INIT;
	int err, status;

	(void)nargs;
	err = pg_store_get_buf(s, args[0], &data, (size_t)1 << 30);
	if (err == PG_ENOTFOUND)
		status = not_found(s, args[0]);
	else if (err < 0)
		status = pg_die_code(err);
	else {
		fwrite(data.ptr, 1, data.len, stdout);
		status = pg_finish_stdout(PG_EXIT_OK);
	}
	pg_buf_release(&data);
	return status;
}

static int sub_head(pg_store *s, char **args, int nargs)
{
	unsigned long long size = 0;
	int err;

	(void)nargs;
	err = pg_store_head(s, args[0], &size);
	if (err == PG_ENOTFOUND)
		return not_found(s, args[0]);
	if (err < 0)
		return pg_die_code(err);
	printf("%s %llu\n", args[0], size);
	return pg_finish_stdout(PG_EXIT_OK);
}

static int sub_ls(pg_store *s, char **args, int nargs)
{
	pg_store_list list;
	size_t i;
	int err;

	pg_store_list_init(&list);
	err = pg_store_list_prefix(s, nargs ? args[0] : "", &list);
	if (err < 0) {
		pg_store_list_release(&list);
		return pg_die_code(err);
	}
	for (i = 0; i < list.n; i++)
		printf("%llu %s\n", list.items[i].size, list.items[i].key);
	pg_store_list_release(&list);
	return pg_finish_stdout(PG_EXIT_OK);
}

static int sub_rm(pg_store *s, char **args, int nargs)
{
	int err;

	(void)nargs;
	if ((err = pg_store_delete(s, args[0])) < 0)
		return pg_die_code(err);
	return PG_EXIT_OK;
}

static const struct store_sub subs[] = {
	{ "put", 2, 2, sub_put },
	{ "get", 2, 2, sub_get },
	{ "cat", 1, 1, sub_cat },
	{ "head", 1, 1, sub_head },
	{ "ls", 0, 1, sub_ls },
	{ "rm", 1, 1, sub_rm },
};

int cmd_store(int argc, char **argv)
{
	static const struct option longopts[] = {
		PG_STORE_CLI_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	pg_store_cli cli;
	pg_store *s = NULL;
	const struct store_sub *sub = NULL;
	int c, nargs, status, err;
	size_t i;

	pg_store_cli_init(&cli);
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+vh", longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(store_usage, stdout);
			return pg_finish_stdout(PG_EXIT_OK);
		}
		err = pg_store_cli_option(&cli, c, optarg);
		if (err < 0)
			return pg_usage_error(store_usage, "store: %s", pg_error_last());
		if (err == 0)
			return pg_usage_error(store_usage, "store: unknown option '%s'",
					      argv[optind - 1]);
	}
	if (optind >= argc)
		return pg_usage_error(store_usage, "store: no subcommand given");
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		if (!strcmp(argv[optind], subs[i].name))
			sub = &subs[i];
	if (!sub)
		return pg_usage_error(store_usage, "store: unknown subcommand '%s'",
				      argv[optind]);
	nargs = argc - optind - 1;
	if (nargs < sub->nargs_min || nargs > sub->nargs_max)
		return pg_usage_error(store_usage, "store %s: wrong number of arguments",
				      sub->name);
	if ((err = pg_store_cli_open(&s, &cli)) < 0)
		return pg_die_code(err);
	status = sub->fn(s, argv + optind + 1, nargs);
	pg_store_free(s);
	return status;
}
