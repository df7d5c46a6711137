/*
 * --measure callgrind: the dump parser, the attribution of dumps to result
 * lines, and the pinned process (environment, argv, valgrind). See
 * bench-runner/callgrind.h.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench-runner/callgrind.h"
#include "bench-runner/run.h"
#include "common/error.h"
#include "common/file.h"
#include "common/banned.h"

/* The simulated caches with --cache-sim: fixed, so that the estimate does
 * not depend on the CPU of the runner (callgrind would otherwise read the
 * host's caches; this VM reports a 256 MB direct-mapped "LL"). A common
 * x86 geometry: 32 KiB 8-way L1s, an 8 MiB 16-way last level, 64 B lines. */
#define CACHE_I1 "--I1=32768,8,64"
#define CACHE_D1 "--D1=32768,8,64"
#define CACHE_LL "--LL=8388608,16,64"

/* ------------------------------------------------------------ dumps */

void pg_callgrind_dumps_init(pg_callgrind_dumps *d)
{
	memset(d, 0, sizeof(*d));
}

static void dump_release(pg_callgrind_dump *d)
{
	size_t i;

	free(d->trigger);
	for (i = 0; d->events && i < d->nevents; i++)
		free(d->events[i]);
	free(d->events);
	free(d->costs);
	memset(d, 0, sizeof(*d));
}

void pg_callgrind_dumps_release(pg_callgrind_dumps *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++)
		dump_release(&d->v[i]);
	free(d->v);
	pg_callgrind_dumps_init(d);
}

/* The part being read. */
typedef struct part_state {
	char *trigger;
	char **events;
	size_t nevents;
	unsigned long long *summary, *totals; /* NULL until read */
	size_t line;                          /* of "part:", for messages */
} part_state;

static void part_release(part_state *p)
{
	size_t i;

	free(p->trigger);
	for (i = 0; p->events && i < p->nevents; i++)
		free(p->events[i]);
	free(p->events);
	free(p->summary);
	free(p->totals);
	memset(p, 0, sizeof(*p));
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* "events: Ir Dr ..." (the part after the colon): the names. */
static int read_events(part_state *p, const char *s, size_t len)
{
	char **names = NULL, **grown;
	size_t n = 0, i = 0, start;

	while (i < len) {
		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(s[i]))
			i++;
		grown = realloc(names, (n + 1) * sizeof(*names));
		if (!grown)
			goto oom;
		names = grown;
		if (!(names[n] = dup_n(s + start, i - start)))
			goto oom;
		n++;
	}
	for (i = 0; p->events && i < p->nevents; i++)
		free(p->events[i]);
	free(p->events);
	p->events = names;
	p->nevents = n;
	/* costs read before belong to the old names */
	free(p->summary);
	free(p->totals);
	p->summary = p->totals = NULL;
	return 0;

oom:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return pg_error_set(PG_ENOMEM, "out of memory");
}

/* "summary: 12 3" / "totals: ...": one cost per event, missing trailing
 * ones 0. */
static int read_costs(unsigned long long **out, const part_state *p, const char *key,
		      const char *s, size_t len, const char *name, size_t line)
{
	unsigned long long *costs;
	size_t n = 0, i = 0, start;

	if (!p->events)
		return pg_error_set(PG_EINPUT, "%s:%zu: '%s:' before the 'events:' line", name,
				    line, key);
	costs = calloc(p->nevents ? p->nevents : 1, sizeof(*costs));
	if (!costs)
		return pg_error_set(PG_ENOMEM, "out of memory");
	while (i < len) {
		unsigned long long v = 0;

		while (i < len && is_space(s[i]))
			i++;
		if (i == len)
			break;
		start = i;
		while (i < len && !is_space(s[i])) {
			unsigned d = (unsigned)(s[i] - '0');

			if (d > 9 || v > (ULLONG_MAX - d) / 10) {
				while (i < len && !is_space(s[i]))
					i++;
				free(costs);
				return pg_error_set(PG_EINPUT, "%s:%zu: invalid cost '%.*s' in '%s:'",
						    name, line, (int)(i - start > 40 ? 40 : i - start),
						    s + start, key);
			}
			v = v * 10 + d;
			i++;
		}
		if (n == p->nevents) {
			size_t more = n + 1;

			while (i < len) {
				while (i < len && is_space(s[i]))
					i++;
				if (i == len)
					break;
				more++;
				while (i < len && !is_space(s[i]))
					i++;
			}
			free(costs);
			return pg_error_set(PG_EINPUT, "%s:%zu: '%s:' has %zu costs for %zu events",
					    name, line, key, more, p->nevents);
		}
		costs[n++] = v;
	}
	*out = costs;
	return 0;
}

/* Move the finished part into `out` (which takes its strings). */
static int push_part(pg_callgrind_dumps *out, part_state *p)
{
	pg_callgrind_dump *grown, *d;
	unsigned long long *costs = p->summary ? p->summary : p->totals;
	char **events = NULL;
	size_t i;

	if (out->n == out->alloc) {
		size_t alloc = out->alloc ? out->alloc * 2 : 8;

		if (!(grown = realloc(out->v, alloc * sizeof(*grown))))
			return pg_error_set(PG_ENOMEM, "out of memory");
		out->v = grown;
		out->alloc = alloc;
	}
	/* the events stay with the part (a next part may share them) */
	if (p->nevents && !(events = calloc(p->nevents, sizeof(*events))))
		return pg_error_set(PG_ENOMEM, "out of memory");
	for (i = 0; i < p->nevents; i++) {
		if (!(events[i] = dup_n(p->events[i], strlen(p->events[i])))) {
			while (i-- > 0)
				free(events[i]);
			free(events);
			return pg_error_set(PG_ENOMEM, "out of memory");
		}
	}
	d = &out->v[out->n++];
	memset(d, 0, sizeof(*d));
	d->trigger = p->trigger ? p->trigger : dup_n("", 0);
	d->events = events;
	d->nevents = p->nevents;
	d->costs = costs;
	if (costs == p->summary)
		p->summary = NULL;
	else
		p->totals = NULL;
	p->trigger = NULL;
	free(p->summary);
	free(p->totals);
	p->summary = p->totals = NULL;
	if (!d->trigger) {
		dump_release(d);
		out->n--;
		return pg_error_set(PG_ENOMEM, "out of memory");
	}
	return 0;
}

/* Does the line [s, s+len) start with the key `key` ("summary:")? Then
 * *rest is what follows it. */
static int starts(const char *s, size_t len, const char *key, const char **rest,
		  size_t *rest_len)
{
	size_t k = strlen(key);

	if (len < k || memcmp(s, key, k))
		return 0;
	*rest = s + k;
	*rest_len = len - k;
	return 1;
}

int pg_callgrind_parse(pg_callgrind_dumps *out, const char *name, const char *data,
		       size_t len)
{
	pg_callgrind_dumps got;
	part_state p;
	size_t pos = 0, line = 0;
	int err = 0, format_seen = 0, any_events = 0;

	pg_callgrind_dumps_init(&got);
	memset(&p, 0, sizeof(p));
	while (pos < len) {
		const char *s = data + pos, *nl = memchr(s, '\n', len - pos), *rest;
		size_t n = nl ? (size_t)(nl - s) : len - pos, rest_len;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (line == 1 && n >= 18 && !memcmp(s, "# callgrind format", 18)) {
			format_seen = 1;
			continue;
		}
		if (!n || (s[0] >= '0' && s[0] <= '9') || s[0] == '+' || s[0] == '-' ||
		    s[0] == '*' || s[0] == '#')
			continue; /* cost lines, comments */
		if (starts(s, n, "version:", &rest, &rest_len)) {
			format_seen = 1;
		} else if (starts(s, n, "part:", &rest, &rest_len)) {
			if (p.summary || p.totals) {
				if ((err = push_part(&got, &p)) < 0)
					goto cleanup;
			}
			p.line = line;
		} else if (starts(s, n, "desc: Trigger:", &rest, &rest_len)) {
			while (rest_len && is_space(*rest))
				rest++, rest_len--;
			free(p.trigger);
			if (!(p.trigger = dup_n(rest, rest_len))) {
				err = pg_error_set(PG_ENOMEM, "out of memory");
				goto cleanup;
			}
		} else if (starts(s, n, "events:", &rest, &rest_len)) {
			if ((err = read_events(&p, rest, rest_len)) < 0)
				goto cleanup;
			any_events = 1;
		} else if (starts(s, n, "summary:", &rest, &rest_len)) {
			free(p.summary);
			p.summary = NULL;
			if ((err = read_costs(&p.summary, &p, "summary", rest, rest_len, name,
					      line)) < 0)
				goto cleanup;
		} else if (starts(s, n, "totals:", &rest, &rest_len)) {
			free(p.totals);
			p.totals = NULL;
			if ((err = read_costs(&p.totals, &p, "totals", rest, rest_len, name,
					      line)) < 0)
				goto cleanup;
		}
	}
	if (!format_seen) {
		err = pg_error_set(PG_EINPUT, "%s: not a callgrind output file (no '# callgrind "
				   "format' or 'version:' line)", name);
		goto cleanup;
	}
	if (p.summary || p.totals) {
		if ((err = push_part(&got, &p)) < 0)
			goto cleanup;
	}
	if (!got.n) {
		err = pg_error_set(PG_EINPUT, any_events ? "%s: no 'summary:' or 'totals:' line"
						      : "%s: no 'events:' line", name);
		goto cleanup;
	}
	/* hand the dumps over */
	if (out->alloc - out->n < got.n) {
		pg_callgrind_dump *grown = realloc(out->v, (out->n + got.n) * sizeof(*grown));

		if (!grown) {
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		out->v = grown;
		out->alloc = out->n + got.n;
	}
	memcpy(out->v + out->n, got.v, got.n * sizeof(*got.v));
	out->n += got.n;
	got.n = 0;

cleanup:
	part_release(&p);
	pg_callgrind_dumps_release(&got);
	return err;
}

/* "cg.<pid>" or "cg.<pid>.<part>": 1 with the numbers (ULLONG_MAX for the
 * final dump, sorted last), else 0. */
static int dump_file_name(const char *f, unsigned long long *pid, unsigned long long *part)
{
	const char *p = f + 3;
	char *end;

	if (strncmp(f, "cg.", 3) || !(*p >= '0' && *p <= '9'))
		return 0;
	errno = 0;
	*pid = strtoull(p, &end, 10);
	if (errno)
		return 0;
	*part = ULLONG_MAX;
	if (!*end)
		return 1;
	if (*end != '.' || !(end[1] >= '0' && end[1] <= '9'))
		return 0;
	p = end + 1;
	*part = strtoull(p, &end, 10);
	return !errno && !*end && *part != ULLONG_MAX;
}

typedef struct dump_file {
	char *name;
	unsigned long long pid, part;
} dump_file;

static int cmp_dump_file(const void *a, const void *b)
{
	const dump_file *x = a, *y = b;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->part != y->part)
		return x->part < y->part ? -1 : 1;
	return 0;
}

int pg_callgrind_read_dir(pg_callgrind_dumps *out, const char *dir)
{
	dump_file *files = NULL, *grown;
	size_t n = 0, i;
	pg_buf path = PG_BUF_INIT, data = PG_BUF_INIT;
	struct dirent *e;
	DIR *d = opendir(dir);
	int err = 0;

	if (!d)
		return pg_error_set_errno(PG_EINFRA, "cannot read the directory '%s'", dir);
	while ((errno = 0, e = readdir(d))) {
		unsigned long long pid, part;

		if (!dump_file_name(e->d_name, &pid, &part))
			continue;
		if (!(grown = realloc(files, (n + 1) * sizeof(*files))) ||
		    !(grown[n].name = dup_n(e->d_name, strlen(e->d_name)))) {
			if (grown)
				files = grown;
			err = pg_error_set(PG_ENOMEM, "out of memory");
			goto cleanup;
		}
		files = grown;
		files[n].pid = pid;
		files[n].part = part;
		n++;
	}
	if (errno) {
		err = pg_error_set_errno(PG_EINFRA, "cannot read the directory '%s'", dir);
		goto cleanup;
	}
	if (n)
		qsort(files, n, sizeof(*files), cmp_dump_file);
	for (i = 0; i < n; i++) {
		pg_buf_reset(&path);
		pg_buf_reset(&data);
		pg_buf_addf(&path, "%s/%s", dir, files[i].name);
		if (pg_buf_failed(&path)) {
			err = PG_ENOMEM;
			goto cleanup;
		}
		if ((err = pg_file_read(&data, path.ptr)) < 0) {
			err = pg_error_prefix(PG_EINFRA, "callgrind dump");
			goto cleanup;
		}
		if ((err = pg_callgrind_parse(out, path.ptr, data.ptr, data.len)) < 0)
			goto cleanup;
	}

cleanup:
	closedir(d);
	for (i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	pg_buf_release(&path);
	pg_buf_release(&data);
	return err;
}

int pg_callgrind_cost(unsigned long long *out, const pg_callgrind_dump *d,
		      const char *event)
{
	size_t i;

	for (i = 0; i < d->nevents; i++) {
		if (!strcmp(d->events[i], event)) {
			*out = d->costs[i];
			return 0;
		}
	}
	return PG_ENOTFOUND;
}

int pg_callgrind_dump_bench(const char **name, size_t *name_len,
			    unsigned long long *n, const pg_callgrind_dump *d)
{
	static const char prefix[] = "Client Request: Benchmark";
	const char *t = d->trigger, *s, *mark = NULL, *p;
	unsigned long long v = 0;

	if (strncmp(t, prefix, sizeof(prefix) - 1))
		return 0;
	s = t + sizeof(prefix) - 1;
	for (p = s; (p = strstr(p, " N=")); p++)
		mark = p;
	if (!mark || mark == s || !mark[3])
		return 0;
	for (p = mark + 3; *p; p++) {
		unsigned dgt = (unsigned)(*p - '0');

		if (dgt > 9 || v > (ULLONG_MAX - dgt) / 10)
			return 0;
		v = v * 10 + dgt;
	}
	if (!v)
		return 0;
	*name = s;
	*name_len = (size_t)(mark - s);
	*n = v;
	return 1;
}

/* ------------------------------------------------------------ results */

static int time_word(const char *s, size_t len)
{
	static const char *const words[] = { "ns", "us", "\xc2\xb5s", "\xce\xbcs", "ms", "s",
					     "sec", "secs", "min", "h", NULL };
	size_t i, k;

	for (i = 0; words[i]; i++) {
		k = strlen(words[i]);
		/* "ns" or "...-ns" (cpu-ns, wall-ns) */
		if (len >= k && !memcmp(s + len - k, words[i], k) &&
		    (len == k || s[len - k - 1] == '-'))
			return 1;
	}
	return 0;
}

int pg_callgrind_time_unit(const char *unit)
{
	const char *slash = strchr(unit, '/'), *last = strrchr(unit, '/');

	if (last && !strcmp(last, "/s"))
		return 1; /* a rate per second */
	return time_word(unit, slash ? (size_t)(slash - unit) : strlen(unit));
}

/* The shortest decimal form of `v` that reads back exactly. */
static void add_double(pg_buf *out, double v)
{
	char buf[64];
	int prec;

	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	pg_buf_adds(out, buf);
}

/* The next space-separated field of the line [*pos, end). */
static int next_field(const char **f, size_t *flen, const char **pos, const char *end)
{
	const char *p = *pos;

	while (p < end && *p == ' ')
		p++;
	if (p == end)
		return 0;
	*f = p;
	while (p < end && *p != ' ')
		p++;
	*flen = (size_t)(p - *f);
	*pos = p;
	return 1;
}

/* The first harness dump named `name` (len bytes) not used yet, or -1. */
static long find_dump(const pg_callgrind_dumps *dumps, const unsigned char *used,
		      const char *name, size_t len)
{
	size_t i, nl;
	const char *dn;
	unsigned long long n;

	for (i = 0; i < dumps->n; i++)
		if (!used[i] && pg_callgrind_dump_bench(&dn, &nl, &n, &dumps->v[i]) &&
		    nl == len && !memcmp(dn, name, len))
			return (long)i;
	return -1;
}

static int dump_value(double *ir_op, double *cest_op, const pg_callgrind_dump *d,
		      unsigned long long n, int cache_sim, const char *label)
{
	static const char *const l1[] = { "I1mr", "D1mr", "D1mw" };
	static const char *const ll[] = { "ILmr", "DLmr", "DLmw" };
	unsigned long long ir, v;
	double cest;
	size_t i;

	if (pg_callgrind_cost(&ir, d, "Ir") < 0)
		return pg_error_set(PG_EINFRA, "%s: the callgrind dump '%s' has no Ir event",
				    label, d->trigger);
	*ir_op = (double)ir / (double)n;
	if (!cache_sim)
		return 0;
	cest = (double)ir;
	for (i = 0; i < 3; i++) {
		if (pg_callgrind_cost(&v, d, l1[i]) < 0)
			goto missing;
		cest += 10.0 * (double)v;
		if (pg_callgrind_cost(&v, d, ll[i]) < 0)
			goto missing;
		cest += 100.0 * (double)v;
	}
	*cest_op = cest / (double)n;
	return 0;

missing:
	return pg_error_set(PG_EINFRA, "%s: the callgrind dump '%s' has no cache events "
			    "(was the cache simulation on?)", label, d->trigger);
}

int pg_callgrind_rewrite(pg_buf *out, const pg_results *run,
			 const pg_callgrind_dumps *dumps, int cache_sim,
			 const char *label)
{
	pg_buf text = PG_BUF_INIT;
	unsigned char *used = NULL;
	const char *p, *end, *why;
	size_t i, nharness = 0, nl;
	unsigned long long dn;
	const char *dname;
	int err = 0;

	for (i = 0; i < dumps->n; i++)
		nharness += (size_t)pg_callgrind_dump_bench(&dname, &nl, &dn, &dumps->v[i]);
	if (!nharness) {
		why = pg_results_config(run, "callgrind");
		if (why && strcmp(why, "collecting in the timed regions, one dump per reported run"))
			return pg_error_set(PG_EINFRA, "%s: --measure callgrind needs a suite built "
					    "with perfgate's harness, able to talk to callgrind; "
					    "its harness says: callgrind: %s", label, why);
		return pg_error_set(PG_EINFRA, "%s: --measure callgrind needs a suite built with "
				    "perfgate's harness: no callgrind dumps named after "
				    "benchmarks", label);
	}
	if (!(used = calloc(dumps->n, 1)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	if ((err = pg_results_format_benchfmt(&text, run)) < 0)
		goto cleanup;
	p = text.ptr;
	end = text.ptr + text.len;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p)), *pos, *f;
		const char *name = p, *iters = NULL;
		size_t flen, name_len = 0, iters_len = 0;
		unsigned long long n = 0;
		double ir_op = 0, cest_op = 0;
		long k;

		if (!eol)
			eol = end;
		if ((size_t)(eol - p) < 9 || memcmp(p, "Benchmark", 9)) {
			pg_buf_add(out, p, (size_t)(eol - p));
			pg_buf_addch(out, '\n');
			p = eol + (eol < end);
			continue;
		}
		pos = p;
		next_field(&name, &name_len, &pos, eol);
		name += 9;
		name_len -= 9;
		if (!next_field(&iters, &iters_len, &pos, eol)) {
			err = pg_error_set(PG_EINFRA, "%s: no iteration count on the line of "
					   "'%.*s'", label, (int)name_len, name);
			goto cleanup;
		}
		for (i = 0; i < iters_len; i++)
			n = n * 10 + (unsigned long long)(iters[i] - '0');
		k = find_dump(dumps, used, name, name_len);
		if (k < 0) {
			err = pg_error_set(PG_EINFRA, "%s: no callgrind dump for a result line of "
					   "'%.*s' (the harness dumps one per reported run)",
					   label, (int)name_len, name);
			goto cleanup;
		}
		used[k] = 1;
		pg_callgrind_dump_bench(&dname, &nl, &dn, &dumps->v[k]);
		if (dn != n) {
			err = pg_error_set(PG_EINFRA, "%s: the callgrind dump of '%.*s' counts %llu "
					   "iterations, its result line %llu", label,
					   (int)name_len, name, dn, n);
			goto cleanup;
		}
		if ((err = dump_value(&ir_op, &cest_op, &dumps->v[k], n, cache_sim, label)) < 0)
			goto cleanup;
		pg_buf_add(out, p, (size_t)(iters + iters_len - p));
		/* value/unit pairs: the time units and ours dropped */
		while (next_field(&f, &flen, &pos, eol)) {
			const char *u;
			size_t ulen;
			char unit[256];

			if (!next_field(&u, &ulen, &pos, eol))
				break; /* the formatter writes pairs */
			snprintf(unit, sizeof(unit), "%.*s", (int)ulen, u);
			if (pg_callgrind_time_unit(unit) || !strcmp(unit, "instructions/op") ||
			    !strcmp(unit, "est-cycles/op"))
				continue;
			pg_buf_addch(out, ' ');
			pg_buf_add(out, f, flen);
			pg_buf_addch(out, ' ');
			pg_buf_add(out, u, ulen);
		}
		pg_buf_addch(out, ' ');
		add_double(out, ir_op);
		pg_buf_adds(out, " instructions/op");
		if (cache_sim) {
			pg_buf_addch(out, ' ');
			add_double(out, cest_op);
			pg_buf_adds(out, " est-cycles/op");
		}
		pg_buf_addch(out, '\n');
		p = eol + (eol < end);
	}
	for (i = 0; i < dumps->n; i++) {
		if (!used[i] && pg_callgrind_dump_bench(&dname, &nl, &dn, &dumps->v[i])) {
			err = pg_error_set(PG_EINFRA, "%s: the callgrind dump 'Benchmark%.*s N=%llu' "
					   "has no result line", label, (int)nl, dname, dn);
			goto cleanup;
		}
	}
	if (pg_buf_failed(out))
		err = PG_ENOMEM;

cleanup:
	free(used);
	pg_buf_release(&text);
	return err;
}

/* ------------------------------------------------------------ the process */

typedef struct env_var {
	char *name;  /* "NAME" */
	const char *value;
} env_var;

static int env_set(env_var **vars, size_t *n, const char *name, size_t name_len,
		   const char *value)
{
	env_var *grown;
	size_t i;

	for (i = 0; i < *n; i++) {
		if (strlen((*vars)[i].name) == name_len &&
		    !memcmp((*vars)[i].name, name, name_len)) {
			(*vars)[i].value = value;
			return 0;
		}
	}
	if (!(grown = realloc(*vars, (*n + 1) * sizeof(**vars))))
		return pg_error_set(PG_ENOMEM, "out of memory");
	*vars = grown;
	if (!(grown[*n].name = dup_n(name, name_len)))
		return pg_error_set(PG_ENOMEM, "out of memory");
	grown[*n].value = value;
	(*n)++;
	return 0;
}

static int cmp_env(const void *a, const void *b)
{
	return strcmp(((const env_var *)a)->name, ((const env_var *)b)->name);
}

int pg_callgrind_env(char ***out, char *const *environ_, char *const *keep,
		     size_t nkeep)
{
	env_var *vars = NULL;
	char **env = NULL;
	size_t n = 0, i, k;
	int err = 0;

	*out = NULL;
	for (k = 0; k < nkeep; k++)
		if (!*keep[k] || strchr(keep[k], '='))
			return pg_error_set(PG_EINPUT, "invalid environment variable name '%s' "
					    "to keep", keep[k]);
	if ((err = env_set(&vars, &n, "PATH", 4, "/usr/bin:/bin")) < 0 ||
	    (err = env_set(&vars, &n, "LC_ALL", 6, "C")) < 0 ||
	    (err = env_set(&vars, &n, "HOME", 4, "/nonexistent")) < 0)
		goto cleanup;
	for (i = 0; environ_ && environ_[i]; i++) {
		const char *e = environ_[i], *eq = strchr(e, '=');
		size_t len;
		int want;

		if (!eq || eq == e)
			continue;
		len = (size_t)(eq - e);
		want = len > 3 && !memcmp(e, "PG_", 3);
		for (k = 0; !want && k < nkeep; k++)
			want = strlen(keep[k]) == len && !memcmp(keep[k], e, len);
		if (want && (err = env_set(&vars, &n, e, len, eq + 1)) < 0)
			goto cleanup;
	}
	if ((err = env_set(&vars, &n, "PG_BENCH_CALLGRIND", 18, "1")) < 0)
		goto cleanup;
	qsort(vars, n, sizeof(*vars), cmp_env);
	if (!(env = calloc(n + 1, sizeof(*env)))) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < n; i++) {
		pg_buf b = PG_BUF_INIT;

		pg_buf_addf(&b, "%s=%s", vars[i].name, vars[i].value);
		if (pg_buf_failed(&b)) {
			pg_buf_release(&b);
			err = PG_ENOMEM;
			goto cleanup;
		}
		env[i] = pg_buf_detach(&b, NULL);
	}
	*out = env;
	env = NULL;

cleanup:
	for (i = 0; i < n; i++)
		free(vars[i].name);
	free(vars);
	pg_free_strv(env);
	return err;
}

/* `name` in the caller's PATH (executable), appended to `out`. 0 or
 * PG_ENOTFOUND (no message). */
static int search_path(pg_buf *out, const char *name)
{
	const char *path = getenv("PATH"), *p, *colon;
	pg_buf cand = PG_BUF_INIT;
	int err = PG_ENOTFOUND;

	if (!path || !*path)
		path = "/usr/bin:/bin";
	for (p = path; ; p = colon + 1) {
		size_t len;

		colon = strchr(p, ':');
		len = colon ? (size_t)(colon - p) : strlen(p);
		pg_buf_reset(&cand);
		if (len)
			pg_buf_add(&cand, p, len);
		else
			pg_buf_addch(&cand, '.');
		pg_buf_addf(&cand, "/%s", name);
		if (pg_buf_failed(&cand)) {
			err = PG_ENOMEM;
			break;
		}
		if (access(cand.ptr, X_OK) == 0) {
			err = pg_buf_add(out, cand.ptr, cand.len);
			break;
		}
		if (!colon)
			break;
	}
	pg_buf_release(&cand);
	return err;
}

int pg_callgrind_resolve(pg_buf *out, const char *cmd)
{
	pg_buf found = PG_BUF_INIT;
	char *real = NULL;
	int err = 0;

	if (!strchr(cmd, '/')) {
		err = search_path(&found, cmd);
		if (err == PG_ENOTFOUND)
			err = pg_error_set(PG_EINFRA, "cannot run '%s': No such file or directory "
					   "(not in PATH)", cmd);
		if (err < 0)
			goto cleanup;
		cmd = found.ptr;
	}
	if (!(real = realpath(cmd, NULL))) {
		err = pg_error_set_errno(PG_EINFRA, "cannot run '%s'", cmd);
		goto cleanup;
	}
	if (access(real, X_OK) != 0) {
		err = pg_error_set_errno(PG_EINFRA, "cannot run '%s'", cmd);
		goto cleanup;
	}
	err = pg_buf_adds(out, real);

cleanup:
	free(real);
	pg_buf_release(&found);
	return err;
}

int pg_callgrind_find(pg_buf *path, pg_buf *version, const char *valgrind)
{
	char *argv[3] = { NULL, "--version", NULL };
	pg_buf where = PG_BUF_INIT, why = PG_BUF_INIT;
	pg_run_opts ro;
	pg_run_result rr;
	const char *v;
	int err;

	pg_run_result_init(&rr);
	if (!valgrind)
		valgrind = "valgrind";
	if (strchr(valgrind, '/'))
		err = pg_buf_adds(&where, valgrind);
	else
		err = search_path(&where, valgrind);
	if (err == PG_ENOTFOUND || (err == 0 && access(where.ptr, X_OK) != 0)) {
		err = pg_error_set(PG_EINFRA, "valgrind is not installed (--measure callgrind "
				   "runs the suite under valgrind's callgrind): on Debian, "
				   "sudo apt-get install valgrind");
		goto cleanup;
	}
	if (err < 0)
		goto cleanup;
	memset(&ro, 0, sizeof(ro));
	argv[0] = where.ptr;
	ro.argv = argv;
	ro.timeout = 60;
	if ((err = pg_run_process(&rr, &ro)) < 0)
		goto cleanup;
	if (!pg_run_succeeded(&rr)) {
		pg_run_describe(&why, &rr, ro.timeout);
		err = pg_error_set(PG_EINFRA, "'%s --version' %s: is valgrind installed "
				   "correctly? (Debian package valgrind)", where.ptr, why.ptr);
		goto cleanup;
	}
	pg_buf_rtrim(&rr.out);
	v = rr.out.ptr;
	if (!strncmp(v, "valgrind-", 9))
		v += 9;
	if ((err = pg_buf_adds(path, where.ptr)) < 0 ||
	    (err = pg_buf_adds(version, *v ? v : "unknown version")) < 0)
		goto cleanup;

cleanup:
	pg_run_result_release(&rr);
	pg_buf_release(&where);
	pg_buf_release(&why);
	return err;
}

int pg_callgrind_argv(char ***out, const char *valgrind_path,
		      const char *out_pattern, const char *suite_path,
		      char *const *suite_argv, const pg_callgrind_opts *opts)
{
	unsigned long long iters = opts->iterations ? opts->iterations
						    : PG_CALLGRIND_DEFAULT_ITERATIONS;
	char **v = NULL;
	size_t n = 0, i;
	int err = 0;

	if ((err = pg_strv_pushf(&v, &n, "%s", valgrind_path)) < 0 ||
	    (err = pg_strv_pushf(&v, &n, "--tool=callgrind")) < 0 ||
	    (err = pg_strv_pushf(&v, &n, "-q")) < 0 ||
	    (err = pg_strv_pushf(&v, &n, "--collect-atstart=no")) < 0 ||
	    (err = pg_strv_pushf(&v, &n, "--callgrind-out-file=%s", out_pattern)) < 0)
		goto fail;
	if (opts->cache_sim &&
	    ((err = pg_strv_pushf(&v, &n, "--cache-sim=yes")) < 0 ||
	     (err = pg_strv_pushf(&v, &n, "%s", CACHE_I1)) < 0 ||
	     (err = pg_strv_pushf(&v, &n, "%s", CACHE_D1)) < 0 ||
	     (err = pg_strv_pushf(&v, &n, "%s", CACHE_LL)) < 0))
		goto fail;
	if ((err = pg_strv_pushf(&v, &n, "--")) < 0 ||
	    (err = pg_strv_pushf(&v, &n, "%s", suite_path)) < 0)
		goto fail;
	for (i = 1; suite_argv[0] && suite_argv[i]; i++)
		if ((err = pg_strv_pushf(&v, &n, "%s", suite_argv[i])) < 0)
			goto fail;
	if ((err = pg_strv_pushf(&v, &n, "-benchtime")) < 0 ||
	    (err = pg_strv_pushf(&v, &n, "%llux", iters)) < 0)
		goto fail;
	*out = v;
	return 0;

fail:
	pg_free_strv(v);
	return err;
}

int pg_callgrind_describe(pg_buf *out, const char *version, const pg_callgrind_opts *opts)
{
	unsigned long long iters = opts->iterations ? opts->iterations
						    : PG_CALLGRIND_DEFAULT_ITERATIONS;

	pg_buf_addf(out, "callgrind (valgrind %s), N=%llu iterations%s, env pinned, cwd %s, "
		    "time metrics dropped", version, iters,
		    opts->cache_sim ? ", cache-sim" : "", PG_CALLGRIND_CWD);
	return pg_buf_failed(out) ? PG_ENOMEM : 0;
}
