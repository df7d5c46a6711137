#!/bin/sh
# perfgate gate --ab and --confirm: the baseline commit checked out and
# built on this runner, both builds measured interleaved in ABBA order,
# decided by a paired analysis; suspects of a first pass confirmed. The
# suite is the seeded fake (1% noise), copied into a temporary repository:
# a commit's "code change" is a seeded-shift.txt, and side.txt says which
# tree a process ran in.
. "$(dirname "$0")/lib.sh"
unset SEEDED_SHIFT SEEDED_ALLOCS
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
GITHUB_ACTIONS=true run pg gate -q --confirm --json "$TMP/confirm.json" --junit "$TMP/confirm.xml"
expect_rc 0 "a first-pass false alarm is not confirmed"
expect_json "$TMP/confirm.json" '[r["benchmark"] for r in d["first_pass"]["rows"] if r["decision"] in ("regression", "drift")]' "['Hash']" "confirm"
expect_json "$TMP/confirm.json" '[r["benchmark"] for r in d["rows"]][:1], d["summary"]["regressions"]' "['Hash'] 0" "confirm"
expect_out '^first pass: the stored baseline against the candidate.*; its suspects:'
expect_out '^decided by: same-runner A/B .*1 benchmark x 10 pairs.*; the other rows are the first pass'
# the final table is the whole suite: the first pass's rows, the suspect's
# replaced by the confirmation's
expect_json "$TMP/confirm.json" 'd["summary"]["compared"], len(d["rows"]) == len(d["first_pass"]["rows"])' "18 True" "confirm: the whole suite"
expect_json "$TMP/confirm.json" '[(r["benchmark"], r["unit"], r["reason"][:7]) for r in d["rows"] if r["confirmed"]]' \
	"[('Hash', 'ns/op', 'paired:')]" "confirm: the suspect's row is the confirmation's"
expect_json "$TMP/confirm.json" '[r for r in d["rows"] if not r["confirmed"]] == [dict(f, confirmed=False) for f in d["first_pass"]["rows"] if (f["benchmark"], f["unit"]) != ("Hash", "ns/op")]' \
	True "confirm: the other rows are the first pass's"
expect_json "$TMP/confirm.json" '[r["unpaired"] is not None for r in d["rows"] if r["confirmed"] or r["unit"] == "ns/op"]' \
	"[True, False, False, False, False, False]" "confirm: the unpaired view of the confirmed row only"
expect_out '^perfgate: PASS: no regression beyond thresholds in 18 benchmark metrics'
expect_out '^the confirmation measured the first pass.s 1 suspect again and cleared 1: Hash ns/op regression \+[0-9.]+% -> unchanged [-+][0-9.]+% \(cleared\)$'
expect_out '^::notice title=perfgate%3A suspects measured again::the confirmation measured'
expect_out '^decision:  Welch.s t-test on log values \(first pass\), paired t-test on log ratios \(unpaired: Welch.s t-test on log values beside it\) for the suspects'
"$PYTHON" - "$TMP/confirm.xml" <<'PY' && ok "confirm: JUnit keeps the first pass in the suspect's test case" || not_ok "confirm: JUnit"
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert t.get("tests") == "18", t.get("tests")
cases = {(c.get("classname"), c.get("name")): c for c in t.findall("testcase")}
out = cases[("ns/op", "Hash")].find("system-out").text
assert "paired:" in out and "\nfirst pass: regression, old " in out, out
assert "first pass" not in cases[("ns/op", "Parse")].find("system-out").text
PY
# in CI, with a build command, confirmation is the default
CI=true run pg gate -q --json "$TMP/ci.json"
expect_rc 0 "CI=true confirms by default (the false alarm goes away)"
expect_json "$TMP/ci.json" 'd["first_pass"] is not None' True "ci default"
run pg gate -q --no-confirm
expect_rc 1 "--no-confirm keeps the first pass"
git checkout -q slow
GITHUB_ACTIONS=true run pg gate -q --confirm --confirm-rounds 6 --json "$TMP/confirm2.json" --junit "$TMP/confirm2.xml"
expect_rc 1 "a real regression is confirmed"
expect_json "$TMP/confirm2.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Hash']" "confirmed"
expect_out '^perfgate: REGRESSION: 1 of 18 benchmark metrics slower than allowed \(Hash ns/op'
expect_out '^::error title=perfgate%3A regression in Hash \(ns/op\)::.*; first pass: regression, old '
expect_out '^the confirmation measured .* -> regression \+[0-9.]+% \(confirmed\)$'
"$PYTHON" - "$TMP/confirm2.xml" <<'PY' && ok "confirmed: JUnit fails the test case, with its first pass" || not_ok "confirmed: JUnit"
import sys, xml.etree.ElementTree as ET
t = ET.parse(sys.argv[1]).getroot().find("testsuite")
assert (t.get("tests"), t.get("failures")) == ("18", "1"), (t.get("tests"), t.get("failures"))
c = [c for c in t.findall("testcase") if c.get("name") == "Hash" and c.get("classname") == "ns/op"][0]
assert "first pass: regression" in c.find("failure").text
assert c.find("system-out").text.startswith("first pass: regression, old ")
PY

# --- --ab --confirm: the A/B is the first pass, its suspects measured
# again with more pairs
run pg gate -q --ab --confirm --json "$TMP/ab-confirm.json"
expect_rc 1 "--ab --confirm: the A/B's regression is confirmed"
expect_json "$TMP/ab-confirm.json" '"4 pairs" in d["first_pass"]["measured_by"], "1 benchmark x 10 pairs" in d["measured_by"]' "True True" "ab confirm"
expect_json "$TMP/ab-confirm.json" '[(r["benchmark"], r["decision"], r["confirmed"], r["pairs"]["n"]) for r in d["rows"] if r["unit"] == "ns/op" and r["confirmed"]]' \
	"[('Hash', 'regression', True, 10)]" "ab confirm"
expect_json "$TMP/ab-confirm.json" '[r["decision"] for r in d["first_pass"]["rows"] if r["benchmark"] == "Hash" and r["unit"] == "ns/op"], d["summary"]["compared"]' \
	"['regression'] 18" "ab confirm"
# the first pass's rows are an A/B's: they keep its pairs and unpaired view
expect_json "$TMP/ab-confirm.json" '[(r["pairs"]["n"], r["unpaired"]["decision"]) for r in d["first_pass"]["rows"] if r["benchmark"] == "Hash" and r["unit"] == "ns/op"]' \
	"[(4, 'regression')]" "ab confirm: first pass"
expect_json "$TMP/ab-confirm.json" 'sorted(set((type(r["pairs"]).__name__, type(r["unpaired"]["p_value"]).__name__) for r in d["first_pass"]["rows"] if r["unit"] == "ns/op"))' \
	"[('dict', 'float')]" "ab confirm: first pass"
expect_out '^decision:  paired t-test on log ratios \(unpaired: Welch.s t-test on log values beside it\), alpha'

# --- nothing suspected: no confirmation A/B at all
git checkout -q main
pg baseline refresh -q -n 4 >/dev/null 2>&1 || not_ok "setup: refresh"
git checkout -q same
export SEEDED_LOG="$TMP/none.log"
run pg gate --confirm --json "$TMP/none.json"
unset SEEDED_LOG
expect_rc 0 "--confirm with nothing suspected"
expect_json "$TMP/none.json" 'd["first_pass"], "A/B" in str(d["measured_by"]), [r for r in d["rows"] if r["confirmed"]]' "None False []" "nothing suspected"
[ "$(grep -c '^B ' "$TMP/none.log")" -eq 4 ] && [ "$(grep -c '^A ' "$TMP/none.log")" -eq 0 ] &&
	ok "nothing suspected: only the candidate's 4 runs, no baseline process" || not_ok "processes: $(cat "$TMP/none.log")"
expect_no_out '^first pass'

# --- a suspect put down to host drift: measured again all the same (the
# stored baseline ran on a "host" 10% faster for every benchmark)
git checkout -q main
SEEDED_SHIFT="Hash=-10,Sort/n=100=-10,Sort/n=10000=-10,Parse=-10,Encode=-10,Walk=-10" \
	pg baseline refresh -q -n 4 >/dev/null 2>&1 || not_ok "setup: refresh"
git checkout -q same
run pg gate -q --confirm --json "$TMP/drift.json"
expect_rc 0 "--confirm: drift suspects measured again, unchanged"
expect_json "$TMP/drift.json" 'd["first_pass"]["rows"] and sorted(set(f["decision"] for f in d["first_pass"]["rows"] if f["unit"] == "ns/op"))' \
	"['drift']" "drift: the first pass"
expect_json "$TMP/drift.json" '[(r["decision"], r["confirmed"], r["reason"][:7]) for r in d["rows"] if r["unit"] == "ns/op"]' \
	"$(printf "[%s]" "$(printf "('unchanged', True, 'paired:'), %.0s" 1 2 3 4 5)('unchanged', True, 'paired:')")" \
	"drift: every drift row is the confirmation's"
expect_json "$TMP/drift.json" '"5 benchmarks x 10 pairs" in d["measured_by"], d["summary"]["drift"]' "True 0" "drift"

# --- a sub-benchmark suspect: the confirmation measures its top-level
# benchmark (both Sort rows, -bench '^BenchmarkSort$'), but only the
# suspect's row can fail: a regression the first pass did not suspect
# (Sort/n=10000, hidden by a baseline measured 20% slower) does not
git checkout -q -b sortslow main
echo B >side.txt
echo "Sort/n=10000=20" >seeded-shift.txt
git add . && git commit -qm "slower Sort/n=10000"
git checkout -q main
SEEDED_SHIFT="Sort/n=100=-20,Sort/n=10000=20" pg baseline refresh -q -n 4 >/dev/null 2>&1 ||
	not_ok "setup: refresh"
git checkout -q sortslow
export SEEDED_LOG="$TMP/sort.log"
run pg gate -q --confirm --json "$TMP/sort.json"
unset SEEDED_LOG
expect_rc 0 "a regression the first pass did not suspect does not fail the gate"
expect_json "$TMP/sort.json" '[(f["benchmark"], f["decision"]) for f in d["first_pass"]["rows"] if f["decision"] in ("regression", "drift")]' \
	"[('Sort/n=100', 'regression')]" "sub-benchmark: the first pass"
expect_json "$TMP/sort.json" '[(r["benchmark"], r["unit"], r["decision"]) for r in d["rows"] if r["confirmed"]]' \
	"[('Sort/n=100', 'ns/op', 'unchanged')]" "sub-benchmark: the suspect's row"
expect_json "$TMP/sort.json" '[(r["decision"], r["confirmed"], r["reason"][:7] != "paired:") for r in d["rows"] if r["benchmark"] == "Sort/n=10000" and r["unit"] == "ns/op"]' \
	"[('unchanged', False, True)]" "sub-benchmark: its sibling keeps the first pass's row"
expect_json "$TMP/sort.json" '[w.startswith("the confirmation found Sort/n=10000 ns/op regressed (+") and w.endswith("but the first pass did not suspect it (unchanged): it does not fail the gate; rerun the gate to check it") for w in d["warnings"] if "did not suspect" in w]' \
	"[True]" "sub-benchmark: the warning"
[ "$(grep '^A ' "$TMP/sort.log" | sort -u)" = "A Sort/n=100,Sort/n=10000" ] &&
	[ "$(grep -c '^A ' "$TMP/sort.log")" -eq 10 ] &&
	ok "sub-benchmark: the confirmation ran BenchmarkSort only, 10 times a side" ||
	not_ok "the confirmation's baseline processes: $(grep '^A ' "$TMP/sort.log" | sort | uniq -c)"

# --- --count auto: the candidate runs in batches of 5 until every row is
# decided, at most as many runs as the baseline has
git checkout -q main
pg baseline refresh -q -n 10 >/dev/null 2>&1 || not_ok "setup: refresh -n 10"
git checkout -q same
SEEDED_RUN_CONFIG=seed run pg gate -q -n auto --run-id auto --json "$TMP/auto.json"
expect_rc 0 "--count auto on an unchanged commit"
expect_json "$TMP/auto.json" '[w for w in d["warnings"] if w.startswith("--count auto: 5 runs of at most 10 (every benchmark metric decided); 5 runs saved")] != []' True "auto"
expect_json "$TMP/auto.json" 'sorted(set(r["new"]["n"] for r in d["rows"]))' "[5]" "auto"
expect_run_seeds "$(ls .perfgate/store/v1/repo/runs/*/auto/u*/results.txt)" 5 "--count auto: the uploaded run"
git checkout -q slow
run pg gate -q -n auto --json "$TMP/auto-slow.json"
expect_rc 1 "--count auto finds the 20% slowdown"
expect_json "$TMP/auto-slow.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Hash']" "auto slow"
run pg gate -n auto --ab
expect_rc 2 "--count auto with --ab"
expect_err "count auto"
# a noisy suite (30% noise): no row can be decided by the baseline's 10
# runs, so the gate stops at the first look and each row says so, with
# its minimum detectable change at the maximum (its own invocation count,
# so the samples do not depend on the checks above)
git checkout -q main
SEEDED_STATE="$TMP/noisy.state" SEEDED_NOISE=0.3 pg baseline refresh -q -n 10 >/dev/null 2>&1 ||
	not_ok "setup: noisy refresh"
git checkout -q same
SEEDED_STATE="$TMP/noisy.state" SEEDED_NOISE=0.3 run pg gate -q -n auto --json "$TMP/auto-noisy.json"
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
