/*
 * The measuring side of the harness: registry, timer, N scaling,
 * sub-benchmarks, -count. It follows Go's testing.B (benchmark.go) step
 * by step and hands every result to a pg_bench_reporter; it never prints.
 *
 * Nothing here allocates while a benchmark's timer runs, so the
 * harness's own bookkeeping never shows up in B/op (sub-benchmark names
 * are allocated while the parent's timer runs, but a parent prints no
 * figures).
 *
 * CPU profiles (-cpuprofile, profile.c): while the profiler is open the
 * timer starts and stops sampling too, pg_bench_reset_timer() forgets the
 * samples of the call so far, and each call's samples join the
 * benchmark's profile, handed to the reporter after its last run.
 *
 * Callgrind mode (cfg->callgrind, perfgate run --measure callgrind):
 * callgrind collects only while the timer runs (switched on after the
 * clock is read in start, off before it is read in stop, so that the
 * clock's own instructions are not counted), every reset of the timer
 * zeroes the counts (run_n() starts with one, so the N = 1 calibration
 * call and the set-up before a pg_bench_reset_timer() are forgotten), and
 * after each reported run the counts are dumped as "<name> N=<n>": the
 * dump holds exactly the timed regions of the call whose line is printed.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>

#include "internal.h"

/* ------------------------------------------------------------ registry */

static pg_bench_entry *registry;
static size_t registry_len;
static int registry_oom;

void pg_bench_register(const char *name, pg_bench_fn fn, const char *compiler)
{
	pg_bench_entry *grown;
	size_t len;
	char *copy;

	if (!name || !fn) {
		registry_oom = registry_oom ? registry_oom : 2;
		return;
	}
	len = strlen(name);
	copy = malloc(len + 1);
	grown = realloc(registry, (registry_len + 1) * sizeof(*grown));
	if (!copy || !grown) {
		if (grown)
			registry = grown;
		free(copy);
		registry_oom = 1;
		return;
	}
	memcpy(copy, name, len + 1);
	registry = grown;
	registry[registry_len].name = copy;
	registry[registry_len].fn = fn;
	registry[registry_len].compiler = compiler ? compiler : "unknown";
	registry_len++;
}

size_t pg_bench_registry(const pg_bench_entry **out)
{
	*out = registry;
	return registry_len;
}

static int valid_name(const char *name)
{
	const unsigned char *p;

	if (!*name)
		return 0;
	for (p = (const unsigned char *)name; *p; p++)
		if (*p <= ' ' || *p == '/' || *p == 0x7f)
			return 0;
	return 1;
}

int pg_bench_registry_check(char *err, size_t cap)
{
	size_t i, j;

	if (registry_oom == 1) {
		snprintf(err, cap, "out of memory registering benchmarks");
		return -1;
	}
	if (registry_oom == 2) {
		snprintf(err, cap, "pg_bench_register called with a NULL name or function");
		return -1;
	}
	for (i = 0; i < registry_len; i++) {
		if (!valid_name(registry[i].name)) {
			snprintf(err, cap, "invalid benchmark name 'Benchmark%s': "
				 "empty, or holding whitespace or '/'", registry[i].name);
			return -1;
		}
	}
	for (i = 0; i < registry_len; i++) {
		for (j = 0; j < i; j++) {
			if (!strcmp(registry[i].name, registry[j].name)) {
				snprintf(err, cap, "benchmark 'Benchmark%s' is registered twice",
					 registry[i].name);
				return -1;
			}
		}
	}
	return 0;
}

/* ------------------------------------------------------------ state */

typedef struct run_ctx run_ctx;

typedef struct state {
	pg_bench pub; /* first: a pg_bench * is a state * */
	struct state *parent;
	run_ctx *ctx;
	char *name; /* "BenchmarkSort/n=100", owned by ctx->names */
	pg_bench_fn fn;
	void *arg;
	pg_bench_profile *profile; /* its CPU profile; NULL when not profiling */

	int timer_on;
	uint64_t start_ns;    /* when the timer was started */
	uint64_t duration_ns; /* time measured in this call */
	uint64_t wall_ns;     /* clock time of this call, timer on or off */
	uint64_t alloc_base_allocs, alloc_base_bytes; /* counters at reset */
	uint64_t net_allocs, net_bytes;
	uint64_t inst_base; /* instruction counter at reset */
	uint64_t net_inst;
	int inst_ok; /* the counter read well in this call */

	uint64_t bytes;
	int show_allocs;
	int has_sub;
	int failed;
	char message[1024];
	pg_bench_metric metrics[PG_BENCH_MAX_METRICS];
	size_t nmetrics;
} state;

typedef struct used_name {
	char *name;
	unsigned next; /* the next "#NN" suffix for this name */
} used_name;

struct run_ctx {
	const pg_bench_run_config *cfg;
	const pg_bench_counter_ops *counter;
	const pg_bench_callgrind_ops *callgrind; /* NULL unless cfg->callgrind */
	used_name *names; /* every name handed out: sub-benchmark names
			   * must be unique (Go's matcher.unique) */
	size_t nnames;
	int failed;
};

static state *to_state(pg_bench *b)
{
	return (state *)b;
}

static const state *to_cstate(const pg_bench *b)
{
	return (const state *)b;
}

static int counter_read(run_ctx *ctx, uint64_t *out)
{
	return ctx->cfg->counter_available ? ctx->counter->read(out) : -1;
}

void pg_bench_start_timer(pg_bench *b)
{
	state *s = to_state(b);

	if (s->timer_on)
		return;
	s->timer_on = 1;
	if (s->profile)
		pg_bench_profiler_start();
	if (s->ctx->cfg->counter_available)
		s->ctx->counter->enable();
	pg_bench_alloc_counting(1);
	s->start_ns = pg_bench_now(); /* last: time as little of ourselves as we can */
	if (s->ctx->callgrind)
		s->ctx->callgrind->collect(1); /* after the clock: count no clock */
}

void pg_bench_stop_timer(pg_bench *b)
{
	state *s = to_state(b);
	uint64_t now;

	if (!s->timer_on)
		return;
	if (s->ctx->callgrind)
		s->ctx->callgrind->collect(0);
	now = pg_bench_now(); /* first */
	pg_bench_alloc_counting(0);
	if (s->ctx->cfg->counter_available)
		s->ctx->counter->disable();
	if (s->profile)
		pg_bench_profiler_stop();
	s->duration_ns += now - s->start_ns;
	s->timer_on = 0;
}

void pg_bench_reset_timer(pg_bench *b)
{
	state *s = to_state(b);
	pg_bench_alloc_stats a;

	pg_bench_alloc_read(&a);
	s->alloc_base_allocs = a.allocs;
	s->alloc_base_bytes = a.bytes;
	s->inst_ok = counter_read(s->ctx, &s->inst_base) == 0;
	s->nmetrics = 0;
	s->duration_ns = 0;
	if (s->profile)
		pg_bench_profiler_discard();
	if (s->timer_on)
		s->start_ns = pg_bench_now();
	if (s->ctx->callgrind)
		s->ctx->callgrind->zero(); /* last: forget the set-up */
}

uint64_t pg_bench_elapsed_ns(const pg_bench *b)
{
	const state *s = to_cstate(b);

	if (s->timer_on)
		return s->duration_ns + (pg_bench_now() - s->start_ns);
	return s->duration_ns;
}

void pg_bench_set_bytes(pg_bench *b, uint64_t bytes)
{
	to_state(b)->bytes = bytes;
}

void pg_bench_report_allocs(pg_bench *b)
{
	to_state(b)->show_allocs = 1;
}

void *pg_bench_arg(const pg_bench *b)
{
	return to_cstate(b)->arg;
}

const char *pg_bench_name(const pg_bench *b)
{
	return to_cstate(b)->name;
}

static void fail_v(state *s, const char *fmt, va_list ap)
{
	state *p;
	size_t len = strlen(s->message);

	/* several failures: one message per line */
	if (len && len + 1 < sizeof(s->message))
		s->message[len++] = '\n';
	if (len + 1 < sizeof(s->message))
		vsnprintf(s->message + len, sizeof(s->message) - len, fmt, ap);
	for (p = s; p; p = p->parent)
		p->failed = 1;
}

static void fail_f(state *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_f(state *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(s, fmt, ap);
	va_end(ap);
}

void pg_bench_fail(pg_bench *b, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fail_v(to_state(b), fmt, ap);
	va_end(ap);
}

int pg_bench_report_metric(pg_bench *b, double value, const char *unit)
{
	state *s = to_state(b);
	size_t i, len;

	if (!unit || !*unit) {
		fail_f(s, "pg_bench_report_metric: empty unit");
		return -1;
	}
	len = strlen(unit);
	if (len >= PG_BENCH_UNIT_MAX) {
		fail_f(s, "pg_bench_report_metric: unit '%.40s...' is longer than %d bytes",
		       unit, PG_BENCH_UNIT_MAX - 1);
		return -1;
	}
	for (i = 0; i < len; i++) {
		if ((unsigned char)unit[i] <= ' ' || unit[i] == 0x7f) {
			fail_f(s, "pg_bench_report_metric: unit '%s' holds whitespace", unit);
			return -1;
		}
	}
	if (!isfinite(value)) {
		fail_f(s, "pg_bench_report_metric: value of '%s' is not a finite number",
		       unit);
		return -1;
	}
	for (i = 0; i < s->nmetrics; i++) {
		if (!strcmp(s->metrics[i].unit, unit)) {
			s->metrics[i].value = value;
			return 0;
		}
	}
	if (s->nmetrics == PG_BENCH_MAX_METRICS) {
		fail_f(s, "pg_bench_report_metric: more than %d units", PG_BENCH_MAX_METRICS);
		return -1;
	}
	memcpy(s->metrics[s->nmetrics].unit, unit, len + 1);
	s->metrics[s->nmetrics].value = value;
	s->nmetrics++;
	return 0;
}

/* ------------------------------------------------------------ running */

/* testing.B.runN: one call of the benchmark function with N = n. */
static void run_n(state *s, uint64_t n)
{
	pg_bench_alloc_stats a;
	uint64_t inst, t0 = pg_bench_now();

	s->pub.private_n = n;
	pg_bench_reset_timer(&s->pub);
	pg_bench_start_timer(&s->pub);
	s->fn(&s->pub);
	pg_bench_stop_timer(&s->pub);
	s->wall_ns = pg_bench_now() - t0;
	if (s->profile)
		pg_bench_profiler_take(s->profile);

	pg_bench_alloc_read(&a);
	s->net_allocs = a.allocs - s->alloc_base_allocs;
	s->net_bytes = a.bytes - s->alloc_base_bytes;
	if (s->inst_ok && counter_read(s->ctx, &inst) == 0 && inst >= s->inst_base)
		s->net_inst = inst - s->inst_base;
	else
		s->inst_ok = 0;
}

/* Go's predictN step: the next N after a call of `prev` iterations that
 * took `prev_ns`, aiming at `goal_ns`. */
static uint64_t predict_n(uint64_t goal_ns, uint64_t prev, uint64_t prev_ns)
{
	uint64_t n, last = prev;

	if (prev_ns == 0)
		prev_ns = 1;
	/* multiply first: for very fast benchmarks prev ~ prev_ns */
#ifdef __SIZEOF_INT128__
	{
		__extension__ unsigned __int128 t = (unsigned __int128)goal_ns * prev / prev_ns;

		n = t > UINT64_MAX / 2 ? UINT64_MAX / 2 : (uint64_t)t;
	}
#else
	{
		long double t = (long double)goal_ns * prev / prev_ns;

		n = t > (long double)(UINT64_MAX / 2) ? UINT64_MAX / 2 : (uint64_t)t;
	}
#endif
	n += n / 5;                 /* 20% more than we think we need */
	if (last <= UINT64_MAX / 100 && n > 100 * last)
		n = 100 * last;     /* don't grow too fast */
	if (n < last + 1)
		n = last + 1;       /* at least one more than last time */
	if (n > 1000000000u)
		n = 1000000000u;    /* at most 1e9 */
	return n;
}

/* A call may last at most this many times -benchtime on the clock. */
#define WALL_FACTOR 10

/* `n` lowered so that a call of it should last at most `cap_ns` on the
 * clock, when the last call of `prev` iterations lasted `prev_wall_ns`;
 * still at least prev + 1. */
static uint64_t cap_by_wall(uint64_t n, uint64_t prev, uint64_t prev_wall_ns,
			    uint64_t cap_ns)
{
	long double most;

	if (prev_wall_ns == 0)
		return n;
	most = (long double)cap_ns * prev / prev_wall_ns;
	if ((long double)n > most)
		n = (uint64_t)most;
	return n < prev + 1 ? prev + 1 : n;
}

/* testing.B.launch: scale N until a call lasts -benchtime. Unlike Go, a
 * call is also bounded on the clock, by WALL_FACTOR x -benchtime: a
 * benchmark that stops its timer around costly set-up (or whose timer
 * stops and starts are costly themselves, as under -cpuprofile, where
 * each pair pauses and resumes the sampler) would otherwise grow N until
 * the timed part alone lasts -benchtime, taking many times that. The
 * first call that lasts the bound ends the scaling; its N is reported. */
static void launch(state *s)
{
	const pg_bench_opts *o = s->ctx->cfg->opts;
	uint64_t n = 1;
	uint64_t cap_ns = o->benchtime_ns > UINT64_MAX / WALL_FACTOR ?
				  UINT64_MAX : o->benchtime_ns * WALL_FACTOR;

	if (o->benchtime_n > 0) {
		/* the N = 1 call has been made already */
		if (o->benchtime_n > 1)
			run_n(s, o->benchtime_n);
		return;
	}
	while (!s->failed && s->duration_ns < o->benchtime_ns && n < 1000000000u &&
	       s->wall_ns < cap_ns) {
		n = predict_n(o->benchtime_ns, s->pub.private_n, s->duration_ns);
		n = cap_by_wall(n, s->pub.private_n, s->wall_ns, cap_ns);
		run_n(s, n);
	}
}

/* Callgrind mode: dump the counts of the run about to be reported (the
 * last call of the function) as "<name> N=<n>". */
static void dump_counts(state *s)
{
	pg_bench_sb what = PG_BENCH_SB_INIT;

	pg_bench_sb_addf(&what, "%s N=%llu", s->name,
			 (unsigned long long)s->pub.private_n);
	if (what.failed)
		fail_f(s, "out of memory naming the callgrind dump");
	else
		s->ctx->callgrind->dump(pg_bench_sb_str(&what));
	pg_bench_sb_release(&what);
}

static void report(state *s)
{
	const pg_bench_run_config *cfg = s->ctx->cfg;
	pg_bench_result r;

	memset(&r, 0, sizeof(r));
	r.name = s->name;
	r.n = s->pub.private_n;
	r.ns = s->duration_ns;
	r.bytes = s->bytes;
	r.mem = cfg->opts->benchmem || s->show_allocs;
	r.mem_available = cfg->alloc_available;
	r.alloc_bytes = s->net_bytes;
	r.allocs = s->net_allocs;
	r.has_instructions = cfg->counter_available && s->inst_ok;
	r.instructions_failed = cfg->counter_available && !s->inst_ok;
	r.instructions = s->net_inst;
	r.metrics = s->metrics;
	r.nmetrics = s->nmetrics;
	cfg->reporter->result(cfg->reporter->ctx, &r);
}

static void report_failure(state *s)
{
	const pg_bench_reporter *rep = s->ctx->cfg->reporter;

	s->ctx->failed = 1;
	rep->failed(rep->ctx, s->name, s->message);
}

static void state_init(state *s, run_ctx *ctx, state *parent, char *name,
		       pg_bench_fn fn, void *arg, pg_bench_profile *profile)
{
	memset(s, 0, sizeof(*s));
	s->ctx = ctx;
	s->parent = parent;
	s->name = name;
	s->fn = fn;
	s->arg = arg;
	s->profile = profile;
}

/* testing.B.Run after the name matched: the N = 1 call, then (for a
 * benchmark without sub-benchmarks) -count scaled runs, each reported. */
static int run_bench(run_ctx *ctx, state *parent, char *name, pg_bench_fn fn,
		     void *arg, int partial)
{
	state *s = malloc(sizeof(*s)); /* large: keep it off the stack */
	const pg_bench_reporter *rep = ctx->cfg->reporter;
	pg_bench_profile *profile = NULL;
	uint64_t i;
	int rc = 0;

	if (s && rep->profile && pg_bench_profiler_is_open())
		profile = calloc(1, sizeof(*profile));
	if (!s || (rep->profile && pg_bench_profiler_is_open() && !profile)) {
		free(s);
		if (parent)
			fail_f(parent, "out of memory running '%s'", name);
		ctx->failed = 1;
		return -1;
	}
	state_init(s, ctx, parent, name, fn, arg, profile);
	/* a partial match (-bench X/Y for BenchmarkX) only runs X's
	 * sub-benchmarks */
	s->has_sub = partial;
	run_n(s, 1);
	/* a parent of sub-benchmarks is done: they have run and reported */
	for (i = 0; !s->failed && !s->has_sub && i < ctx->cfg->opts->count; i++) {
		if (i > 0) {
			/* every repetition starts afresh, as in Go */
			state_init(s, ctx, parent, name, fn, arg, profile);
			run_n(s, 1);
			if (s->failed)
				break;
		}
		launch(s);
		if (!s->failed && ctx->callgrind)
			dump_counts(s);
		if (!s->failed)
			report(s);
	}
	if (s->failed) {
		report_failure(s);
		rc = -1;
	} else if (profile && !s->has_sub) {
		rep->profile(rep->ctx, name, profile);
	}
	pg_bench_profile_release(profile);
	free(profile);
	free(s);
	return rc;
}

static used_name *find_used(run_ctx *ctx, const char *name)
{
	size_t i;

	for (i = 0; i < ctx->nnames; i++)
		if (!strcmp(ctx->names[i].name, name))
			return &ctx->names[i];
	return NULL;
}

/* Record `name` (taking it over). 0 or -1. */
static int add_used(run_ctx *ctx, char *name)
{
	used_name *grown = realloc(ctx->names, (ctx->nnames + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	ctx->names = grown;
	ctx->names[ctx->nnames].name = name;
	ctx->names[ctx->nnames++].next = 1;
	return 0;
}

static char *format_name(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *format_name(const char *fmt, ...)
{
	va_list ap;
	char *p;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return NULL;
	p = malloc((size_t)n + 1);
	if (!p)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

/* The name for a new benchmark: `base` itself when unused, else
 * "base#01", "base#02", ...; an empty sub-benchmark name gets "#00"
 * (Go's matcher.unique). The name is owned by ctx; NULL when out of
 * memory. */
static char *unique_name(run_ctx *ctx, const char *base, int empty)
{
	char *name = format_name("%s", base), *next_name;
	used_name *u;

	while (name) {
		u = find_used(ctx, name);
		if (!empty && !u) {
			if (add_used(ctx, name))
				break;
			return name;
		}
		if (u) {
			next_name = format_name("%s#%02u", name, u->next++);
			free(name);
		} else {
			next_name = format_name("%s#00", name);
			if (add_used(ctx, name)) {
				free(next_name);
				break;
			}
		}
		name = next_name;
		empty = 0;
	}
	free(name);
	return NULL;
}

/* Go's rewrite(): whitespace becomes '_', other unprintable bytes \xNN. */
static void rewrite(pg_bench_sb *out, const char *s)
{
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == ' ' || (c >= '\t' && c <= '\r'))
			pg_bench_sb_add(out, "_", 1);
		else if (c < ' ' || c == 0x7f)
			pg_bench_sb_addf(out, "\\x%02x", c);
		else
			pg_bench_sb_add(out, s, 1);
	}
}

int pg_bench_run(pg_bench *b, pg_bench_fn fn, void *arg, const char *fmt, ...)
{
	state *parent = to_state(b);
	run_ctx *ctx = parent->ctx;
	pg_bench_sb sub = PG_BENCH_SB_INIT, full = PG_BENCH_SB_INIT;
	const char *prefixless;
	char *name;
	va_list ap;
	int n, ok, partial, rc = 0;
	char *formatted = NULL;

	parent->has_sub = 1;
	if (!fn || !fmt) {
		fail_f(parent, "pg_bench_run: NULL function or name");
		return -1;
	}
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n >= 0)
		formatted = malloc((size_t)n + 1);
	if (!formatted) {
		fail_f(parent, "pg_bench_run: cannot format the name of a sub-benchmark");
		return -1;
	}
	va_start(ap, fmt);
	vsnprintf(formatted, (size_t)n + 1, fmt, ap);
	va_end(ap);

	pg_bench_sb_addf(&full, "%s/", parent->name);
	rewrite(&sub, formatted);
	pg_bench_sb_addf(&full, "%s", pg_bench_sb_str(&sub));
	if (sub.failed || full.failed) {
		fail_f(parent, "out of memory naming a sub-benchmark");
		rc = -1;
		goto cleanup;
	}
	name = unique_name(ctx, pg_bench_sb_str(&full), sub.len == 0);
	if (!name) {
		fail_f(parent, "out of memory naming a sub-benchmark");
		rc = -1;
		goto cleanup;
	}
	prefixless = name + strlen("Benchmark");
	ok = pg_bench_filter_match(ctx->cfg->filter, prefixless, &partial);
	if (ok)
		rc = run_bench(ctx, parent, name, fn, arg, partial);
cleanup:
	free(formatted);
	pg_bench_sb_release(&sub);
	pg_bench_sb_release(&full);
	return rc;
}

int pg_bench_name_width(const pg_bench_filter *f)
{
	size_t i, width = 0;

	for (i = 0; i < registry_len; i++) {
		size_t len = strlen("Benchmark") + strlen(registry[i].name) + 1;

		if (pg_bench_filter_match(f, registry[i].name, NULL) && len > width)
			width = len;
	}
	return width > 200 ? 200 : (int)width;
}

int pg_bench_run_all(const pg_bench_run_config *cfg)
{
	run_ctx ctx;
	size_t i;

	memset(&ctx, 0, sizeof(ctx));
	ctx.cfg = cfg;
	ctx.counter = pg_bench_counter();
	ctx.callgrind = cfg->callgrind ? pg_bench_callgrind() : NULL;
	for (i = 0; i < registry_len; i++) {
		pg_bench_sb full = PG_BENCH_SB_INIT;
		int partial;
		char *name;

		if (!pg_bench_filter_match(cfg->filter, registry[i].name, &partial))
			continue;
		pg_bench_sb_addf(&full, "Benchmark%s", registry[i].name);
		name = full.failed ? NULL : unique_name(&ctx, pg_bench_sb_str(&full), 0);
		pg_bench_sb_release(&full);
		if (!name) {
			cfg->reporter->failed(cfg->reporter->ctx, registry[i].name,
					      "out of memory");
			ctx.failed = 1;
			break;
		}
		run_bench(&ctx, NULL, name, registry[i].fn, NULL, partial);
	}
	for (i = 0; i < ctx.nnames; i++)
		free(ctx.names[i].name);
	free(ctx.names);
	return ctx.failed ? 1 : 0;
}
