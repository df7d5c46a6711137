#include <stdlib.h>
#include <string.h>

#include "bench-runner/run.h"
#include "common/error.h"
#include "gate/shard.h"
#include "common/banned.h"

int pg_shard_parse(unsigned *k, unsigned *n, const char *spec)
{
	char *end = NULL, *end2 = NULL;
	unsigned long a, b;

	a = strtoul(spec, &end, 10);
	if (end == spec || *end != '/')
		goto bad;
	b = strtoul(end + 1, &end2, 10);
	if (end2 == end + 1 || *end2 || a < 1 || b < 1 || a > b || b > 1000 ||
	    spec[0] == '-' || end[1] == '-')
		goto bad;
	*k = (unsigned)a;
	*n = (unsigned)b;
	return 0;
bad:
	return pg_error_set(PG_EINPUT, "--shard must be K/N with 1 <= K <= N <= 1000, "
			    "not '%s'", spec);
}

uint64_t pg_shard_hash(const char *name)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *name; name++) {
		h ^= (unsigned char)*name;
		h *= 1099511628211ULL;
	}
	return h;
}

unsigned pg_shard_of(const char *name, unsigned n)
{
	return (unsigned)(pg_shard_hash(name) % n) + 1;
}

int pg_suite_list(pg_store_list *out, char *const *argv, double timeout)
{
	pg_run_opts opts;
	pg_run_result rr;
	pg_buf why = PG_BUF_INIT;
	char **args = NULL;
	size_t argc = 0, i;
	const char *line;
	int err = 0;

	memset(&opts, 0, sizeof(opts));
	pg_run_result_init(&rr);
	while (argv[argc])
		argc++;
	args = calloc(argc + 3, sizeof(*args));
	if (!args) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < argc; i++)
		args[i] = argv[i];
	args[argc] = "-list";
	args[argc + 1] = ".";
	opts.argv = args;
	opts.timeout = timeout;
	if ((err = pg_run_process(&rr, &opts)) < 0)
		goto cleanup;
	if (!pg_run_succeeded(&rr)) {
		pg_run_describe(&why, &rr, timeout);
		err = pg_error_set(PG_EINFRA, "listing the benchmarks of '%s' failed: it %s",
				   argv[0], why.ptr);
		goto cleanup;
	}
	for (line = rr.out.ptr; *line;) {
		const char *eol = strchr(line, '\n');
		size_t len = eol ? (size_t)(eol - line) : strlen(line);

		while (len && (line[len - 1] == ' ' || line[len - 1] == '\r' ||
			       line[len - 1] == '\t'))
			len--;
		if (len > 9 && !strncmp(line, "Benchmark", 9) && !memchr(line, ' ', len) &&
		    !memchr(line, '\t', len) &&
		    (err = pg_store_list_add(out, line, len, 0)) < 0)
			goto cleanup;
		line = eol ? eol + 1 : line + len;
	}
	if (out->n == 0)
		err = pg_error_set(PG_EINFRA, "'%s -list .' listed no benchmarks: sharding needs "
				   "a suite that supports go test's -list and -bench", argv[0]);

cleanup:
	free(args);
	pg_buf_release(&why);
	pg_run_result_release(&rr);
	return err;
}

int pg_shard_regex(pg_buf *out, size_t *count, const pg_store_list *names,
		   unsigned k, unsigned n)
{
	size_t i;
	const char *p;

	*count = 0;
	pg_buf_adds(out, "^(");
	for (i = 0; i < names->n; i++) {
		if (pg_shard_of(names->items[i].key, n) != k)
			continue;
		if ((*count)++)
			pg_buf_addch(out, '|');
		for (p = names->items[i].key; *p; p++) {
			if (strchr("\\^$.|?*+()[]{}", *p))
				pg_buf_addch(out, '\\');
			pg_buf_addch(out, *p);
		}
	}
	pg_buf_adds(out, ")$");
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}
