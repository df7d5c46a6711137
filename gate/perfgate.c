/*
 * perfgate: the command dispatcher. One binary, git-style subcommands; the
 * table below lists them (after git's git.c).
 */
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_errno.h>

#include "gate/cmd.h"
#include "common/banned.h"

struct cmd_struct {
	const char *name;
	pg_cmd_fn fn;
	const char *help;
};

static int cmd_help(int argc, char **argv);

static const struct cmd_struct commands[] = {
	{ "gate", cmd_gate, "measure, compare with the baseline, fail on a regression" },
	{ "run", cmd_run, "run a benchmark suite N times on pinned CPUs" },
	{ "compare", cmd_compare, "compare two sets of benchmark results" },
	{ "profile", cmd_profile, "show and diff CPU profiles" },
	{ "baseline", cmd_baseline, "refresh, push, pull, list and prune baselines" },
	{ "doctor", cmd_doctor, "check whether this host is quiet enough to benchmark" },
	{ "init", cmd_init, "write a starter perfgate.json" },
	{ "store", cmd_store, "look into an artifact store (put, get, ls, rm)" },
	{ "hook", cmd_hook, "install the pre-push hook" },
	{ "version", cmd_version, "print the version" },
	{ "help", cmd_help, "list the commands" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void list_commands(FILE *out)
{
	size_t i;

	fputs("usage: perfgate <command> [<args>]\n\ncommands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "   %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\n'perfgate <command> --help' shows a command's options.\n"
	      "exit status: 0 pass, 1 regression, 2 usage or input error, "
	      "3 infrastructure error\n", out);
}

static int cmd_help(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	list_commands(stdout);
	return pg_finish_stdout(PG_EXIT_OK);
}

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("perfgate %s\n", PERFGATE_VERSION);
	return pg_finish_stdout(PG_EXIT_OK);
}

int main(int argc, char **argv)
{
	size_t i;

	/* GSL's default handler aborts the process; library code reports
	 * errors through return values instead */
	gsl_set_error_handler_off();
	if (argc < 2) {
		list_commands(stderr);
		return PG_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version"))
		return cmd_version(argc - 1, argv + 1);
	for (i = 0; i < NCOMMANDS; i++) {
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].fn(argc - 1, argv + 1);
	}
	fprintf(stderr, "perfgate: '%s' is not a perfgate command; see 'perfgate help'\n",
		argv[1]);
	return PG_EXIT_USAGE;
}
