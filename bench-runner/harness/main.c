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
	int width;
	const char *alloc_why;   /* why allocations are not counted */
	int alloc_note_printed;  /* the "benchmem: unavailable" line is out */
	size_t results;
	size_t failures;
	pg_bench_sb line;
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

static void usage(FILE *f, const char *prog)
{
	fprintf(f,
		"usage: %s [-bench regexp] [-benchtime d|Nx] [-count n] [-benchmem]\n"
		"       [-instructions=false] [-list regexp]\n"
		"  -bench regexp     run the benchmarks matching regexp (default \".\": all);\n"
		"                    '/' separates the levels of sub-benchmarks: 'Sort/n=100$'\n"
		"  -benchtime d|Nx   run each benchmark for at least d (default 1s; 500ms, 2s)\n"
		"                    or exactly N iterations (100x)\n"
		"  -count n          run each benchmark n times (default 1)\n"
		"  -benchmem         report B/op and allocs/op\n"
		"  -instructions=false  do not report instructions/op\n"
		"  -list regexp      list the matching benchmarks and exit\n"
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
	char msg[1024], alloc_why[256], counter_why[512], foreign[256];
	int alloc_ok, counter_ok = 0, rc;

	pg_bench_opts_init(&o);
	if (pg_bench_parse_flags(&o, argc, argv, msg, sizeof(msg))) {
		fprintf(err, "%s: %s\n", PG_BENCH_PROG, msg);
		usage(err, prog);
		return 2;
	}
	if (o.help) {
		usage(out, prog);
		return finish_output(out, err, 0);
	}
	if (o.cpuprofile) {
		fprintf(err, "%s: -cpuprofile is not supported yet\n", PG_BENCH_PROG);
		return 2;
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
	if (o.instructions) {
		counter_ok = counter->open(counter_why, sizeof(counter_why)) == 0;
		if (!counter_ok)
			pg_bench_sb_addf(&notes, "instructions: unavailable (%s)\n",
					 counter_why);
	}
	pg_bench_config_block(&config, argc > 0 ? argv[0] : NULL,
			      pg_bench_sb_str(&notes));
	fputs(pg_bench_sb_str(&config), out);
	fflush(out);
	pg_bench_sb_release(&config);
	pg_bench_sb_release(&notes);

	memset(&p, 0, sizeof(p));
	p.out = out;
	p.width = pg_bench_name_width(&filter);
	p.alloc_why = alloc_why;
	p.alloc_note_printed = o.benchmem;
	reporter.ctx = &p;
	reporter.result = print_result;
	reporter.failed = print_failed;
	cfg.opts = &o;
	cfg.filter = &filter;
	cfg.alloc_available = alloc_ok;
	cfg.counter_available = counter_ok;
	cfg.reporter = &reporter;
	rc = pg_bench_run_all(&cfg);

	if (counter_ok)
		counter->close();
	pg_bench_filter_release(&filter);
	pg_bench_sb_release(&p.line);
	if (!p.results && !p.failures)
		fprintf(err, "%s: warning: no benchmarks match -bench '%s'\n",
			PG_BENCH_PROG, o.bench);
	fputs(rc ? "FAIL\n" : "PASS\n", out);
	return finish_output(out, err, rc ? 1 : 0);
}

int pg_bench_main(int argc, char **argv)
{
	return pg_bench_main_io(argc, argv, stdout, stderr);
}
