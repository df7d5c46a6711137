# perfgate — build, demo and tests. See README.md.
#
#   make            build build/perfgate (and the libraries)
#   make demo       the main job on the built-in defaults
#   make test       every test (unit, unit under ASan+UBSan, end-to-end, clang build)
#   make CC=clang   build with clang
#   make bench-stats  time `perfgate compare` on two 14 MB result files

CC      ?= cc
BUILD   ?= build
CFLAGS  ?= -O2 -g
PYTHON  ?= /usr/bin/python3

# Debian package for each pkg-config module we need.
PKG_BUILD := libgit2 libcurl gsl jansson zlib
PKG_TEST  := cmocka
deb_of = $(patsubst libgit2,libgit2-dev,$(patsubst libcurl,libcurl4-openssl-dev,$(patsubst \
	gsl,libgsl-dev,$(patsubst jansson,libjansson-dev,$(patsubst zlib,zlib1g-dev,$(patsubst \
	cmocka,libcmocka-dev,$(1)))))))

NODEP_GOALS := clean help
ifneq ($(filter-out $(NODEP_GOALS),$(or $(MAKECMDGOALS),all)),)
pkg_missing = $(shell for p in $(1); do pkg-config --exists $$p 2>/dev/null || echo $$p; done)
NEED_PKGS := $(PKG_BUILD) $(if $(filter test unit unit-asan e2e check-clang,$(MAKECMDGOALS)),$(PKG_TEST))
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
else
Q := @
QUIET_CC = @echo "  CC      $@";
QUIET_AR = @echo "  AR      $@";
QUIET_LINK = @echo "  LINK    $@";
endif

ALL_CFLAGS := -std=c11 -D_GNU_SOURCE $(WARN) -I. $(PKG_CFLAGS) $(CFLAGS)
ALL_LDFLAGS := $(LDFLAGS)

ifeq ($(SANITIZE),1)
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
ALL_LDFLAGS += -fsanitize=address,undefined
endif

COMMON_SRC := $(wildcard common/*.c)
STATS_SRC  := $(wildcard stats/*.c)
GATE_SRC   := $(filter-out gate/perfgate.c,$(wildcard gate/*.c))

COMMON_OBJ := $(COMMON_SRC:%.c=$(BUILD)/obj/%.o)
STATS_OBJ  := $(STATS_SRC:%.c=$(BUILD)/obj/%.o)
GATE_OBJ   := $(GATE_SRC:%.c=$(BUILD)/obj/%.o)

LIB_COMMON := $(BUILD)/libpgcommon.a
LIB_STATS  := $(BUILD)/libpgstats.a
LIB_GATE   := $(BUILD)/libpggate.a
# link order: dependants first
PG_LIBS := $(LIB_GATE) $(LIB_STATS) $(LIB_COMMON)

PERFGATE := $(BUILD)/perfgate

.PHONY: all clean help demo test unit unit-asan e2e check-clang bench-stats
.DEFAULT_GOAL := all

all: $(PERFGATE)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(QUIET_CC)$(CC) $(ALL_CFLAGS) -MMD -MP -c $< -o $@

$(LIB_COMMON): $(COMMON_OBJ)
$(LIB_STATS): $(STATS_OBJ)
$(LIB_GATE): $(GATE_OBJ)
$(BUILD)/%.a:
	@mkdir -p $(dir $@)
	$(QUIET_AR)rm -f $@ && ar rcs $@ $^

$(PERFGATE): $(BUILD)/obj/gate/perfgate.o $(PG_LIBS)
	$(QUIET_LINK)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(PKG_LIBS) -lm

# ---------------------------------------------------------------- tests
UNIT_SRC  := $(wildcard tests/*/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/%.c=$(BUILD)/tests/%)

$(BUILD)/tests/%: tests/%.c $(PG_LIBS)
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

# End-to-end tests: shell scripts driving build/perfgate as a user would.
e2e: $(PERFGATE)
	@PERFGATE=$(abspath $(PERFGATE)) PYTHON=$(PYTHON) tests/run-e2e.sh tests/e2e/test_*.sh

# Everything must also build warning-free with clang.
check-clang:
	$(MAKE) --no-print-directory BUILD=build/clang CC=clang all $(patsubst $(BUILD)/%,build/clang/%,$(UNIT_BIN))

test:
	$(MAKE) --no-print-directory unit
	$(MAKE) --no-print-directory unit-asan
	$(MAKE) --no-print-directory e2e
	$(MAKE) --no-print-directory check-clang
	@echo "make test: all tests passed"

# ---------------------------------------------------------------- demo
demo: $(PERFGATE)
	@tests/demo.sh $(PERFGATE)

# ---------------------------------------------------------------- benchmarks
# The parser's own throughput (tests/bench/bench_parse.c).
$(BUILD)/bench_parse: tests/bench/bench_parse.c $(LIB_STATS) $(LIB_COMMON)
	$(QUIET_LINK)$(CC) $(ALL_CFLAGS) $< -o $@ $(ALL_LDFLAGS) $(LIB_STATS) $(LIB_COMMON) $(PKG_LIBS) -lm

bench-stats: $(PERFGATE) $(BUILD)/bench_parse
	$(PYTHON) tests/bench/bench_stats.py --perfgate $(PERFGATE) --dir $(BUILD)/bench \
		--bench-parse $(BUILD)/bench_parse

clean:
	rm -rf build

help:
	@sed -n '1,10p' Makefile

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
