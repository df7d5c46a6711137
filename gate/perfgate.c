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
	{ "help", cmd_help, "list the commands, or show one's usage" },
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void list_commands(FILE *out)
{
	size_t i;

	fputs("usage: perfgate <command> [<args>]\n\ncommands:\n", out);
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(out, "   %-10s %s\n", commands[i].name, commands[i].help);
	fputs("\n'perfgate help <command>' or 'perfgate <command> --help' shows a\n"
	      "command's options.\n"
	      "exit status: 0 pass, 1 regression, 2 usage or input error, "
	      "3 infrastructure error\n", out);
}

/* The command called `name`, or NULL. */
static const struct cmd_struct *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (!strcmp(name, commands[i].name))
			return &commands[i];
	return NULL;
}

static int unknown_command(const char *name)
{
	pg_err("'%s' is not a perfgate command; see 'perfgate help'", name);
	return PG_EXIT_USAGE;
}

/* "perfgate help": the list of commands; "perfgate help CMD": CMD's usage,
 * as "perfgate CMD --help" prints it. */
static int cmd_help(int argc, char **argv)
{
	static char help_opt[] = "--help";
	const struct cmd_struct *cmd;
	char *args[3];

	if (argc > 2) {
		pg_err("help: expected one command at most");
		return PG_EXIT_USAGE;
	}
	if (argc < 2 || !strcmp(argv[1], "help") || !strcmp(argv[1], "--help") ||
	    !strcmp(argv[1], "-h")) {
		list_commands(stdout);
		return pg_finish_stdout(PG_EXIT_OK);
	}
	if (!(cmd = find_command(argv[1])))
		return unknown_command(argv[1]);
	args[0] = argv[1];
	args[1] = help_opt;
	args[2] = NULL;
	return cmd->fn(2, args);
}

int cmd_version(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		fputs("usage: perfgate version\n\nPrint perfgate's version.\n", stdout);
		return pg_finish_stdout(PG_EXIT_OK);
	}
	printf("perfgate %s\n", PERFGATE_VERSION);
	return pg_finish_stdout(PG_EXIT_OK);
}

int main(int argc, char **argv)
{
	const struct cmd_struct *cmd;

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
	if (!(cmd = find_command(argv[1])))
		return unknown_command(argv[1]);
	return cmd->fn(argc - 1, argv + 1);
}
