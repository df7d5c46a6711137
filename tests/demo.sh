#!/bin/sh
# make demo: the main job on the built-in defaults (the local folder store
# .perfgate/store, the bundled example suite):
#  1. the nightly job: refresh the baseline of the current commit;
#  2. a change that makes BenchmarkHash/fnv1a-64K 20% slower
#     (PG_EXAMPLE_SLOWDOWN=20): the gate fails (exit 1) and says why;
#  3. the unchanged code: the gate passes (exit 0).
set -u
BUILD=${BUILD:-build}
TOP=$(cd "$(dirname "$0")/.." && pwd)
cd "$TOP" || exit 1
PERFGATE=$BUILD/perfgate
SUITE=$BUILD/examples/example-suite
BENCHES='JSON|Sort|Hash|Memcpy|StringBuild|ListWalk|MatMul64|MallocChurn'

say() { printf '\n\033[1m$ %s\033[0m\n' "$*" >&2; }

say "perfgate baseline refresh -n 5 -- $SUITE -bench '$BENCHES' -benchtime 100ms -benchmem"
# --allow-dirty: in a developer's tree the working tree may have changes
"$PERFGATE" baseline refresh --allow-dirty -n 5 -- "$SUITE" -bench "$BENCHES" \
	-benchtime 100ms -benchmem || exit 1

say "PG_EXAMPLE_SLOWDOWN=20 perfgate gate -n 5 -- $SUITE ..."
PG_EXAMPLE_SLOWDOWN=20 "$PERFGATE" gate -n 5 --no-upload -- "$SUITE" -bench "$BENCHES" \
	-benchtime 100ms -benchmem
slow=$?

say "perfgate gate -n 5 -- $SUITE ..."
"$PERFGATE" gate -n 5 --no-upload -- "$SUITE" -bench "$BENCHES" -benchtime 100ms -benchmem
clean=$?

printf '\ndemo: with the injected slowdown the gate exited %d (1 = regression); ' "$slow" >&2
printf 'on the unchanged code it exited %d (0 = pass)\n' "$clean" >&2
[ "$slow" -eq 1 ] && [ "$clean" -eq 0 ]
