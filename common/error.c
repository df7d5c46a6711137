#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "error.h"
#include "banned.h"

static _Thread_local char error_msg[PG_ERROR_MAX];

int pg_error_set(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	return code;
}

int pg_error_set_errno(int code, const char *fmt, ...)
{
	int saved = errno;
	char reason[256];
	const char *text;
	size_t len;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	len = strlen(error_msg);
	/* GNU strerror_r (we build with _GNU_SOURCE): returns the text */
	text = strerror_r(saved, reason, sizeof(reason));
	snprintf(error_msg + len, sizeof(error_msg) - len, ": %s", text);
	errno = saved;
	return code;
}

int pg_error_prefix(int code, const char *fmt, ...)
{
	char old[PG_ERROR_MAX];
	size_t len;
	va_list ap;

	memcpy(old, error_msg, sizeof(old));
	va_start(ap, fmt);
	vsnprintf(error_msg, sizeof(error_msg), fmt, ap);
	va_end(ap);
	len = strlen(error_msg);
	if (old[0] && len + 2 < sizeof(error_msg)) {
		size_t room = sizeof(error_msg) - len - 2;
		size_t olen = strlen(old);

		if (olen > room - 1)
			olen = room - 1; /* truncate: the message stays one line */
		memcpy(error_msg + len, ": ", 2);
		memcpy(error_msg + len + 2, old, olen);
		error_msg[len + 2 + olen] = '\0';
	}
	return code;
}

const char *pg_error_last(void)
{
	return error_msg;
}

void pg_error_clear(void)
{
	error_msg[0] = '\0';
}
