/*
 * Instruction counts under Valgrind's callgrind, for `perfgate run
 * --measure callgrind`: valgrind's client requests (header-only macros
 * from <valgrind/valgrind.h> and <valgrind/callgrind.h>, Debian package
 * valgrind) switch collection on only inside the timed regions, zero the
 * counts when a run of a benchmark starts (and at pg_bench_reset_timer),
 * and dump them, named "<benchmark> N=<n>", after every reported run. The
 * runner reads the dumps and adds instructions/op to the run's line.
 *
 * The mode is on when the suite runs under valgrind AND the environment
 * says PG_BENCH_CALLGRIND=1 (the runner sets it, with
 * --collect-atstart=no): a suite run under callgrind by hand keeps
 * callgrind's ordinary behaviour. Without valgrind's headers at build
 * time the requests are compiled out and the suite says so in a
 * configuration line ("callgrind: unavailable (...)").
 *
 * The macros cost a few instructions (a no-op sequence of rotates) when
 * not under valgrind; they are only reached in callgrind mode anyway.
 */
#include <stdlib.h>
#include <string.h>

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>) && __has_include(<valgrind/callgrind.h>)
#include <valgrind/valgrind.h>
#include <valgrind/callgrind.h>
#define PG_BENCH_HAVE_CALLGRIND 1
#endif
#endif
#ifndef PG_BENCH_HAVE_CALLGRIND
#define PG_BENCH_HAVE_CALLGRIND 0
#endif

#include "internal.h"

#if PG_BENCH_HAVE_CALLGRIND

/* Callgrind's collection state of this thread: off at the start
 * (--collect-atstart=no); there is only a toggle request, so the state is
 * tracked here and toggled only when it must change. */
static int collecting;

static void cg_collect(int on)
{
	on = on != 0;
	if (on == collecting)
		return;
	collecting = on;
	CALLGRIND_TOGGLE_COLLECT;
}

static void cg_zero(void)
{
	CALLGRIND_ZERO_STATS;
}

static void cg_dump(const char *what)
{
	CALLGRIND_DUMP_STATS_AT(what);
}

static int cg_running(void)
{
	return RUNNING_ON_VALGRIND != 0;
}

#else

static void cg_collect(int on)
{
	(void)on;
}

static void cg_zero(void)
{
}

static void cg_dump(const char *what)
{
	(void)what;
}

static int cg_running(void)
{
	return 0;
}

#endif

static const pg_bench_callgrind_ops valgrind_ops = { cg_collect, cg_zero, cg_dump };
static const pg_bench_callgrind_ops *ops = &valgrind_ops;

const pg_bench_callgrind_ops *pg_bench_callgrind(void)
{
	return ops;
}

void pg_bench_set_callgrind(const pg_bench_callgrind_ops *o)
{
	ops = o ? o : &valgrind_ops;
}

int pg_bench_callgrind_probe(char *why, size_t cap)
{
	const char *env = getenv("PG_BENCH_CALLGRIND");

	*why = '\0';
	if (!env || strcmp(env, "1") != 0)
		return 0;
	if (!PG_BENCH_HAVE_CALLGRIND) {
		snprintf(why, cap, "unavailable (perfgate's harness was built without "
			 "valgrind's headers <valgrind/callgrind.h>: install valgrind, "
			 "Debian package valgrind, and rebuild)");
		return 0;
	}
	if (!cg_running()) {
		snprintf(why, cap, "off (PG_BENCH_CALLGRIND=1 but not running under valgrind)");
		return 0;
	}
	return 1;
}
