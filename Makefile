# perfgate — build, demo and tests. See README.md.
#
#   make            build build/perfgate (and the libraries)
#   make demo       the main job on the built-in defaults
#   make test       every test (unit, unit under ASan+UBSan, end-to-end, clang build)
#   make CC=clang   build with clang
#   make bench-stats  time `perfgate compare` on two 14 MB result files
#   make bench-profiler, simulate-gate, simulate-sequential, simulate-paired,
#        experiment-noise   the figures in README.md (see there)

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
PYTHON  ?= /usr/bin/python3

# Debian package for each pkg-config module we need. libcrypto (OpenSSL,
# already there under libcurl) gives SHA-256; libxml2 parses S3 listings
# and WebDAV PROPFIND answers.
PKG_BUILD := libgit2 libcurl gsl jansson zlib libcrypto libxml-2.0 libprotobuf-c libdw
# valgrind: its headers give the harness callgrind's client requests, and
# the callgrind tests run it (only checked: its .pc would link valgrind's core)
PKG_TEST  := cmocka valgrind
deb_of = $(patsubst libgit2,libgit2-dev,$(patsubst libcurl,libcurl4-openssl-dev,$(patsubst \
	gsl,libgsl-dev,$(patsubst jansson,libjansson-dev,$(patsubst zlib,zlib1g-dev,$(patsubst \
	cmocka,libcmocka-dev,$(patsubst libcrypto,libssl-dev,$(patsubst \
	libxml-2.0,libxml2-dev,$(patsubst libprotobuf-c,libprotobuf-c-dev protobuf-c-compiler,$(patsubst \
	libdw,libdw-dev,$(1)))))))))))

NODEP_GOALS := clean help
ifneq ($(filter-out $(NODEP_GOALS),$(or $(MAKECMDGOALS),all)),)
pkg_missing = $(shell for p in $(1); do pkg-config --exists $$p 2>/dev/null || echo $$p; done)
# the demo measures instruction counts: valgrind (installed with the rest)
NEED_PKGS := $(PKG_BUILD) $(if $(filter test unit unit-asan e2e check-clang,$(MAKECMDGOALS)),$(PKG_TEST)) \
	$(if $(filter demo experiment-noise,$(MAKECMDGOALS)),valgrind)
MISSING := $(call pkg_missing,$(NEED_PKGS))
ifneq ($(MISSING),)
ifeq ($(shell id -u),0)
$(info perfgate: missing $(MISSING); installing Debian packages with .ci/install-deps.sh)
INSTALL_RC := $(shell .ci/install-deps.sh >&2; echo $$?)
MISSING := $(call pkg_missing,$(NEED_PKGS))
endif
endif
ifneq ($(MISSING),)
$(error perfgate: pkg-config cannot find: $(MISSING). Install them with: sudo apt-get install $(call deb_of,$(MISSING)) (or run: sudo .ci/install-deps.sh, which installs everything the build and the tests need))
endif
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKG_BUILD) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKG_BUILD) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wformat=2 -Wno-format-nonliteral -Wvla
# quiet by default; V=1 shows the commands
ifeq ($(V),1)
Q :=
QUIET_CC = 
QUIET_AR = 
QUIET_LINK = 
QUIET_GEN = 
else
Q := @
QUIET_CC = @echo "  CC      $@";
QUIET_AR = @echo "  AR      $@";
QUIET_LINK = @echo "  LINK    $@";
QUIET_GEN = @echo "  GEN     $@";
endif

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -I. -I$(BUILD)/gen $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS)

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=address,undefined
endif

# Everything compiled depends on $(BUILD)/build-flags, which holds the
# compiler and the flags and is rewritten only when they change: `make
# CC=clang` after a gcc build in the same tree rebuilds everything instead
# of saying "Nothing to be done". (Expanded once, here: the per-target
# additions below must not make the stamp flip between targets.)
BUILD_FLAGS := $(BUILD)/build-flags
BUILD_FLAGS_TEXT := $(CC) ($(shell $(CC) --version 2>/dev/null | head -n 1)) $(ALL_CFLAGS) | $(ALL_LDFLAGS)
$(BUILD_FLAGS): FORCE
	@mkdir -p $(dir $@)
	@printf '%s\n' '$(subst ','\'',$(BUILD_FLAGS_TEXT))' >$@.new; \
	if cmp -s $@.new $@; then rm -f $@.new; else mv $@.new $@; fi
.PHONY: FORCE
FORCE:

COMMON_SRC := $(wildcard common/*.c)
STATS_SRC  := $(wildcard stats/*.c)
RUNNER_SRC := $(wildcard bench-runner/*.c)
GATE_SRC   := $(filter-out gate/perfgate.c,$(wildcard gate/*.c))

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
STATS_OBJ  := $(STATS_SRC:%.c=$(BUILD)/obj/%.o)
RUNNER_OBJ := $(RUNNER_SRC:%.c=$(BUILD)/obj/%.o)
GATE_OBJ   := $(GATE_SRC:%.c=$(BUILD)/obj/%.o)

LIB_COMMON := $(BUILD)/libpgcommon.a
LIB_STATS  := $(BUILD)/libpgstats.a
LIB_RUNNER := $(BUILD)/libpgrunner.a
LIB_GATE   := $(BUILD)/libpggate.a
# link order: dependants first
PG_LIBS := $(LIB_GATE) $(LIB_RUNNER) $(LIB_STATS) $(LIB_COMMON)

PERFGATE := $(BUILD)/perfgate

.PHONY: all clean help demo test unit unit-asan e2e check-clang bench-stats
.DEFAULT_GOAL := all

all: $(PERFGATE)

# The pprof profile schema (bench-runner/profile.proto), compiled by protoc-c
# at build time into build/gen/; both the harness and perfgate use it.
PROTO_C   := $(BUILD)/gen/profile.pb-c.c
PROTO_H   := $(BUILD)/gen/profile.pb-c.h
PROTO_OBJ := $(BUILD)/obj/gen/profile.pb-c.o
$(PROTO_C) $(PROTO_H) &: bench-runner/profile.proto
	@mkdir -p $(dir $@)
	@command -v protoc-c >/dev/null || { echo "perfgate: protoc-c is missing: sudo apt-get install protobuf-c-compiler (or sudo .ci/install-deps.sh)" >&2; exit 1; }
	$(QUIET_GEN)protoc-c --c_out=$(BUILD)/gen --proto_path=bench-runner $<
$(PROTO_OBJ): $(PROTO_C) $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The pre-push hook's text, embedded in perfgate (perfgate hook install).
HOOK_H := $(BUILD)/gen/hook_script.h
$(HOOK_H): ci-templates/hooks/pre-push ci-templates/hooks/gen-c-header.sh
	@mkdir -p $(dir $@)
	$(QUIET_GEN)ci-templates/hooks/gen-c-header.sh >$@.tmp && mv $@.tmp $@

$(BUILD)/obj/%.o: %.c $(BUILD_FLAGS) | $(PROTO_H) $(HOOK_H)
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_COMMON): $(COMMON_OBJ)
$(LIB_STATS): $(STATS_OBJ) $(PROTO_OBJ)
# the harness's bench_regex.c (Go's -bench splitting) is shared with the
# runner (bench-runner/ab.c), so both read a -bench expression alike; its
# benchtime.c with the gate (gate/config.c checks quick.benchtime)
$(LIB_RUNNER): $(RUNNER_OBJ) $(BUILD)/obj/bench-runner/harness/bench_regex.o \
	$(BUILD)/obj/bench-runner/harness/benchtime.o
$(LIB_GATE): $(GATE_OBJ)
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

$(PERFGATE): $(BUILD)/obj/gate/perfgate.o $(PG_LIBS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# ---------------------------------------------------------------- C benchmark harness
# libperfgate_bench.a is what users link into their C/C++ benchmark suites
# (#include <perfgate/bench.h>): self-contained (C11 + POSIX + libc, and for
# -cpuprofile the pprof schema's generated code, protobuf-c, zlib and libdw;
# nothing from common/ or stats/). perfgate-bench.pc describes it for this
# build tree (PKG_CONFIG_PATH=$(BUILD) pkg-config --cflags --libs
# perfgate-bench); the archive is static, so the libraries it needs are in
# its Requires (pkg-config --libs lists them).
BENCH_INC     := bench-runner/include
BENCH_SRC     := $(wildcard bench-runner/harness/*.c)
BENCH_OBJ     := $(BENCH_SRC:%.c=$(BUILD)/obj/%.o)
BENCH_LIB     := $(BUILD)/libperfgate_bench.a
BENCH_PC      := $(BUILD)/perfgate-bench.pc
BENCH_VERSION := $(shell sed -n 's/^\#define PERFGATE_VERSION "\(.*\)"/\1/p' common/version.h)
EXAMPLE_SRC   := $(wildcard bench-runner/examples/*.c)
EXAMPLE_OBJ   := $(EXAMPLE_SRC:%.c=$(BUILD)/obj/%.o)
EXAMPLE_SUITE := $(BUILD)/examples/example-suite
BENCH_PKGS    := libprotobuf-c zlib libdw
BENCH_LIBS    := $(shell pkg-config --libs $(BENCH_PKGS) 2>/dev/null)
# a sanitized archive needs the sanitizer runtimes in the suite's link
comma         := ,
BENCH_PC_SAN  := $(if $(filter 1,$(SANITIZE)), -fsanitize=address$(comma)undefined)

all: $(BENCH_LIB) $(BENCH_PC) $(EXAMPLE_SUITE)
e2e: $(BENCH_LIB) $(BENCH_PC) $(EXAMPLE_SUITE)

$(BENCH_OBJ) $(EXAMPLE_OBJ): ALL_CFLAGS += -I$(BENCH_INC)
$(BENCH_OBJ): ALL_CFLAGS += -DPG_BENCH_HARNESS_VERSION='"$(BENCH_VERSION)"'
$(BUILD)/obj/bench-runner/harness/config.o: common/version.h
$(BENCH_LIB): $(BENCH_OBJ) $(PROTO_OBJ)

# the example suite has its own main(); jansson for its JSON benchmark
$(EXAMPLE_SUITE): $(EXAMPLE_OBJ) $(BENCH_LIB)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $(EXAMPLE_OBJ) $(BENCH_LIB) \
		$(BENCH_LIBS) $(shell pkg-config --libs jansson) -lm

$(BENCH_PC): Makefile common/version.h
	@mkdir -p $(dir $@)
	$(Q)$(if $(Q),echo "  GEN     $@" && )printf '%s\n' \
		'prefix=$(CURDIR)' \
		'includedir=$${prefix}/$(BENCH_INC)' \
		'libdir=$(abspath $(BUILD))' \
		'' \
		'Name: perfgate-bench' \
		'Description: perfgate C benchmark harness (build tree)' \
		'Version: $(BENCH_VERSION)' \
		'Requires: $(BENCH_PKGS)' \
		'Cflags: -I$${includedir}' \
		'Libs: -L$${libdir} -lperfgate_bench$(BENCH_PC_SAN)' >$@

# The harness's tests (tests/bench-runner/harness/) link it too.
BENCH_TEST_BIN := $(patsubst tests/%.c,$(BUILD)/tests/%,$(wildcard \
	tests/bench-runner/harness/test_*.c))
$(BENCH_TEST_BIN): ALL_CFLAGS += -DPG_BENCH_HARNESS_VERSION='"$(BENCH_VERSION)"'
$(BENCH_TEST_BIN): $(BUILD)/tests/%: tests/%.c $(BENCH_LIB) $(PG_LIBS) $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -I$(BENCH_INC) -Itests -MMD -MP $< -o $@ \
		$(ALL_LDFLAGS) $(BENCH_LIB) $(PG_LIBS) $(PKG_LIBS) \
		$(shell pkg-config --libs cmocka) -lm

# ---------------------------------------------------------------- tests
# every tests/**/test_*.c is one suite (the tree mirrors the sources)
UNIT_SRC  := $(sort $(shell find tests -name 'test_*.c'))
UNIT_BIN  := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/%.c $(PG_LIBS) $(BUILD_FLAGS)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -Itests -MMD -MP $< -o $@ $(ALL_LDFLAGS) $(PG_LIBS) \
		$(PKG_LIBS) $(shell pkg-config --libs cmocka) -lm

# Unit tests: every cmocka suite; the run fails if any suite fails.
unit: $(UNIT_BIN) $(PERFGATE)
	@tests/run-unit.sh $(UNIT_BIN)

# The same suites built with ASan+UBSan: any sanitizer report aborts the
# suite and fails the run.
unit-asan:
	$(MAKE) --no-print-directory BUILD=build/asan SANITIZE=1 CFLAGS="-O1 -g" unit

# The S3-compatible test server (s3rver), pinned by its lock file.
S3_NODE_MODULES := tests/servers/s3/node_modules/.package-lock.json
$(S3_NODE_MODULES): tests/servers/s3/package-lock.json
	npm ci --prefix tests/servers/s3 --no-audit --no-fund

# End-to-end tests: shell scripts driving build/perfgate as a user would.
e2e: $(PERFGATE) $(S3_NODE_MODULES)
	@PERFGATE=$(abspath $(PERFGATE)) PYTHON=$(PYTHON) tests/run-e2e.sh tests/e2e/test_*.sh

# Everything must also build warning-free with clang.
check-clang:
	$(MAKE) --no-print-directory BUILD=build/clang CC=clang all $(patsubst $(BUILD)/%,build/clang/%,$(UNIT_BIN))

# The unit tests' reference values are scipy's: regenerate every header
# from its committed script (Debian's python3-scipy) and require it
# byte-identical to the committed one, so a reference file cannot drift
# from the script that claims to produce it.
REF_HEADERS := reference_values:gen_reference paired_reference:gen_paired_reference \
	decide_reference:gen_decide_reference
.PHONY: check-refs
check-refs:
	@$(PYTHON) -c 'import scipy, numpy' 2>/dev/null || \
		{ echo "check-refs: $(PYTHON) lacks scipy: apt-get install python3-scipy (.ci/install-deps.sh installs it)" >&2; exit 1; }
	@mkdir -p $(BUILD)/refs
	@for r in $(REF_HEADERS); do \
		h=$${r%%:*}; g=$${r#*:}; \
		$(PYTHON) tests/stats/$$g.py -o $(BUILD)/refs/$$h.h >$(BUILD)/refs/$$g.log 2>&1 || \
			{ cat $(BUILD)/refs/$$g.log >&2; exit 1; }; \
		cmp -s $(BUILD)/refs/$$h.h tests/stats/$$h.h || \
			{ echo "check-refs: tests/stats/$$h.h differs from what tests/stats/$$g.py writes" >&2; exit 1; }; \
	done
	@echo "check-refs: $(words $(REF_HEADERS)) reference headers reproduced by their scripts"

test:
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory unit-asan
	$(MAKE) --no-print-directory check-refs
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory check-clang
	@echo "make test: all tests passed"

# ---------------------------------------------------------------- demo
demo: $(PERFGATE) $(EXAMPLE_SUITE)
	@BUILD=$(BUILD) tests/demo.sh

# ---------------------------------------------------------------- benchmarks
# The parser's own throughput (tests/bench/bench_parse.c).
$(BUILD)/bench_parse: tests/bench/bench_parse.c $(LIB_STATS) $(LIB_COMMON)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) $(LIB_STATS) $(LIB_COMMON) $(PKG_LIBS) -lm

bench-stats: $(PERFGATE) $(BUILD)/bench_parse
	$(PYTHON) tests/bench/bench_stats.py --perfgate $(PERFGATE) --dir $(BUILD)/bench \
		--bench-parse $(BUILD)/bench_parse

# The CPU profiler's own overhead at 100 Hz on the example suite: profiled
# vs. unprofiled runs, interleaved (tests/bench/profiler_overhead.py);
# prints the figure. PROFILER_ARGS="--rounds 20 --rate 1000" to vary.
.PHONY: bench-profiler
bench-profiler: $(EXAMPLE_SUITE)
	$(PYTHON) tests/bench/profiler_overhead.py --suite $(EXAMPLE_SUITE) $(PROFILER_ARGS)

# ---------------------------------------------------------------- decision simulation
# The gate's decision rule on simulated 50-benchmark suites with this
# machine's noise and drift (tests/bench/simulate_gate.c): prints a table.
SIMULATE_GATE := $(BUILD)/simulate_gate
$(SIMULATE_GATE): tests/bench/simulate_gate.c $(LIB_STATS) $(LIB_COMMON)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -MMD -MP $< -o $@ $(ALL_LDFLAGS) $(LIB_STATS) $(LIB_COMMON) \
		$(PKG_LIBS) -lm

.PHONY: simulate-gate
simulate-gate: $(SIMULATE_GATE)
	$(SIMULATE_GATE) $(SIMULATE_ARGS)

# ---------------------------------------------------------------- A/B and sequential simulations
# The sequential rule of --count auto (tests/bench/simulate_sequential.c)
# and the paired A/B analysis under host drift (tests/bench/simulate_paired.c)
# on simulated 50-benchmark suites: each prints a table.
SIMULATE_AB := $(BUILD)/simulate_sequential $(BUILD)/simulate_paired
$(SIMULATE_AB): $(BUILD)/%: tests/bench/%.c $(LIB_STATS) $(LIB_COMMON)
	@mkdir -p $(dir $@)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) -MMD -MP $< -o $@ $(ALL_LDFLAGS) $(LIB_STATS) $(LIB_COMMON) \
		$(PKG_LIBS) -lm

.PHONY: simulate-sequential simulate-paired
simulate-sequential: $(BUILD)/simulate_sequential
	$(BUILD)/simulate_sequential $(SIMULATE_ARGS)
simulate-paired: $(BUILD)/simulate_paired
	$(BUILD)/simulate_paired $(SIMULATE_ARGS)

# ---------------------------------------------------------------- noise experiment
# Real gates of the example suite, per way of measuring: false alarms on an
# unchanged commit, injected 5% and 10% slowdowns caught, wall time per gate
# (tests/bench/experiment_noise.sh; the README's table is its defaults; a quick
# look: TRIALS=2 MODES=stored, see the script for the other settings).
.PHONY: experiment-noise
experiment-noise: $(PERFGATE) $(EXAMPLE_SUITE)
	@BUILD=$(BUILD) tests/bench/experiment_noise.sh

clean:
	rm -rf build

help:
	@sed -n '1,12p' Makefile

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
