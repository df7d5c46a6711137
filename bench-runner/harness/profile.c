/*
 * CPU profiles of the timed regions (-cpuprofile), the sampling side: the
 * sampling sources, the SIGPROF handler, the preallocated sample buffer
 * and the per-benchmark aggregate of stacks. profile_write.c turns an
 * aggregate into a pprof file.
 *
 * The benchmark timer starts and stops sampling (pg_bench_start_timer /
 * pg_bench_stop_timer), so set-up outside the timed region is not
 * sampled, and pg_bench_reset_timer() forgets what was sampled before it.
 * At the end of each call of a benchmark function the samples move from
 * the buffer into the benchmark's aggregate (pg_bench_profiler_take).
 *
 * The handler is async-signal-safe: it takes no lock it could wait for
 * (a try-lock; a sample that finds it taken is counted as dropped), never
 * allocates, calls only backtrace() (warmed up before the handler is
 * installed: libgcc's unwinder allocates on its first use, which crashes
 * a benchmark interrupted inside malloc), timer_getoverrun() and
 * clock_gettime(), and saves and restores errno. A sample that does not
 * fit in the buffer is counted as dropped.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* F_SETOWN_EX, F_SETSIG, REG_RIP, SIGEV_THREAD_ID */
#endif
#include <errno.h>
#include <execinfo.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <ucontext.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/time.h>

#ifdef __linux__
#include <linux/perf_event.h>
#endif

#include "internal.h"

#if defined(__linux__) && defined(SYS_perf_event_open) && defined(F_SETOWN_EX) && \
	defined(F_SETSIG)
#define PG_PROF_HAVE_PERF 1
#endif
#if defined(SIGEV_THREAD_ID) && defined(SYS_gettid)
#define PG_PROF_HAVE_TIMER 1
#endif

/* ------------------------------------------------------------ the aggregate */

static uint64_t hash_stack(const uint64_t *pcs, size_t depth, int leaf_exact)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ (uint64_t)leaf_exact;
	size_t i;

	for (i = 0; i < depth; i++) {
		h ^= pcs[i];
		h *= 0x100000001b3ULL;
		h ^= h >> 29;
	}
	return h ^ depth;
}

static int same_stack(const pg_bench_profile_stack *s, const uint64_t *pcs, size_t depth,
		      int leaf_exact)
{
	return s->depth == depth && s->leaf_exact == leaf_exact &&
	       !memcmp(s->pcs, pcs, depth * sizeof(*pcs));
}

/* Double the hash of stacks (at least 64 slots). 0 or -1. */
static int rehash(pg_bench_profile *p)
{
	size_t n = p->nslots ? p->nslots * 2 : 64, i;
	size_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (i = 0; i < p->nstacks; i++) {
		const pg_bench_profile_stack *s = &p->stacks[i];
		size_t k = (size_t)hash_stack(s->pcs, s->depth, s->leaf_exact) & (n - 1);

		while (slots[k])
			k = (k + 1) & (n - 1);
		slots[k] = i + 1;
	}
	free(p->slots);
	p->slots = slots;
	p->nslots = n;
	return 0;
}

int pg_bench_profile_add(pg_bench_profile *p, const uint64_t *pcs, size_t depth,
			 int leaf_exact, uint64_t count, uint64_t weight)
{
	pg_bench_profile_stack *s;
	uint64_t *copy;
	size_t k;

	if ((p->nstacks + 1) * 2 > p->nslots && rehash(p))
		return -1;
	k = (size_t)hash_stack(pcs, depth, leaf_exact) & (p->nslots - 1);
	while (p->slots[k]) {
		s = &p->stacks[p->slots[k] - 1];
		if (same_stack(s, pcs, depth, leaf_exact)) {
			s->count += count;
			s->weight += weight;
			p->signals += count;
			p->weight += weight;
			return 0;
		}
		k = (k + 1) & (p->nslots - 1);
	}
	if (p->nstacks == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		pg_bench_profile_stack *grown = realloc(p->stacks, cap * sizeof(*grown));

		if (!grown)
			return -1;
		p->stacks = grown;
		p->cap = cap;
	}
	copy = malloc((depth ? depth : 1) * sizeof(*copy));
	if (!copy)
		return -1;
	if (depth)
		memcpy(copy, pcs, depth * sizeof(*copy));
	s = &p->stacks[p->nstacks];
	s->pcs = copy;
	s->depth = depth;
	s->leaf_exact = leaf_exact;
	s->count = count;
	s->weight = weight;
	p->slots[k] = ++p->nstacks;
	p->signals += count;
	p->weight += weight;
	return 0;
}

void pg_bench_profile_release(pg_bench_profile *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nstacks; i++)
		free(p->stacks[i].pcs);
	free(p->stacks);
	free(p->slots);
	memset(p, 0, sizeof(*p));
}

/* ------------------------------------------------------------ the profiler */

typedef enum source {
	SRC_PERF,
	SRC_TIMER,
	SRC_ITIMER,
	SRC_MANUAL
} source;

static const struct {
	const char *name;
	const char *description;
	const char *weighting;
} sources[] = {
	[SRC_PERF] = { "perf",
		"perf_event_open software task-clock counter of the benchmark thread, "
		"SIGPROF on every overflow (hrtimer-driven, not tied to the scheduler tick)",
		"each sample weighs one period" },
	[SRC_TIMER] = { "timer",
		"timer_create on CLOCK_THREAD_CPUTIME_ID of the benchmark thread, SIGPROF "
		"(SIGEV_THREAD_ID); CPU-time timers fire on the scheduler tick",
		"each sample weighs 1 + timer_getoverrun() periods (the periods that "
		"elapsed since the previous tick)" },
	[SRC_ITIMER] = { "itimer",
		"setitimer(ITIMER_PROF): process CPU time, SIGPROF to the thread running; "
		"fires on the scheduler tick",
		"each sample weighs the process CPU time since the previous sample, in "
		"periods (at least one)" },
	[SRC_MANUAL] = { "manual",
		"manual: samples recorded by pg_bench_profiler_record(), no signals",
		"each sample weighs what the caller recorded" },
};

static struct profiler {
	int open;
	source src;
	int hz;
	uint64_t period_ns;
	int perf_fd;
#ifdef PG_PROF_HAVE_TIMER
	timer_t timer;
	int timer_made;
#endif
	struct timespec remaining; /* of the timer / itimer at the last stop */
	int installed;
	struct sigaction old_action;
	char notes[1024];

	/* the sample buffer and what the handler counts: under prof_lock */
	uint64_t *words; /* records: [depth | leaf_exact << 32][weight][pcs...] */
	size_t cap;
	size_t len;
	uint64_t dropped;
	int64_t itimer_last_ns;  /* process CPU time at the previous sample */
	int64_t itimer_carry_ns; /* CPU time not yet attributed */

	/* the timed regions since the last take(): benchmark thread only */
	int started;
	uint64_t cpu0, wall0; /* at start() */
	uint64_t cpu_ns, wall_ns;
	int64_t start_unix_ns;
} prof = { .perf_fd = -1 };

static atomic_flag prof_lock = ATOMIC_FLAG_INIT;
static atomic_int prof_active;
static atomic_uint_fast64_t prof_busy; /* samples dropped: buffer busy */

static uint64_t ts_ns(const struct timespec *ts)
{
	return (uint64_t)ts->tv_sec * 1000000000u + (uint64_t)ts->tv_nsec;
}

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts))
		return 0;
	return ts_ns(&ts);
}

/* Take the buffer from the benchmark thread: SIGPROF blocked in this
 * thread (its handler would find the lock taken), then the lock (held
 * briefly by a handler on another thread at most). */
static void lock_buffer(sigset_t *saved)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &set, saved);
	while (atomic_flag_test_and_set_explicit(&prof_lock, memory_order_acquire))
		;
}

static void unlock_buffer(const sigset_t *saved)
{
	atomic_flag_clear_explicit(&prof_lock, memory_order_release);
	pthread_sigmask(SIG_SETMASK, saved, NULL);
}

/* Append a record; the lock is held. Async-signal-safe. */
static void record_locked(const uint64_t *pcs, size_t depth, int leaf_exact, uint64_t weight)
{
	uint64_t *w;
	size_t i;

	if (depth > PG_BENCH_PROFILE_MAX_DEPTH)
		depth = PG_BENCH_PROFILE_MAX_DEPTH;
	if (depth == 0 || prof.len > prof.cap || prof.cap - prof.len < 2 + depth) {
		prof.dropped++;
		return;
	}
	w = prof.words + prof.len;
	w[0] = (uint64_t)depth | (leaf_exact ? (uint64_t)1 << 32 : 0);
	w[1] = weight;
	for (i = 0; i < depth; i++) /* no memcpy: not async-signal-safe everywhere */
		w[2 + i] = pcs[i];
	prof.len += 2 + depth;
}

void pg_bench_profiler_record(const uint64_t *pcs, size_t depth, int leaf_exact,
			      uint64_t weight)
{
	if (!prof.open || !atomic_load_explicit(&prof_active, memory_order_acquire))
		return;
	if (atomic_flag_test_and_set_explicit(&prof_lock, memory_order_acquire)) {
		atomic_fetch_add_explicit(&prof_busy, 1, memory_order_relaxed);
		return;
	}
	record_locked(pcs, depth, leaf_exact, weight);
	atomic_flag_clear_explicit(&prof_lock, memory_order_release);
}

/* The interrupted instruction, from the signal's context; 0 where the
 * architecture is not known here. */
static uint64_t context_pc(const void *ucv)
{
	const ucontext_t *uc = ucv;

	if (!uc)
		return 0;
#if defined(__x86_64__) && defined(REG_RIP)
	return (uint64_t)uc->uc_mcontext.gregs[REG_RIP];
#elif defined(__i386__) && defined(REG_EIP)
	return (uint64_t)(uint32_t)uc->uc_mcontext.gregs[REG_EIP];
#elif defined(__aarch64__)
	return (uint64_t)uc->uc_mcontext.pc;
#else
	return 0;
#endif
}

/* What this sample weighs, in periods; the lock is held. */
static uint64_t sample_weight(const siginfo_t *info)
{
	switch (prof.src) {
#ifdef PG_PROF_HAVE_TIMER
	case SRC_TIMER:
		if (info && info->si_code == SI_TIMER) {
			int overruns = timer_getoverrun(prof.timer);

			if (overruns > 0)
				return 1 + (uint64_t)overruns;
		}
		return 1;
#endif
	case SRC_ITIMER: {
		int64_t now = (int64_t)clock_ns(CLOCK_PROCESS_CPUTIME_ID);
		int64_t period = (int64_t)prof.period_ns, w;

		if (!now)
			return 1;
		prof.itimer_carry_ns += now - prof.itimer_last_ns;
		prof.itimer_last_ns = now;
		w = (prof.itimer_carry_ns + period / 2) / period;
		if (w < 1)
			w = 1;
		prof.itimer_carry_ns -= w * period;
		return (uint64_t)w;
	}
	default:
		(void)info;
		return 1;
	}
}

static void on_sigprof(int sig, siginfo_t *info, void *ucv)
{
	int saved_errno = errno;
	void *frames[PG_BENCH_PROFILE_MAX_DEPTH + 8];
	uint64_t pcs[PG_BENCH_PROFILE_MAX_DEPTH];
	uint64_t pc, weight;
	size_t depth = 0;
	int n, i, first = -1, leaf_exact = 1;

	(void)sig;
	if (!atomic_load_explicit(&prof_active, memory_order_acquire))
		goto out;
	if (atomic_flag_test_and_set_explicit(&prof_lock, memory_order_acquire)) {
		atomic_fetch_add_explicit(&prof_busy, 1, memory_order_relaxed);
		goto out;
	}
	weight = sample_weight(info);
	n = backtrace(frames, (int)(sizeof(frames) / sizeof(frames[0])));
	pc = context_pc(ucv);
	/* the frames start in this handler and the signal trampoline: the
	 * stack proper starts at the interrupted instruction */
	for (i = 0; pc && i < n; i++) {
		if ((uint64_t)(uintptr_t)frames[i] == pc) {
			first = i;
			break;
		}
	}
	if (first >= 0) {
		for (i = first; i < n && depth < PG_BENCH_PROFILE_MAX_DEPTH; i++)
			pcs[depth++] = (uint64_t)(uintptr_t)frames[i];
	} else if (pc) {
		/* the unwinder did not get through the signal frame: the
		 * interrupted instruction alone */
		pcs[depth++] = pc;
	} else {
		/* no context to compare with: skip this handler and the
		 * trampoline */
		leaf_exact = 0;
		for (i = 2; i < n && depth < PG_BENCH_PROFILE_MAX_DEPTH; i++)
			pcs[depth++] = (uint64_t)(uintptr_t)frames[i];
	}
	record_locked(pcs, depth, leaf_exact, weight);
	atomic_flag_clear_explicit(&prof_lock, memory_order_release);
out:
	errno = saved_errno;
}

/* ------------------------------------------------------------ sources */

#ifdef PG_PROF_HAVE_PERF
static int open_perf(char *why, size_t cap)
{
	struct perf_event_attr attr;
	struct f_owner_ex owner;
	long fd;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_TASK_CLOCK;
	attr.sample_period = prof.period_ns;
	attr.disabled = 1;
	fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM)) {
		/* kernel.perf_event_paranoid >= 2 allows user space only */
		attr.exclude_kernel = 1;
		fd = syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0) {
			size_t len = strlen(prof.notes);

			snprintf(prof.notes + len, sizeof(prof.notes) - len,
				 "%sperf_event_open: kernel time is not sampled (only user "
				 "space is allowed: kernel.perf_event_paranoid)",
				 len ? "; " : "");
		}
	}
	if (fd < 0) {
		snprintf(why, cap, "perf_event_open: %s", strerror(errno));
		return -1;
	}
	owner.type = F_OWNER_TID;
	owner.pid = (pid_t)syscall(SYS_gettid);
	if (fcntl((int)fd, F_SETOWN_EX, &owner) || fcntl((int)fd, F_SETSIG, SIGPROF) ||
	    fcntl((int)fd, F_SETFL, O_ASYNC | O_NONBLOCK)) {
		snprintf(why, cap, "perf_event_open: signalling the thread (fcntl): %s",
			 strerror(errno));
		close((int)fd);
		return -1;
	}
	prof.perf_fd = (int)fd;
	return 0;
}
#else
static int open_perf(char *why, size_t cap)
{
	snprintf(why, cap, "perf_event_open: not available on this system");
	return -1;
}
#endif

#ifdef PG_PROF_HAVE_TIMER
static int open_timer(char *why, size_t cap)
{
	struct sigevent sev;

	memset(&sev, 0, sizeof(sev));
	sev.sigev_notify = SIGEV_THREAD_ID;
	sev.sigev_signo = SIGPROF;
#ifdef sigev_notify_thread_id
	sev.sigev_notify_thread_id = (pid_t)syscall(SYS_gettid);
#else
	sev._sigev_un._tid = (pid_t)syscall(SYS_gettid);
#endif
	if (timer_create(CLOCK_THREAD_CPUTIME_ID, &sev, &prof.timer)) {
		snprintf(why, cap, "timer_create: %s", strerror(errno));
		return -1;
	}
	prof.timer_made = 1;
	return 0;
}
#else
static int open_timer(char *why, size_t cap)
{
	snprintf(why, cap, "timer_create: no per-thread signals on this system");
	return -1;
}
#endif

static int open_itimer(char *why, size_t cap)
{
	struct itimerval off;

	/* setitimer cannot fail with valid arguments; check that it works */
	memset(&off, 0, sizeof(off));
	if (setitimer(ITIMER_PROF, &off, NULL)) {
		snprintf(why, cap, "setitimer: %s", strerror(errno));
		return -1;
	}
	return 0;
}

static int open_source(source src, char *why, size_t cap)
{
	switch (src) {
	case SRC_PERF:
		return open_perf(why, cap);
	case SRC_TIMER:
		return open_timer(why, cap);
	case SRC_ITIMER:
		return open_itimer(why, cap);
	case SRC_MANUAL:
		return 0;
	}
	return -1;
}

static void close_source(void)
{
	if (prof.perf_fd >= 0)
		close(prof.perf_fd);
	prof.perf_fd = -1;
#ifdef PG_PROF_HAVE_TIMER
	if (prof.timer_made)
		timer_delete(prof.timer);
	prof.timer_made = 0;
#endif
}

/* Arm (on) or disarm the source; disarming keeps what remained of the
 * period so that the next region continues the phase. */
static void arm(int on)
{
	struct timespec period;

	period.tv_sec = (time_t)(prof.period_ns / 1000000000u);
	period.tv_nsec = (long)(prof.period_ns % 1000000000u);
	switch (prof.src) {
	case SRC_PERF:
#ifdef PG_PROF_HAVE_PERF
		/* the task-clock event keeps its period's remainder itself */
		ioctl(prof.perf_fd, on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, 0);
#endif
		break;
	case SRC_TIMER: {
#ifdef PG_PROF_HAVE_TIMER
		struct itimerspec its, old;

		memset(&its, 0, sizeof(its));
		if (on) {
			its.it_interval = period;
			its.it_value = prof.remaining.tv_sec || prof.remaining.tv_nsec
					       ? prof.remaining : period;
			timer_settime(prof.timer, 0, &its, NULL);
		} else if (timer_settime(prof.timer, 0, &its, &old) == 0) {
			prof.remaining = old.it_value;
		}
#endif
		break;
	}
	case SRC_ITIMER: {
		struct itimerval its, old;

		memset(&its, 0, sizeof(its));
		if (on) {
			its.it_interval.tv_sec = period.tv_sec;
			its.it_interval.tv_usec = (suseconds_t)(period.tv_nsec / 1000);
			if (prof.remaining.tv_sec || prof.remaining.tv_nsec >= 1000) {
				its.it_value.tv_sec = prof.remaining.tv_sec;
				its.it_value.tv_usec = (suseconds_t)(prof.remaining.tv_nsec / 1000);
			} else {
				its.it_value = its.it_interval;
			}
			setitimer(ITIMER_PROF, &its, NULL);
		} else if (setitimer(ITIMER_PROF, &its, &old) == 0) {
			prof.remaining.tv_sec = old.it_value.tv_sec;
			prof.remaining.tv_nsec = (long)old.it_value.tv_usec * 1000;
		}
		break;
	}
	case SRC_MANUAL:
		break;
	}
}

static int parse_source(source *out, const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		if (!strcmp(name, sources[i].name)) {
			*out = (source)i;
			return 0;
		}
	}
	return -1;
}

int pg_bench_profiler_open(const char *source_name, int hz, size_t capacity_words,
			   char *err, size_t cap)
{
	static const source order[] = { SRC_PERF, SRC_TIMER, SRC_ITIMER };
	struct sigaction sa;
	void *warm[8];
	char why[512];
	source forced = SRC_PERF;
	size_t i;
	int ok = 0;

	if (prof.open) {
		snprintf(err, cap, "the CPU profiler is already open");
		return -1;
	}
	if (hz < 1 || hz > 10000) {
		snprintf(err, cap, "invalid profiling rate %d Hz: must be 1 to 10000", hz);
		return -1;
	}
	if (source_name && *source_name && parse_source(&forced, source_name)) {
		snprintf(err, cap, "unknown profiling source '%s' (perf, timer, itimer)",
			 source_name);
		return -1;
	}
	if (capacity_words < 2 + PG_BENCH_PROFILE_MAX_DEPTH)
		capacity_words = 2 + PG_BENCH_PROFILE_MAX_DEPTH;
	memset(&prof, 0, sizeof(prof));
	prof.perf_fd = -1;
	prof.hz = hz;
	prof.period_ns = 1000000000u / (unsigned)hz;
	prof.words = malloc(capacity_words * sizeof(*prof.words));
	if (!prof.words) {
		snprintf(err, cap, "out of memory allocating the profile buffer");
		return -1;
	}
	/* touch every page now rather than in the handler */
	memset(prof.words, 0, capacity_words * sizeof(*prof.words));
	prof.cap = capacity_words;
	atomic_store(&prof_active, 0);
	atomic_store(&prof_busy, 0);

	if (source_name && *source_name) {
		if (open_source(forced, why, sizeof(why))) {
			snprintf(err, cap, "cannot use the profiling source '%s': %s",
				 source_name, why);
			free(prof.words);
			prof.words = NULL;
			return -1;
		}
		prof.src = forced;
		ok = 1;
		if (forced != SRC_MANUAL) {
			size_t len = strlen(prof.notes);

			snprintf(prof.notes + len, sizeof(prof.notes) - len,
				 "%ssource forced (PG_BENCH_PROFILE_SOURCE=%s)",
				 len ? "; " : "", source_name);
		}
	} else {
		for (i = 0; i < sizeof(order) / sizeof(order[0]) && !ok; i++) {
			if (open_source(order[i], why, sizeof(why)) == 0) {
				prof.src = order[i];
				ok = 1;
			} else {
				size_t len = strlen(prof.notes);

				snprintf(prof.notes + len, sizeof(prof.notes) - len,
					 "%s%s source unavailable (%s)", len ? "; " : "",
					 sources[order[i]].name, why);
			}
		}
		if (!ok) {
			snprintf(err, cap, "no CPU profiling source works: %s", prof.notes);
			free(prof.words);
			prof.words = NULL;
			return -1;
		}
	}

	if (prof.src != SRC_MANUAL) {
		/* libgcc's unwinder allocates when first used: do it now, not
		 * in a handler that may have interrupted malloc */
		backtrace(warm, (int)(sizeof(warm) / sizeof(warm[0])));
		memset(&sa, 0, sizeof(sa));
		sa.sa_sigaction = on_sigprof;
		sa.sa_flags = SA_SIGINFO | SA_RESTART;
		sigemptyset(&sa.sa_mask);
		if (sigaction(SIGPROF, &sa, &prof.old_action)) {
			snprintf(err, cap, "sigaction(SIGPROF): %s", strerror(errno));
			close_source();
			free(prof.words);
			prof.words = NULL;
			return -1;
		}
		prof.installed = 1;
	}
	prof.open = 1;
	return 0;
}

int pg_bench_profiler_is_open(void)
{
	return prof.open;
}

void pg_bench_profiler_start(void)
{
	if (!prof.open || prof.started)
		return;
	prof.started = 1;
	if (!prof.start_unix_ns)
		prof.start_unix_ns = (int64_t)clock_ns(CLOCK_REALTIME);
	prof.cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
	prof.wall0 = clock_ns(CLOCK_MONOTONIC);
	if (prof.src == SRC_ITIMER) /* the handler is not running: inactive */
		prof.itimer_last_ns = (int64_t)clock_ns(CLOCK_PROCESS_CPUTIME_ID);
	atomic_store_explicit(&prof_active, 1, memory_order_release);
	arm(1);
}

/* Add the running region up to now to the totals. */
static void close_region(void)
{
	uint64_t cpu = clock_ns(CLOCK_THREAD_CPUTIME_ID), wall = clock_ns(CLOCK_MONOTONIC);

	if (cpu >= prof.cpu0)
		prof.cpu_ns += cpu - prof.cpu0;
	if (wall >= prof.wall0)
		prof.wall_ns += wall - prof.wall0;
	prof.cpu0 = cpu;
	prof.wall0 = wall;
}

void pg_bench_profiler_stop(void)
{
	if (!prof.open || !prof.started)
		return;
	/* inactive first: a signal already on its way is ignored rather than
	 * sampling this function */
	atomic_store_explicit(&prof_active, 0, memory_order_release);
	arm(0);
	close_region();
	prof.started = 0;
}

void pg_bench_profiler_discard(void)
{
	sigset_t saved;

	if (!prof.open)
		return;
	lock_buffer(&saved);
	prof.len = 0;
	prof.dropped = 0;
	unlock_buffer(&saved);
	atomic_store_explicit(&prof_busy, 0, memory_order_relaxed);
	prof.cpu_ns = 0;
	prof.wall_ns = 0;
	prof.start_unix_ns = 0;
	if (prof.started) {
		prof.cpu0 = clock_ns(CLOCK_THREAD_CPUTIME_ID);
		prof.wall0 = clock_ns(CLOCK_MONOTONIC);
		prof.start_unix_ns = (int64_t)clock_ns(CLOCK_REALTIME);
	}
}

void pg_bench_profiler_take(pg_bench_profile *into)
{
	sigset_t saved;
	uint64_t dropped;
	size_t pos = 0;

	if (!prof.open)
		return;
	if (prof.started)
		close_region();
	lock_buffer(&saved);
	dropped = prof.dropped;
	while (into && pos + 2 <= prof.len) {
		const uint64_t *w = prof.words + pos;
		size_t depth = (size_t)(w[0] & 0xffffffffu);

		if (pg_bench_profile_add(into, w + 2, depth, (int)(w[0] >> 32), 1, w[1]))
			dropped++; /* out of memory */
		pos += 2 + depth;
	}
	prof.len = 0;
	prof.dropped = 0;
	unlock_buffer(&saved);
	dropped += (uint64_t)atomic_exchange_explicit(&prof_busy, 0, memory_order_relaxed);
	if (into) {
		into->dropped += dropped;
		into->cpu_ns += prof.cpu_ns;
		into->wall_ns += prof.wall_ns;
		if (!into->start_unix_ns)
			into->start_unix_ns = prof.start_unix_ns;
	}
	prof.cpu_ns = 0;
	prof.wall_ns = 0;
	prof.start_unix_ns = prof.started ? (int64_t)clock_ns(CLOCK_REALTIME) : 0;
}

void pg_bench_profiler_close(void)
{
	sigset_t set, saved;
	struct timespec zero = { 0, 0 };

	if (!prof.open)
		return;
	pg_bench_profiler_stop();
	sigemptyset(&set);
	sigaddset(&set, SIGPROF);
	pthread_sigmask(SIG_BLOCK, &set, &saved);
	close_source(); /* closing the perf event waits for its last signal */
	if (prof.installed) {
		/* a SIGPROF still pending would meet the old disposition (by
		 * default: terminate): consume it first */
		while (sigtimedwait(&set, NULL, &zero) == SIGPROF)
			;
		sigaction(SIGPROF, &prof.old_action, NULL);
	}
	pthread_sigmask(SIG_SETMASK, &saved, NULL);
	free(prof.words);
	memset(&prof, 0, sizeof(prof));
	prof.perf_fd = -1;
}

void pg_bench_profiler_meta(pg_bench_profile_meta *out)
{
	memset(out, 0, sizeof(*out));
	if (!prof.open)
		return;
	out->source = sources[prof.src].name;
	out->description = sources[prof.src].description;
	out->weighting = sources[prof.src].weighting;
	out->notes = prof.notes;
	out->hz = prof.hz;
	out->period_ns = prof.period_ns;
}
