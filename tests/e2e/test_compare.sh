#!/bin/sh
# perfgate compare as a user runs it: formats, options, bad input.
. "$(dirname "$0")/lib.sh"
DATA=$TOP/tests/data
OLD=$DATA/go-old.txt
NEW=$DATA/go-new.txt

# --- the table on real go test output
run "$PERFGATE" compare "$OLD" "$NEW"
expect_rc 0 "compare two go test outputs"
expect_out "^old: $OLD$"
expect_out "^test: Welch's t-test, alpha=0.05, outliers kept$"
expect_out '^ns/op +old +new +delta +95% CI$'
expect_out '^Tokenize-2 .*[0-9.]+µs ± [0-9.]+% .*\+[0-9.]+% +\[\+[0-9.]+%, \+[0-9.]+%\] +\(p=0\.[0-9]{3} n=10\+10\)$'
expect_out '^MB/s '
expect_out '^allocs/op '
expect_out '^geomean '
expect_out '~ +\[-?[+0-9.]+%, [-+][0-9.]+%\] +\(p=0\.[0-9]{3} n=10\+10\)$'

# --- JSON is valid and carries the documented keys
run "$PERFGATE" compare --format json "$OLD" "$NEW"
expect_rc 0 "compare --format json"
if "$PYTHON" - "$TMP/out" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1 and d["test"] == "welch" and d["alpha"] == 0.05
assert d["confidence"] == 0.95 and d["outliers"] == "keep"
rows = {(r["benchmark"], r["unit"]): r for r in d["rows"]}
t = rows[("Tokenize-2", "ns/op")]
for side in ("old", "new"):
    assert set(t[side]) == {"n", "mean", "median", "stddev", "min", "max", "outliers"}, t[side]
    assert t[side]["n"] == 10
for k in ("delta_percent", "ci_low_percent", "ci_high_percent", "p_value", "significant", "status", "method", "note"):
    assert k in t, k
assert t["significant"] is True and t["delta_percent"] > 0 and t["method"] == "welch"
assert t["ci_low_percent"] < t["delta_percent"] < t["ci_high_percent"]
units = [g["unit"] for g in d["geomean"]]
assert units == ["ns/op", "MB/s", "B/op", "allocs/op"], units
PY
then ok "JSON has the documented shape"; else not_ok "JSON has the documented shape"; fi

# --- degenerate rows: a note says why any figure is missing
for t in welch utest; do
	run "$PERFGATE" compare --test $t --format json \
		"$TOP/tests/golden/compare/degenerate/old.txt" \
		"$TOP/tests/golden/compare/degenerate/new.txt"
	expect_rc 0 "compare --test $t --format json on degenerate rows"
	if "$PYTHON" - "$TMP/out" <<'PY'
import json, sys
rows = json.load(open(sys.argv[1]))["rows"]
for r in rows:
    if r["status"] != "compared":
        continue
    missing = [k for k in ("delta_percent", "ci_low_percent", "ci_high_percent", "p_value")
               if r[k] is None]
    assert not missing or r["note"], (r["benchmark"], r["unit"], missing)
assert any(r["note"] in ("both means zero", "both medians zero") for r in rows), rows
PY
	then ok "$t: every missing figure has a note"; else not_ok "$t: every missing figure has a note"; fi
done

# --- CSV and Markdown
run "$PERFGATE" compare --format csv "$OLD" "$NEW"
expect_rc 0 "compare --format csv"
expect_out '^benchmark,unit,status,old_n,old_mean,'
expect_out '^Tokenize-2,ns/op,compared,10,'
run "$PERFGATE" compare --format markdown "$OLD" "$NEW"
expect_rc 0 "compare --format markdown"
expect_out '^### ns/op$'
expect_out '^\| benchmark \| old \| new \| delta \| 95% CI \| p \(n\) \|$'
expect_out '^\| Tokenize-2 \| .* \| \*\*\+[0-9.]+%\*\* \|'

# --- the U test says which method it used
run "$PERFGATE" compare --test utest "$OLD" "$NEW"
expect_rc 0 "compare --test utest"
expect_out '^test: Mann-Whitney U'
expect_out 'n=10\+10, (exact|normal approx\.)\)'

# --- several files per side, via --old/--new
head -24 "$OLD" >"$TMP/a.txt"
tail -n +25 "$OLD" >"$TMP/b.txt"
run "$PERFGATE" compare --format csv --old "$TMP/a.txt" --old "$TMP/b.txt" --new "$NEW"
expect_rc 0 "compare --old A --old B --new C"
expect_out '^Tokenize-2,ns/op,compared,10,'

# --- usage errors: exit 2, usage on stderr, nothing on stdout
for args in "$OLD" "--alpha 2 $OLD $NEW" "--alpha x $OLD $NEW" "--test ttest $OLD $NEW" \
	"--format yaml $OLD $NEW" "--outliers trim $OLD $NEW" "--bogus $OLD $NEW" \
	"--confidence 1 $OLD $NEW"; do
	# shellcheck disable=SC2086
	run "$PERFGATE" compare $args
	expect_rc 2 "usage error: compare $args"
	expect_empty_out
done
run "$PERFGATE" compare --alpha 2 "$OLD" "$NEW"
expect_err "^perfgate: compare: --alpha must be a number between 0 and 1, not '2'$"
run "$PERFGATE" compare --help
expect_rc 0 "compare --help"
expect_out '^usage: perfgate compare'
expect_out '^exit status: 0 done, 2 usage or input error, 3 cannot write the output$'
# ... and a failed write of the table is that 3
if [ -w /dev/full ]; then
	"$PERFGATE" compare "$OLD" "$NEW" >/dev/full 2>"$TMP/err"
	rc=$?
	expect_rc 3 "compare writing to a full device"
	expect_err '^perfgate: write failure on standard output'
fi

# --- bad input: one line naming file (and line), exit 2, no partial output
bad() { # bad NAME CONTENT EXPECTED-STDERR-REGEX
	printf '%b' "$2" >"$TMP/$1"
	run "$PERFGATE" compare "$OLD" "$TMP/$1"
	expect_rc 2 "bad input: $1"
	expect_empty_out
	expect_err "$3"
	n=$(wc -l <"$TMP/err")
	if [ "$n" -eq 1 ]; then ok "one-line error for $1"; else not_ok "$n-line error for $1"; fi
}
run "$PERFGATE" compare "$OLD" "$TMP/missing.txt"
expect_rc 2 "missing file"
expect_err "^perfgate: cannot open '$TMP/missing.txt': No such file or directory$"
bad empty.txt '' "^perfgate: '$TMP/empty.txt': empty file$"
bad nobench.txt 'goos: linux\nPASS\n' "^perfgate: '$TMP/nobench.txt': no benchmark results$"
bad iters.txt 'BenchmarkA 10 5 ns/op\nBenchmarkA abc 5 ns/op\n' "^perfgate: $TMP/iters.txt:2: .*iteration count 'abc'"
bad negiters.txt 'BenchmarkA -10 5 ns/op\n' "^perfgate: $TMP/negiters.txt:1: .*iteration count '-10'"
bad nan.txt 'BenchmarkA 10 5 ns/op\n\nBenchmarkA 10 NaN ns/op\n' "^perfgate: $TMP/nan.txt:3: "
bad inf.txt 'BenchmarkA 10 +Inf ns/op\n' "^perfgate: $TMP/inf.txt:1: "
bad binary.txt 'BenchmarkA 10 5 ns/op\n\0\1\2\3garbage\377\n' "^perfgate: $TMP/binary.txt:2: binary data$"
"$PYTHON" -c "import sys; sys.stdout.write('BenchmarkA 10 5 ns/op\n' + 'x' * 2000000 + '\n')" >"$TMP/long.txt"
run "$PERFGATE" compare "$OLD" "$TMP/long.txt"
expect_rc 2 "an absurdly long line"
expect_err "^perfgate: $TMP/long.txt:2: line too long"
expect_empty_out
printf '{"benchmarks": [' >"$TMP/trunc.json"
run "$PERFGATE" compare "$OLD" "$TMP/trunc.json"
expect_rc 2 "truncated Google Benchmark JSON"
expect_err "^perfgate: .*trunc.json"
expect_empty_out
bad aggregates.json '{"benchmarks": [{"name": "BM_X_mean", "run_name": "BM_X", "run_type": "aggregate", "aggregate_name": "mean", "iterations": 3, "real_time": 5}]}' \
	"^perfgate: '$TMP/aggregates.json': no benchmark results, only aggregates \\(drop --benchmark_report_aggregates_only "
bad negiters.json '{"benchmarks": [{"name": "BM_X", "iterations": -3, "real_time": 5}]}' \
	"^perfgate: '$TMP/negiters.json': benchmark 'BM_X': iteration count '-3' is not positive$"

# --- a directory or an unreadable path
run "$PERFGATE" compare "$OLD" "$TMP"
expect_rc 2 "a directory as input"
expect_err "Is a directory"

finish
