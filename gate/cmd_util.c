#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/error.h"
#include "gate/cmd.h"
#include "gate/git.h"
#include "gate/store.h"
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

int pg_parse_nonempty(const char **out, const char *opt, const char *s, const char *what)
{
	if (!*s)
		return pg_error_set(PG_EINPUT, "%s must be %s, not ''", opt, what);
	*out = s;
	return 0;
}

int pg_parse_count(size_t *out, const char *opt, const char *s, size_t min)
{
	char *end = NULL;
	unsigned long long v;

	errno = 0;
	if (*s == '-' || *s == '+')
		goto invalid;
	v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v < min || v > 1000000)
		goto invalid;
	*out = (size_t)v;
	return 0;

invalid:
	return pg_error_set(PG_EINPUT, "%s must be a whole number from %zu to 1000000, not '%s'",
			    opt, min, s);
}

int pg_parse_seconds(double *out, const char *opt, const char *s)
{
	char *end = NULL;
	double v, scale = 1;

	errno = 0;
	v = strtod(s, &end);
	if (end != s && *end) {
		if (!strcmp(end, "s"))
			scale = 1;
		else if (!strcmp(end, "ms"))
			scale = 1e-3;
		else if (!strcmp(end, "m") || !strcmp(end, "min"))
			scale = 60;
		else if (!strcmp(end, "h"))
			scale = 3600;
		else if (!strcmp(end, "d"))
			scale = 86400;
		else if (!strcmp(end, "w"))
			scale = 7 * 86400;
		else
			end = (char *)s;
	}
	if (errno || end == s || !(v >= 0) || v * scale > 1e9)
		return pg_error_set(PG_EINPUT, "%s must be a duration "
				    "(e.g. 30, 1.5, 500ms, 10m, 2h, 30d), not '%s'", opt, s);
	*out = v * scale;
	return 0;
}

double pg_now(void)
{
	const char *fake = getenv("PERFGATE_NOW");
	struct tm tm;
	time_t t;

	if (fake && *fake) {
		memset(&tm, 0, sizeof(tm));
		if (strptime(fake, "%Y-%m-%dT%H:%M:%SZ", &tm))
			return (double)timegm(&tm);
	}
	t = time(NULL);
	return (double)t;
}

int pg_default_project(pg_buf *out)
{
	pg_buf top = PG_BUF_INIT;
	const char *base;
	char cwd[4096];
	int err;

	err = pg_git_toplevel(&top, ".");
	if (err == PG_ENOTFOUND) {
		if (!getcwd(cwd, sizeof(cwd))) {
			err = pg_error_set_errno(PG_EINFRA, "cannot read the current directory");
			goto cleanup;
		}
		pg_buf_adds(&top, cwd);
		err = 0;
	}
	if (err < 0)
		goto cleanup;
	base = strrchr(top.ptr, '/');
	base = base && base[1] ? base + 1 : top.ptr;
	err = pg_store_sanitize_component(out, base);

cleanup:
	pg_buf_release(&top);
	return err;
}
