/*
 * Configuration lines of the Go benchmark format ("key: value") that
 * start a suite's output: where and with what the numbers were measured.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

typedef struct config_line {
	char *key;
	char *value;
} config_line;

static config_line *user_config;
static size_t user_nconfig;

static int valid_key(const char *key)
{
	const char *p;

	if (!(*key >= 'a' && *key <= 'z'))
		return 0;
	for (p = key; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == ':' || (*p >= 'A' && *p <= 'Z') ||
		    *p == 0x7f)
			return 0;
	return 1;
}

static char *dup_str(const char *s)
{
	size_t len = strlen(s);
	char *p = malloc(len + 1);

	if (p)
		memcpy(p, s, len + 1);
	return p;
}

int pg_bench_add_config(const char *key, const char *fmt, ...)
{
	config_line *grown;
	char *k = NULL, *v = NULL, *p;
	va_list ap;
	size_t i;
	int n;

	if (!key || !valid_key(key) || !fmt)
		return -1;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return -1;
	v = malloc((size_t)n + 1);
	if (!v)
		return -1;
	va_start(ap, fmt);
	vsnprintf(v, (size_t)n + 1, fmt, ap);
	va_end(ap);
	for (p = v; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			*p = ' ';
	for (i = 0; i < user_nconfig; i++) {
		if (!strcmp(user_config[i].key, key)) {
			free(user_config[i].value);
			user_config[i].value = v;
			return 0;
		}
	}
	k = dup_str(key);
	grown = realloc(user_config, (user_nconfig + 1) * sizeof(*grown));
	if (!k || !grown) {
		if (grown)
			user_config = grown;
		free(k);
		free(v);
		return -1;
	}
	user_config = grown;
	user_config[user_nconfig].key = k;
	user_config[user_nconfig].value = v;
	user_nconfig++;
	return 0;
}

void pg_bench_config_reset(void)
{
	size_t i;

	for (i = 0; i < user_nconfig; i++) {
		free(user_config[i].key);
		free(user_config[i].value);
	}
	free(user_config);
	user_config = NULL;
	user_nconfig = 0;
}

const char *pg_bench_goarch(void)
{
#if defined(__x86_64__) && defined(__ILP32__)
	return "amd64p32";
#elif defined(__x86_64__)
	return "amd64";
#elif defined(__i386__)
	return "386";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__arm__)
	return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__powerpc64__) && defined(__LITTLE_ENDIAN__)
	return "ppc64le";
#elif defined(__powerpc64__)
	return "ppc64";
#elif defined(__s390x__)
	return "s390x";
#elif defined(__loongarch64)
	return "loong64";
#elif defined(__mips64) && defined(__MIPSEL__)
	return "mips64le";
#elif defined(__mips64)
	return "mips64";
#elif defined(__mips__) && defined(__MIPSEL__)
	return "mipsle";
#elif defined(__mips__)
	return "mips";
#elif defined(__wasm32__)
	return "wasm";
#else
	return "unknown";
#endif
}

static const char *goos(void)
{
#if defined(__ANDROID__)
	return "android";
#elif defined(__linux__)
	return "linux";
#elif defined(__APPLE__)
	return "darwin";
#elif defined(__FreeBSD__)
	return "freebsd";
#elif defined(__NetBSD__)
	return "netbsd";
#elif defined(__OpenBSD__)
	return "openbsd";
#elif defined(__DragonFly__)
	return "dragonfly";
#elif defined(__sun)
	return "solaris";
#else
	return "unknown";
#endif
}

/* "model name" of the first processor in /proc/cpuinfo, into `buf`;
 * 0 or -1. */
static int cpu_model(char *buf, size_t cap)
{
	char line[512];
	FILE *f = fopen("/proc/cpuinfo", "r");
	int rc = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		char *colon, *v, *end;

		if (strncmp(line, "model name", 10))
			continue;
		colon = strchr(line, ':');
		if (!colon)
			continue;
		v = colon + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		end = v + strlen(v);
		while (end > v && (unsigned char)end[-1] <= ' ')
			*--end = '\0';
		if (*v) {
			snprintf(buf, cap, "%s", v);
			rc = 0;
		}
		break;
	}
	fclose(f);
	return rc;
}

/* The distinct compilers of the registered benchmarks, ", "-separated. */
static void compilers(pg_bench_sb *out)
{
	const pg_bench_entry *e;
	size_t n = pg_bench_registry(&e), i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < i; j++)
			if (!strcmp(e[j].compiler, e[i].compiler))
				break;
		if (j < i)
			continue;
		if (out->len)
			pg_bench_sb_add(out, ", ", 2);
		pg_bench_sb_addf(out, "%s", e[i].compiler);
	}
}

static const char *user_value(const char *key)
{
	size_t i;

	for (i = 0; i < user_nconfig; i++)
		if (!strcmp(user_config[i].key, key))
			return user_config[i].value;
	return NULL;
}

/* A built-in line, unless the user set the key. */
/* perfgate's version, given by the Makefile */
#ifndef PG_BENCH_HARNESS_VERSION
#define PG_BENCH_HARNESS_VERSION "unknown"
#endif

static void builtin(pg_bench_sb *out, const char *key, const char *value)
{
	const char *v = user_value(key);

	pg_bench_sb_addf(out, "%s: %s\n", key, v ? v : value);
}

void pg_bench_config_block(pg_bench_sb *out, const char *argv0,
			   const char *notes)
{
	pg_bench_sb cc = PG_BENCH_SB_INIT;
	const char *prog = "unknown", *slash;
	char cpu[256] = "";
	size_t i;

	if (argv0 && *argv0) {
		slash = strrchr(argv0, '/');
		prog = slash && slash[1] ? slash + 1 : argv0;
	}
	builtin(out, "goos", goos());
	builtin(out, "goarch", pg_bench_goarch());
	builtin(out, "pkg", prog);
	if (user_value("cpu") || !cpu_model(cpu, sizeof(cpu)))
		builtin(out, "cpu", cpu);
	compilers(&cc);
	if (user_value("compiler") || cc.len)
		builtin(out, "compiler", pg_bench_sb_str(&cc));
	pg_bench_sb_release(&cc);
	/* says "this suite takes perfgate's flags" (-cpuprofile, ...): the
	 * runner profiles such suites without being told */
	pg_bench_sb_addf(out, "harness: perfgate %s\n", PG_BENCH_HARNESS_VERSION);
	if (notes)
		pg_bench_sb_addf(out, "%s", notes);
	for (i = 0; i < user_nconfig; i++) {
		const char *k = user_config[i].key;

		if (!strcmp(k, "goos") || !strcmp(k, "goarch") || !strcmp(k, "pkg") ||
		    !strcmp(k, "cpu") || !strcmp(k, "compiler") || !strcmp(k, "harness"))
			continue;
		pg_bench_sb_addf(out, "%s: %s\n", k, user_config[i].value);
	}
}
