/*
 * pg_bench_main(): the command line of a suite and everything the harness
 * prints. The measuring itself is in bench.c, which reports to the
 * printer below.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct printer {
	FILE *out;
	FILE *err;
	int width;
	const char *alloc_why;   /* why allocations are not counted */
	int alloc_note_printed;  /* the "benchmem: unavailable" line is out */
	int counter_note_printed; /* the "instructions: unavailable" line is out */
	size_t results;
	size_t failures;
	pg_bench_sb line;

	/* -cpuprofile */
	const char *profile_dir;
	const char *trimpath;
	pg_bench_symbolizer *symbolizer;
	pg_bench_profile_meta meta;
	char **files;            /* the profile files written */
	size_t nfiles;
	int profile_failed;      /* a profile could not be written */
} printer;

static void print_result(void *ctx, const pg_bench_result *r)
{
	printer *p = ctx;

	if (r->mem && !r->mem_available && !p->alloc_note_printed) {
		/* pg_bench_report_allocs() without -benchmem: say once why
		 * there are no B/op figures */
		fprintf(p->out, "benchmem: %s\n", p->alloc_why);
		p->alloc_note_printed = 1;
	}
	if (r->instructions_failed && !p->counter_note_printed) {
		/* the counter opened but failed later: say once, before the
		 * first result without the figure */
		fprintf(p->out, "instructions: unavailable (the counter could not be read "
			"in %s)\n", r->name);
		p->counter_note_printed = 1;
	}
	pg_bench_sb_reset(&p->line);
	pg_bench_format_result(&p->line, r, p->width);
	pg_bench_sb_add(&p->line, "\n", 1);
	if (p->line.failed)
		fprintf(p->out, "--- FAIL: %s\n    out of memory formatting the result\n",
			r->name);
	else
		fputs(pg_bench_sb_str(&p->line), p->out);
	fflush(p->out);
	p->results++;
}

static void print_failed(void *ctx, const char *name, const char *message)
{
	printer *p = ctx;
	const char *s = message;

	fprintf(p->out, "--- FAIL: %s\n", name);
	while (*s) {
		const char *nl = strchr(s, '\n');
		int len = nl ? (int)(nl - s) : (int)strlen(s);

		fprintf(p->out, "    %.*s\n", len, s);
		s = nl ? nl + 1 : s + len;
	}
	fflush(p->out);
	p->failures++;
}

/* Has this run written `file` already? */
static int file_used(const printer *p, const char *file)
{
	size_t i;

	for (i = 0; i < p->nfiles; i++)
		if (!strcmp(p->files[i], file))
			return 1;
	return 0;
}

/* The profile's file name, unique in this run: names that map to the
 * same file get "_2", "_3", ... before ".pb.gz". The printer keeps it (in
 * p->files); NULL when out of memory. */
static const char *profile_file(printer *p, const char *name)
{
	pg_bench_sb base = PG_BENCH_SB_INIT, file = PG_BENCH_SB_INIT;
	char **grown = NULL;
	unsigned k = 1;

	pg_bench_profile_file_name(&base, name);
	if (!base.failed)
		pg_bench_sb_add(&file, base.ptr, base.len);
	while (!base.failed && !file.failed && file_used(p, pg_bench_sb_str(&file))) {
		pg_bench_sb_reset(&file);
		pg_bench_sb_add(&file, base.ptr, base.len - strlen(".pb.gz"));
		pg_bench_sb_addf(&file, "_%u.pb.gz", ++k);
	}
	if (!base.failed && !file.failed)
		grown = realloc(p->files, (p->nfiles + 1) * sizeof(*grown));
	pg_bench_sb_release(&base);
	if (!grown) {
		pg_bench_sb_release(&file);
		return NULL;
	}
	p->files = grown;
	p->files[p->nfiles++] = file.ptr; /* taken over */
	return file.ptr;
}

static void write_profile(void *ctx, const char *name, const pg_bench_profile *prof)
{
	printer *p = ctx;
	pg_bench_profile_info info;
	const char *file = profile_file(p, name);
	char msg[1024];

	if (!file) {
		fprintf(p->err, "%s: cannot write the CPU profile of '%s': out of memory\n",
			PG_BENCH_PROG, name);
		p->profile_failed = 1;
		return;
	}
	info.bench_name = name;
	info.meta = &p->meta;
	info.trimpath = p->trimpath;
	info.symbolizer = p->symbolizer;
	if (pg_bench_profile_write(p->profile_dir, file, prof, &info, msg, sizeof(msg))) {
		fprintf(p->err, "%s: cannot write the CPU profile of '%s': %s\n",
			PG_BENCH_PROG, name, msg);
		p->profile_failed = 1;
	}
}

/* The sample buffer: room for the samples of one call of a benchmark
 * function (about -benchtime, up to 1.2 times more, at 24 words a sample),
 * twice over; 512 KiB to 32 MiB. */
static size_t profile_buffer_words(const pg_bench_opts *o)
{
	double secs = o->benchtime_n ? 30.0 : (double)o->benchtime_ns / 1e9 * 1.2 + 1.0;
	double words = secs * (double)o->cpuprofile_rate * 24.0 * 2.0;

	if (words < (double)(1u << 16))
		return 1u << 16;
	if (words > (double)(1u << 22))
		return 1u << 22;
	return (size_t)words;
}

/* -cpuprofile: the directory, the profiler, the symbolizer. 0, or the
 * exit status after a message on `err`. */
static int start_profiling(printer *p, const pg_bench_opts *o, FILE *err)
{
	const char *source = getenv("PG_BENCH_PROFILE_SOURCE");
	char msg[1024];

	if (source && *source && strcmp(source, "perf") && strcmp(source, "timer") &&
	    strcmp(source, "itimer")) {
		fprintf(err, "%s: invalid PG_BENCH_PROFILE_SOURCE '%s': expected perf, "
			"timer or itimer\n", PG_BENCH_PROG, source);
		return 2;
	}
	if (pg_bench_mkdir_p(o->cpuprofile, msg, sizeof(msg))) {
		fprintf(err, "%s: -cpuprofile: %s\n", PG_BENCH_PROG, msg);
		return 3;
	}
	p->symbolizer = pg_bench_symbolizer_new();
	if (!p->symbolizer) {
		fprintf(err, "%s: -cpuprofile: out of memory\n", PG_BENCH_PROG);
		return 3;
	}
	if (pg_bench_profiler_open(source, o->cpuprofile_rate, profile_buffer_words(o),
				   msg, sizeof(msg))) {
		fprintf(err, "%s: -cpuprofile: %s\n", PG_BENCH_PROG, msg);
		return 3;
	}
	pg_bench_profiler_meta(&p->meta);
	p->profile_dir = o->cpuprofile;
	p->trimpath = o->trimpath;
	return 0;
}

static void stop_profiling(printer *p)
{
	size_t i;

	pg_bench_profiler_close();
	pg_bench_symbolizer_free(p->symbolizer);
	p->symbolizer = NULL;
	for (i = 0; i < p->nfiles; i++)
		free(p->files[i]);
	free(p->files);
	p->files = NULL;
	p->nfiles = 0;
}

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-bench regexp] [-benchtime d|Nx] [-count n] [-benchmem]\n"
		"       [-instructions=false] [-list regexp]\n"
		"       [-cpuprofile dir [-cpuprofilerate hz] [-trimpath prefix]]\n"
		"  -bench regexp     run the benchmarks matching regexp (default \".\": all);\n"
		"                    '/' separates the levels of sub-benchmarks: 'Sort/n=100$'\n"
		"  -benchtime d|Nx   run each benchmark for at least d (default 1s, or\n"
		"                    $PERFGATE_BENCHTIME; 500ms, 2s) or exactly N iterations (100x)\n"
		"  -count n          run each benchmark n times (default 1)\n"
		"  -benchmem         report B/op and allocs/op\n"
		"  -instructions=false  do not report instructions/op\n"
		"  -list regexp      list the matching benchmarks and exit\n"
		"  -cpuprofile dir   write a CPU profile (pprof, gzipped) of each benchmark's\n"
		"                    timed regions to dir/<name>.pb.gz\n"
		"  -cpuprofilerate hz  sampling rate of -cpuprofile (default 100)\n"
		"  -trimpath prefix  remove prefix from the file names in the profiles\n"
		"Flags may be spelt --flag, -flag=value or -test.flag (as go test binaries).\n",
		prog);
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static int list_benchmarks(FILE *out, FILE *err, const char *pattern)
{
	pg_bench_filter f = PG_BENCH_FILTER_INIT;
	const pg_bench_entry *e;
	char msg[1024];
	size_t n, i;

	if (pg_bench_filter_compile(&f, pattern, 0, msg, sizeof(msg))) {
		fprintf(err, "%s: -list: %s\n", PG_BENCH_PROG, msg);
		return 2;
	}
	n = pg_bench_registry(&e);
	for (i = 0; i < n; i++)
		if (pg_bench_filter_match(&f, e[i].name, NULL))
			fprintf(out, "Benchmark%s\n", e[i].name);
	pg_bench_filter_release(&f);
	return 0;
}

static int finish_output(FILE *out, FILE *err, int rc)
{
	if (fflush(out) == EOF || ferror(out)) {
		fprintf(err, "%s: write failure on standard output\n", PG_BENCH_PROG);
		return 3;
	}
	return rc;
}

int pg_bench_main_io(int argc, char **argv, FILE *out, FILE *err)
{
	const char *prog = argc > 0 && argv[0] && *argv[0] ? base_name(argv[0])
							   : PG_BENCH_PROG;
	const pg_bench_counter_ops *counter = pg_bench_counter();
	pg_bench_filter filter = PG_BENCH_FILTER_INIT;
	pg_bench_sb notes = PG_BENCH_SB_INIT, config = PG_BENCH_SB_INIT;
	pg_bench_reporter reporter;
	pg_bench_run_config cfg;
	pg_bench_opts o;
	printer p;
	char msg[1024], alloc_why[256], counter_why[512], foreign[256], cg_why[256];
	int alloc_ok, counter_ok = 0, callgrind, rc;

	pg_bench_opts_init(&o);
	if (pg_bench_opts_env(&o, getenv(PG_BENCH_BENCHTIME_ENV), msg, sizeof(msg))) {
		fprintf(err, "%s: %s\n", PG_BENCH_PROG, msg);
		return 2;
	}
	if (pg_bench_parse_flags(&o, argc, argv, msg, sizeof(msg))) {
		fprintf(err, "%s: %s\n", PG_BENCH_PROG, msg);
		usage(err, prog);
		return 2;
	}
	if (o.help) {
		usage(out, prog);
		return finish_output(out, err, 0);
	}
	if (pg_bench_registry_check(msg, sizeof(msg))) {
		fprintf(err, "%s: %s\n", PG_BENCH_PROG, msg);
		return 2;
	}
	if (o.list)
		return finish_output(out, err, list_benchmarks(out, err, o.list));
	if (pg_bench_filter_compile(&filter, o.bench, 1, msg, sizeof(msg))) {
		fprintf(err, "%s: -bench: %s\n", PG_BENCH_PROG, msg);
		return 2;
	}

	alloc_ok = pg_bench_alloc_probe(alloc_why, sizeof(alloc_why));
	if (o.benchmem && !alloc_ok)
		pg_bench_sb_addf(&notes, "benchmem: %s\n", alloc_why);
	if (pg_bench_alloc_foreign(foreign, sizeof(foreign)))
		pg_bench_sb_addf(&notes, "allocator: glibc malloc (the harness's malloc "
				 "replaces the one of %s)\n", foreign);
	/* under callgrind the runner counts the instructions (the perf
	 * counter would count valgrind's own) */
	callgrind = pg_bench_callgrind_probe(cg_why, sizeof(cg_why));
	if (callgrind)
		pg_bench_sb_addf(&notes, "callgrind: collecting in the timed regions, "
				 "one dump per reported run\n");
	else if (*cg_why)
		pg_bench_sb_addf(&notes, "callgrind: %s\n", cg_why);
	if (o.instructions && !callgrind) {
		counter_ok = counter->open(counter_why, sizeof(counter_why)) == 0;
		if (!counter_ok)
			pg_bench_sb_addf(&notes, "instructions: unavailable (%s)\n",
					 counter_why);
	}
	memset(&p, 0, sizeof(p));
	if (o.cpuprofile) {
		rc = start_profiling(&p, &o, err);
		if (rc) {
			stop_profiling(&p);
			if (counter_ok)
				counter->close();
			pg_bench_filter_release(&filter);
			pg_bench_sb_release(&notes);
			return rc;
		}
	}
	pg_bench_config_block(&config, argc > 0 ? argv[0] : NULL,
			      pg_bench_sb_str(&notes));
	fputs(pg_bench_sb_str(&config), out);
	fflush(out);
	pg_bench_sb_release(&config);
	pg_bench_sb_release(&notes);

	p.out = out;
	p.err = err;
	p.width = pg_bench_name_width(&filter);
	p.alloc_why = alloc_why;
	p.alloc_note_printed = o.benchmem;
	reporter.ctx = &p;
	reporter.result = print_result;
	reporter.failed = print_failed;
	reporter.profile = o.cpuprofile ? write_profile : NULL;
	cfg.opts = &o;
	cfg.filter = &filter;
	cfg.alloc_available = alloc_ok;
	cfg.counter_available = counter_ok;
	cfg.callgrind = callgrind;
	cfg.reporter = &reporter;
	rc = pg_bench_run_all(&cfg);

	if (counter_ok)
		counter->close();
	stop_profiling(&p);
	pg_bench_filter_release(&filter);
	pg_bench_sb_release(&p.line);
	if (!p.results && !p.failures)
		fprintf(err, "%s: warning: no benchmarks match -bench '%s'\n",
			PG_BENCH_PROG, o.bench);
	fputs(rc ? "FAIL\n" : "PASS\n", out);
	rc = finish_output(out, err, rc ? 1 : 0);
	/* a profile that could not be written is an infrastructure failure,
	 * like unwritable output */
	return p.profile_failed ? 3 : rc;
}

int pg_bench_main(int argc, char **argv)
{
	return pg_bench_main_io(argc, argv, stdout, stderr);
}
