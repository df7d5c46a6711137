/*
 * -benchtime values (Go durations and "<N>x" counts), shared by the
 * harness (flags.c: the flag, and its default from PERFGATE_BENCHTIME) and
 * perfgate (gate/config.c checks quick.benchtime with the harness's own
 * rule). Plain libc: see benchtime.h.
 */
#include <stdio.h>
#include <string.h>

#include "benchtime.h"
#include "internal.h"

int pg_bench_parse_u64(uint64_t *out, const char *s)
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

int pg_bench_parse_benchtime_as(uint64_t *ns_out, uint64_t *n_out, const char *s,
				const char *name, char *err, size_t cap)
{
	size_t len = strlen(s);
	char msg[256];

	if (len > 1 && s[len - 1] == 'x') {
		char num[32];
		uint64_t n = 0;

		if (len - 1 < sizeof(num)) {
			memcpy(num, s, len - 1);
			num[len - 1] = '\0';
			if (pg_bench_parse_u64(&n, num))
				n = 0;
		}
		if (n == 0) {
			snprintf(err, cap, "invalid %s '%s': the count must be a "
				 "positive integer", name, s);
			return -1;
		}
		*n_out = n;
		*ns_out = 0;
		return 0;
	}
	if (pg_bench_parse_duration(ns_out, s, msg, sizeof(msg))) {
		snprintf(err, cap, "invalid %s '%s': %s", name, s, msg);
		return -1;
	}
	*n_out = 0;
	return 0;
}

int pg_bench_parse_benchtime(uint64_t *ns_out, uint64_t *n_out, const char *s,
			     char *err, size_t cap)
{
	return pg_bench_parse_benchtime_as(ns_out, n_out, s, "-benchtime", err, cap);
}
