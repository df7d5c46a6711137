#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "gate/cmd.h"
#include "common/banned.h"

int pg_exit_code(int err)
{
	switch (err) {
	case PG_OK:
		return PG_EXIT_OK;
	case PG_EINPUT:
	case PG_ENOTFOUND:
	case PG_EEXISTS:
		return PG_EXIT_USAGE;
	default:
		return PG_EXIT_INFRA;
	}
}

static void vreport(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void pg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("perfgate: ", fmt, ap);
	va_end(ap);
}

void pg_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("perfgate: warning: ", fmt, ap);
	va_end(ap);
}

int pg_die_code(int err)
{
	const char *msg = pg_error_last();

	pg_err("%s", msg[0] ? msg : "unexpected error");
	return pg_exit_code(err);
}

int pg_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vreport("perfgate: ", fmt, ap);
	va_end(ap);
	fputs(usage, stderr);
	return PG_EXIT_USAGE;
}

int pg_finish_stdout(int status)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		pg_err("write failure on standard output: %s", strerror(errno));
		return PG_EXIT_INFRA;
	}
	return status;
}

/* Parse a number in (0, 1) from an option value. */
int pg_parse_fraction(double *out, const char *opt, const char *s)
{
	char *end = NULL;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0 && v < 1))
		return pg_error_set(PG_EINPUT, "%s must be a number between 0 and 1, not '%s'",
				    opt, s);
	*out = v;
	return 0;
}
