#!/bin/sh
# --measure callgrind end to end: the example suite under valgrind's
# callgrind gives exactly the same instructions/op in every run, an
# injected 5% slowdown shows as about +5% in exactly one benchmark, the
# gate compares those rows exactly (reason "deterministic: ..."), a suite
# without perfgate's harness gets a clear error, and the pinned environment
# keeps the caller's variables (and their size) away from the counts.
# callgrind is ~50x slower than the suite alone: a few benchmarks, N=20.
. "$(dirname "$0")/lib.sh"

BUILD_DIR=${PG_BUILD:-$(dirname "$PERFGATE")}
SUITE=$BUILD_DIR/examples/example-suite
SEEDED=$TOP/tests/e2e/suites/seeded-suite.py
BENCH='Hash|Sort/n=100$|StringBuild|JSON|MallocChurn|ListWalk'
pg() { "$PERFGATE" "$@"; }
json() { # json FILE EXPR: print a Python expression over the parsed JSON d
	"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
expect_json() { # expect_json FILE EXPR WANT what
	got=$(json "$1" "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$4: $2 = $3"; else not_ok "$4: $2 is '$got', want '$3'"; fi
}
# ipo FILE: "benchmark value" for every instructions/op sample of a results file
ipo() {
	awk '/^Benchmark/ { for (i = 3; i < NF; i += 2) if ($(i + 1) == "instructions/op") print $1, $i }' "$1"
}
# ipo_of FILE NAME: the (single, distinct) instructions/op value of NAME
ipo_of() { ipo "$1" | awk -v n="$2" '$1 == n { print $2 }' | sort -u; }

# --- without valgrind: a clear message naming the package
run env PATH=/nonexistent "$PERFGATE" run -q --measure callgrind -n 1 -- "$SUITE" -bench Hash
expect_rc 3 "no valgrind in PATH"
expect_err "^perfgate: valgrind is not installed \\(--measure callgrind runs the suite under valgrind's callgrind\\): on Debian, sudo apt-get install valgrind$"

run pg run --callgrind-iterations 10 -- "$SUITE"
expect_rc 2 "--callgrind-iterations without --measure callgrind"
expect_err "need --measure callgrind"
run pg run --measure cachegrind -- "$SUITE"
expect_rc 2 "--measure cachegrind"
expect_err "--measure must be time, callgrind or auto, not 'cachegrind'"

if ! command -v valgrind >/dev/null 2>&1; then
	echo "# valgrind is not installed (Debian package valgrind): the rest is skipped"
	finish
	exit $?
fi
if nm "$BUILD_DIR/libperfgate_bench.a" 2>/dev/null | grep -q '__asan_version_mismatch_check'; then
	echo "# the harness is built with AddressSanitizer, which valgrind cannot run: skipped"
	finish
	exit $?
fi

# --- five runs: the same count in every run, for every benchmark
run pg run -q --measure callgrind --callgrind-iterations 20 -n 5 -o "$TMP/a.txt" -- \
	"$SUITE" -bench "$BENCH" -benchmem
expect_rc 0 "perfgate run --measure callgrind -n 5"
grep -Eq '^measure: callgrind \(valgrind [0-9.]+\), N=20 iterations, env pinned, cwd /, time metrics dropped$' \
	"$TMP/a.txt" && ok "the measure line" || not_ok "measure line: $(grep '^measure' "$TMP/a.txt")"
grep -q '^callgrind: collecting in the timed regions, one dump per reported run$' "$TMP/a.txt" &&
	ok "the harness collects in the timed regions" || not_ok "no harness callgrind line"
grep -q '^warmup-runs: 0$' "$TMP/a.txt" && ok "no warm-up runs" || not_ok "warm-up runs"
grep -Eq ' (ns/op|MB/s|ns/node)( |$)' "$TMP/a.txt" && not_ok "time metrics left" || ok "time metrics dropped"
grep -q '^BenchmarkMallocChurn 20 25504 B/op 32 allocs/op ' "$TMP/a.txt" &&
	ok "B/op and allocs/op counted under callgrind" || not_ok "MallocChurn: $(grep MallocChurn "$TMP/a.txt" | head -1)"
n=$(ipo "$TMP/a.txt" | wc -l)
[ "$n" -eq 30 ] && ok "30 instructions/op samples (6 benchmarks x 5 runs)" || not_ok "$n samples"
distinct=$(ipo "$TMP/a.txt" | sort -u | awk '{ print $1 }' | uniq -d)
[ -z "$distinct" ] && ok "identical instructions/op in all 5 runs of every benchmark" ||
	not_ok "not identical: $distinct ($(ipo "$TMP/a.txt" | sort -u | tr '\n' ' '))"
ipo "$TMP/a.txt" | sort -u | sed 's/^/# /'

# --- PG_EXAMPLE_SLOWDOWN=5: Hash about +5% (a deterministic window), the rest identical
PG_EXAMPLE_SLOWDOWN=5 run pg run -q --measure callgrind --callgrind-iterations 20 -n 2 \
	-o "$TMP/s.txt" -- "$SUITE" -bench "$BENCH" -benchmem
expect_rc 0 "with PG_EXAMPLE_SLOWDOWN=5"
grep -q '^slowdown: Hash/fnv1a-64K +5%$' "$TMP/s.txt" && ok "PG_* variables reach the suite" ||
	not_ok "no slowdown line"
base=$(ipo_of "$TMP/a.txt" BenchmarkHash/fnv1a-64K)
slow=$(ipo_of "$TMP/s.txt" BenchmarkHash/fnv1a-64K)
awk -v a="$base" -v b="$slow" 'BEGIN { r = b / a; exit !(r >= 1.03 && r <= 1.07) }' &&
	ok "Hash: $base -> $slow instructions/op (+3% to +7%)" || not_ok "Hash: $base -> $slow"
for b in BenchmarkSort/n=100 BenchmarkStringBuild BenchmarkMallocChurn BenchmarkListWalk; do
	x=$(ipo_of "$TMP/a.txt" "$b")
	y=$(ipo_of "$TMP/s.txt" "$b")
	[ -n "$x" ] && [ "$x" = "$y" ] && ok "$b unchanged ($x)" || not_ok "$b: '$x' -> '$y'"
done
# JSON allocates ~2800 blocks per op: glibc's malloc takes slightly different
# paths depending on the heap the process's set-up left behind, and the
# slowdown's own configuration line is one more allocation before it (with
# PG_EXAMPLE_SLOWDOWN=0 too), worth about +0.0005% here; identical run to
# run, far below any threshold
x=$(ipo_of "$TMP/a.txt" BenchmarkJSON)
y=$(ipo_of "$TMP/s.txt" BenchmarkJSON)
awk -v a="$x" -v b="$y" 'BEGIN { d = (b - a) / a; if (d < 0) d = -d; exit !(a > 0 && d < 1e-4) }' &&
	ok "BenchmarkJSON within 0.01% ($x -> $y)" || not_ok "BenchmarkJSON: '$x' -> '$y'"

# --- the environment is pinned: a 3 KB variable of the caller changes nothing
BIG=$(head -c 3000 /dev/zero | tr '\0' x)
PG_E2E_BIG_NAME=unused BIG_UNKEPT=$BIG run pg run -q --measure callgrind --callgrind-iterations 20 \
	-n 1 -o "$TMP/e.txt" -- "$SUITE" -bench "$BENCH" -benchmem
expect_rc 0 "with a 3 KB variable in the caller's environment"
[ "$(ipo "$TMP/e.txt" | sort -u)" = "$(ipo "$TMP/a.txt" | sort -u)" ] &&
	ok "the same counts with a larger caller environment" || not_ok "counts changed: $(ipo "$TMP/e.txt" | tr '\n' ' ')"

# ... and a benchmark that reads its environment proves that the pinning is
# what keeps them equal: getenv() scans every variable, so kept on purpose
# (--keep-env) the extra variable shows
export PKG_CONFIG_PATH="$BUILD_DIR"
cat >"$TMP/envbench.c" <<'EOF'
#include <stdint.h>
#include <stdlib.h>
#include <perfgate/bench.h>

PG_BENCH(Getenv)
{
	for (uint64_t i = 0; i < pg_bench_n(b); i++)
		pg_bench_do_not_optimize(getenv("PG_E2E_NOT_SET_ANYWHERE"));
}
EOF
run sh -c "cc -O2 '$TMP/envbench.c' \$(pkg-config --cflags --libs perfgate-bench) -o '$TMP/envbench'"
expect_rc 0 "an environment-reading suite compiles"
for k in plain big keep; do
	case $k in
	plain) set -- ;;
	big) set -- env BIG_UNKEPT="$BIG" ;;
	keep) set -- env BIG_UNKEPT="$BIG" ;;
	esac
	extra=
	[ $k = keep ] && extra="--keep-env BIG_UNKEPT"
	# shellcheck disable=SC2086
	run "$@" "$PERFGATE" run -q --measure callgrind --callgrind-iterations 10 -n 1 $extra \
		-o "$TMP/env-$k.txt" -- "$TMP/envbench"
	expect_rc 0 "Getenv ($k)"
done
p=$(ipo_of "$TMP/env-plain.txt" BenchmarkGetenv)
g=$(ipo_of "$TMP/env-big.txt" BenchmarkGetenv)
kept=$(ipo_of "$TMP/env-keep.txt" BenchmarkGetenv)
[ -n "$p" ] && [ "$p" = "$g" ] && ok "Getenv: $p instructions/op with or without the caller's variable" ||
	not_ok "Getenv: '$p' vs '$g'"
[ -n "$kept" ] && [ "$kept" != "$p" ] && ok "Getenv: $kept with it kept: the pinning is what holds it" ||
	not_ok "Getenv with --keep-env: '$kept' (plain '$p')"

# --- --measure auto: callgrind where no hardware instruction counter can be
# opened (this machine's virtual CPU offers none), exactly as --measure callgrind
AUTO_BENCH='Hash|Sort/n=100$'
run pg run -q --measure callgrind --callgrind-iterations 20 -n 2 -o "$TMP/cg2.txt" -- \
	"$SUITE" -bench "$AUTO_BENCH" -benchtime 20x
expect_rc 0 "--measure callgrind, two benchmarks"
run pg run --measure auto --callgrind-iterations 20 -n 2 -o "$TMP/auto.txt" -- \
	"$SUITE" -bench "$AUTO_BENCH" -benchtime 20x
expect_rc 0 "--measure auto"
if grep -q '^perfgate run: --measure auto: .*: counting instructions under callgrind$' "$TMP/err"; then
	ok "--measure auto chose callgrind: $(grep -- '--measure auto' "$TMP/err")"
	n=$(ipo "$TMP/auto.txt" | wc -l)
	[ "$n" -eq 4 ] && [ "$(ipo "$TMP/auto.txt")" = "$(ipo "$TMP/cg2.txt")" ] &&
		ok "--measure auto: the same instructions/op as --measure callgrind ($(ipo "$TMP/auto.txt" | sort -u | tr '\n' ' '))" ||
		not_ok "--measure auto: '$(ipo "$TMP/auto.txt" | tr '\n' ' ')' vs callgrind '$(ipo "$TMP/cg2.txt" | tr '\n' ' ')'"
	grep -Eq '^measure: callgrind \(valgrind [0-9.]+\), N=20 iterations, env pinned, cwd /, time metrics dropped, chosen by --measure auto: no hardware instruction counter \(perf_event_open: .*\)$' \
		"$TMP/auto.txt" && ok "--measure auto: the measure line says why" ||
		not_ok "measure line: $(grep '^measure' "$TMP/auto.txt")"
elif grep -q '^perfgate run: --measure auto: the hardware instruction counter is available' "$TMP/err"; then
	echo "# this host offers a hardware instruction counter: --measure auto measured time"
	grep -q ' ns/op' "$TMP/auto.txt" && ok "--measure auto measured time here" ||
		not_ok "no ns/op with a counter"
else
	not_ok "--measure auto said nothing of its choice"
fi

# ... and time where the (faked) probe opens a counter: PERFGATE_SYSROOT
# answers the probe from perfgate-probe/perf_event; the suite runs natively
# (its own instructions line says what the real kernel allows)
FAKE_ROOT=$TMP/sysroot
mkdir -p "$FAKE_ROOT/perfgate-probe"
echo ok >"$FAKE_ROOT/perfgate-probe/perf_event"
PERFGATE_SYSROOT=$FAKE_ROOT run pg run --measure auto --cpus none --warmup 0 -n 2 \
	-o "$TMP/auto-time.txt" -- "$SUITE" -bench "$AUTO_BENCH" -benchtime 20x
expect_rc 0 "--measure auto with a counter"
expect_err '^perfgate run: --measure auto: the hardware instruction counter is available: measuring time natively'
grep -q '^measure: time, chosen by --measure auto: the hardware instruction counter is available$' \
	"$TMP/auto-time.txt" && ok "--measure auto with a counter: the measure line" ||
	not_ok "measure line: $(grep '^measure' "$TMP/auto-time.txt")"
[ "$(grep -c '^Benchmark[^ ]* 20 [0-9.]* ns/op' "$TMP/auto-time.txt")" -eq 4 ] &&
	ok "--measure auto with a counter: ns/op at N=20, natively" ||
	not_ok "not timed natively: $(grep '^Benchmark' "$TMP/auto-time.txt" | tr '\n' ' ')"
[ -z "$(ipo "$TMP/auto-time.txt")" ] && ok "--measure auto with a counter: not under callgrind" ||
	not_ok "callgrind counts with a counter"
echo EOPNOTSUPP >"$FAKE_ROOT/perfgate-probe/perf_event"
PERFGATE_SYSROOT=$FAKE_ROOT run pg run --measure auto --callgrind-iterations 20 --cpus none -n 1 \
	-o "$TMP/auto-none.txt" -- "$SUITE" -bench "$AUTO_BENCH" -benchtime 20x
expect_rc 0 "--measure auto without a counter (faked)"
expect_err '^perfgate run: --measure auto: no hardware instruction counter \(perf_event_open: Operation not supported\): counting instructions under callgrind$'
[ "$(ipo "$TMP/auto-none.txt" | sort -u)" = "$(ipo "$TMP/cg2.txt" | sort -u)" ] &&
	ok "--measure auto without a counter: callgrind's counts" ||
	not_ok "counts: '$(ipo "$TMP/auto-none.txt" | tr '\n' ' ')'"

# --- a suite without perfgate's harness
run pg run -q --measure callgrind -n 2 -- "$SEEDED"
expect_rc 3 "a suite without the harness"
expect_err "^perfgate: run 1 of 2: --measure callgrind needs a suite built with perfgate's harness: no callgrind dumps named after benchmarks$"

# --- the gate: exact comparison of instructions/op
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$TMP/home"
mkdir -p "$HOME"
REPO=$TMP/repo
git init -q -b main "$REPO"
cd "$REPO" || exit 1
echo one >file && git add file && git commit -qm one
printf '{"measure": {"iterations": 20}, "profile": {"mode": "off"}}\n' >"$TMP/cfg.json"
GATE_BENCH='Hash|Sort/n=100$|StringBuild'
run pg baseline refresh -q -n 2 --measure callgrind --config "$TMP/cfg.json" -- \
	"$SUITE" -bench "$GATE_BENCH" -benchmem
expect_rc 0 "baseline refresh --measure callgrind"
git checkout -q -b feature
echo two >>file && git commit -qam two
run pg gate -q -n 2 --measure callgrind --config "$TMP/cfg.json" --json "$TMP/pass.json" -- \
	"$SUITE" -bench "$GATE_BENCH" -benchmem
expect_rc 0 "the gate passes without a change"
expect_json "$TMP/pass.json" 'sorted((r["benchmark"], r["decision"], r["deterministic"]) for r in d["rows"] if r["unit"] == "instructions/op")' \
	"[('Hash/fnv1a-64K', 'unchanged', True), ('Sort/n=100', 'unchanged', True), ('StringBuild', 'unchanged', True)]" \
	"pass"
expect_json "$TMP/pass.json" 'all(r["reason"].endswith("instructions/op (no change)") and r["reason"].startswith("deterministic: ") for r in d["rows"] if r["unit"] == "instructions/op")' \
	True "pass"
expect_json "$TMP/pass.json" 'sorted(set(r["unit"] for r in d["rows"]))' "['B/op', 'allocs/op', 'instructions/op']" "pass"
expect_json "$TMP/pass.json" 'd["settings"]["measure"]' "callgrind" "pass"

PG_EXAMPLE_SLOWDOWN=5 run pg gate -q -n 2 --measure callgrind --config "$TMP/cfg.json" \
	--json "$TMP/reg.json" -- "$SUITE" -bench "$GATE_BENCH" -benchmem
expect_rc 1 "the gate fails on the 5% slowdown"
expect_json "$TMP/reg.json" '[(r["benchmark"], r["unit"], r["deterministic"], r["threshold_percent"] == 1) for r in d["rows"] if r["decision"] == "regression"]' \
	"[('Hash/fnv1a-64K', 'instructions/op', True, True)]" "regression"
expect_json "$TMP/reg.json" '[r["reason"].split(" (")[-1] for r in d["rows"] if r["decision"] == "regression"]' \
	"['+5.0% > 1% threshold)']" "regression"
expect_json "$TMP/reg.json" '[r["reason"].startswith("deterministic: ") for r in d["rows"] if r["decision"] == "regression"]' \
	"[True]" "regression"
tail -n 1 "$TMP/out" | grep -Eq '^perfgate: REGRESSION: 1 of 9 benchmark metrics .*\(Hash/fnv1a-64K instructions/op \+5\.0% > 1%\)' &&
	ok "the verdict names Hash/fnv1a-64K instructions/op" || not_ok "verdict: $(tail -n 1 "$TMP/out")"

# --- --quick under callgrind: the environment stays pinned (a
# PERFGATE_BENCHTIME that reached the harness would stop it: this one is
# invalid) and the iterations fixed; no default benchtime is recorded
PERFGATE_BENCHTIME=1q run pg gate -q --quick --measure callgrind --config "$TMP/cfg.json" \
	--run-id quickcg --json "$TMP/quick.json" -- "$SUITE" -bench "$GATE_BENCH" -benchmem
expect_rc 0 "--quick --measure callgrind"
expect_json "$TMP/quick.json" 'sorted(set((r["decision"], r["new"]["n"]) for r in d["rows"] if r["unit"] == "instructions/op"))' \
	"[('unchanged', 3)]" "--quick under callgrind"
quick_results=$(ls "$REPO"/.perfgate/store/v1/repo/runs/*/quickcg/u*/results.txt 2>/dev/null | head -n 1)
grep -q '^measure: callgrind (valgrind [^)]*), N=20 iterations' "$quick_results" &&
	ok "--quick under callgrind: N=20 iterations" || not_ok "measure line: $(grep '^measure' "$quick_results")"
grep -q '^default-benchtime' "$quick_results" &&
	not_ok "--quick under callgrind recorded a default benchtime" ||
	ok "--quick under callgrind: no default benchtime"

# --- baseline and candidate measured differently: a warning naming both
run pg gate -q -n 2 --measure time --config "$TMP/cfg.json" --json "$TMP/mixed.json" -- \
	"$SUITE" -bench "$GATE_BENCH" -benchmem -benchtime 1ms
expect_rc 0 "time against a callgrind baseline"
expect_json "$TMP/mixed.json" 'any("measured with --measure callgrind and the candidate with --measure time" in w for w in d["warnings"])' \
	True "mixed modes"
expect_out "^warning: the baseline was measured with --measure callgrind and the candidate with --measure time"

# --- "measure": {"mode": "auto"} in perfgate.json: the gate resolves it
# once, to callgrind where the (faked, still EOPNOTSUPP) probe finds no
# counter, and compares with the callgrind baseline
printf '{"measure": {"mode": "auto", "iterations": 20}, "profile": {"mode": "off"}}\n' >"$TMP/cfg-auto.json"
PERFGATE_SYSROOT=$FAKE_ROOT run pg gate -n 2 --config "$TMP/cfg-auto.json" --json "$TMP/auto.json" -- \
	"$SUITE" -bench "$GATE_BENCH" -benchmem
expect_rc 0 "gate with measure.mode auto against the callgrind baseline"
expect_err '^perfgate gate: --measure auto: no hardware instruction counter \(perf_event_open: Operation not supported\): counting instructions under callgrind$'
expect_json "$TMP/auto.json" 'd["settings"]["measure"]' "callgrind" "auto"
expect_json "$TMP/auto.json" 'any("--measure" in w for w in d["warnings"])' False "auto"
expect_json "$TMP/auto.json" 'sorted(set(r["decision"] for r in d["rows"] if r["unit"] == "instructions/op"))' \
	"['unchanged']" "auto"
PERFGATE_SYSROOT=$FAKE_ROOT run pg gate -n 1 --warmup 0 --cpus none --measure auto \
	--config "$TMP/cfg.json" --baseline-file "$TMP/cg2.txt" --json "$TMP/auto-gate.json" -- \
	"$SUITE" -bench "$AUTO_BENCH" -benchtime 20x
expect_err '^perfgate gate: --measure auto: no hardware instruction counter \(perf_event_open: Operation not supported\): counting instructions under callgrind$'
expect_json "$TMP/auto-gate.json" 'd["settings"]["measure"]' "callgrind" "gate --measure auto, no counter (faked)"
echo ok >"$FAKE_ROOT/perfgate-probe/perf_event"
PERFGATE_SYSROOT=$FAKE_ROOT run pg gate -n 1 --warmup 0 --cpus none --measure auto \
	--config "$TMP/cfg.json" --baseline-file "$TMP/auto-time.txt" --json "$TMP/auto-gate.json" -- \
	"$SUITE" -bench "$AUTO_BENCH" -benchtime 20x
expect_err '^perfgate gate: --measure auto: the hardware instruction counter is available: measuring time natively'
expect_json "$TMP/auto-gate.json" 'd["settings"]["measure"]' "time" "gate --measure auto, a counter (faked)"

finish
