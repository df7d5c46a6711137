/*
 * CPU profiles, the output side: a benchmark's aggregate of stacks
 * (profile.c) becomes a gzipped pprof profile (google/pprof's
 * profile.proto, encoded by the protobuf-c code generated from
 * bench-runner/profile.proto).
 *
 *   sample types   samples/count (signals) and cpu/nanoseconds (what
 *                  they weigh: periods x period); period type
 *                  cpu/nanoseconds, period = the sampling period
 *   labels         benchmark = the full benchmark name, on every sample
 *   mappings       the executable mappings of /proc/self/maps, the
 *                  executable first, each with its GNU build-id (hex) so
 *                  that other tools can find the binary and re-symbolize
 *   locations      one per distinct address; the leaf is the interrupted
 *                  instruction, callers are return addresses minus one (an
 *                  address inside the call instruction, so that any
 *                  symbolizer finds the call's line)
 *   functions      names from the symbol table (C++ names demangled when
 *                  the program links libstdc++), file and line from DWARF.
 *                  Inlined code is attributed to the function it was
 *                  inlined into, at the line of the outermost inlined call
 *                  (no inline frames: has_inline_frames is false)
 *   comments       the sampling source, the requested and effective rate,
 *                  the weighting, the dropped samples, the symbolizer
 *
 * Symbolization runs after sampling stopped (never in the signal handler):
 * libdw (elfutils) over this process (dwfl_linux_proc_report), then
 * dladdr(), then module+offset ("libfoo.so+0x1a2b"). It never uses the
 * network: when DEBUGINFOD_URLS is set, separate debug files are looked
 * up by build-id under the debug directories only.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* dladdr */
#endif
#include <dlfcn.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <zlib.h>

#include "profile.pb-c.h"

#include "internal.h"

/* C++ names are demangled when the program has libstdc++ (a weak
 * reference: C programs do not need it). */
extern char *__cxa_demangle(const char *mangled, char *buf, size_t *len, int *status)
	__attribute__((weak));

/* ------------------------------------------------------------ file names */

static int safe_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '.' || c == '_' || c == ',' || c == '=' || c == '-';
}

void pg_bench_profile_file_name(pg_bench_sb *out, const char *bench_name)
{
	const char *s = bench_name;
	size_t len, i, keep;
	uint64_t h = 0xcbf29ce484222325ULL;

	if (!strncmp(s, "Benchmark", 9) && s[9])
		s += 9;
	len = strlen(s);
	keep = len > 200 ? 200 : len;
	for (i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)s[i];
		char r = c == '/' ? '-' : safe_byte(c) ? (char)c : '_';

		if (i == 0 && r == '.')
			r = '_';
		pg_bench_sb_add(out, &r, 1);
	}
	if (keep == 0)
		pg_bench_sb_add(out, "_", 1);
	if (len > keep) {
		for (i = 0; i < len; i++) {
			h ^= (unsigned char)s[i];
			h *= 0x100000001b3ULL;
		}
		pg_bench_sb_addf(out, "_%016" PRIx64, h);
	}
	pg_bench_sb_add(out, ".pb.gz", 6);
}

/* ------------------------------------------------------------ directories */

int pg_bench_mkdir_p(const char *dir, char *err, size_t cap)
{
	pg_bench_sb path = PG_BENCH_SB_INIT;
	struct stat st;
	const char *p = dir;
	int rc = -1;

	if (!dir || !*dir) {
		snprintf(err, cap, "empty profile directory name");
		return -1;
	}
	while (*p) {
		const char *slash = strchr(p + 1, '/');
		size_t n = slash ? (size_t)(slash - dir) : strlen(dir);

		pg_bench_sb_reset(&path);
		pg_bench_sb_add(&path, dir, n);
		if (path.failed) {
			snprintf(err, cap, "out of memory");
			goto cleanup;
		}
		if (mkdir(path.ptr, 0777) && errno != EEXIST) {
			snprintf(err, cap, "cannot create directory '%s': %s", path.ptr,
				 strerror(errno));
			goto cleanup;
		}
		p = slash ? slash : dir + n;
	}
	if (stat(dir, &st)) {
		snprintf(err, cap, "cannot create directory '%s': %s", dir, strerror(errno));
		goto cleanup;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, cap, "cannot create directory '%s': %s", dir, strerror(ENOTDIR));
		goto cleanup;
	}
	rc = 0;
cleanup:
	pg_bench_sb_release(&path);
	return rc;
}

/* ------------------------------------------------------------ the symbolizer */

struct pg_bench_symbolizer {
	Dwfl *dwfl; /* NULL: libdw could not start */
	Dwfl_Callbacks callbacks;
	char *debuginfo_path;
	int reported; /* the last report of this process's modules worked */
	char why[256];
};

/* Find separate debug information without the network: debuginfod (which
 * dwfl_standard_find_debuginfo asks last when DEBUGINFOD_URLS is set)
 * would make writing a profile download files. */
static int find_debuginfo_local(Dwfl_Module *mod, void **userdata, const char *modname,
				Dwarf_Addr base, const char *file_name,
				const char *debuglink_file, GElf_Word debuglink_crc,
				char **debuginfo_file_name)
{
	const char *urls = getenv("DEBUGINFOD_URLS");

	if (urls && *urls)
		return dwfl_build_id_find_debuginfo(mod, userdata, modname, base, file_name,
						    debuglink_file, debuglink_crc,
						    debuginfo_file_name);
	return dwfl_standard_find_debuginfo(mod, userdata, modname, base, file_name,
					    debuglink_file, debuglink_crc, debuginfo_file_name);
}

pg_bench_symbolizer *pg_bench_symbolizer_new(void)
{
	pg_bench_symbolizer *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->callbacks.find_elf = dwfl_linux_proc_find_elf;
	s->callbacks.find_debuginfo = find_debuginfo_local;
	s->callbacks.debuginfo_path = &s->debuginfo_path;
	s->dwfl = dwfl_begin(&s->callbacks);
	if (!s->dwfl)
		snprintf(s->why, sizeof(s->why), "libdw: %s", dwfl_errmsg(-1));
	return s;
}

void pg_bench_symbolizer_free(pg_bench_symbolizer *s)
{
	if (!s)
		return;
	if (s->dwfl)
		dwfl_end(s->dwfl);
	free(s);
}

/* Report this process's modules (again: libraries come and go). */
static void symbolizer_report(pg_bench_symbolizer *s)
{
	int rc;

	s->reported = 0;
	if (!s->dwfl)
		return;
	dwfl_report_begin(s->dwfl);
	rc = dwfl_linux_proc_report(s->dwfl, getpid());
	if (dwfl_report_end(s->dwfl, NULL, NULL) != 0) {
		snprintf(s->why, sizeof(s->why), "libdw: %s", dwfl_errmsg(-1));
		return;
	}
	if (rc != 0) {
		snprintf(s->why, sizeof(s->why), "libdw: reading /proc/%ld/maps: %s",
			 (long)getpid(), rc > 0 ? strerror(rc) : dwfl_errmsg(-1));
		return;
	}
	s->reported = 1;
}

/* ------------------------------------------------------------ string table */

typedef struct strtab {
	char **strs;
	size_t n, cap;
	size_t *slots; /* index + 1 */
	size_t nslots;
	int failed;
} strtab;

static uint64_t hash_str(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int strtab_grow(strtab *t)
{
	size_t n = t->nslots ? t->nslots * 2 : 256, i;
	size_t *slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (i = 0; i < t->n; i++) {
		size_t k = (size_t)hash_str(t->strs[i]) & (n - 1);

		while (slots[k])
			k = (k + 1) & (n - 1);
		slots[k] = i + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

/* The index of `s` in the table (added when new); 0 ("") for NULL and
 * when out of memory (t->failed is then set). */
static int64_t strtab_add(strtab *t, const char *s)
{
	size_t k, len;
	char *copy;

	if (!s || t->failed)
		return 0;
	if ((t->n + 1) * 2 > t->nslots && strtab_grow(t))
		goto oom;
	k = (size_t)hash_str(s) & (t->nslots - 1);
	while (t->slots[k]) {
		if (!strcmp(t->strs[t->slots[k] - 1], s))
			return (int64_t)(t->slots[k] - 1);
		k = (k + 1) & (t->nslots - 1);
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		char **grown = realloc(t->strs, cap * sizeof(*grown));

		if (!grown)
			goto oom;
		t->strs = grown;
		t->cap = cap;
	}
	len = strlen(s);
	copy = malloc(len + 1);
	if (!copy)
		goto oom;
	memcpy(copy, s, len + 1);
	t->strs[t->n] = copy;
	t->slots[k] = ++t->n;
	return (int64_t)(t->n - 1);
oom:
	t->failed = 1;
	return 0;
}

static void strtab_release(strtab *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		free(t->strs[i]);
	free(t->strs);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

/* ------------------------------------------------------------ mappings */

typedef struct mapping {
	uint64_t start, limit, offset;
	int64_t filename; /* string index */
	int64_t build_id;
	const char *path; /* into the string table */
	size_t nlocs, nfunc, nfile, nline; /* its locations, and how many
					    * have a function, file, line */
} mapping;

/* The executable mappings of this process (/proc/self/maps), the main
 * executable first. 0, or -1 with a message. */
static int read_mappings(mapping **out, size_t *n_out, strtab *st, pg_bench_symbolizer *sym,
			 const char *trimpath, char *err, size_t cap);

static const char *trim_path(const char *path, const char *prefix)
{
	size_t n;

	if (!path || !prefix || !*prefix)
		return path;
	n = strlen(prefix);
	if (strncmp(path, prefix, n) ||
	    (prefix[n - 1] != '/' && path[n] != '/' && path[n] != '\0'))
		return path;
	path += n;
	while (*path == '/')
		path++;
	return *path ? path : ".";
}

static void hex(pg_bench_sb *out, const unsigned char *bits, int len)
{
	int i;

	for (i = 0; i < len; i++)
		pg_bench_sb_addf(out, "%02x", bits[i]);
}

static int read_mappings(mapping **out, size_t *n_out, strtab *st, pg_bench_symbolizer *sym,
			 const char *trimpath, char *err, size_t cap)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[4096 + 128], exe[4096];
	mapping *maps = NULL;
	size_t n = 0, cap_maps = 0, i;
	ssize_t exe_len;
	int rc = -1;

	*out = NULL;
	*n_out = 0;
	if (!f) {
		snprintf(err, cap, "cannot open '/proc/self/maps': %s", strerror(errno));
		return -1;
	}
	exe_len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	exe[exe_len > 0 ? exe_len : 0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, offset;
		char perms[8];
		char *path, *nl;
		int pos = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &start, &end, perms, &offset,
			   &pos) < 4 || pos <= 0)
			continue;
		path = line + pos;
		while (*path == ' ' || *path == '\t')
			path++;
		nl = strchr(path, '\n');
		if (nl)
			*nl = '\0';
		if (!*path || strlen(perms) < 3 || perms[2] != 'x')
			continue;
		if (n == cap_maps) {
			size_t c = cap_maps ? cap_maps * 2 : 16;
			mapping *grown = realloc(maps, c * sizeof(*grown));

			if (!grown) {
				snprintf(err, cap, "out of memory");
				goto cleanup;
			}
			maps = grown;
			cap_maps = c;
		}
		memset(&maps[n], 0, sizeof(maps[n]));
		maps[n].start = start;
		maps[n].limit = end;
		maps[n].offset = offset;
		maps[n].filename = strtab_add(st, trim_path(path, trimpath));
		maps[n].path = st->strs && maps[n].filename ? st->strs[maps[n].filename] : "";
		if (sym && sym->reported) {
			Dwfl_Module *mod = dwfl_addrmodule(sym->dwfl, start);
			const unsigned char *bits = NULL;
			GElf_Addr vaddr, bias;
			int len = -1;

			/* the build-id is known once the ELF file is open */
			if (mod && dwfl_module_getelf(mod, &bias))
				len = dwfl_module_build_id(mod, &bits, &vaddr);

			if (len > 0 && bits) {
				pg_bench_sb b = PG_BENCH_SB_INIT;

				hex(&b, bits, len);
				if (!b.failed)
					maps[n].build_id = strtab_add(st, pg_bench_sb_str(&b));
				pg_bench_sb_release(&b);
			}
		}
		/* the main executable goes first (pprof's convention), its
		 * mappings in address order */
		if (exe[0] && !strcmp(path, exe) && n > 0) {
			mapping m = maps[n];

			for (i = n; i > 0 && strcmp(maps[i - 1].path, m.path); i--)
				maps[i] = maps[i - 1];
			maps[i] = m;
		}
		n++;
	}
	if (st->failed) {
		snprintf(err, cap, "out of memory");
		goto cleanup;
	}
	*out = maps;
	*n_out = n;
	maps = NULL;
	rc = 0;
cleanup:
	fclose(f);
	free(maps);
	return rc;
}

/* The mapping holding `addr`, or -1. */
static long find_mapping(const mapping *maps, size_t n, uint64_t addr)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (addr >= maps[i].start && addr < maps[i].limit)
			return (long)i;
	return -1;
}

/* ------------------------------------------------------------ symbolizing one address */

typedef struct func_key {
	int64_t name, system_name, filename, start_line;
} func_key;

/* What is known of an address. */
typedef struct addr_sym {
	func_key fn;  /* name 0: no function */
	int64_t line; /* 0: unknown */
} addr_sym;

/* A demangled copy of a C++ name, or NULL. */
static char *demangle(const char *name)
{
	int status = -1;
	char *d;

	if (!__cxa_demangle || strncmp(name, "_Z", 2))
		return NULL;
	d = __cxa_demangle(name, NULL, NULL, &status);
	if (status != 0) {
		free(d);
		return NULL;
	}
	return d;
}

/* The name (demangled, without a symbol version: "__libc_start_main"
 * for "__libc_start_main@@GLIBC_2.34") and the system name (as in the
 * symbol table). */
static void set_name(addr_sym *out, strtab *st, const char *system_name)
{
	const char *at = strchr(system_name, '@');
	char *d = demangle(system_name), *plain = NULL;

	out->fn.system_name = strtab_add(st, system_name);
	if (!d && at && at > system_name) {
		plain = malloc((size_t)(at - system_name) + 1);
		if (plain) {
			memcpy(plain, system_name, (size_t)(at - system_name));
			plain[at - system_name] = '\0';
		}
	}
	out->fn.name = d ? strtab_add(st, d) : plain ? strtab_add(st, plain)
						       : out->fn.system_name;
	free(d);
	free(plain);
}

/* `file` made absolute with the compilation directory of `cu` (a copy in
 * the string table). */
static int64_t add_file(strtab *st, Dwarf_Die *cu, const char *file, const char *trimpath)
{
	Dwarf_Attribute attr;
	const char *dir;
	pg_bench_sb abs = PG_BENCH_SB_INIT;
	int64_t idx;

	if (file[0] == '/' || !cu ||
	    !(dir = dwarf_formstring(dwarf_attr(cu, DW_AT_comp_dir, &attr))) || !*dir)
		return strtab_add(st, trim_path(file, trimpath));
	pg_bench_sb_addf(&abs, "%s%s%s", dir, dir[strlen(dir) - 1] == '/' ? "" : "/", file);
	idx = abs.failed ? 0 : strtab_add(st, trim_path(pg_bench_sb_str(&abs), trimpath));
	if (abs.failed)
		st->failed = 1;
	pg_bench_sb_release(&abs);
	return idx;
}

/* The compilation unit holding `addr`. dwfl_module_addrdie() looks in
 * .debug_aranges, which Clang does not emit: then ask each unit. */
static Dwarf_Die *find_cu(Dwfl_Module *mod, uint64_t addr, Dwarf_Addr *bias)
{
	Dwarf_Die *cu = dwfl_module_addrdie(mod, addr, bias);

	if (cu)
		return cu;
	while ((cu = dwfl_module_nextcu(mod, cu, bias)) != NULL)
		if (dwarf_haspc(cu, addr - *bias) > 0)
			return cu;
	return NULL;
}

/* File and line of `addr` (a module address) from DWARF, and the
 * function's declaration; inlined code gets the line of the outermost
 * inlined call. Returns 1 when the address has DWARF line information. */
static int dwarf_lookup(Dwfl_Module *mod, uint64_t addr, strtab *st, const char *trimpath,
			addr_sym *out, const char **dwarf_name)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = find_cu(mod, addr, &bias);
	Dwarf_Die *scopes = NULL, innermost;
	const char *file = NULL;
	int line = 0, n, i, sub = -1, outer = -1, found = 0;

	*dwarf_name = NULL;
	if (cu) {
		/* dwarf_getscopes() continues an inlined scope with the
		 * abstract definition's scopes; the DIEs that physically
		 * contain the innermost one are what tells where the code
		 * was inlined */
		n = dwarf_getscopes(cu, addr - bias, &scopes);
		if (n > 0) {
			innermost = scopes[0];
			free(scopes);
			scopes = NULL;
			n = dwarf_getscopes_die(&innermost, &scopes);
		}
		for (i = 0; i < n; i++) {
			int tag = dwarf_tag(&scopes[i]);

			if (tag == DW_TAG_subprogram) {
				sub = i;
				break;
			}
			if (tag == DW_TAG_inlined_subroutine)
				outer = i;
		}
		if (sub >= 0) {
			Dwarf_Attribute attr;
			const char *decl_file = dwarf_decl_file(&scopes[sub]);
			int decl_line = 0;

			if (dwarf_attr_integrate(&scopes[sub], DW_AT_name, &attr))
				*dwarf_name = dwarf_formstring(&attr);
			if (dwarf_decl_line(&scopes[sub], &decl_line) == 0)
				out->fn.start_line = decl_line;
			if (decl_file)
				out->fn.filename = add_file(st, cu, decl_file, trimpath);
		}
		if (sub >= 0 && outer >= 0) {
			Dwarf_Attribute attr;
			Dwarf_Word call_file = 0, call_line = 0;
			Dwarf_Files *files;
			size_t nfiles;

			if (dwarf_formudata(dwarf_attr(&scopes[outer], DW_AT_call_line, &attr),
					    &call_line) == 0 &&
			    dwarf_formudata(dwarf_attr(&scopes[outer], DW_AT_call_file, &attr),
					    &call_file) == 0 &&
			    dwarf_getsrcfiles(cu, &files, &nfiles) == 0 && call_file < nfiles) {
				file = dwarf_filesrc(files, call_file, NULL, NULL);
				line = (int)call_line;
			}
		}
		free(scopes);
	}
	if (!line) {
		Dwfl_Line *dl = cu ? NULL : dwfl_module_getsrc(mod, addr);
		Dwarf_Addr lbias;
		Dwarf_Line *l = cu ? dwarf_getsrc_die(cu, addr - bias)
				   : dl ? dwfl_dwarf_line(dl, &lbias) : NULL;

		if (l && dwarf_lineno(l, &line) == 0)
			file = dwarf_linesrc(l, NULL, NULL);
		else
			line = 0;
	}
	if (line > 0) {
		out->line = line;
		found = 1;
		if (!out->fn.filename && file)
			out->fn.filename = add_file(st, cu, file, trimpath);
	}
	return found;
}

static void symbolize(addr_sym *out, uint64_t addr, const mapping *map, strtab *st,
		      pg_bench_symbolizer *sym, const char *trimpath)
{
	Dl_info info;

	memset(out, 0, sizeof(*out));
	if (sym && sym->reported) {
		Dwfl_Module *mod = dwfl_addrmodule(sym->dwfl, addr);

		if (mod) {
			const char *name = dwfl_module_addrname(mod, addr), *dname = NULL;

			dwarf_lookup(mod, addr, st, trimpath, out, &dname);
			if (name)
				set_name(out, st, name);
			else if (dname)
				set_name(out, st, dname);
			if (out->fn.name)
				return;
			memset(out, 0, sizeof(*out)); /* no name: the file alone says little */
		}
	}
	if (dladdr((void *)(uintptr_t)addr, &info) && info.dli_sname && info.dli_saddr &&
	    (uintptr_t)info.dli_saddr <= addr) {
		set_name(out, st, info.dli_sname);
		return;
	}
	if (map) {
		pg_bench_sb b = PG_BENCH_SB_INIT;
		const char *slash = strrchr(map->path, '/');

		pg_bench_sb_addf(&b, "%s+0x%" PRIx64, slash ? slash + 1 : map->path,
				 addr - map->start + map->offset);
		if (!b.failed) {
			out->fn.name = strtab_add(st, pg_bench_sb_str(&b));
			out->fn.system_name = out->fn.name;
		}
		pg_bench_sb_release(&b);
	}
}

/* ------------------------------------------------------------ u64 -> index */

typedef struct u64map {
	uint64_t *keys;
	size_t *vals; /* index + 1 */
	size_t n, nslots;
} u64map;

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return x;
}

/* The index stored for `key` + 1, or 0. */
static size_t u64map_get(const u64map *m, uint64_t key)
{
	size_t k;

	if (!m->nslots)
		return 0;
	k = (size_t)mix(key) & (m->nslots - 1);
	while (m->vals[k]) {
		if (m->keys[k] == key)
			return m->vals[k];
		k = (k + 1) & (m->nslots - 1);
	}
	return 0;
}

static int u64map_put(u64map *m, uint64_t key, size_t index)
{
	size_t k;

	if ((m->n + 1) * 2 > m->nslots) {
		size_t n = m->nslots ? m->nslots * 2 : 256, i;
		uint64_t *keys = calloc(n, sizeof(*keys));
		size_t *vals = calloc(n, sizeof(*vals));

		if (!keys || !vals) {
			free(keys);
			free(vals);
			return -1;
		}
		for (i = 0; i < m->nslots; i++) {
			if (!m->vals[i])
				continue;
			k = (size_t)mix(m->keys[i]) & (n - 1);
			while (vals[k])
				k = (k + 1) & (n - 1);
			keys[k] = m->keys[i];
			vals[k] = m->vals[i];
		}
		free(m->keys);
		free(m->vals);
		m->keys = keys;
		m->vals = vals;
		m->nslots = n;
	}
	k = (size_t)mix(key) & (m->nslots - 1);
	while (m->vals[k])
		k = (k + 1) & (m->nslots - 1);
	m->keys[k] = key;
	m->vals[k] = index + 1;
	m->n++;
	return 0;
}

static void u64map_release(u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}

/* ------------------------------------------------------------ encoding */

typedef struct loc {
	uint64_t addr;
	long map;      /* index in maps, -1: none */
	size_t func;   /* function index + 1, 0: none */
	int64_t line;
} loc;

typedef struct encoder {
	strtab st;
	mapping *maps;
	size_t nmaps;
	loc *locs;
	size_t nlocs, cap_locs;
	u64map loc_index;    /* address -> location */
	func_key *funcs;
	size_t nfuncs, cap_funcs;
	u64map func_index;   /* hash of the key -> first function with it */
	size_t *func_next;   /* chain of functions with the same hash + 1 */
} encoder;

static uint64_t hash_func(const func_key *k)
{
	return mix((uint64_t)k->name * 31 + mix((uint64_t)k->system_name) * 7 +
		   mix((uint64_t)k->filename) * 3 + (uint64_t)k->start_line);
}

/* The index + 1 of the function `k` (added when new); 0 when out of
 * memory. */
static size_t add_func(encoder *e, const func_key *k)
{
	uint64_t h = hash_func(k);
	size_t first = u64map_get(&e->func_index, h), i;

	for (i = first; i; i = e->func_next[i - 1])
		if (!memcmp(&e->funcs[i - 1], k, sizeof(*k)))
			return i;
	if (e->nfuncs == e->cap_funcs) {
		size_t cap = e->cap_funcs ? e->cap_funcs * 2 : 64;
		func_key *grown = realloc(e->funcs, cap * sizeof(*grown));
		size_t *next;

		if (!grown)
			return 0;
		e->funcs = grown;
		next = realloc(e->func_next, cap * sizeof(*next));
		if (!next)
			return 0;
		e->func_next = next;
		e->cap_funcs = cap;
	}
	e->funcs[e->nfuncs] = *k;
	if (first) {
		/* chain behind the first of the same hash */
		e->func_next[e->nfuncs] = e->func_next[first - 1];
		e->func_next[first - 1] = e->nfuncs + 1;
	} else {
		e->func_next[e->nfuncs] = 0;
		if (u64map_put(&e->func_index, h, e->nfuncs))
			return 0;
	}
	return ++e->nfuncs;
}

/* The address a location gets for frame `i` of a stack. */
static uint64_t frame_addr(const pg_bench_profile_stack *s, size_t i)
{
	return (i == 0 && s->leaf_exact) || s->pcs[i] == 0 ? s->pcs[i] : s->pcs[i] - 1;
}

/* The location index of `addr` (added, symbolized, when new); -1 when out
 * of memory. */
static long add_loc(encoder *e, uint64_t addr, pg_bench_symbolizer *sym, const char *trimpath)
{
	size_t got = u64map_get(&e->loc_index, addr);
	addr_sym as;
	loc *l;

	if (got)
		return (long)(got - 1);
	if (e->nlocs == e->cap_locs) {
		size_t cap = e->cap_locs ? e->cap_locs * 2 : 256;
		loc *grown = realloc(e->locs, cap * sizeof(*grown));

		if (!grown)
			return -1;
		e->locs = grown;
		e->cap_locs = cap;
	}
	l = &e->locs[e->nlocs];
	memset(l, 0, sizeof(*l));
	l->addr = addr;
	l->map = find_mapping(e->maps, e->nmaps, addr);
	if (sym)
		symbolize(&as, addr, l->map >= 0 ? &e->maps[l->map] : NULL, &e->st, sym, trimpath);
	else
		memset(&as, 0, sizeof(as));
	if (as.fn.name) {
		l->func = add_func(e, &as.fn);
		if (!l->func)
			return -1;
		l->line = as.line;
	}
	if (l->map >= 0) {
		mapping *m = &e->maps[l->map];

		m->nlocs++;
		m->nfunc += l->func != 0;
		m->nfile += l->func && as.fn.filename;
		m->nline += l->func && as.line > 0;
	}
	if (u64map_put(&e->loc_index, addr, e->nlocs))
		return -1;
	return (long)e->nlocs++;
}

static void encoder_release(encoder *e)
{
	strtab_release(&e->st);
	free(e->maps);
	free(e->locs);
	u64map_release(&e->loc_index);
	free(e->funcs);
	free(e->func_next);
	u64map_release(&e->func_index);
}

static double seconds(uint64_t ns)
{
	return (double)ns / 1e9;
}

/* The comments: how the profile was sampled. */
static void add_comments(strtab *st, int64_t **out, size_t *n_out, const pg_bench_profile *p,
			 const pg_bench_profile_info *info, pg_bench_symbolizer *sym)
{
	const pg_bench_profile_meta *m = info->meta;
	pg_bench_sb c[8];
	size_t n = 0, i;
	int64_t *idx;

	for (i = 0; i < 8; i++) {
		pg_bench_sb init = PG_BENCH_SB_INIT;

		c[i] = init;
	}
	pg_bench_sb_addf(&c[n++], "perfgate-bench CPU profile of %s: the timed regions only "
			 "(%.3f s wall clock, %.3f s thread CPU)", info->bench_name,
			 seconds(p->wall_ns), seconds(p->cpu_ns));
	pg_bench_sb_addf(&c[n++], "sampling source: %s: %s", m->source ? m->source : "?",
			 m->description ? m->description : "?");
	pg_bench_sb_addf(&c[n++], "sampling rate: requested %d Hz (period %" PRIu64 " ns), "
			 "effective %.1f Hz (%" PRIu64 " samples in %.3f s of thread CPU time)",
			 m->hz, m->period_ns,
			 p->cpu_ns ? (double)p->signals / seconds(p->cpu_ns) : 0.0,
			 p->signals, seconds(p->cpu_ns));
	pg_bench_sb_addf(&c[n++], "weighting: %s; cpu/nanoseconds total %" PRIu64 " periods = "
			 "%.3f s", m->weighting ? m->weighting : "?", p->weight,
			 seconds(p->weight * m->period_ns));
	pg_bench_sb_addf(&c[n++], "dropped samples: %" PRIu64, p->dropped);
	if (m->notes && *m->notes)
		pg_bench_sb_addf(&c[n++], "note: %s", m->notes);
	if (!sym)
		pg_bench_sb_addf(&c[n++], "symbolization: none (addresses only)");
	else if (sym->reported)
		pg_bench_sb_addf(&c[n++], "symbolization: libdw (elfutils %s), then dladdr, then "
				 "module+offset; callers' addresses are return addresses "
				 "minus 1", dwfl_version(sym->dwfl));
	else
		pg_bench_sb_addf(&c[n++], "symbolization: dladdr, then module+offset (%s)",
				 sym->why[0] ? sym->why : "libdw unavailable");
	idx = calloc(n, sizeof(*idx));
	if (!idx)
		st->failed = 1;
	for (i = 0; i < n; i++) {
		if (c[i].failed)
			st->failed = 1;
		else if (idx)
			idx[i] = strtab_add(st, pg_bench_sb_str(&c[i]));
		pg_bench_sb_release(&c[i]);
	}
	*out = idx;
	*n_out = idx ? n : 0;
}

int pg_bench_profile_encode(uint8_t **out, size_t *len, const pg_bench_profile *p,
			    const pg_bench_profile_info *info, char *err, size_t cap)
{
	Perftools__Profiles__Profile prof = PERFTOOLS__PROFILES__PROFILE__INIT;
	Perftools__Profiles__ValueType types[2], period_type, *type_ptrs[2];
	Perftools__Profiles__Label label, *label_ptr = &label;
	Perftools__Profiles__Sample *samples = NULL, **sample_ptrs = NULL;
	Perftools__Profiles__Location *locs = NULL, **loc_ptrs = NULL;
	Perftools__Profiles__Line *lines = NULL, **line_ptrs = NULL;
	Perftools__Profiles__Function *funcs = NULL, **func_ptrs = NULL;
	Perftools__Profiles__Mapping *maps = NULL, **map_ptrs = NULL;
	pg_bench_symbolizer *sym = info->symbolizer;
	encoder e;
	uint64_t *loc_ids = NULL;
	int64_t *values = NULL, *comments = NULL;
	size_t ncomments = 0, nframes = 0, i, j, pos;
	uint8_t *buf = NULL;
	int rc = -1;

	*out = NULL;
	*len = 0;
	memset(&e, 0, sizeof(e));
	strtab_add(&e.st, ""); /* string_table[0] must be "" */
	if (sym)
		symbolizer_report(sym);
	if (sym && read_mappings(&e.maps, &e.nmaps, &e.st, sym, info->trimpath, err, cap))
		goto cleanup;

	for (i = 0; i < p->nstacks; i++)
		nframes += p->stacks[i].depth;
	loc_ids = calloc(nframes ? nframes : 1, sizeof(*loc_ids));
	values = calloc(p->nstacks ? 2 * p->nstacks : 1, sizeof(*values));
	samples = calloc(p->nstacks ? p->nstacks : 1, sizeof(*samples));
	sample_ptrs = calloc(p->nstacks ? p->nstacks : 1, sizeof(*sample_ptrs));
	if (!loc_ids || !values || !samples || !sample_ptrs)
		goto oom;

	/* samples, and their locations as they come */
	pos = 0;
	for (i = 0; i < p->nstacks; i++) {
		const pg_bench_profile_stack *s = &p->stacks[i];
		Perftools__Profiles__Sample *sm = &samples[i];

		perftools__profiles__sample__init(sm);
		sm->n_location_id = s->depth;
		sm->location_id = loc_ids + pos;
		for (j = 0; j < s->depth; j++) {
			long l = add_loc(&e, frame_addr(s, j), sym, info->trimpath);

			if (l < 0)
				goto oom;
			loc_ids[pos++] = (uint64_t)l + 1;
		}
		sm->n_value = 2;
		sm->value = values + 2 * i;
		sm->value[0] = (int64_t)s->count;
		sm->value[1] = (int64_t)(s->weight * info->meta->period_ns);
		sm->n_label = 1;
		sm->label = &label_ptr;
		sample_ptrs[i] = sm;
	}

	perftools__profiles__label__init(&label);
	label.key = strtab_add(&e.st, "benchmark");
	label.str = strtab_add(&e.st, info->bench_name);
	for (i = 0; i < 2; i++) {
		perftools__profiles__value_type__init(&types[i]);
		type_ptrs[i] = &types[i];
	}
	types[0].type = strtab_add(&e.st, "samples");
	types[0].unit = strtab_add(&e.st, "count");
	types[1].type = strtab_add(&e.st, "cpu");
	types[1].unit = strtab_add(&e.st, "nanoseconds");
	perftools__profiles__value_type__init(&period_type);
	period_type.type = types[1].type;
	period_type.unit = types[1].unit;
	add_comments(&e.st, &comments, &ncomments, p, info, sym);

	/* locations */
	locs = calloc(e.nlocs ? e.nlocs : 1, sizeof(*locs));
	loc_ptrs = calloc(e.nlocs ? e.nlocs : 1, sizeof(*loc_ptrs));
	lines = calloc(e.nlocs ? e.nlocs : 1, sizeof(*lines));
	line_ptrs = calloc(e.nlocs ? e.nlocs : 1, sizeof(*line_ptrs));
	funcs = calloc(e.nfuncs ? e.nfuncs : 1, sizeof(*funcs));
	func_ptrs = calloc(e.nfuncs ? e.nfuncs : 1, sizeof(*func_ptrs));
	maps = calloc(e.nmaps ? e.nmaps : 1, sizeof(*maps));
	map_ptrs = calloc(e.nmaps ? e.nmaps : 1, sizeof(*map_ptrs));
	if (!locs || !loc_ptrs || !lines || !line_ptrs || !funcs || !func_ptrs || !maps ||
	    !map_ptrs)
		goto oom;
	for (i = 0; i < e.nlocs; i++) {
		perftools__profiles__location__init(&locs[i]);
		locs[i].id = i + 1;
		locs[i].address = e.locs[i].addr;
		locs[i].mapping_id = e.locs[i].map >= 0 ? (uint64_t)e.locs[i].map + 1 : 0;
		if (e.locs[i].func) {
			perftools__profiles__line__init(&lines[i]);
			lines[i].function_id = e.locs[i].func;
			lines[i].line = e.locs[i].line;
			line_ptrs[i] = &lines[i];
			locs[i].n_line = 1;
			locs[i].line = &line_ptrs[i];
		}
		loc_ptrs[i] = &locs[i];
	}
	for (i = 0; i < e.nfuncs; i++) {
		perftools__profiles__function__init(&funcs[i]);
		funcs[i].id = i + 1;
		funcs[i].name = e.funcs[i].name;
		funcs[i].system_name = e.funcs[i].system_name;
		funcs[i].filename = e.funcs[i].filename;
		funcs[i].start_line = e.funcs[i].start_line;
		func_ptrs[i] = &funcs[i];
	}
	for (i = 0; i < e.nmaps; i++) {
		const mapping *m = &e.maps[i];

		perftools__profiles__mapping__init(&maps[i]);
		maps[i].id = i + 1;
		maps[i].memory_start = m->start;
		maps[i].memory_limit = m->limit;
		maps[i].file_offset = m->offset;
		maps[i].filename = m->filename;
		maps[i].build_id = m->build_id;
		/* true only when every location in it has it */
		maps[i].has_functions = m->nlocs && m->nfunc == m->nlocs;
		maps[i].has_filenames = m->nlocs && m->nfile == m->nlocs;
		maps[i].has_line_numbers = m->nlocs && m->nline == m->nlocs;
		maps[i].has_inline_frames = 0;
		map_ptrs[i] = &maps[i];
	}
	if (e.st.failed)
		goto oom;

	prof.n_sample_type = 2;
	prof.sample_type = type_ptrs;
	prof.n_sample = p->nstacks;
	prof.sample = sample_ptrs;
	prof.n_mapping = e.nmaps;
	prof.mapping = map_ptrs;
	prof.n_location = e.nlocs;
	prof.location = loc_ptrs;
	prof.n_function = e.nfuncs;
	prof.function = func_ptrs;
	prof.n_string_table = e.st.n;
	prof.string_table = e.st.strs;
	prof.time_nanos = p->start_unix_ns;
	prof.duration_nanos = (int64_t)p->wall_ns;
	prof.period_type = &period_type;
	prof.period = (int64_t)info->meta->period_ns;
	prof.n_comment = ncomments;
	prof.comment = comments;

	*len = perftools__profiles__profile__get_packed_size(&prof);
	buf = malloc(*len ? *len : 1);
	if (!buf)
		goto oom;
	if (perftools__profiles__profile__pack(&prof, buf) != *len) {
		snprintf(err, cap, "encoding the profile of '%s' failed", info->bench_name);
		goto cleanup;
	}
	*out = buf;
	buf = NULL;
	rc = 0;
	goto cleanup;
oom:
	snprintf(err, cap, "out of memory encoding the profile of '%s'", info->bench_name);
cleanup:
	if (rc)
		*len = 0;
	free(buf);
	free(comments);
	free(maps);
	free(map_ptrs);
	free(funcs);
	free(func_ptrs);
	free(lines);
	free(line_ptrs);
	free(locs);
	free(loc_ptrs);
	free(samples);
	free(sample_ptrs);
	free(values);
	free(loc_ids);
	encoder_release(&e);
	return rc;
}

/* ------------------------------------------------------------ the file */

int pg_bench_profile_write(const char *dir, const char *file, const pg_bench_profile *p,
			   const pg_bench_profile_info *info, char *err, size_t cap)
{
	pg_bench_sb path = PG_BENCH_SB_INIT, tmp = PG_BENCH_SB_INIT;
	uint8_t *buf = NULL;
	size_t len = 0, off = 0;
	gzFile gz = NULL;
	int rc = -1, zrc;

	if (pg_bench_profile_encode(&buf, &len, p, info, err, cap))
		return -1;
	pg_bench_sb_addf(&path, "%s/%s", dir, file);
	pg_bench_sb_addf(&tmp, "%s/.%s.tmp-%ld", dir, file, (long)getpid());
	if (path.failed || tmp.failed) {
		snprintf(err, cap, "out of memory");
		goto cleanup;
	}
	errno = 0;
	gz = gzopen(tmp.ptr, "wb");
	if (!gz) {
		snprintf(err, cap, "cannot create '%s': %s", tmp.ptr,
			 errno ? strerror(errno) : "out of memory");
		goto cleanup;
	}
	while (off < len) {
		unsigned chunk = len - off > (1u << 20) ? (1u << 20) : (unsigned)(len - off);

		if (gzwrite(gz, buf + off, chunk) != (int)chunk) {
			int zerr;
			const char *msg = gzerror(gz, &zerr);

			snprintf(err, cap, "cannot write '%s': %s", tmp.ptr,
				 zerr == Z_ERRNO ? strerror(errno) : msg);
			gzclose(gz);
			gz = NULL;
			goto remove_tmp;
		}
		off += chunk;
	}
	errno = 0;
	zrc = gzclose(gz);
	gz = NULL;
	if (zrc != Z_OK) {
		snprintf(err, cap, "cannot write '%s': %s", tmp.ptr,
			 zrc == Z_ERRNO && errno ? strerror(errno) : "gzip failed");
		goto remove_tmp;
	}
	if (rename(tmp.ptr, path.ptr)) {
		snprintf(err, cap, "cannot rename '%s' to '%s': %s", tmp.ptr, path.ptr,
			 strerror(errno));
		goto remove_tmp;
	}
	rc = 0;
	goto cleanup;
remove_tmp:
	unlink(tmp.ptr);
cleanup:
	free(buf);
	pg_bench_sb_release(&path);
	pg_bench_sb_release(&tmp);
	return rc;
}
