/*
 * The command line of a suite, in the syntax of Go's flag package as go
 * test binaries accept it: -flag, --flag, -flag=value, -flag value (not
 * for booleans), and every flag also with the "test." prefix
 * (-test.bench). Parsing stops at "--"; arguments that are not flags are
 * errors.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void pg_bench_opts_init(pg_bench_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->bench = ".";
	o->benchtime_ns = 1000000000u;
	o->count = 1;
	o->instructions = 1;
	o->cpuprofile_rate = 100;
}

int pg_bench_opts_env(pg_bench_opts *o, const char *benchtime, char *err, size_t cap)
{
	if (!benchtime || !*benchtime)
		return 0;
	return pg_bench_parse_benchtime_as(&o->benchtime_ns, &o->benchtime_n, benchtime,
					   PG_BENCH_BENCHTIME_ENV, err, cap);
}

/* Go's strconv.ParseBool */
static int parse_bool(int *out, const char *s)
{
	static const char *const yes[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const no[] = { "0", "f", "F", "FALSE", "false", "False" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (!strcmp(s, yes[i])) {
			*out = 1;
			return 0;
		}
		if (!strcmp(s, no[i])) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

enum flag_id {
	F_BENCH, F_BENCHTIME, F_COUNT, F_BENCHMEM, F_INSTRUCTIONS, F_LIST,
	F_CPUPROFILE, F_CPUPROFILERATE, F_TRIMPATH, F_RUN, F_HELP
};

static const struct {
	const char *name;
	enum flag_id id;
	int boolean;
} flags[] = {
	{ "bench", F_BENCH, 0 },
	{ "benchtime", F_BENCHTIME, 0 },
	{ "count", F_COUNT, 0 },
	{ "benchmem", F_BENCHMEM, 1 },
	{ "instructions", F_INSTRUCTIONS, 1 },
	{ "list", F_LIST, 0 },
	{ "cpuprofile", F_CPUPROFILE, 0 },
	{ "cpuprofilerate", F_CPUPROFILERATE, 0 },
	{ "trimpath", F_TRIMPATH, 0 },
	{ "run", F_RUN, 0 },
	{ "h", F_HELP, 1 },
	{ "help", F_HELP, 1 },
};

int pg_bench_parse_flags(pg_bench_opts *out, int argc, char **argv,
			 char *err, size_t cap)
{
	int i;

	for (i = 1; i < argc; i++) {
		const char *arg = argv[i], *name, *eq, *value;
		size_t name_len, k;
		int found = -1, b = 1;

		if (!strcmp(arg, "--")) {
			if (i + 1 < argc) {
				snprintf(err, cap, "unexpected argument '%s'", argv[i + 1]);
				return -1;
			}
			break;
		}
		if (arg[0] != '-' || arg[1] == '\0') {
			snprintf(err, cap, "unexpected argument '%s'", arg);
			return -1;
		}
		name = arg + 1;
		if (*name == '-')
			name++;
		if (!strncmp(name, "test.", 5))
			name += 5;
		eq = strchr(name, '=');
		name_len = eq ? (size_t)(eq - name) : strlen(name);
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			if (strlen(flags[k].name) == name_len &&
			    !strncmp(flags[k].name, name, name_len)) {
				found = (int)k;
				break;
			}
		}
		if (found < 0) {
			snprintf(err, cap, "unknown flag '%.*s'",
				 (int)(eq ? (size_t)(eq - arg) : strlen(arg)), arg);
			return -1;
		}
		if (flags[found].boolean) {
			b = 1;
			if (eq && parse_bool(&b, eq + 1)) {
				snprintf(err, cap, "invalid boolean value '%s' for flag '-%s'",
					 eq + 1, flags[found].name);
				return -1;
			}
			value = NULL;
		} else if (eq) {
			value = eq + 1;
		} else if (i + 1 < argc) {
			value = argv[++i];
		} else {
			snprintf(err, cap, "flag '-%s' needs an argument", flags[found].name);
			return -1;
		}

		switch (flags[found].id) {
		case F_BENCH:
			out->bench = value;
			break;
		case F_BENCHTIME:
			if (pg_bench_parse_benchtime(&out->benchtime_ns, &out->benchtime_n,
						     value, err, cap))
				return -1;
			break;
		case F_COUNT:
			if (pg_bench_parse_u64(&out->count, value) || out->count == 0 ||
			    out->count > 1000000000u) {
				snprintf(err, cap, "invalid -count '%s': not a positive integer",
					 value);
				return -1;
			}
			break;
		case F_BENCHMEM:
			out->benchmem = b;
			break;
		case F_INSTRUCTIONS:
			out->instructions = b;
			break;
		case F_LIST:
			out->list = value;
			break;
		case F_CPUPROFILE:
			if (!*value) {
				snprintf(err, cap, "invalid -cpuprofile '': an empty directory "
					 "name");
				return -1;
			}
			out->cpuprofile = value;
			break;
		case F_CPUPROFILERATE: {
			uint64_t hz = 0;

			if (pg_bench_parse_u64(&hz, value) || hz < 1 || hz > 10000) {
				snprintf(err, cap, "invalid -cpuprofilerate '%s': not an integer "
					 "from 1 to 10000 (Hz)", value);
				return -1;
			}
			out->cpuprofile_rate = (int)hz;
			break;
		}
		case F_TRIMPATH:
			out->trimpath = *value ? value : NULL;
			break;
		case F_RUN:
			break; /* a suite has no tests */
		case F_HELP:
			out->help = b;
			break;
		}
	}
	return 0;
}
