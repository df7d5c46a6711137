/*
 * Allocation counting for -benchmem and pg_bench_report_allocs().
 *
 * The harness defines malloc, calloc, realloc, reallocarray, free,
 * posix_memalign, aligned_alloc and memalign in the program (this object
 * is linked because bench.c calls pg_bench_alloc_read()). A definition in
 * the executable takes precedence over libc's for every caller, shared
 * libraries included, so jansson's or libstdc++'s allocations are counted
 * too. Each function counts (while the benchmark timer runs) and forwards
 * to glibc's allocator through its __libc_* entry points.
 *
 * The definitions are weak: a program (or a statically linked allocator)
 * that defines malloc itself wins, and pg_bench_alloc_probe() then sees
 * that a real malloc() is not counted and reports counting as
 * unavailable instead of printing zeros.
 *
 * Sanitizers: when this file is compiled with AddressSanitizer (or
 * another sanitizer that replaces malloc) nothing is defined and counting
 * is unavailable. When the harness was built without a sanitizer but the
 * program runs with a sanitizer runtime (linked with -fsanitize=...), the
 * sanitizer's allocator owns the heap: the functions forward to its
 * interceptors (so that memory from e.g. its strdup() can be freed), and
 * counting is reported unavailable as well.
 *
 * valloc and pvalloc (obsolete) are not counted; they still work (glibc's
 * own definitions, the same heap).
 *
 * A malloc in a shared library (tcmalloc, jemalloc linked as .so) is
 * bypassed: the program's definition comes first. The counts are still
 * right (they do not depend on the allocator) but the times are glibc's
 * malloc's; pg_bench_alloc_foreign() detects it so that the suite can say
 * so. dlsym() and dladdr() are weak references: with a glibc older than
 * 2.34 and no -ldl the check is skipped rather than failing to link.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* RTLD_NEXT, dladdr */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#if defined(__SANITIZE_ADDRESS__)
#define PG_ALLOC_SANITIZED "AddressSanitizer"
#elif defined(__SANITIZE_THREAD__)
#define PG_ALLOC_SANITIZED "ThreadSanitizer"
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(hwaddress_sanitizer)
#define PG_ALLOC_SANITIZED "AddressSanitizer"
#elif __has_feature(thread_sanitizer)
#define PG_ALLOC_SANITIZED "ThreadSanitizer"
#elif __has_feature(memory_sanitizer)
#define PG_ALLOC_SANITIZED "MemorySanitizer"
#endif
#endif

#if defined(__GLIBC__) && !defined(PG_ALLOC_SANITIZED)
#define PG_ALLOC_INTERPOSE 1
#endif

static atomic_int counting;
static _Atomic uint64_t count_allocs;
static _Atomic uint64_t count_bytes;
static _Atomic uint64_t count_frees;

void pg_bench_alloc_counting(int on)
{
	atomic_store_explicit(&counting, on != 0, memory_order_relaxed);
}

void pg_bench_alloc_read(pg_bench_alloc_stats *out)
{
	out->allocs = atomic_load_explicit(&count_allocs, memory_order_relaxed);
	out->bytes = atomic_load_explicit(&count_bytes, memory_order_relaxed);
	out->frees = atomic_load_explicit(&count_frees, memory_order_relaxed);
}

#ifdef PG_ALLOC_INTERPOSE

static inline void count_alloc(size_t bytes)
{
	if (atomic_load_explicit(&counting, memory_order_relaxed)) {
		atomic_fetch_add_explicit(&count_allocs, 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&count_bytes, bytes, memory_order_relaxed);
	}
}

/* glibc's allocator. */
extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);
extern void *__libc_memalign(size_t align, size_t size);

/* A sanitizer runtime's allocator, when one is linked in: compiler-rt and
 * libsanitizer name their malloc interceptors __interceptor_malloc (LLVM
 * 17 and later: ___interceptor_malloc). */
#define PG_WEAK __attribute__((weak))
extern void *__interceptor_malloc(size_t size) PG_WEAK;
extern void *__interceptor_calloc(size_t n, size_t size) PG_WEAK;
extern void *__interceptor_realloc(void *p, size_t size) PG_WEAK;
extern void __interceptor_free(void *p) PG_WEAK;
extern void *__interceptor_memalign(size_t align, size_t size) PG_WEAK;
extern void *___interceptor_malloc(size_t size) PG_WEAK;
extern void *___interceptor_calloc(size_t n, size_t size) PG_WEAK;
extern void *___interceptor_realloc(void *p, size_t size) PG_WEAK;
extern void ___interceptor_free(void *p) PG_WEAK;
extern void *___interceptor_memalign(size_t align, size_t size) PG_WEAK;
extern void __asan_init(void) PG_WEAK;

static int sanitizer_runtime(void)
{
	return __interceptor_malloc || ___interceptor_malloc || __asan_init;
}

static void *real_malloc(size_t size)
{
	if (__interceptor_malloc)
		return __interceptor_malloc(size);
	if (___interceptor_malloc)
		return ___interceptor_malloc(size);
	return __libc_malloc(size);
}

static void *real_calloc(size_t n, size_t size)
{
	if (__interceptor_calloc)
		return __interceptor_calloc(n, size);
	if (___interceptor_calloc)
		return ___interceptor_calloc(n, size);
	return __libc_calloc(n, size);
}

static void *real_realloc(void *p, size_t size)
{
	if (__interceptor_realloc)
		return __interceptor_realloc(p, size);
	if (___interceptor_realloc)
		return ___interceptor_realloc(p, size);
	return __libc_realloc(p, size);
}

static void real_free(void *p)
{
	if (__interceptor_free)
		__interceptor_free(p);
	else if (___interceptor_free)
		___interceptor_free(p);
	else
		__libc_free(p);
}

static void *real_memalign(size_t align, size_t size)
{
	if (__interceptor_memalign)
		return __interceptor_memalign(align, size);
	if (___interceptor_memalign)
		return ___interceptor_memalign(align, size);
	return __libc_memalign(align, size);
}

/* The definitions that replace libc's. -Wmissing-prototypes is satisfied
 * by <stdlib.h> (and <malloc.h> for memalign, declared below to avoid a
 * glibc-only header). */
extern void *memalign(size_t align, size_t size);

PG_WEAK void *malloc(size_t size)
{
	count_alloc(size);
	return real_malloc(size);
}

PG_WEAK void *calloc(size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total))
		total = SIZE_MAX;
	count_alloc(total);
	return real_calloc(n, size);
}

PG_WEAK void *realloc(void *p, size_t size)
{
	count_alloc(size);
	return real_realloc(p, size);
}

PG_WEAK void *reallocarray(void *p, size_t n, size_t size)
{
	size_t total;

	if (__builtin_mul_overflow(n, size, &total)) {
		errno = ENOMEM;
		return NULL;
	}
	count_alloc(total);
	return real_realloc(p, total);
}

PG_WEAK void free(void *p)
{
	if (p && atomic_load_explicit(&counting, memory_order_relaxed))
		atomic_fetch_add_explicit(&count_frees, 1, memory_order_relaxed);
	real_free(p);
}

static int power_of_two(size_t x)
{
	return x && !(x & (x - 1));
}

PG_WEAK int posix_memalign(void **out, size_t align, size_t size)
{
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	count_alloc(size);
	p = real_memalign(align, size);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}

PG_WEAK void *aligned_alloc(size_t align, size_t size)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	count_alloc(size);
	return real_memalign(align, size);
}

PG_WEAK void *memalign(size_t align, size_t size)
{
	count_alloc(size);
	return real_memalign(align, size);
}

#pragma weak dlsym
#pragma weak dladdr

int pg_bench_alloc_foreign(char *name, size_t cap)
{
	Dl_info info;
	void *next;

	if (!dlsym || sanitizer_runtime())
		return 0;
	next = dlsym(RTLD_NEXT, "malloc");
	if (!next || next == (void *)__libc_malloc)
		return 0;
	if (dladdr && dladdr(next, &info) && info.dli_fname && *info.dli_fname) {
		const char *slash = strrchr(info.dli_fname, '/');

		snprintf(name, cap, "%s", slash ? slash + 1 : info.dli_fname);
	} else {
		snprintf(name, cap, "a shared library");
	}
	return 1;
}

int pg_bench_alloc_probe(char *why, size_t cap)
{
	/* Called through a volatile pointer: the compiler may not remove a
	 * malloc/free pair it can see. */
	void *(*volatile probe_malloc)(size_t) = malloc;
	pg_bench_alloc_stats before, after;
	int was;
	void *p;

	if (sanitizer_runtime()) {
		snprintf(why, cap, "unavailable under %s",
			 __asan_init ? "AddressSanitizer" : "a sanitizer runtime");
		return 0;
	}
	was = atomic_exchange_explicit(&counting, 1, memory_order_relaxed);
	pg_bench_alloc_read(&before);
	p = probe_malloc(24);
	pg_bench_alloc_read(&after);
	atomic_store_explicit(&counting, was, memory_order_relaxed);
	free(p);
	if (after.allocs == before.allocs) {
		snprintf(why, cap, "unavailable (the program's malloc is not "
			 "the harness's: linked statically, or defined by the "
			 "program or a static library)");
		return 0;
	}
	return 1;
}

#else /* !PG_ALLOC_INTERPOSE */

int pg_bench_alloc_foreign(char *name, size_t cap)
{
	(void)name;
	(void)cap;
	return 0;
}

int pg_bench_alloc_probe(char *why, size_t cap)
{
#ifdef PG_ALLOC_SANITIZED
	snprintf(why, cap, "unavailable under " PG_ALLOC_SANITIZED);
#else
	snprintf(why, cap, "unavailable (needs glibc)");
#endif
	return 0;
}

#endif
