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

/* A decimal number without sign: 0 or -1 (not a number, out of range). */
static int parse_u64(uint64_t *out, const char *s)
{
	uint64_t v = 0;

	if (!*s)
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	*out = v;
	return 0;
}

static const struct {
	const char *name; /* as written after the dashes */
	size_t len;
	uint64_t ns;
} duration_units[] = {
	{ "ns", 2, 1 },
	{ "us", 2, 1000 },
	{ "\xc2\xb5s", 3, 1000 }, /* U+00B5 micro sign */
	{ "\xce\xbcs", 3, 1000 }, /* U+03BC Greek mu */
	{ "ms", 2, 1000000 },
	{ "s", 1, 1000000000 },
	{ "m", 1, 60ull * 1000000000 },
	{ "h", 1, 3600ull * 1000000000 },
};

int pg_bench_parse_duration(uint64_t *out, const char *s, char *err, size_t cap)
{
	const char *p = s;
	uint64_t total = 0;

	if (!strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	if (!*s) {
		snprintf(err, cap, "empty");
		return -1;
	}
	if (*s == '-' || *s == '+') {
		snprintf(err, cap, "must not have a sign");
		return -1;
	}
	while (*p) {
		uint64_t whole = 0, frac = 0, scale = 1, ns, part;
		int digits = 0, overflow = 0;
		size_t i, best = 0, best_len = 0;

		for (; *p >= '0' && *p <= '9'; p++, digits++) {
			if (whole > (UINT64_MAX - 9) / 10)
				overflow = 1;
			else
				whole = whole * 10 + (uint64_t)(*p - '0');
		}
		if (*p == '.') {
			p++;
			for (; *p >= '0' && *p <= '9'; p++, digits++) {
				/* Go keeps the fraction's leading digits only */
				if (scale <= UINT64_MAX / 100) {
					frac = frac * 10 + (uint64_t)(*p - '0');
					scale *= 10;
				}
			}
		}
		if (!digits) {
			snprintf(err, cap, "a number must come before each unit");
			return -1;
		}
		for (i = 0; i < sizeof(duration_units) / sizeof(duration_units[0]); i++) {
			size_t len = duration_units[i].len;

			if (!strncmp(p, duration_units[i].name, len) && len > best_len) {
				best = i;
				best_len = len;
			}
		}
		/* "ms" before "m": the longest unit that matches wins; a unit
		 * must be followed by a digit, '.', or the end. */
		if (!best_len ||
		    (p[best_len] && !(p[best_len] >= '0' && p[best_len] <= '9') &&
		     p[best_len] != '.')) {
			snprintf(err, cap, "%s", best_len ? "unknown unit (ns, us, ms, s, m, h)"
						      : "missing unit (ns, us, ms, s, m, h)");
			return -1;
		}
		ns = duration_units[best].ns;
		p += best_len;
		if (overflow || (whole && ns > UINT64_MAX / whole)) {
			snprintf(err, cap, "out of range");
			return -1;
		}
		part = whole * ns;
		/* frac/scale of a unit, rounded down as Go does */
		part += (uint64_t)((long double)frac * (long double)ns / (long double)scale);
		if (part < whole * ns || total > UINT64_MAX - part) {
			snprintf(err, cap, "out of range");
			return -1;
		}
		total += part;
	}
	*out = total;
	return 0;
}

int pg_bench_parse_benchtime(uint64_t *ns_out, uint64_t *n_out, const char *s,
			     char *err, size_t cap)
{
	size_t len = strlen(s);
	char msg[256];

	if (len > 1 && s[len - 1] == 'x') {
		char num[32];
		uint64_t n = 0;

		if (len - 1 < sizeof(num)) {
			memcpy(num, s, len - 1);
			num[len - 1] = '\0';
			if (parse_u64(&n, num))
				n = 0;
		}
		if (n == 0) {
			snprintf(err, cap, "invalid -benchtime '%s': the count must be a "
				 "positive integer", s);
			return -1;
		}
		*n_out = n;
		*ns_out = 0;
		return 0;
	}
	if (pg_bench_parse_duration(ns_out, s, msg, sizeof(msg))) {
		snprintf(err, cap, "invalid -benchtime '%s': %s", s, msg);
		return -1;
	}
	*n_out = 0;
	return 0;
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
			if (parse_u64(&out->count, value) || out->count == 0 ||
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

			if (parse_u64(&hz, value) || hz < 1 || hz > 10000) {
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
