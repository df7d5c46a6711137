#include <errno.h>
#include <sched.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "bench-runner/cpus.h"
#include "common/error.h"
#include "common/file.h"
#include "common/banned.h"

int pg_cpuset_has(const pg_cpuset *set, size_t cpu)
{
	return cpu < PG_MAX_CPUS && set->on[cpu];
}

void pg_cpuset_add(pg_cpuset *set, size_t cpu)
{
	if (cpu < PG_MAX_CPUS && !set->on[cpu]) {
		set->on[cpu] = 1;
		set->count++;
	}
}

static int parse_cpu_number(size_t *out, const char **sp)
{
	const char *s = *sp;
	size_t v = 0;

	if (*s < '0' || *s > '9')
		return -1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (size_t)(*s - '0');
		if (v >= PG_MAX_CPUS)
			return -1;
		s++;
	}
	*out = v;
	*sp = s;
	return 0;
}

static int only_blanks(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return *s == '\0';
}

int pg_cpuset_parse(pg_cpuset *out, const char *text)
{
	const char *s = text;

	memset(out, 0, sizeof(*out));
	while (*s == ' ' || *s == '\t')
		s++;
	if (only_blanks(s))
		return 0;
	for (;;) {
		size_t lo, hi, i;

		if (parse_cpu_number(&lo, &s) < 0)
			goto invalid;
		hi = lo;
		if (*s == '-') {
			s++;
			if (parse_cpu_number(&hi, &s) < 0 || hi < lo)
				goto invalid;
		}
		for (i = lo; i <= hi; i++)
			pg_cpuset_add(out, i);
		while (*s == ' ' || *s == '\t')
			s++;
		if (*s != ',')
			break;
		s++;
		while (*s == ' ' || *s == '\t')
			s++;
	}
	if (!only_blanks(s))
		goto invalid;
	return 0;

invalid:
	memset(out, 0, sizeof(*out));
	return pg_error_set(PG_EINPUT, "invalid CPU list '%.*s'",
			    (int)strcspn(text, "\n"), text);
}

int pg_cpuset_format(pg_buf *out, const pg_cpuset *set)
{
	size_t i = 0;
	int first = 1;

	while (i < PG_MAX_CPUS) {
		size_t j;

		if (!set->on[i]) {
			i++;
			continue;
		}
		for (j = i; j + 1 < PG_MAX_CPUS && set->on[j + 1]; j++)
			;
		if (!first)
			pg_buf_addch(out, ',');
		if (j == i)
			pg_buf_addf(out, "%zu", i);
		else
			pg_buf_addf(out, "%zu-%zu", i, j);
		first = 0;
		i = j + 1;
	}
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_sys_path(pg_buf *out, const char *rel)
{
	const char *root = getenv("PERFGATE_SYSROOT");

	if (root && *root)
		pg_buf_addf(out, "%s/%s", root, rel);
	else
		pg_buf_addf(out, "/%s", rel);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}

int pg_sys_read(pg_buf *out, const char *rel)
{
	pg_buf path = PG_BUF_INIT;
	int err = 0;

	if ((err = pg_sys_path(&path, rel)) < 0)
		goto cleanup;
	if (access(path.ptr, F_OK) < 0 && errno == ENOENT) {
		err = PG_ENOTFOUND;
		goto cleanup;
	}
	if ((err = pg_file_read(out, path.ptr)) < 0) {
		err = PG_EINFRA;
		goto cleanup;
	}
	pg_buf_rtrim(out);

cleanup:
	pg_buf_release(&path);
	return err;
}

static int sys_cpuset(pg_cpuset *out, const char *rel)
{
	pg_buf text = PG_BUF_INIT;
	int err;

	memset(out, 0, sizeof(*out));
	err = pg_sys_read(&text, rel);
	if (err == PG_ENOTFOUND)
		err = 0; /* an absent list is an empty one */
	else if (err == 0 && (err = pg_cpuset_parse(out, text.ptr)) < 0)
		err = pg_error_set(PG_EINFRA, "cannot parse '%s': invalid CPU list '%s'",
				   rel, text.ptr);
	pg_buf_release(&text);
	return err;
}

int pg_cpus_allowed(pg_cpuset *out)
{
	pg_cpuset online;
	cpu_set_t mask;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	if (sched_getaffinity(0, sizeof(mask), &mask) < 0)
		return pg_error_set_errno(PG_EINFRA, "cannot read the CPU affinity");
	if ((err = sys_cpuset(&online, "sys/devices/system/cpu/online")) < 0)
		return err;
	for (i = 0; i < PG_MAX_CPUS && i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &mask) && (online.count == 0 || online.on[i]))
			pg_cpuset_add(out, i);
	return 0;
}

int pg_cpus_isolated(pg_cpuset *out)
{
	return sys_cpuset(out, "sys/devices/system/cpu/isolated");
}

int pg_cpus_default(pg_cpuset *out, const char **why)
{
	pg_cpuset allowed, isolated;
	size_t i;
	int err;

	memset(out, 0, sizeof(*out));
	if ((err = pg_cpus_allowed(&allowed)) < 0 ||
	    (err = pg_cpus_isolated(&isolated)) < 0)
		return err;
	for (i = 0; i < PG_MAX_CPUS; i++)
		if (isolated.on[i] && allowed.on[i])
			pg_cpuset_add(out, i);
	if (out->count) {
		*why = "isolated CPUs";
		return 0;
	}
	for (i = PG_MAX_CPUS; i-- > 1;)
		if (allowed.on[i]) {
			pg_cpuset_add(out, i);
			*why = "highest allowed CPU other than CPU 0";
			return 0;
		}
	if (allowed.on[0]) {
		pg_cpuset_add(out, 0);
		*why = "CPU 0, the only allowed CPU";
		return 0;
	}
	return pg_error_set(PG_EINFRA, "no CPU available to run on");
}

int pg_cpus_pin(const pg_cpuset *set)
{
	cpu_set_t mask;
	size_t i;

	CPU_ZERO(&mask);
	for (i = 0; i < PG_MAX_CPUS && i < CPU_SETSIZE; i++)
		if (set->on[i])
			CPU_SET(i, &mask);
	if (sched_setaffinity(0, sizeof(mask), &mask) < 0) {
		pg_buf list = PG_BUF_INIT;
		int err;

		pg_cpuset_format(&list, set);
		err = pg_error_set_errno(PG_EINFRA, "cannot pin to CPUs '%s'", list.ptr);
		pg_buf_release(&list);
		return err;
	}
	return 0;
}
