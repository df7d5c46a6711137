#!/bin/sh
# perfgate gate --ab and --confirm: the baseline commit checked out and
# built on this runner, both builds measured interleaved in ABBA order,
# decided by a paired analysis; suspects of a first pass confirmed. The
# suite is the seeded fake (1% noise), copied into a temporary repository:
# a commit's "code change" is a seeded-shift.txt, and side.txt says which
# tree a process ran in.
. "$(dirname "$0")/lib.sh"
unset SEEDED_SHIFT SEEDED_ALLOCS CI GITHUB_ACTIONS GITHUB_HEAD_REF GITHUB_REF_NAME \
	GITHUB_BASE_REF GITHUB_RUN_ID CI_COMMIT_REF_NAME CI_MERGE_REQUEST_TARGET_BRANCH_NAME
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$TMP/home"
export SEEDED_STATE="$TMP/seeded.state"
mkdir -p "$HOME"
pg() { "$PERFGATE" "$@"; }
json() { "$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"; }
expect_json() {
	got=$(json "$1" "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$4: $2 = $3"; else not_ok "$4: $2 is '$got', want '$3'"; fi
}

REPO=$TMP/repo
git init -q -b main "$REPO"
cd "$REPO" || exit 1
cp "$TOP/tests/e2e/suites/seeded-suite.py" bench.py
echo A >side.txt
printf '{"suite": ["./bench.py"], "build": "echo built >built.txt", "count": 4, "warmup": 0}\n' >perfgate.json
git add . && git commit -qm base
C1=$(git rev-parse HEAD)

# --- a regression, with no stored baseline: the merge base is built here
git checkout -q -b slow
echo B >side.txt
echo "Hash=20" >seeded-shift.txt
git add . && git commit -qm "slower Hash"
export SEEDED_LOG="$TMP/order.log"
run pg gate -q --ab --json "$TMP/ab.json"
unset SEEDED_LOG
expect_rc 1 "gate --ab finds the 20% slowdown"
expect_out "^measured by: same-runner A/B against ${C1%"${C1#????????????}"} built here: 5 benchmarks x 4 pairs"
expect_json "$TMP/ab.json" 'd["verdict"], d["baseline"]["commit"]' "regression $C1" "ab"
expect_json "$TMP/ab.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Hash']" "ab"
expect_json "$TMP/ab.json" '[r["reason"][:7] for r in d["rows"] if r["benchmark"] == "Hash" and r["unit"] == "ns/op"]' "['paired:']" "ab"
expect_json "$TMP/ab.json" '"same-runner A/B" in d["measured_by"]' True "ab"
# both views: the pairs and the unpaired analysis of the same samples
expect_json "$TMP/ab.json" '[(r["pairs"]["n"], r["unpaired"]["decision"]) for r in d["rows"] if r["benchmark"] == "Hash" and r["unit"] == "ns/op"]' \
	"[(4, 'regression')]" "ab"
expect_json "$TMP/ab.json" 'sorted(set(type(r["unpaired"]["p_value"]).__name__ for r in d["rows"] if r["unit"] == "ns/op"))' \
	"['float']" "ab"
[ -f "$REPO/.perfgate/ab-cache/$C1/built.txt" ] && ok "the build command ran in the baseline's tree" ||
	not_ok "no built.txt in the A/B cache"
[ "$(cat "$REPO/.perfgate/ab-cache/$C1/side.txt")" = A ] && ok "the baseline tree is commit $C1's" ||
	not_ok "the baseline tree is not the base commit's"
# .perfgate/ (the store, the A/B cache) ignores itself: git sees nothing
[ "$(git status --porcelain --untracked-files=all)" = "" ] &&
	ok "the working tree and index are untouched, .perfgate/ is ignored" ||
	not_ok "git status: $(git status --porcelain)"
# the order: per benchmark, A B B A A B B A
order=$(awk '$2 == "Hash" { printf "%s", $1 }' "$TMP/order.log")
[ "$order" = "ABBAABBA" ] && ok "ABBA order for Hash: $order" || not_ok "order for Hash: '$order'"
# 5 top-level benchmarks (Sort has two sub-benchmarks, run together)
n=$(wc -l <"$TMP/order.log")
[ "$n" -eq 40 ] && ok "one process per sample: 5 x 4 x 2 = 40" || not_ok "$n processes"
[ "$(awk '$2 == "Sort/n=100,Sort/n=10000"' "$TMP/order.log" | wc -l)" -eq 8 ] &&
	ok "Sort's sub-benchmarks run together, 8 times" || not_ok "Sort did not run as one benchmark"
awk '{ n = split($2, b, ","); for (i = 2; i <= n; i++) { split(b[1], x, "/"); split(b[i], y, "/"); if (x[1] != y[1]) bad = 1 } }
	END { exit !bad }' "$TMP/order.log" && not_ok "a process ran several top-level benchmarks" ||
	ok "each process ran one top-level benchmark"

# --- the cached build is reused
run pg gate --ab -n 4
expect_rc 1 "a second --ab run"
expect_err "baseline build reused"

# --- no change: passes
git checkout -q -b same main
echo B >side.txt
git add . && git commit -qm "no change"
run pg gate -q --ab --json "$TMP/same.json"
expect_rc 0 "gate --ab without a change passes"
expect_json "$TMP/same.json" 'd["summary"]["regressions"]' 0 "same"

# --- --confirm: a first pass against a stored baseline measured while the
# "host" was faster (SEEDED_SHIFT), confirmed or not by an A/B
git checkout -q main
SEEDED_SHIFT=Hash=-20 pg baseline refresh -q -n 4 >/dev/null 2>&1 || not_ok "setup: refresh"
git checkout -q same
run pg gate -q --confirm --json "$TMP/confirm.json"
expect_rc 0 "a first-pass false alarm is not confirmed"
expect_json "$TMP/confirm.json" '[r["benchmark"] for r in d["first_pass"]["rows"] if r["decision"] in ("regression", "drift")]' "['Hash']" "confirm"
expect_json "$TMP/confirm.json" '[r["benchmark"] for r in d["rows"]][:1], d["summary"]["regressions"]' "['Hash'] 0" "confirm"
expect_out '^first pass: the stored baseline against the candidate'
expect_out '^decided by: same-runner A/B .*1 benchmark x 10 pairs'
# in CI, with a build command, confirmation is the default
CI=true run pg gate -q --json "$TMP/ci.json"
expect_rc 0 "CI=true confirms by default (the false alarm goes away)"
expect_json "$TMP/ci.json" 'd["first_pass"] is not None' True "ci default"
run pg gate -q --no-confirm
expect_rc 1 "--no-confirm keeps the first pass"
git checkout -q slow
run pg gate -q --confirm --confirm-rounds 6 --json "$TMP/confirm2.json"
expect_rc 1 "a real regression is confirmed"
expect_json "$TMP/confirm2.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Hash']" "confirmed"

# --- --count auto: the candidate runs in batches of 5 until every row is
# decided, at most as many runs as the baseline has
git checkout -q main
pg baseline refresh -q -n 10 >/dev/null 2>&1 || not_ok "setup: refresh -n 10"
git checkout -q same
run pg gate -q -n auto --json "$TMP/auto.json"
expect_rc 0 "--count auto on an unchanged commit"
expect_json "$TMP/auto.json" '[w for w in d["warnings"] if w.startswith("--count auto: 5 runs of at most 10 (every benchmark metric decided); 5 runs saved")] != []' True "auto"
expect_json "$TMP/auto.json" 'sorted(set(r["new"]["n"] for r in d["rows"]))' "[5]" "auto"
git checkout -q slow
run pg gate -q -n auto --json "$TMP/auto-slow.json"
expect_rc 1 "--count auto finds the 20% slowdown"
expect_json "$TMP/auto-slow.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Hash']" "auto slow"
run pg gate -n auto --ab
expect_rc 2 "--count auto with --ab"
expect_err "count auto"
# a noisy suite (30% noise): no row can be decided by the baseline's 10
# runs, so the gate stops at the first look and each row says so, with
# its minimum detectable change at the maximum
git checkout -q main
SEEDED_NOISE=0.3 pg baseline refresh -q -n 10 >/dev/null 2>&1 || not_ok "setup: noisy refresh"
git checkout -q same
SEEDED_NOISE=0.3 run pg gate -q -n auto --json "$TMP/auto-noisy.json"
expect_rc 0 "--count auto on a noisy suite"
expect_json "$TMP/auto-noisy.json" '[w.split(";")[:3] for w in d["warnings"] if w.startswith("--count auto")]' \
	"[['--count auto: 5 runs of at most 10 (the others cannot be decided by 10 runs)', ' 5 runs saved', ' 0 undecided, 5 hopeless at the stop']]" "auto noisy"
expect_json "$TMP/auto-noisy.json" '[w for w in d["warnings"] if "the stored baseline'"'"'s 10 runs cap the plan at 10 runs (2 looks)" in w] != []' True "auto noisy"
expect_json "$TMP/auto-noisy.json" '[(r["decision"], r["cannot_guard"], "minimum detectable change at 10 runs +" in r["reason"]) for r in d["rows"] if r["reason"].startswith("cannot be decided by 10 runs: ")]' \
	"[('noise', True, True), ('noise', True, True), ('noise', True, True), ('noise', True, True), ('noise', True, True)]" \
	"auto noisy: the 5 hopeless rows"
expect_json "$TMP/auto-noisy.json" 'sorted(set(r["new"]["n"] for r in d["rows"]))' "[5]" "auto noisy"

# --- a baseline that does not build is an infrastructure error
git checkout -q -b broken main
printf '{"suite": ["./bench.py"], "build": "echo no compiler >&2; exit 7", "count": 2, "warmup": 0}\n' >perfgate.json
git add . && git commit -qm broken
rm -rf "$REPO/.perfgate/ab-cache"
git checkout -q -b broken2
echo C >side.txt && git add . && git commit -qm c
run pg gate -q --ab -n 2
expect_rc 3 "a failed baseline build"
expect_err "building the baseline"
expect_err "no compiler"
run pg gate --ab --baseline-file "$TMP/x.txt"
expect_rc 2 "--ab excludes --baseline-file"

# --- a real C project: the example suite built from each commit's sources
# (tests/bench/experiment_build.sh; slowdown.txt compiles a 5% slowdown of
# Hash in), the suite's own -bench selecting sub-benchmarks, measured by
# instruction counts under callgrind on both sides
BUILD_DIR=$(dirname "$PERFGATE")
if ! command -v valgrind >/dev/null 2>&1 ||
	nm "$BUILD_DIR/libperfgate_bench.a" 2>/dev/null | grep -q '__asan_version_mismatch_check'; then
	not_ok "valgrind is missing or the harness is built with AddressSanitizer"
	finish
	exit $?
fi
export PKG_CONFIG_PATH="$BUILD_DIR"
C=$TMP/cproject
git init -q -b main "$C" && cd "$C" || exit 1
cp "$TOP"/bench-runner/examples/*.c . && cp "$TOP/tests/bench/experiment_build.sh" build.sh
printf 'suite\n' >.gitignore
printf '%s\n' '{"suite": ["./suite", "-bench", "Hash|Memcpy/64B$"], "build": "./build.sh",' \
	' "count": 2, "measure": {"mode": "callgrind", "iterations": 20}}' >perfgate.json
git add . && git commit -qm base
git checkout -q -b slow && echo 5 >slowdown.txt && git add . && git commit -qm "Hash 5% slower"
./build.sh || not_ok "building the candidate"
run pg gate -q --ab --json "$TMP/cg.json"
expect_rc 1 "--ab --measure callgrind finds the 5% slowdown in instructions"
expect_json "$TMP/cg.json" 'sorted((r["benchmark"], r["unit"]) for r in d["rows"] if r["unit"] == "instructions/op")' \
	"[('Hash/fnv1a-64K', 'instructions/op'), ('Memcpy/64B', 'instructions/op')]" "callgrind A/B"
expect_json "$TMP/cg.json" '[(r["benchmark"], r["decision"]) for r in d["rows"] if r["decision"] != "unchanged"]' \
	"[('Hash/fnv1a-64K', 'regression')]" "callgrind A/B"
expect_json "$TMP/cg.json" '[r["reason"][:14] for r in d["rows"] if r["benchmark"] == "Hash/fnv1a-64K" and r["unit"] == "instructions/op"]' \
	"['deterministic:']" "callgrind A/B"
expect_json "$TMP/cg.json" '"instruction counts under callgrind" in d["measured_by"]' True "callgrind A/B"
[ -x "$C/.perfgate/ab-cache/$(git rev-parse main)/suite" ] && ok "the baseline's suite was built in the A/B cache" ||
	not_ok "no suite built in the A/B cache"
expect_json "$TMP/cg.json" 'd["profiles"]' "[]" "no stored baseline, no profile diff"
# with a stored baseline (and its profiles): the A/B decides, and one
# profiled run of the regressed benchmark gives the profile diff
git checkout -q main && ./build.sh || not_ok "building main"
run pg baseline refresh -q
expect_rc 0 "baseline refresh of main under callgrind"
git checkout -q slow && ./build.sh || not_ok "building the candidate"
run pg gate --ab --json "$TMP/cg-stored.json"
expect_rc 1 "--ab with a stored baseline"
expect_err "profiling the candidate's regressed benchmarks \\(-bench '\\^BenchmarkHash[$]'\\)"
expect_json "$TMP/cg-stored.json" '[(p["benchmark"], p["note"]) for p in d["profiles"]]' \
	"[('Hash/fnv1a-64K', None)]" "the profile diff of the A/B's regression"
expect_json "$TMP/cg-stored.json" 'd["hosts"]["differences"]' "[]" "the A/B's host is the stored baseline's"
# an unchanged commit: exactly equal counts
git checkout -q -b same main && echo '/* a comment */' >>example_suite.c && git commit -qam comment
./build.sh || not_ok "building the candidate"
run pg gate -q --ab --json "$TMP/cg-same.json"
expect_rc 0 "--ab --measure callgrind without a change"
expect_json "$TMP/cg-same.json" '[r["delta_percent"] for r in d["rows"] if r["unit"] == "instructions/op"]' \
	"[0.0, 0.0]" "callgrind A/B, no change"

finish
