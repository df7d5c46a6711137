#!/bin/sh
# make demo: the main job on the built-in defaults. For now: run the
# bundled example suite twice with perfgate run, the second time with a
# 15% slowdown injected into one benchmark (PG_EXAMPLE_SLOWDOWN=15 slows
# BenchmarkHash/fnv1a-64K only), and compare the two result files.
set -eu
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP"
PERFGATE=$BUILD/perfgate
SUITE=$BUILD/examples/example-suite
OUT=$BUILD/demo
mkdir -p "$OUT"
BENCHES='JSON|Sort|Hash|Memcpy|StringBuild|ListWalk|MatMul64|MallocChurn'

say() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }

say "perfgate run -n 5 -o $OUT/base.txt -- $SUITE -bench '$BENCHES' -benchtime 100ms -benchmem"
"$PERFGATE" run -n 5 -o "$OUT/base.txt" -- "$SUITE" -bench "$BENCHES" -benchtime 100ms -benchmem

say "PG_EXAMPLE_SLOWDOWN=15 perfgate run -n 5 -o $OUT/slow.txt -- $SUITE ..."
PG_EXAMPLE_SLOWDOWN=15 "$PERFGATE" run -n 5 -o "$OUT/slow.txt" -- "$SUITE" -bench "$BENCHES" \
	-benchtime 100ms -benchmem

say "perfgate compare $OUT/base.txt $OUT/slow.txt"
"$PERFGATE" compare "$OUT/base.txt" "$OUT/slow.txt"
