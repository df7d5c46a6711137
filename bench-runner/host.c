#include <string.h>
#include <sys/utsname.h>

#include "bench-runner/host.h"
#include "common/buf.h"
#include "common/error.h"
#include "common/banned.h"

const char *const pg_host_keys[] = { "cpu", "kernel", "governor", "pinned-cpus", NULL };

static int set(pg_results *r, const char *key, const char *value)
{
	return pg_results_set_config(r, key, strlen(key), value, strlen(value));
}

/* "model name : X" from /proc/cpuinfo (also "Model" / "cpu model" on
 * other architectures) */
static int cpu_model(pg_buf *out)
{
	static const char *const keys[] = { "model name", "Model", "cpu model", NULL };
	pg_buf info = PG_BUF_INIT;
	size_t k;
	int err;

	err = pg_sys_read(&info, "proc/cpuinfo");
	if (err < 0)
		goto cleanup;
	for (k = 0; keys[k]; k++) {
		const char *line = info.ptr;

		while (line && *line) {
			const char *eol = strchr(line, '\n');
			size_t len = eol ? (size_t)(eol - line) : strlen(line);
			size_t klen = strlen(keys[k]);

			if (len > klen && !strncmp(line, keys[k], klen) &&
			    (line[klen] == '\t' || line[klen] == ' ' || line[klen] == ':')) {
				const char *colon = memchr(line, ':', len);

				if (colon) {
					const char *v = colon + 1;

					while (*v == ' ' || *v == '\t')
						v++;
					err = pg_buf_add(out, v, (size_t)(line + len - v));
					goto cleanup;
				}
			}
			line = eol ? eol + 1 : NULL;
		}
	}
	err = PG_ENOTFOUND;

cleanup:
	pg_buf_release(&info);
	return err;
}

int pg_host_fingerprint(pg_results *r, const pg_cpuset *pinned)
{
	pg_buf v = PG_BUF_INIT, rel = PG_BUF_INIT;
	struct utsname u;
	size_t first = 0;
	int err = 0, rc;

	rc = cpu_model(&v);
	if ((err = set(r, "cpu", rc == 0 && v.len ? v.ptr : "unknown")) < 0)
		goto cleanup;

	pg_buf_reset(&v);
	if (uname(&u) == 0)
		pg_buf_addf(&v, "%s %s", u.sysname, u.release);
	else
		pg_buf_adds(&v, "unknown");
	if ((err = set(r, "kernel", v.ptr)) < 0)
		goto cleanup;

	pg_buf_reset(&v);
	if (pinned && pinned->count) {
		while (first < PG_MAX_CPUS && !pinned->on[first])
			first++;
		pg_buf_addf(&rel, "sys/devices/system/cpu/cpu%zu/cpufreq/scaling_governor",
			    first);
	} else {
		pg_buf_adds(&rel, "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor");
	}
	rc = pg_sys_read(&v, rel.ptr);
	if ((err = set(r, "governor", rc == 0 && v.len ? v.ptr : "none")) < 0)
		goto cleanup;

	pg_buf_reset(&v);
	if (pinned && pinned->count)
		pg_cpuset_format(&v, pinned);
	else
		pg_buf_adds(&v, "none");
	err = set(r, "pinned-cpus", v.ptr);

cleanup:
	pg_buf_release(&v);
	pg_buf_release(&rel);
	return err;
}
