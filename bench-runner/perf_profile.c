#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "bench-runner/perf_profile.h"
#include "common/error.h"
#include "common/file.h"
#include "common/map.h"
#include "profile.pb-c.h"
#include "common/banned.h"

/* ------------------------------------------------------------ gzip */

static int gzip_buf(pg_buf *out, const uint8_t *data, size_t len)
{
	z_stream z;
	int rc, err = 0;

	memset(&z, 0, sizeof(z));
	if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return pg_error_set(PG_ENOMEM, "cannot start gzip compression");
	z.next_in = (Bytef *)data;
	z.avail_in = (uInt)len;
	do {
		if ((err = pg_buf_grow(out, 65536)) < 0)
			break;
		z.next_out = (Bytef *)out->ptr + out->len;
		z.avail_out = 65536;
		rc = deflate(&z, Z_FINISH);
		out->len += 65536 - z.avail_out;
		out->ptr[out->len] = '\0';
		if (rc == Z_STREAM_ERROR) {
			err = pg_error_set(PG_ENOMEM, "gzip compression failed");
			break;
		}
	} while (rc != Z_STREAM_END);
	deflateEnd(&z);
	return err;
}

/* ------------------------------------------------------------ the profile */

struct builder {
	pg_map strings;          /* string -> index */
	char **strtab;
	size_t nstr, astr;
	size_t *func_of_string;  /* string index -> function id (0: none) */
	size_t afunc_of_string;
	Perftools__Profiles__Function *funcs;
	Perftools__Profiles__Location *locs;
	Perftools__Profiles__Line *lines;
	Perftools__Profiles__Line **line_ptrs;
	size_t nfunc, afunc;
	Perftools__Profiles__Sample *samples;
	size_t nsample, asample;
	uint64_t *loc_ids;       /* all samples' stacks, back to back */
	size_t nloc_ids, aloc_ids;
	int64_t *values;         /* 2 per sample */
};

static int grow(void **p, size_t *alloc, size_t want, size_t elem)
{
	size_t n = *alloc ? *alloc : 16;
	void *q;

	if (want <= *alloc)
		return 0;
	while (n < want)
		n *= 2;
	q = realloc(*p, n * elem);
	if (!q)
		return pg_error_set(PG_ENOMEM, "out of memory");
	*p = q;
	*alloc = n;
	return 0;
}

static int intern(size_t *out, struct builder *b, const char *s, size_t len)
{
	size_t idx;
	int added, err;

	if ((err = pg_map_upsert(&idx, &added, &b->strings, s, len, b->nstr)) < 0)
		return err;
	if (added) {
		char *copy;

		if ((err = grow((void **)&b->strtab, &b->astr, b->nstr + 1, sizeof(char *))) < 0)
			return err;
		copy = malloc(len + 1);
		if (!copy)
			return pg_error_set(PG_ENOMEM, "out of memory");
		memcpy(copy, s, len);
		copy[len] = '\0';
		b->strtab[b->nstr++] = copy;
	}
	*out = idx;
	return 0;
}

/* The location id of function `name` (one location per function). */
static int function_location(uint64_t *out, struct builder *b, const char *name,
			     size_t len)
{
	size_t s, old;
	int err;

	if ((err = intern(&s, b, name, len)) < 0)
		return err;
	old = b->afunc_of_string;
	if ((err = grow((void **)&b->func_of_string, &b->afunc_of_string, s + 1,
			sizeof(size_t))) < 0)
		return err;
	if (b->afunc_of_string > old)
		memset(b->func_of_string + old, 0, (b->afunc_of_string - old) * sizeof(size_t));
	if (!b->func_of_string[s]) {
		if ((err = grow((void **)&b->funcs, &b->afunc, b->nfunc + 1, sizeof(*b->funcs))) < 0)
			return err;
		b->nfunc++;
		b->func_of_string[s] = b->nfunc;
		perftools__profiles__function__init(&b->funcs[b->nfunc - 1]);
		b->funcs[b->nfunc - 1].id = b->nfunc;
		b->funcs[b->nfunc - 1].name = (int64_t)s;
		b->funcs[b->nfunc - 1].system_name = (int64_t)s;
	}
	*out = b->func_of_string[s];
	return 0;
}

static void builder_release(struct builder *b)
{
	size_t i;

	for (i = 0; i < b->nstr; i++)
		free(b->strtab[i]);
	free(b->strtab);
	free(b->func_of_string);
	free(b->funcs);
	free(b->locs);
	free(b->lines);
	free(b->line_ptrs);
	free(b->samples);
	free(b->loc_ids);
	free(b->values);
	pg_map_release(&b->strings);
}

/* One frame line: "  55d1c342a func (/path/bin)". Sets the function name
 * (perf's symbol, or "[module]" when unknown) in `name`. */
static void frame_name(pg_buf *name, const char *s, const char *e)
{
	const char *sym, *open = NULL, *p;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (s < e && !isspace((unsigned char)*s))
		s++; /* the address */
	while (s < e && isspace((unsigned char)*s))
		s++;
	sym = s;
	for (p = s; p < e; p++)
		if (*p == '(')
			open = p;
	pg_buf_reset(name);
	if (open && open > sym && e[-1] == ')') {
		const char *end = open;

		while (end > sym && isspace((unsigned char)end[-1]))
			end--;
		if ((size_t)(end - sym) == 9 && !strncmp(sym, "[unknown]", 9)) {
			const char *dso = open + 1, *slash;

			for (slash = dso, p = dso; p < e - 1; p++)
				if (*p == '/')
					slash = p + 1;
			int bracketed = *slash == '[';

			if (!bracketed)
				pg_buf_addch(name, '[');
			pg_buf_add(name, slash, (size_t)(e - 1 - slash));
			if (!bracketed)
				pg_buf_addch(name, ']');
		} else {
			pg_buf_add(name, sym, (size_t)(end - sym));
		}
	} else {
		pg_buf_add(name, sym, (size_t)(e - sym));
	}
	if (!name->len)
		pg_buf_adds(name, "[unknown]");
}

/* The period of a header line "comm tid period event:" (0 when absent). */
static long long header_period(const char *s, const char *e)
{
	const char *tok[16];
	size_t toklen[16], n = 0, i;

	while (s < e && n < 16) {
		while (s < e && isspace((unsigned char)*s))
			s++;
		if (s >= e)
			break;
		tok[n] = s;
		while (s < e && !isspace((unsigned char)*s))
			s++;
		toklen[n] = (size_t)(s - tok[n]);
		n++;
	}
	for (i = n; i-- > 1;) {
		if (tok[i][toklen[i] - 1] == ':') {
			char num[32];

			if (toklen[i - 1] >= sizeof(num))
				return 0;
			memcpy(num, tok[i - 1], toklen[i - 1]);
			num[toklen[i - 1]] = '\0';
			return strtoll(num, NULL, 10);
		}
	}
	return 0;
}

static int add_sample(struct builder *b, size_t first_loc, long long period)
{
	int err;

	if (b->nloc_ids == first_loc)
		return 0; /* a sample without frames */
	if ((err = grow((void **)&b->samples, &b->asample, b->nsample + 1,
			sizeof(*b->samples))) < 0)
		return err;
	perftools__profiles__sample__init(&b->samples[b->nsample]);
	/* stacks and values are pointed to once everything is read (the
	 * arrays may still move); keep offsets in the fields for now */
	b->samples[b->nsample].n_location_id = b->nloc_ids - first_loc;
	b->samples[b->nsample].location_id = (uint64_t *)(uintptr_t)first_loc;
	b->samples[b->nsample].n_value = 2;
	b->samples[b->nsample].value = (int64_t *)(intptr_t)period;
	b->nsample++;
	return 0;
}

int pg_perf_script_to_pprof(pg_buf *out, const char *script, size_t len, int hz)
{
	struct builder b;
	Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType types[2], period_type;
	Perftools__Profiles__Sample **sample_ptrs = NULL;
	Perftools__Profiles__Location **loc_ptrs = NULL;
	Perftools__Profiles__Function **func_ptrs = NULL;
	Perftools__Profiles__ValueType *type_ptrs[2];
	pg_buf name = PG_BUF_INIT, comment = PG_BUF_INIT;
	const char *p = script, *end = script + len;
	size_t i, first = 0, s_samples, s_count, s_cpu, s_ns, s_comment;
	long long period = 0, default_period = hz > 0 ? 1000000000LL / hz : 10000000LL;
	int64_t comment_idx;
	uint8_t *packed = NULL;
	int in_sample = 0, err = 0;

	memset(&b, 0, sizeof(b));
	pg_map_init(&b.strings);
	if ((err = intern(&i, &b, "", 0)) < 0)
		goto cleanup;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *le = eol ? eol : end;

		if (le == p || (le - p == 1 && *p == '\r')) {
			if (in_sample && (err = add_sample(&b, first, period)) < 0)
				goto cleanup;
			in_sample = 0;
		} else if (!isspace((unsigned char)*p)) {
			if (in_sample && (err = add_sample(&b, first, period)) < 0)
				goto cleanup;
			in_sample = 1;
			first = b.nloc_ids;
			period = header_period(p, le);
			if (period <= 0)
				period = default_period;
		} else if (in_sample) {
			uint64_t loc;

			frame_name(&name, p, le > p && le[-1] == '\r' ? le - 1 : le);
			if (pg_buf_failed(&name)) {
				err = PG_ENOMEM;
				goto cleanup;
			}
			if ((err = function_location(&loc, &b, name.ptr, name.len)) < 0 ||
			    (err = grow((void **)&b.loc_ids, &b.aloc_ids, b.nloc_ids + 1,
					sizeof(uint64_t))) < 0)
				goto cleanup;
			b.loc_ids[b.nloc_ids++] = loc;
		}
		p = eol ? eol + 1 : end;
	}
	if (in_sample && (err = add_sample(&b, first, period)) < 0)
		goto cleanup;
	if (!b.nsample) {
		err = pg_error_set(PG_EINPUT, "perf recorded no samples");
		goto cleanup;
	}

	/* sample types, comments */
	pg_buf_addf(&comment, "perf record -F %d -g -e cpu-clock: the whole run, no "
		    "benchmark labels; %zu samples", hz, b.nsample);
	if (pg_buf_failed(&comment) ||
	    (err = intern(&s_samples, &b, "samples", 7)) < 0 ||
	    (err = intern(&s_count, &b, "count", 5)) < 0 ||
	    (err = intern(&s_cpu, &b, "cpu", 3)) < 0 ||
	    (err = intern(&s_ns, &b, "nanoseconds", 11)) < 0 ||
	    (err = intern(&s_comment, &b, comment.ptr, comment.len)) < 0) {
		err = err < 0 ? err : PG_ENOMEM;
		goto cleanup;
	}
	perftools__profiles__value_type__init(&types[0]);
	perftools__profiles__value_type__init(&types[1]);
	perftools__profiles__value_type__init(&period_type);
	types[0].type = (int64_t)s_samples;
	types[0].unit = (int64_t)s_count;
	types[1].type = (int64_t)s_cpu;
	types[1].unit = (int64_t)s_ns;
	period_type = types[1];
	type_ptrs[0] = &types[0];
	type_ptrs[1] = &types[1];

	/* now that nothing moves: locations, lines, stacks, values */
	b.locs = calloc(b.nfunc, sizeof(*b.locs));
	b.lines = calloc(b.nfunc, sizeof(*b.lines));
	b.line_ptrs = calloc(b.nfunc, sizeof(*b.line_ptrs));
	b.values = calloc(2 * b.nsample, sizeof(*b.values));
	sample_ptrs = calloc(b.nsample, sizeof(*sample_ptrs));
	loc_ptrs = calloc(b.nfunc, sizeof(*loc_ptrs));
	func_ptrs = calloc(b.nfunc, sizeof(*func_ptrs));
	if (!b.locs || !b.lines || !b.line_ptrs || !b.values || !sample_ptrs || !loc_ptrs ||
	    !func_ptrs) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	for (i = 0; i < b.nfunc; i++) {
		perftools__profiles__location__init(&b.locs[i]);
		perftools__profiles__line__init(&b.lines[i]);
		b.lines[i].function_id = i + 1;
		b.line_ptrs[i] = &b.lines[i];
		b.locs[i].id = i + 1;
		b.locs[i].n_line = 1;
		b.locs[i].line = &b.line_ptrs[i];
		loc_ptrs[i] = &b.locs[i];
		func_ptrs[i] = &b.funcs[i];
	}
	for (i = 0; i < b.nsample; i++) {
		Perftools__Profiles__Sample *sm = &b.samples[i];
		size_t off = (size_t)(uintptr_t)sm->location_id;
		long long per = (long long)(intptr_t)sm->value;

		sm->location_id = b.loc_ids + off;
		b.values[2 * i] = 1;
		b.values[2 * i + 1] = per;
		sm->value = &b.values[2 * i];
		sample_ptrs[i] = sm;
	}
	comment_idx = (int64_t)s_comment;
	prof.n_sample_type = 2;
	prof.sample_type = type_ptrs;
	prof.n_sample = b.nsample;
	prof.sample = sample_ptrs;
	prof.n_location = b.nfunc;
	prof.location = loc_ptrs;
	prof.n_function = b.nfunc;
	prof.function = func_ptrs;
	prof.n_string_table = b.nstr;
	prof.string_table = b.strtab;
	prof.period_type = &period_type;
	prof.period = default_period;
	prof.n_comment = 1;
	prof.comment = &comment_idx;
	packed = malloc(perftools__profiles__profile__get_packed_size(&prof) + 1);
	if (!packed) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	err = gzip_buf(out, packed, perftools__profiles__profile__pack(&prof, packed));

cleanup:
	free(packed);
	free(sample_ptrs);
	free(loc_ptrs);
	free(func_ptrs);
	builder_release(&b);
	pg_buf_release(&name);
	pg_buf_release(&comment);
	return err;
}

/* ------------------------------------------------------------ running perf */

/* Run argv (stdout discarded into the result); PG_EINFRA when it fails. */
static int run_checked(pg_run_result *rr, char *const *argv, const pg_run_opts *like,
		       const char *what)
{
	pg_run_opts o = *like;
	pg_buf why = PG_BUF_INIT;
	int err;

	o.argv = argv;
	pg_run_result_init(rr);
	if ((err = pg_run_process(rr, &o)) < 0)
		return err;
	if (!pg_run_succeeded(rr)) {
		pg_run_describe(&why, rr, o.timeout);
		err = pg_error_set(PG_EINFRA, "%s %s", what, why.ptr);
		pg_buf_release(&why);
	}
	return err;
}

/* `len` bytes of a process's stderr on one line: every run of white space
 * (newlines too) one space, at most `max` bytes. */
static void one_line(pg_buf *out, const char *s, size_t len, size_t max)
{
	size_t i, start = out->len;
	int space = 0;

	for (i = 0; i < len && out->len - start < max; i++) {
		if (isspace((unsigned char)s[i])) {
			space = out->len > start;
			continue;
		}
		if (space)
			pg_buf_addch(out, ' ');
		space = 0;
		pg_buf_addch(out, s[i]);
	}
}

int pg_perf_check(void)
{
	char *argv[] = { "perf", "record", "-q", "-e", "cpu-clock", "-o", NULL,
			 "--", "true", NULL };
	pg_buf dir = PG_BUF_INIT, data = PG_BUF_INIT, why = PG_BUF_INIT, tail = PG_BUF_INIT;
	pg_run_opts o;
	pg_run_result rr;
	int err;

	pg_run_result_init(&rr);
	/* a regular file: perf record -o /dev/null crashes at random (SIGBUS
	 * in 15 of 100 runs on a test machine) */
	if ((err = pg_mkdtemp(&dir, "perfgate-perf")) < 0)
		goto cleanup;
	pg_buf_addf(&data, "%s/probe.data", dir.ptr);
	if (pg_buf_failed(&data)) {
		err = PG_ENOMEM;
		goto cleanup;
	}
	argv[6] = data.ptr;
	memset(&o, 0, sizeof(o));
	o.timeout = 30;
	if ((err = run_checked(&rr, argv, &o, "it")) == 0)
		goto cleanup;
	/* the message is rebuilt from the current one: copy it first */
	pg_buf_adds(&why, pg_error_last());
	one_line(&tail, rr.err.ptr, rr.err.len, 200);
	if (pg_buf_failed(&why) || pg_buf_failed(&tail))
		err = PG_ENOMEM;
	else if (strstr(why.ptr, "No such file"))
		err = pg_error_set(PG_EINFRA, "perf is not installed (Debian package "
				   "linux-perf): --profile-with perf needs it");
	else
		err = pg_error_set(PG_EINFRA, "perf record does not work here (%s%s%s); "
				   "check kernel.perf_event_paranoid (perfgate doctor)",
				   why.ptr, tail.len ? ": " : "", tail.ptr);

cleanup:
	if (data.len)
		unlink(data.ptr);
	if (dir.len)
		rmdir(dir.ptr);
	pg_run_result_release(&rr);
	pg_buf_release(&dir);
	pg_buf_release(&data);
	pg_buf_release(&why);
	pg_buf_release(&tail);
	return err;
}

int pg_perf_profile(const pg_run_opts *run, const char *out_path, int hz,
		    pg_buf *stderr_tail)
{
	pg_buf data = PG_BUF_INIT, rate = PG_BUF_INIT, pprof = PG_BUF_INIT;
	char **argv = NULL;
	char *script_argv[] = { "perf", "script", "-i", NULL, "-F",
				"comm,tid,period,ip,sym,dso,event", NULL };
	pg_run_result rr, sr;
	pg_run_opts so;
	size_t n = 0, i;
	int err;

	pg_run_result_init(&rr);
	pg_run_result_init(&sr);
	pg_buf_addf(&data, "%s.perf.data", out_path);
	pg_buf_addf(&rate, "%d", hz);
	while (run->argv[n])
		n++;
	argv = calloc(n + 12, sizeof(*argv));
	if (!argv || pg_buf_failed(&data) || pg_buf_failed(&rate)) {
		err = pg_error_set(PG_ENOMEM, "out of memory");
		goto cleanup;
	}
	i = 0;
	argv[i++] = "perf";
	argv[i++] = "record";
	argv[i++] = "-q";
	argv[i++] = "-g";
	argv[i++] = "-e";
	argv[i++] = "cpu-clock";
	argv[i++] = "-F";
	argv[i++] = rate.ptr;
	argv[i++] = "-o";
	argv[i++] = data.ptr;
	argv[i++] = "--";
	memcpy(argv + i, run->argv, n * sizeof(*argv));
	pg_run_result_release(&rr);
	if ((err = run_checked(&rr, argv, run, "the profiled run (perf record)")) < 0) {
		if (stderr_tail)
			pg_buf_add(stderr_tail, rr.err.ptr, rr.err.len);
		goto cleanup;
	}
	memset(&so, 0, sizeof(so));
	so.timeout = run->timeout;
	script_argv[3] = data.ptr;
	pg_run_result_release(&sr);
	if ((err = run_checked(&sr, script_argv, &so, "'perf script'")) < 0)
		goto cleanup;
	if ((err = pg_perf_script_to_pprof(&pprof, sr.out.ptr, sr.out.len, hz)) < 0 ||
	    (err = pg_file_write_atomic(out_path, pprof.ptr, pprof.len)) < 0)
		goto cleanup;

cleanup:
	if (data.len)
		unlink(data.ptr);
	free(argv);
	pg_run_result_release(&rr);
	pg_run_result_release(&sr);
	pg_buf_release(&data);
	pg_buf_release(&rate);
	pg_buf_release(&pprof);
	return err;
}
