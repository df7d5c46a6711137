# Shared helpers for the end-to-end tests (sourced, POSIX sh).
#
#   PERFGATE   the binary under test (set by `make e2e`)
#   TMP        a private temporary directory, removed on exit
#
# run CMD...           run CMD, capturing stdout in $TMP/out, stderr in
#                      $TMP/err and the exit status in $rc
# expect_rc N what     check $rc
# expect_out PATTERN   grep -E PATTERN in $TMP/out
# expect_err PATTERN   grep -E PATTERN in $TMP/err
# expect_run_seeds FILE N what
#                      FILE's benchmarks have N samples each, under their own
#                      run's "seed:" line (a suite run with
#                      SEEDED_RUN_CONFIG=seed)
# race_pushes WHAT STORE COMMIT N
#                      N times: two `baseline push` of COMMIT (project demo)
#                      at once, of go-old.txt and go-new.txt; both must
#                      succeed and leave one complete baseline
# Every check prints "ok"/"not ok"; the script exits 1 at the end when
# any check failed.

set -u
: "${PERFGATE:?PERFGATE must name the perfgate binary}"
: "${PYTHON:=/usr/bin/python3}"
TOP=$(cd "$(dirname "$0")/../.." && pwd)
# a hermetic environment: what a CI runner (GitHub Actions, GitLab CI, or
# any that sets CI) or the developer's shell may have set and perfgate reads
# is dropped (every CI, GITHUB_*, GITLAB_*, CI_*, RUNNER_* and PERFGATE_*
# variable, and the harness's and the example suite's knobs); a test that
# wants one sets it itself
for _v in $(env | sed -n 's/^\(CI\|\(GITHUB\|GITLAB\|CI\|RUNNER\|PERFGATE\)_[A-Za-z0-9_]*\)=.*/\1/p'); do
	unset "$_v"
done
unset _v NO_COLOR PG_EXAMPLE_SLOWDOWN PG_BENCH_PROFILE_SOURCE PG_BENCH_CALLGRIND DEBUGINFOD_URLS
TMP=$(mktemp -d "${TMPDIR:-/tmp}/perfgate-e2e.XXXXXX")
checks=0
failures=0
cleanup_hooks=""
on_exit() {
	for h in $cleanup_hooks; do $h; done
	rm -rf "$TMP"
}
trap on_exit EXIT
trap 'exit 1' INT TERM

ok() { checks=$((checks + 1)); echo "ok $checks - $*"; }
not_ok() {
	checks=$((checks + 1)); failures=$((failures + 1))
	echo "not ok $checks - $*"
	if [ -s "$TMP/out" ]; then echo "# stdout:"; sed 's/^/#   /' "$TMP/out" | head -40; fi
	if [ -s "$TMP/err" ]; then echo "# stderr:"; sed 's/^/#   /' "$TMP/err" | head -40; fi
}

run() {
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
}

expect_rc() {
	if [ "$rc" -eq "$1" ]; then ok "$2 (exit $rc)"; else not_ok "$2: expected exit $1, got $rc"; fi
}

expect_out() {
	if grep -Eq -- "$1" "$TMP/out"; then ok "stdout matches /$1/"; else not_ok "stdout does not match /$1/"; fi
}

expect_no_out() {
	if grep -Eq -- "$1" "$TMP/out"; then not_ok "stdout matches /$1/ but must not"; else ok "stdout lacks /$1/"; fi
}

expect_err() {
	if grep -Eq -- "$1" "$TMP/err"; then ok "stderr matches /$1/"; else not_ok "stderr does not match /$1/"; fi
}

expect_empty_out() {
	if [ -s "$TMP/out" ]; then not_ok "stdout should be empty"; else ok "stdout is empty"; fi
}

race_pushes() {
	_old=$TOP/tests/data/go-old.txt _new=$TOP/tests/data/go-new.txt _i=0
	while [ $_i -lt "$4" ]; do
		"$PERFGATE" baseline push --store "$2" --project demo --commit "$3" "$_old" >/dev/null 2>"$TMP/race1" &
		_p1=$!
		"$PERFGATE" baseline push --store "$2" --project demo --commit "$3" "$_new" >/dev/null 2>"$TMP/race2" &
		_p2=$!
		wait $_p1
		_rc1=$?
		wait $_p2
		_rc2=$?
		[ $_rc1 -eq 0 ] && [ $_rc2 -eq 0 ] && ok "$1: race $_i: both pushes succeeded" ||
			not_ok "$1: race $_i: the pushes exited $_rc1 and $_rc2: $(cat "$TMP/race1" "$TMP/race2")"
		rm -rf "$TMP/racepull"
		run "$PERFGATE" baseline pull --store "$2" --project demo --commit "$3" -o "$TMP/racepull"
		if [ "$rc" -eq 0 ] && { cmp -s "$TMP/racepull/results.txt" "$_old" ||
			cmp -s "$TMP/racepull/results.txt" "$_new"; }; then
			ok "$1: race $_i left one complete baseline"
		else
			not_ok "$1: race $_i: pull exit $rc"
		fi
		_i=$((_i + 1))
	done
}

# expect_lines FILE N: FILE has exactly N lines
expect_lines() {
	n=$(wc -l <"$1")
	if [ "$n" -eq "$2" ]; then ok "$1 has $2 lines"; else not_ok "$1 has $n lines, expected $2"; fi
}

# expect_run_seeds FILE N what: FILE (a results file) read as the Go
# benchmark format says (a configuration line applies to the results after
# it) gives every benchmark N samples, each under its own run's "seed:"
# line (SEEDED_RUN_CONFIG=seed), not one seed for all: the configuration
# that changed between runs is kept
expect_run_seeds() {
	if got=$("$PYTHON" - "$1" "$2" 2>&1 <<'PY'
import sys
cfg, seeds = {}, {}
for line in open(sys.argv[1]):
    f = line.split()
    if line.startswith("Benchmark"):
        seeds.setdefault(f[0], []).append(cfg.get("seed"))
    elif f and f[0].endswith(":") and f[0][0].islower():
        cfg[f[0][:-1]] = line.split(":", 1)[1].strip()
n = int(sys.argv[2])
assert seeds, "no results"
for name, s in seeds.items():
    assert None not in s and len(s) == n and len(set(s)) == n, (name, s)
PY
	); then ok "$3: each run's seed before its results"; else not_ok "$3: $got"; fi
}

finish() {
	echo "# $checks checks, $failures failed"
	[ "$failures" -eq 0 ]
}
