#!/bin/sh
# perfgate gate end to end, in real temporary git repositories with a local
# folder store, using a fake suite that prints seeded samples (1% noise,
# shifts chosen far from the 5% threshold), so decisions are deterministic.
. "$(dirname "$0")/lib.sh"
SUITE=$TOP/tests/e2e/suites/seeded-suite.py
export SEEDED_STATE="$TMP/seeded.state"
unset SEEDED_SHIFT SEEDED_ALLOCS
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$TMP/home"
mkdir -p "$HOME"
pg() { "$PERFGATE" "$@"; }
json() { # json FILE EXPR: print a Python expression over the parsed JSON d
	"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
expect_json() { # expect_json FILE EXPR WANT what
	got=$(json "$1" "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$4: $2 = $3"; else not_ok "$4: $2 is '$got', want '$3'"; fi
}
# expect_same_set [-x NAME] SET COPY what: the --artifacts-dir COPY holds
# the files of the stored set SET (a store's upload folder, its
# manifest.json and the file NAME that is not copied aside), at least one,
# no more, no fewer, each byte for byte the same. SET may be a glob, left
# unquoted: it must match one folder. Leaves the list of files
# (./results.txt, ...) in $set_files for the caller's own checks.
expect_same_set() {
	set_files=''
	_x=manifest.json
	if [ "$1" = -x ]; then _x=$2; shift 2; fi
	if [ $# -ne 3 ]; then
		for _what; do :; done # the last argument
		not_ok "$_what: not one stored set: $*"
		return
	fi
	set_files=$(cd "$1" 2>/dev/null && find . -type f ! -name manifest.json ! -name "$_x" | sort)
	_copy=$(cd "$2" 2>/dev/null && find . -type f | sort)
	if [ -z "$set_files" ] || [ "$_copy" != "$set_files" ]; then
		not_ok "$3: stored $(echo "$set_files" | tr '\n' ' ')in '$1'; copy: $(echo "$_copy" | tr '\n' ' ')"
		return
	fi
	ok "$3: the same files as stored: $(echo "$set_files" | tr '\n' ' ')"
	_differ=
	while read -r _f; do
		cmp -s "$1/$_f" "$2/$_f" || _differ="$_differ $_f"
	done <<EOF
$set_files
EOF
	[ -z "$_differ" ] && ok "$3: every file byte for byte as stored" ||
		not_ok "$3: other bytes than stored:$_differ"
}

REPO=$TMP/repo
git init -q -b main "$REPO"
cd "$REPO" || exit 1
commit() { echo "$1" >>file; git add file; git commit -qm "$1"; git rev-parse HEAD; }
C1=$(commit one)

# --- no baseline yet: passes loudly by default, fails with the policy
run pg gate -q -n 3 --json "$TMP/nb.json" -- "$SUITE"
expect_rc 0 "no baseline, --missing-baseline pass (the default)"
expect_out "^perfgate: NO BASELINE"
expect_json "$TMP/nb.json" 'd["verdict"]' no-baseline "no baseline"
expect_json "$TMP/nb.json" 'any("no baseline" in w for w in d["warnings"])' True "no baseline"
run pg gate -q -n 3 --missing-baseline fail -- "$SUITE"
expect_rc 3 "no baseline, --missing-baseline fail"
# the warning names the branch the baseline was looked for on, which a CI
# variable may choose instead of the configured one
GITHUB_BASE_REF=develop run pg gate -q -n 3 --json "$TMP/nb-ci.json" -- "$SUITE"
expect_rc 0 "no baseline on the CI's target branch"
expect_json "$TMP/nb-ci.json" '[w.split("refresh")[1] for w in d["warnings"] if w.startswith("no baseline to compare")]' \
	"[\"' on develop, e.g. nightly)\"]" "no baseline on develop"

# --- no suite: said as such, before anything runs, in the report too
run pg gate -q --json "$TMP/nosuite.json"
expect_rc 2 "gate without a suite"
expect_err '^perfgate: no suite to run: give one after -- or set "suite" in perfgate.json$'
expect_json "$TMP/nosuite.json" 'd["verdict"], d["error"]' \
	'error no suite to run: give one after -- or set "suite" in perfgate.json' "no suite"

# --- the nightly job: a baseline for main
run pg baseline refresh -q -n 5
expect_rc 2 "refresh without a suite"
expect_err "no suite to run"
# (a seed that changes with every run: the pushed baseline keeps it per run)
SEEDED_RUN_CONFIG=seed run pg baseline refresh -q -n 5 -o "$TMP/refresh.txt" -- "$SUITE"
expect_rc 0 "baseline refresh on main"
expect_out "^perfgate: baseline of $C1 pushed to "
cmp -s "$TMP/refresh.txt" "$REPO"/.perfgate/store/v1/repo/baselines/"$C1"/u*/results.txt &&
	ok "refresh -o writes the results it pushes" || not_ok "refresh -o: $(ls -l "$TMP/refresh.txt" 2>&1)"
expect_run_seeds "$(ls "$REPO"/.perfgate/store/v1/repo/baselines/"$C1"/u*/results.txt)" 5 \
	"the pushed baseline"
expect_out "^perfgate: refs/main now points to $C1$"
# --artifacts-dir: the CI job's copy of the baseline it pushed, the same
# set (in a store of its own, so that main's baseline stays the one above)
run pg baseline refresh -q -n 2 --store "$TMP/rfci-store" --artifacts-dir "$TMP/refresh-ci" -- "$SUITE"
expect_rc 0 "baseline refresh --artifacts-dir"
expect_same_set "$TMP"/rfci-store/v1/repo/baselines/"$C1"/u*/ "$TMP/refresh-ci" \
	"refresh --artifacts-dir holds what was pushed"
[ "$set_files" = ./results.txt ] && ok "refresh pushed the results alone" ||
	not_ok "refresh pushed: $(echo "$set_files" | tr '\n' ' ')"

# --- a feature branch: unchanged passes, against the merge base
git checkout -q -b feature
C2=$(commit two)
run pg gate -q -n 5 --json "$TMP/pass.json" -- "$SUITE"
expect_rc 0 "an unchanged commit passes"
expect_out "^perfgate: PASS: no regression beyond thresholds in 18 benchmark metrics vs baseline ${C1%"${C1#???????}"}"
expect_json "$TMP/pass.json" 'd["verdict"], d["exit_code"]' "pass 0" "pass"
expect_json "$TMP/pass.json" 'd["settings"]["measure"]' time "pass"
expect_json "$TMP/pass.json" 'd["baseline"]["commit"]' "$C1" "pass"
expect_json "$TMP/pass.json" 'd["baseline"]["source"]' "merge base of HEAD and main" "pass"
expect_json "$TMP/pass.json" 'd["candidate"]["commit"], d["candidate"]["branch"]' "$C2 feature" "pass"
expect_json "$TMP/pass.json" 'sorted(set(r["decision"] for r in d["rows"]))' "['unchanged']" "pass"
expect_json "$TMP/pass.json" 'all(set(r) >= {"benchmark","unit","delta_percent","p_value","p_adjusted","threshold_percent","decision","mde_percent","reason"} for r in d["rows"])' True "pass"

# --- a regression: exit 1, named in every report
export GITHUB_STEP_SUMMARY="$TMP/summary.md"
SEEDED_SHIFT=Hash=20 GITHUB_ACTIONS=true run pg gate -q -n 5 --json "$TMP/reg.json" \
	--markdown "$TMP/reg.md" --junit "$TMP/reg.xml" -- "$SUITE"
unset GITHUB_STEP_SUMMARY
expect_rc 1 "a 20% slowdown is a regression"
expect_out "^::error .*Hash"
tail -n 1 "$TMP/out" | grep -Eq '^perfgate: REGRESSION: 1 of 18 benchmark metrics slower than allowed \(Hash ns/op \+(19|20|21)\.[0-9]% > 5%\)' &&
	ok "the verdict line names the regression" || not_ok "verdict line: $(tail -n 1 "$TMP/out")"
expect_json "$TMP/reg.json" 'd["verdict"], d["exit_code"]' "regression 1" "regression"
expect_json "$TMP/reg.json" '[(r["benchmark"], r["unit"]) for r in d["rows"] if r["decision"] == "regression"]' \
	"[('Hash', 'ns/op')]" "regression"
grep -q 'Hash' "$TMP/reg.md" && grep -qi 'regression' "$TMP/reg.md" && ok "Markdown names it" || not_ok "Markdown"
cmp -s "$TMP/reg.md" "$TMP/summary.md" && ok "the step summary got the Markdown report" || not_ok "step summary"
"$PYTHON" - "$TMP/reg.xml" <<'PY' && ok "JUnit: one failure, for Hash ns/op" || not_ok "JUnit"
import sys, xml.etree.ElementTree as ET
root = ET.parse(sys.argv[1]).getroot()
fails = [(tc.get("classname"), tc.get("name")) for tc in root.iter("testcase") if tc.find("failure") is not None]
assert fails == [("ns/op", "Hash")], fails
assert len([tc for tc in root.iter("testcase")]) >= 18
PY

# --- a slowdown under the threshold passes
SEEDED_SHIFT=Hash=2 run pg gate -q -n 5 -- "$SUITE"
expect_rc 0 "a 2% slowdown is under the 5% threshold"
# ... unless the threshold is lower
SEEDED_SHIFT=Hash=20 run pg gate -q -n 5 --threshold 25 -- "$SUITE"
expect_rc 0 "a 20% slowdown under --threshold 25"

# --- the ancestor walk: main moves on without a baseline
git checkout -q main
C3=$(commit three)
git checkout -q -b feature2
commit four >/dev/null
run pg gate -q -n 5 --json "$TMP/walk.json" -- "$SUITE"
expect_rc 0 "gate with an older baseline"
expect_json "$TMP/walk.json" 'd["baseline"]["commit"]' "$C1" "walk"
expect_json "$TMP/walk.json" 'd["baseline"]["source"]' "1 first-parent commit before the merge base of HEAD and main" "walk"
# --max-walk 1: the merge base only, then the store's refs/main
run pg gate -q -n 5 --max-walk 1 --json "$TMP/walk1.json" -- "$SUITE"
expect_rc 0 "gate with --max-walk 1"
expect_json "$TMP/walk1.json" 'd["baseline"]["source"]' "refs/main in the store (the latest baseline of main)" "--max-walk 1"
expect_json "$TMP/walk1.json" 'any("no baseline within 1 first-parent commit of the merge base" in w for w in d["warnings"])' True "--max-walk 1"
printf '{"max_walk": 1}\n' >"$TMP/walk1-config.json"
run pg gate -q -n 5 --config "$TMP/walk1-config.json" --max-walk 2 --json "$TMP/walk2.json" -- "$SUITE"
expect_rc 0 "--max-walk 2 over \"max_walk\": 1"
expect_json "$TMP/walk2.json" 'd["baseline"]["source"]' "1 first-parent commit before the merge base of HEAD and main" "--max-walk 2"

# --- a merge on main: the walk follows first parents, not the merged branch
git checkout -q -b side "$C1"
echo side >side.txt && git add side.txt && git commit -qm side
CS=$(git rev-parse HEAD)
# a baseline on the side branch, closer to HEAD than C1 once merged
run pg baseline refresh -q -n 3 -- "$SUITE"
expect_rc 0 "a baseline on the side branch ($CS)"
git checkout -q main
git merge -q --no-ff -m merge side || not_ok "setup: the merge failed"
git checkout -q -b feature3
commit five >/dev/null
[ "$(git rev-parse HEAD^^2)" = "$CS" ] && ok "setup: HEAD's parent merges side" || not_ok "setup: no merge"
run pg gate -q -n 5 --json "$TMP/merge.json" -- "$SUITE"
expect_rc 0 "gate after a merge"
expect_json "$TMP/merge.json" 'd["baseline"]["commit"]' "$C1" "first-parent walk"

# --- host drift: every benchmark 8% slower is reported as drift, not failed
SEEDED_SHIFT="Hash=8,Sort/n=100=8,Sort/n=10000=8,Parse=8,Encode=8,Walk=8" \
	run pg gate -q -n 5 --json "$TMP/drift.json" -- "$SUITE"
expect_rc 0 "a suite-wide 8% shift is drift, not a regression"
expect_json "$TMP/drift.json" 'd["drift"]["suspected"]' True "drift"
expect_json "$TMP/drift.json" 'sorted(set(r["decision"] for r in d["rows"] if r["unit"] == "ns/op"))' "['drift']" "drift"

# --- deterministic metrics: one more allocation fails without a test
SEEDED_ALLOCS=Parse=4 run pg gate -q -n 5 --json "$TMP/alloc.json" -- "$SUITE"
expect_rc 1 "3 -> 4 allocs/op"
expect_json "$TMP/alloc.json" '[r["reason"] for r in d["rows"] if r["decision"] == "regression"]' \
	"['deterministic: 3 -> 4 allocs/op (+33.3% > 5% threshold)']" "deterministic"

# --- --results and --baseline-file: no suite, no store, no git
SEEDED_STATE="$TMP/f.state" pg run -q -n 5 --warmup 0 -o "$TMP/old.txt" -- "$SUITE"
SEEDED_STATE="$TMP/f.state" SEEDED_SHIFT=Walk=30 pg run -q -n 5 --warmup 0 -o "$TMP/new.txt" -- "$SUITE"
mkdir -p "$TMP/nogit" && cd "$TMP/nogit" || exit 1
run pg gate --baseline-file "$TMP/old.txt" --results "$TMP/new.txt" --json "$TMP/files.json"
expect_rc 1 "--baseline-file and --results outside a repository"
expect_json "$TMP/files.json" 'd["baseline"]["source"]' "file: $TMP/old.txt" "files"
expect_json "$TMP/files.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Walk']" "files"
sed 's/^cpu: .*/cpu: Some Other CPU/' "$TMP/old.txt" >"$TMP/other-host.txt"
run pg gate --baseline-file "$TMP/other-host.txt" --results "$TMP/old.txt" --json "$TMP/host.json"
expect_rc 0 "a different host is reported"
expect_json "$TMP/host.json" 'd["hosts"]["differences"][0].startswith("cpu: ")' True "hosts"
expect_out "cpu: 'Some Other CPU' \\(baseline\\) vs"
run pg gate --baseline-file "$TMP/other-host.txt" --results "$TMP/old.txt" --require-same-host
expect_rc 3 "--require-same-host"

# --- the decision settings reach the decision: one seeded pair of result
# files (10 benchmarks, 5% noise, 5 runs; Hash, Parse, Encode and Walk 10%
# slower), decided under each setting; every setting is in the report and
# changes the decision of at least one row. The p-values behind the cases
# (Holm over the 10 ns/op rows): Hash p=0.0007 (Holm 0.0057, CI of the
# change +5.2%..+13.3%), Encode p=0.010 (Holm 0.072, BH 0.026), Parse and
# Walk p < 1e-5.
export SEEDED_BENCHES=10 SEEDED_NOISE=0.05
SEEDED_SEED=7 SEEDED_STATE="$TMP/set-old.state" pg run -q -n 5 --warmup 0 -o "$TMP/set-old.txt" -- "$SUITE"
SEEDED_SEED=507 SEEDED_STATE="$TMP/set-new.state" SEEDED_SHIFT="Hash=10,Parse=10,Encode=10,Walk=10" \
	pg run -q -n 5 --warmup 0 -o "$TMP/set-new.txt" -- "$SUITE"
unset SEEDED_BENCHES SEEDED_NOISE
decided() { # decided NAME [OPTIONS...]: the files decided with OPTIONS into $TMP/NAME.json
	out=$1; shift
	run pg gate --baseline-file "$TMP/set-old.txt" --results "$TMP/set-new.txt" \
		--json "$TMP/$out.json" "$@"
}
ns() { echo "[r[\"decision\"] for r in d[\"rows\"] if r[\"benchmark\"] == \"$1\" and r[\"unit\"] == \"ns/op\"][0]"; }
decided set-default
expect_rc 1 "the settings' pair with the defaults"
expect_json "$TMP/set-default.json" 'd["settings"]["correction"], d["settings"]["alpha"], d["settings"]["threshold_on"], d["settings"]["test"]' \
	"holm 0.05 estimate welch" "defaults"
expect_json "$TMP/set-default.json" "$(ns Encode)" noise "Holm: Encode"
expect_json "$TMP/set-default.json" "$(ns Hash)" regression "defaults: Hash"
expect_json "$TMP/set-default.json" "$(ns Parse)" regression "defaults: Parse"
# --correction bh: Encode's 0.010 is within BH's step-up, not Holm's
decided set-bh --correction bh
expect_json "$TMP/set-bh.json" 'd["settings"]["correction"]' bh "--correction bh"
expect_json "$TMP/set-bh.json" "$(ns Encode)" regression "--correction bh: Encode"
# --alpha 0.001: Hash's Holm 0.0057 is no longer significant
decided set-alpha --alpha 0.001
expect_json "$TMP/set-alpha.json" 'd["settings"]["alpha"]' 0.001 "--alpha 0.001"
expect_json "$TMP/set-alpha.json" "$(ns Hash) != \"regression\"" True "--alpha 0.001: Hash"
expect_json "$TMP/set-alpha.json" "$(ns Parse)" regression "--alpha 0.001: Parse"
# --threshold-on ci: at 7%, Hash's estimate (+9.2%) is beyond it, its
# interval's low end (+5.2%) is not
decided set-est --threshold 7
expect_json "$TMP/set-est.json" "$(ns Hash)" regression "--threshold 7: Hash"
decided set-ci --threshold 7 --threshold-on ci
expect_json "$TMP/set-ci.json" 'd["settings"]["threshold_on"]' ci "--threshold-on ci"
expect_json "$TMP/set-ci.json" "$(ns Hash)" unchanged "--threshold-on ci: Hash"
expect_json "$TMP/set-ci.json" "$(ns Parse)" regression "--threshold-on ci: Parse"
# --test utest: with 5+5 runs the U test cannot reach Holm's level of
# 0.005 (its smallest p is 2/252): nothing can fail, and the rows say why
decided set-utest --test utest
expect_rc 0 "--test utest with 5+5 runs"
expect_json "$TMP/set-utest.json" 'd["settings"]["test"]' utest "--test utest"
expect_json "$TMP/set-utest.json" "$(ns Parse)" noise "--test utest: Parse"
expect_json "$TMP/set-utest.json" '[r["reason"][:34] for r in d["rows"] if r["benchmark"] == "Parse" and r["unit"] == "ns/op"]' \
	"['noise: the U test cannot reach p <']" "--test utest: the reason"
cd "$REPO" || exit 1

# --- a broken configuration: exit 2, the key named
printf '{"count": 5, "thresolds": {}}\n' >perfgate.json
run pg gate -q -- "$SUITE"
expect_rc 2 "an unknown key in perfgate.json"
expect_err "^perfgate: .*perfgate.json: unknown key 'thresolds' \\(did you mean 'thresholds'\\?\\)|thresolds.*did you mean 'thresholds'"
printf '{"count": "ten"}\n' >perfgate.json
run pg gate -q -- "$SUITE"
expect_rc 2 "a wrong type in perfgate.json"
expect_err "'count' must be"
# a baseline branch git would refuse: exit 2 before the suite runs (the
# resolver found it only after measuring), the flag's empty value too
not_run() { # not_run what: the suite (counting into $TMP/early.state) did not run
	if [ -e "$TMP/early.state" ]; then not_ok "$1: the suite ran"; else ok "$1: the suite did not run"; fi
}
rm perfgate.json
for bb in "a..b" ""; do
	rm -f "$TMP/early.state"
	SEEDED_STATE="$TMP/early.state" run pg gate -q -n 3 "--baseline-branch=$bb" -- "$SUITE"
	expect_rc 2 "gate --baseline-branch='$bb'"
	expect_err "^perfgate: --baseline-branch must be a valid git branch name, not '$bb'\$"
	not_run "gate --baseline-branch='$bb'"
done
rm -f "$TMP/early.state"
SEEDED_STATE="$TMP/early.state" run pg baseline refresh -q -n 3 --branch= -- "$SUITE"
expect_rc 2 "baseline refresh --branch="
expect_err "--branch must be a valid git branch name, not ''"
not_run "baseline refresh --branch="
printf '{"baseline_branch": "a..b"}\n' >perfgate.json
rm -f "$TMP/early.state"
SEEDED_STATE="$TMP/early.state" run pg gate -q -n 3 -- "$SUITE"
expect_rc 2 "\"baseline_branch\": \"a..b\" in perfgate.json"
expect_err "'baseline_branch' must be a valid git branch name, not \"a\.\.b\""
not_run "\"baseline_branch\": \"a..b\""
printf '{"suite": ["%s"], "count": 4, "thresholds": {"benchmarks": {"Hash": 30}}}\n' "$SUITE" >perfgate.json
SEEDED_SHIFT=Hash=20 run pg gate -q --json "$TMP/cfg.json"
expect_rc 0 "the suite and a per-benchmark threshold from perfgate.json"
expect_json "$TMP/cfg.json" '[r["threshold_percent"] for r in d["rows"] if r["benchmark"] == "Hash" and r["unit"] == "ns/op"]' "[30.0]" "config"
expect_json "$TMP/cfg.json" '[r["new"]["n"] for r in d["rows"]][0]' "4" "config count"
expect_json "$TMP/cfg.json" '[w for w in d["warnings"] if " it sets no " in w]' "[]" "a glob that matches warns not"
# thresholds that apply to nothing (a typo, a unit the suite does not
# report) are named, once each, on stderr and in the report
printf '{"thresholds": {"metrics": {"sec/op": 3}, "benchmarks": {"Hsah": 10, "Hash": {"sec/op": 4}}}, "directions": {"scroe": "higher"}}\n' >perfgate.json
run pg gate -q -n 3 --json "$TMP/unmatched.json" -- "$SUITE"
expect_rc 0 "thresholds that match nothing"
for w in "'thresholds.metrics.sec/op' matches no unit of the results \\(ns/op, B/op, allocs/op\\): it sets no threshold" \
	"'thresholds.benchmarks.Hsah' matches no benchmark of the results: it sets no threshold" \
	"'thresholds.benchmarks.Hash.sec/op': no benchmark that 'Hash' matches reports 'sec/op': it sets no threshold" \
	"'directions.scroe' matches no unit of the results \\(ns/op, B/op, allocs/op\\): it sets no direction"; do
	n=$(grep -Ec "^perfgate: warning: $w\$" "$TMP/err")
	[ "$n" = 1 ] && ok "warned once: $w" || not_ok "warned $n times: $w"
done
expect_json "$TMP/unmatched.json" 'sorted(w.split("'"'"'")[1] for w in d["warnings"] if " it sets no " in w)' \
	"['directions.scroe', 'thresholds.benchmarks.Hash.sec/op', 'thresholds.benchmarks.Hsah', 'thresholds.metrics.sec/op']" \
	"unmatched entries in the JSON warnings"
rm perfgate.json

# --- uploads: where they went; a failed upload only matters with --require-upload
SEEDED_RUN_CONFIG=seed run pg gate -q -n 3 --run-id 777 --artifacts-dir "$TMP/ci-777" -- "$SUITE"
expect_rc 0 "gate uploads its artifacts"
expect_out "^artifacts: .*/v1/repo/runs/$(git rev-parse HEAD)/777/"
for f in results.txt report.json report.md report.xml; do
	ls "$REPO"/.perfgate/store/v1/repo/runs/*/777/u*/$f >/dev/null 2>&1 && ok "uploaded $f" || not_ok "$f not uploaded"
done
expect_run_seeds "$(ls "$REPO"/.perfgate/store/v1/repo/runs/*/777/u*/results.txt)" 3 "the uploaded run"
cmp -s "$TMP/ci-777/results.txt" "$REPO"/.perfgate/store/v1/repo/runs/*/777/u*/results.txt &&
	ok "--artifacts-dir: the results as uploaded" || not_ok "--artifacts-dir: results.txt differs"
mkdir -p "$TMP/ro-store" && cp -r .perfgate/store/. "$TMP/ro-store/"
rm -rf "$TMP/ro-store/v1/repo/runs" && printf 'in the way\n' >"$TMP/ro-store/v1/repo/runs"
run pg gate -q -n 3 --store "$TMP/ro-store" --artifacts-dir "$TMP/ci-ro" -- "$SUITE"
expect_rc 0 "a failed upload is reported but does not fail the gate"
expect_err "warning: the run's artifacts were not uploaded"
# --artifacts-dir: the CI job's copy of what the gate uploads, written
# whether the upload failed, was turned off or worked
for f in results.txt report.json report.md report.xml; do
	[ -s "$TMP/ci-ro/$f" ] && ok "a failed upload: $f in --artifacts-dir" || not_ok "a failed upload: no $f in --artifacts-dir"
done
expect_json "$TMP/ci-ro/report.json" 'd["verdict"], d["artifacts"]' "pass None" "the copy is the final report"
grep -c '^BenchmarkHash ' "$TMP/ci-ro/results.txt" | grep -qx 3 && ok "results.txt: the candidate's 3 runs" ||
	not_ok "results.txt: $(grep -c '^BenchmarkHash ' "$TMP/ci-ro/results.txt")"
printf '{"suite": ["%s"], "upload": {"reports": false, "artifacts_dir": "ci/perf"}}\n' "$SUITE" >"$TMP/art.json"
run pg gate -q -n 3 --no-upload --config "$TMP/art.json" -- "$SUITE"
expect_rc 0 "--no-upload with upload.artifacts_dir in perfgate.json"
[ -s "$REPO/ci/perf/results.txt" ] && [ ! -e "$REPO/ci/perf/report.json" ] &&
	ok "--no-upload: upload.artifacts_dir gets the results, not the reports (upload.reports false)" ||
	not_ok "ci/perf: $(ls "$REPO/ci/perf" 2>&1)"
rm -rf "$REPO/ci"
mkdir -p "$TMP/in-the-way" && printf 'x\n' >"$TMP/in-the-way/file"
run pg gate -q -n 3 --no-upload --artifacts-dir "$TMP/in-the-way/file/ci" -- "$SUITE"
expect_rc 3 "an --artifacts-dir that cannot be written turns a pass into exit 3"
expect_err "^perfgate: .*$TMP/in-the-way/file"
run pg baseline refresh -q -n 2 --store "$TMP/rf-store" --artifacts-dir "$TMP/in-the-way/file/ci" -- "$SUITE"
expect_rc 3 "refresh: an --artifacts-dir that cannot be written is exit 3"
expect_err "^perfgate: .*$TMP/in-the-way/file"
expect_out "^perfgate: baseline of $(git rev-parse HEAD) pushed to "
run pg gate -q -n 3 --store "$TMP/ro-store" --require-upload --json "$TMP/up.json" -- "$SUITE"
expect_rc 3 "... unless --require-upload"
expect_json "$TMP/up.json" 'd["verdict"]' error "require-upload"

# --- a store that fails is an infrastructure error, never a verdict: with
# a 20% slowdown that a working store would fail, both are exit 3
SEEDED_SHIFT=Hash=20 run pg gate -q -n 3 --store http://127.0.0.1:1/x --json "$TMP/down.json" -- "$SUITE"
expect_rc 3 "an unreachable store"
expect_json "$TMP/down.json" 'd["verdict"], d["exit_code"]' "error 3" "unreachable store"
expect_json "$TMP/down.json" '"127.0.0.1:1" in d["error"]' True "unreachable store: named"
mkdir -p "$TMP/bad-store" && cp -r .perfgate/store/. "$TMP/bad-store/"
bad=$(ls "$TMP"/bad-store/v1/repo/baselines/"$C1"/u*/results.txt | head -n 1)
[ -f "$bad" ] && ok "setup: the baseline's results object in a copy of the store" || not_ok "setup: no baseline object"
# one byte changed, the size kept: only the checksum can tell
"$PYTHON" -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); i = len(b) // 2
b[i] = 0x37 if b[i] != 0x37 else 0x38; open(sys.argv[1], "wb").write(b)' "$bad"
SEEDED_SHIFT=Hash=20 run pg gate -q -n 3 --store "$TMP/bad-store" --json "$TMP/corrupt.json" -- "$SUITE"
expect_rc 3 "a corrupted baseline object"
expect_json "$TMP/corrupt.json" 'd["verdict"], d["exit_code"]' "error 3" "corrupted baseline"
expect_json "$TMP/corrupt.json" '"results.txt" in d["error"]' True "corrupted baseline: named"

# --- a suite that crashes is an infrastructure error, never a regression
# ... whose reports are uploaded all the same (there are no results to
# read a host fingerprint from)
run pg gate -q -n 3 --run-id crash --json "$TMP/crash.json" -- sh -c 'kill -SEGV $$'
expect_rc 3 "a crashing suite"
expect_json "$TMP/crash.json" 'd["verdict"], d["exit_code"]' "error 3" "crash"
expect_json "$TMP/crash.json" '"/runs/" in (d["artifacts"] or "")' True "crash: the artifacts are named"
grep -q "not uploaded" "$TMP/err" && not_ok "crash: an upload warning: $(grep 'not uploaded' "$TMP/err")" ||
	ok "crash: no upload warning"
for f in report.json report.md report.xml; do
	ls "$REPO"/.perfgate/store/v1/repo/runs/*/crash/u*/$f >/dev/null 2>&1 &&
		ok "crash: uploaded $f" || not_ok "crash: $f not uploaded"
done
expect_json "$(ls "$REPO"/.perfgate/store/v1/repo/runs/*/crash/u*/report.json | head -n 1)" \
	'd["verdict"]' error "crash: the uploaded report"

# --- --quick: fewer runs, a shorter benchtime for perfgate's harness (in
# PERFGATE_BENCHTIME, which other suites ignore), no profiled run, the
# local store. The suite logs its environment and arguments; profiles are
# asked for ("harness": always -cpuprofile) to show that --quick drops them.
printf '{"profile": {"mode": "harness"}}\n' >"$TMP/quick-config.json"
SEEDED_ARGS_LOG="$TMP/quick-args.log" run pg gate --quick --config "$TMP/quick-config.json" \
	--run-id quick --json "$TMP/quick.json" -- "$SUITE"
expect_rc 0 "--quick"
expect_json "$TMP/quick.json" '[r["new"]["n"] for r in d["rows"]][0]' "3" "quick count"
expect_lines "$TMP/quick-args.log" 3
[ "$(grep -c '^PERFGATE_BENCHTIME=100ms $' "$TMP/quick-args.log")" = 3 ] &&
	ok "--quick: every run got PERFGATE_BENCHTIME=100ms and no extra argument" ||
	not_ok "--quick runs: $(cat "$TMP/quick-args.log")"
grep -q -- '-cpuprofile' "$TMP/quick-args.log" && not_ok "--quick made a profiled run" ||
	ok "--quick: no profiled run"
grep -q '^default-benchtime: 100ms (PERFGATE_BENCHTIME)$' \
	"$REPO"/.perfgate/store/v1/repo/runs/*/quick/u*/results.txt &&
	ok "--quick: the results record the default benchtime" || not_ok "no default-benchtime line"
# the same without --quick: the suite's own benchtime, and the profiled run
SEEDED_ARGS_LOG="$TMP/slow-args.log" run pg gate -q -n 3 --warmup 0 --no-upload \
	--config "$TMP/quick-config.json" -- "$SUITE"
expect_rc 0 "without --quick"
expect_lines "$TMP/slow-args.log" 4
[ "$(grep -c '^PERFGATE_BENCHTIME=- ' "$TMP/slow-args.log")" = 4 ] &&
	ok "without --quick: no PERFGATE_BENCHTIME" || not_ok "runs: $(cat "$TMP/slow-args.log")"
[ "$(grep -c -- ' -cpuprofile ' "$TMP/slow-args.log")" = 1 ] &&
	ok "without --quick: one profiled run" || not_ok "runs: $(cat "$TMP/slow-args.log")"
# quick.benchtime null leaves the suite's benchtime alone; quick.profile keeps the profiled run
printf '{"profile": {"mode": "harness"}, "quick": {"benchtime": null, "profile": true}}\n' \
	>"$TMP/quick-config2.json"
SEEDED_ARGS_LOG="$TMP/quick2-args.log" run pg gate -q --quick --no-upload \
	--config "$TMP/quick-config2.json" -- "$SUITE"
expect_rc 0 "--quick with quick.benchtime null and quick.profile true"
expect_lines "$TMP/quick2-args.log" 4
[ "$(grep -c '^PERFGATE_BENCHTIME=- ' "$TMP/quick2-args.log")" = 4 ] &&
	[ "$(grep -c -- ' -cpuprofile ' "$TMP/quick2-args.log")" = 1 ] &&
	ok "quick.benchtime null, quick.profile true" || not_ok "runs: $(cat "$TMP/quick2-args.log")"

# --- sharding: two shard jobs and a collect job decide for the whole suite
git checkout -q -b sharded
commit six >/dev/null
export GITHUB_RUN_ID=4242
SEEDED_SHIFT=Encode=20 SEEDED_RUN_CONFIG=seed run pg gate -q -n 3 --shard 1/2 --artifacts-dir "$TMP/shard1-ci" -- "$SUITE"
expect_rc 0 "shard 1/2"
expect_out "^perfgate: shard 1 of 2 \\([0-9]+ benchmarks?\\) uploaded to "
# expect_shard_copy K DIR: DIR holds shard K of 2's results, as uploaded
# (the shard's shard.json goes to the store only)
expect_shard_copy() {
	expect_same_set -x shard.json "$REPO"/.perfgate/store/v1/repo/runs/*/4242-shard-"$1"-of-2/u*/ "$2" \
		"shard $1's --artifacts-dir"
	n=$(grep -c '^Benchmark' "$2/results.txt" 2>/dev/null)
	[ "$set_files" = ./results.txt ] && [ "$n" -gt 0 ] &&
		ok "shard $1's --artifacts-dir: its uploaded results.txt ($n lines)" ||
		not_ok "shard $1's --artifacts-dir: $(echo "$set_files" | tr '\n' ' ')($n benchmark lines)"
}
expect_shard_copy 1 "$TMP/shard1-ci"
expect_run_seeds "$TMP/shard1-ci/results.txt" 3 "shard 1's --artifacts-dir copy"
run pg gate -q --collect 2
expect_rc 3 "a missing shard"
expect_err "^perfgate: missing shard 2 of 2 for run 4242 of commit "
printf '{"upload": {"results": false, "profiles": false, "artifacts_dir": "ci/shard"}}\n' >"$TMP/shard.json"
SEEDED_SHIFT=Encode=20 SEEDED_RUN_CONFIG=seed run pg gate -q -n 3 --shard 2/2 --config "$TMP/shard.json" -- "$SUITE"
expect_rc 0 "shard 2/2"
# upload.artifacts_dir in perfgate.json; a shard's results always go up
expect_shard_copy 2 "$REPO/ci/shard"
rm -rf "$REPO/ci"
run pg gate -q --collect 2 --json "$TMP/collect.json" --artifacts-dir "$TMP/ci-collect"
expect_rc 1 "the collect job finds the regression of one shard"
expect_json "$TMP/collect.json" 'len([r for r in d["rows"] if r["unit"] == "ns/op"])' 6 "collect: every benchmark"
expect_json "$TMP/collect.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' "['Encode']" "collect"
# (the collect job uploads nothing of its own: its copy is the shards' results)
expect_run_seeds "$TMP/ci-collect/results.txt" 3 "the collected results in --artifacts-dir"
unset GITHUB_RUN_ID

# --- the real example suite with a 3x slowdown of Hash, measured by
# instruction counts (exact, so the verdict cannot depend on the machine's
# load; a time-based gate of this suite failed to see even 3x with 3 runs
# while another job loaded both CPUs). The harness says so in its output,
# so both sides are also profiled, natively, and the report names the
# function that grew (a fixed iteration count keeps the profiles' sample
# counts independent of the machine's load).
EXAMPLE=$(dirname "$PERFGATE")/examples/example-suite
REAL_BENCH='Hash|Sort/n=100$'
git checkout -q main
printf '{"upload": {"profiles": false, "artifacts_dir": "%s"}}\n' "$TMP/real-base-ci" >"$TMP/real-base.json"
run pg baseline refresh -q -n 3 --measure callgrind --store "$TMP/real-store" --config "$TMP/real-base.json" \
	-- "$EXAMPLE" -bench "$REAL_BENCH" -benchtime 2000x
expect_rc 0 "baseline refresh with the example suite"
expect_out "\\(results and 2 profiles\\)$"
# upload.artifacts_dir: the copy of what was pushed, profiles included
# (upload.profiles chooses a gate run's uploads, not a baseline's)
expect_same_set "$TMP"/real-store/v1/repo/baselines/*/u*/ "$TMP/real-base-ci" \
	"refresh's upload.artifacts_dir holds what was pushed"
[ -s "$TMP/real-base-ci/profiles/Hash-fnv1a-64K.pb.gz" ] &&
	ok "refresh's upload.artifacts_dir: the profile of Hash" || not_ok "refresh's upload.artifacts_dir: no profile of Hash"
git checkout -q -b real
commit seven >/dev/null
PG_EXAMPLE_SLOWDOWN=200 run pg gate -q -n 3 --measure callgrind --store "$TMP/real-store" \
	--json "$TMP/real.json" --markdown "$TMP/real.md" --artifacts-dir "$TMP/real-ci" -- "$EXAMPLE" \
	-bench "$REAL_BENCH" -benchtime 2000x
expect_rc 1 "PG_EXAMPLE_SLOWDOWN=200 fails the gate"
expect_json "$TMP/real.json" '[r["benchmark"] for r in d["rows"] if r["decision"] == "regression"]' \
	"['Hash/fnv1a-64K']" "example suite"
tail -n 1 "$TMP/out" | grep -q '^perfgate: REGRESSION: .*Hash/fnv1a-64K instructions/op +[0-9.]*%' &&
	ok "the verdict names Hash/fnv1a-64K" || not_ok "verdict: $(tail -n 1 "$TMP/out")"
expect_out '^profile of Hash/fnv1a-64K: grew the most:$'
expect_out '^ +\+[0-9.]+ points +0\.0% -> +[0-9.]+%  pg_example_injected_slowdown$'
expect_json "$TMP/real.json" '[p["functions"][0]["name"] for p in d["profiles"] if p["benchmark"] == "Hash/fnv1a-64K"]' \
	"['pg_example_injected_slowdown']" "profiles"
# expect_svg PATH WHAT: a flame graph of the injected slowdown is at PATH
expect_svg() {
	[ -s "$1" ] && grep -q '<svg' "$1" && grep -q 'pg_example_injected_slowdown' "$1" &&
		ok "$2: the flame graph is at $1" || not_ok "$2: no flame graph at '$1'"
}
svg=$(json "$TMP/real.json" '[p["svg"] for p in d["profiles"]][0]')
case $svg in
"$TMP"/real-store/v1/repo/runs/*/u*/profiles/diff-Hash-fnv1a-64K.svg) ok "uploaded: $svg" ;;
*) not_ok "the flame graph's location '$svg' is not in the store" ;;
esac
expect_svg "$svg" "uploaded"
expect_out "^  flame graph: $svg$"
ls "$TMP"/real-store/v1/repo/runs/*/*/u*/profiles/Hash-fnv1a-64K.pb.gz >/dev/null 2>&1 &&
	ok "the candidate's profiles were uploaded" || not_ok "no uploaded profiles"
# ... and the CI job's copy has the same set: results, reports, profiles and
# the flame graph, under the names they have in the store
expect_same_set "$TMP"/real-store/v1/repo/runs/*/*/u*/ "$TMP/real-ci" "--artifacts-dir holds what was uploaded"
for f in results.txt report.json profiles/Hash-fnv1a-64K.pb.gz profiles/diff-Hash-fnv1a-64K.svg; do
	[ -s "$TMP/real-ci/$f" ] && ok "--artifacts-dir: $f" || not_ok "--artifacts-dir: no $f"
done
grep -q 'pg_example_injected_slowdown' "$TMP/real-ci/profiles/diff-Hash-fnv1a-64K.svg" &&
	ok "the flame graph in --artifacts-dir names the injected function" || not_ok "flame graph"
expect_json "$TMP/real-ci/report.json" 'd["verdict"]' regression "--artifacts-dir report"
# the Markdown report's profile section: the function escaped, the location
grep -q '^### What grew in the profiles$' "$TMP/real.md" &&
	grep -q '^\*\*Hash/fnv1a-64K\*\* (flame graph: `'"$svg"'`)$' "$TMP/real.md" &&
	grep -Eq '^\| pg\\_example\\_injected\\_slowdown \| 0\.0% \| [0-9.]+% \| \+[0-9.]+ points \|$' "$TMP/real.md" &&
	ok "Markdown: what grew in the profiles, escaped" ||
	not_ok "Markdown profile section: $(sed -n '/What grew/,$p' "$TMP/real.md" | head -12)"
# nothing uploaded: the flame graph is written next to the --json report,
# and that is the location printed, never one in the store
mkdir -p "$TMP/real-nu"
PG_EXAMPLE_SLOWDOWN=200 run pg gate -q -n 3 --measure callgrind --store "$TMP/real-store" \
	--no-upload --json "$TMP/real-nu/report.json" -- "$EXAMPLE" -bench "$REAL_BENCH" \
	-benchtime 2000x
expect_rc 1 "--no-upload: the regression"
svg=$(json "$TMP/real-nu/report.json" '[p["svg"] for p in d["profiles"]][0]')
[ "$svg" = "$TMP/real-nu/profile-diff-Hash-fnv1a-64K.svg" ] && ok "--no-upload: next to the JSON report" ||
	not_ok "--no-upload: the flame graph's location is '$svg'"
expect_svg "$svg" "--no-upload"
expect_out "^  flame graph: $TMP/real-nu/profile-diff-Hash-fnv1a-64K\.svg$"
# "upload": {"profiles": false}: the rest goes up, the flame graph stays
# here (in .perfgate/ without --json or --markdown)
printf '{"upload": {"profiles": false}}\n' >perfgate.json
PG_EXAMPLE_SLOWDOWN=200 run pg gate -q -n 3 --measure callgrind --store "$TMP/real-store" \
	--run-id noprof -- "$EXAMPLE" -bench "$REAL_BENCH" -benchtime 2000x
rm perfgate.json
expect_rc 1 "upload.profiles false: the regression"
expect_out "^artifacts: .*/runs/$(git rev-parse HEAD)/noprof/"
expect_out "^  flame graph: $REPO/\.perfgate/profile-diff-Hash-fnv1a-64K\.svg$"
expect_svg "$REPO/.perfgate/profile-diff-Hash-fnv1a-64K.svg" "upload.profiles false"
ls "$TMP"/real-store/v1/repo/runs/*/noprof/u*/report.json >/dev/null 2>&1 &&
	! ls -d "$TMP"/real-store/v1/repo/runs/*/noprof/u*/profiles >/dev/null 2>&1 &&
	ok "upload.profiles false: the reports uploaded, no profile" ||
	not_ok "upload.profiles false: $(cd "$TMP/real-store/v1/repo/runs" && find . -path '*noprof*')"
# a failed upload: the location printed is the local copy, not the store's
cp -r "$TMP/real-store" "$TMP/real-ro" && rm -rf "$TMP/real-ro/v1/repo/runs" &&
	printf 'in the way\n' >"$TMP/real-ro/v1/repo/runs" && rm -f .perfgate/profile-diff-*.svg
PG_EXAMPLE_SLOWDOWN=200 run pg gate -q -n 3 --measure callgrind --store "$TMP/real-ro" -- \
	"$EXAMPLE" -bench "$REAL_BENCH" -benchtime 2000x
expect_rc 1 "a failed upload: the regression"
expect_err "warning: the run's artifacts were not uploaded"
expect_out "^  flame graph: $REPO/\.perfgate/profile-diff-Hash-fnv1a-64K\.svg$"
expect_svg "$REPO/.perfgate/profile-diff-Hash-fnv1a-64K.svg" "a failed upload"

# --- usage errors
for args in "--bogus" "--count 0" "--threshold x" "--correction bogus" "--alpha 2" \
	"--test bogus" "--max-walk 0" "--max-walk x" \
	"--shard 3/2" "--shard 1/2 --collect 2" "stray"; do
	# shellcheck disable=SC2086
	run pg gate $args
	expect_rc 2 "usage error: gate $args"
done

# --- an empty file name (or URL, name, id) is a usage error, before anything runs
for opt in --json --markdown --junit --results --baseline-file --config --store --project \
	--cacert --run-id; do
	rm -f "$TMP/early.state"
	SEEDED_STATE="$TMP/early.state" run pg gate -q -n 3 "$opt=" -- "$SUITE"
	expect_rc 2 "gate $opt="
	expect_err "^perfgate: gate: $opt must be an? [a-zA-Z ]+, not ''\$"
	not_run "gate $opt="
done
for opt in --config --store --project --cacert --artifacts-dir --output; do
	rm -f "$TMP/early.state"
	SEEDED_STATE="$TMP/early.state" run pg baseline refresh -q -n 3 "$opt=" -- "$SUITE"
	expect_rc 2 "baseline refresh $opt="
	not_run "baseline refresh $opt="
done

# --- a shallow clone: says which fetch is needed; the walk works with what is there
cd "$TMP" || exit 1
git clone -q --depth 1 --branch feature2 "file://$REPO" shallow
cd shallow || exit 1
run pg gate -q -n 3 --store "$REPO/.perfgate/store" --project repo --json "$TMP/shallow.json" -- "$SUITE"
expect_rc 0 "gate in a shallow clone (missing baseline passes)"
expect_out "shallow|fetch"
expect_json "$TMP/shallow.json" 'any("git fetch" in w for w in d["warnings"])' True "shallow"

# --- a branch name with control characters is not a git branch name: it is
# refused before anything runs, and the message shows it without them
run pg baseline refresh -q -n 2 --store "$TMP/ctl-store" --branch "$(printf 'nightly\033[2J\302\233x')" -- "$SUITE"
expect_rc 2 "refresh with control characters in the branch name"
expect_err "^perfgate: baseline refresh: --branch must be a valid git branch name, not 'nightly\\?\\[2J\\?x'$"
LC_ALL=C grep -q "$(printf '[\033\233]')" "$TMP/out" "$TMP/err" && not_ok "an escape character in the output" ||
	ok "no escape character in the output"
[ ! -e "$TMP/ctl-store" ] && ok "nothing pushed" || not_ok "a store was written"

finish
