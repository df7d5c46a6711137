#!/bin/sh
# perfgate run with fake suites that print deterministic numbers: counts,
# warm-up, merging, JSON samples, pinning, crash / hang / failure handling.
. "$(dirname "$0")/lib.sh"
FAKE=$TOP/tests/e2e/suites/fake-suite.sh

# --- warm-up discarded, N runs kept, every sample in the results file
run "$PERFGATE" run -q -n 3 --warmup 1 -o "$TMP/r.txt" --json "$TMP/r.json" -- "$FAKE" ok "$TMP/count1"
expect_rc 0 "run -n 3 --warmup 1"
expect_empty_out
n=$(grep -c '^BenchmarkFake/a' "$TMP/r.txt")
[ "$n" -eq 3 ] && ok "3 samples of Fake/a" || not_ok "$n samples of Fake/a, expected 3"
# invocation 1 was the warm-up: its value 1001 must not be there
vals=$(awk '/^BenchmarkFake\/a/ {print $3}' "$TMP/r.txt" | tr '\n' ' ')
[ "$vals" = "1002 1003 1004 " ] && ok "warm-up discarded, runs in order" || not_ok "values '$vals'"
grep -q '^BenchmarkFake/b 100 2004 ns/op 64 B/op$' "$TMP/r.txt" && ok "lines keep units and iterations" ||
	not_ok "Fake/b line: $(grep Fake/b "$TMP/r.txt" | tail -1)"
for key in pkg cpu kernel governor pinned-cpus perfgate-version date runs warmup-runs; do
	grep -q "^$key: ." "$TMP/r.txt" && ok "config line $key" || not_ok "no config line $key"
done
grep -q '^runs: 3$' "$TMP/r.txt" && ok "runs: 3" || not_ok "runs line"
# the commit is read with libgit2 when run inside a repository
if git -C "$TOP" rev-parse HEAD >/dev/null 2>&1; then
	(cd "$TOP" && "$PERFGATE" run -q -n 1 --warmup 0 -o "$TMP/c.txt" -- "$FAKE" ok "$TMP/countc")
	head=$(git -C "$TOP" rev-parse HEAD)
	grep -q "^commit: $head$" "$TMP/c.txt" && ok "commit recorded" || not_ok "commit line missing"
fi
# the results round-trip through the parser
run "$PERFGATE" compare "$TMP/r.txt" "$TMP/r.txt"
expect_rc 0 "the results file reads back"
expect_out '^Fake/a +1\.003µs'
if "$PYTHON" - "$TMP/r.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["version"] == 1
assert d["command"][-2:] == ["ok", d["command"][-1]]
assert [r["run"] for r in d["runs"]] == [1, 2, 3]
t = [r["start_time"] for r in d["runs"]]
assert t == sorted(t) and t[0] > 1.6e9, t
a = [s for s in d["samples"] if s["benchmark"] == "Fake/a" and s["unit"] == "ns/op"]
assert [(s["run"], s["value"]) for s in a] == [(1, 1002), (2, 1003), (3, 1004)], a
assert all(s["start_time"] == t[s["run"] - 1] for s in d["samples"])
assert d["config"]["runs"] == "3"
PY
then ok "JSON samples keep run index and start time"; else not_ok "JSON samples"; fi

# --- configuration that changes between runs (a seed) is kept: the line
# comes before the results of the run it belongs to
run "$PERFGATE" run -q -n 3 --warmup 1 -o "$TMP/seed.txt" --json "$TMP/seed.json" -- \
	"$FAKE" seed "$TMP/count-seed"
expect_rc 0 "run a suite whose seed changes"
seq=$(grep -E '^(seed:|BenchmarkFake/a )' "$TMP/seed.txt" | cut -d' ' -f1-3 | tr '\n' '|')
[ "$seq" = "seed: 102|BenchmarkFake/a 100 1002|seed: 103|BenchmarkFake/a 100 1003|seed: 104|BenchmarkFake/a 100 1004|" ] &&
	ok "each run's seed before its results" || not_ok "seed lines and results: '$seq'"
[ "$(grep -c '^runs: ' "$TMP/seed.txt")" -eq 1 ] && ok "perfgate's own lines once" ||
	not_ok "runs lines: $(grep -c '^runs: ' "$TMP/seed.txt")"
if "$PYTHON" - "$TMP/seed.txt" "$TMP/seed.json" <<'PY'
import json, sys
# read as the Go benchmark format says: a configuration line applies to
# the results after it
cfg, seen = {}, []
for line in open(sys.argv[1]):
    f = line.split()
    if line.startswith("Benchmark"):
        seen.append((f[0], float(f[2]), cfg.get("seed")))
    elif f and f[0].endswith(":") and f[0][0].islower():
        cfg[f[0][:-1]] = line.split(":", 1)[1].strip()
assert len(seen) == 6, seen
for name, value, seed in seen:
    assert int(seed) == int(value) % 1000 + 100, (name, value, seed)
d = json.load(open(sys.argv[2]))
assert [r["config"] for r in d["runs"]] == [{"seed": "102"}, {"seed": "103"}, {"seed": "104"}], d["runs"]
PY
then ok "every sample reads back with its own run's seed, in the JSON too"; else not_ok "per-run seeds"; fi
run "$PERFGATE" compare "$TMP/seed.txt" "$TMP/r.txt"
expect_rc 0 "compare reads it"
expect_out '^Fake/a '

# --- the defaults: 1 warm-up run, then 10 measured runs (the fake suite
# counts its invocations); --count is -n's long form
run "$PERFGATE" run -q -o "$TMP/d.txt" -- "$FAKE" ok "$TMP/count-defaults"
expect_rc 0 "run with the default counts"
[ "$(cat "$TMP/count-defaults")" = 11 ] && ok "11 invocations by default" ||
	not_ok "$(cat "$TMP/count-defaults") invocations, expected 11"
vals=$(awk '/^BenchmarkFake\/a/ {print $3}' "$TMP/d.txt" | tr '\n' ' ')
[ "$vals" = "1002 1003 1004 1005 1006 1007 1008 1009 1010 1011 " ] &&
	ok "10 runs kept, the first invocation discarded" || not_ok "values '$vals'"
grep -q '^runs: 10$' "$TMP/d.txt" && grep -q '^warmup-runs: 1$' "$TMP/d.txt" &&
	ok "runs: 10, warmup-runs: 1" || not_ok "runs/warmup-runs lines: $(grep runs "$TMP/d.txt")"
run "$PERFGATE" run -q --count 2 --warmup 0 -o "$TMP/count.txt" -- "$FAKE" ok "$TMP/count-long"
expect_rc 0 "run --count 2"
[ "$(cat "$TMP/count-long")" = 2 ] && ok "--count 2: 2 invocations" ||
	not_ok "--count 2: $(cat "$TMP/count-long") invocations"
n=$(grep -c '^BenchmarkFake/a' "$TMP/count.txt")
[ "$n" -eq 2 ] && ok "--count 2: 2 samples" || not_ok "--count 2: $n samples"

# --- progress: a bar redrawn in place when stderr is a terminal (util-linux
# script gives perfgate one), plain lines when it is a pipe
if command -v script >/dev/null 2>&1; then
	: >"$TMP/empty"
	script -qec "'$PERFGATE' run -n 2 --warmup 1 -o '$TMP/tty.txt' -- '$FAKE' ok '$TMP/count-tty'" \
		"$TMP/typescript" <"$TMP/empty" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	expect_rc 0 "run on a terminal"
	esc=$(printf '\033')
	grep -q "${esc}\[Kperfgate run: warm-up run 1/1 \[" "$TMP/typescript" &&
		ok "the bar shows the warm-up run" || not_ok "no warm-up bar on the terminal"
	grep -q "${esc}\[Kperfgate run: run 2/2 \[####################\] " "$TMP/typescript" &&
		ok "the bar fills up on the terminal" || not_ok "no full bar on the terminal"
	grep -q 'done in' "$TMP/typescript" && not_ok "plain progress lines on the terminal" ||
		ok "no plain progress lines on the terminal"
else
	not_ok "script is not installed (util-linux)"
fi
"$PERFGATE" run -n 2 --warmup 1 -o "$TMP/pipe.txt" -- "$FAKE" ok "$TMP/count-pipe" 2>&1 |
	cat >"$TMP/piped"
grep -q '^perfgate run: warm-up run 1 of 1 done in ' "$TMP/piped" &&
	grep -q '^perfgate run: run 2 of 2 done in ' "$TMP/piped" &&
	ok "plain progress lines into a pipe" || not_ok "progress into a pipe: $(cat "$TMP/piped")"
grep -q "$(printf '\033')\|\[####" "$TMP/piped" && not_ok "a progress bar into a pipe" ||
	ok "no progress bar into a pipe"

# --- without -o the results go to stdout, progress to stderr
run "$PERFGATE" run -n 2 --warmup 0 -- "$FAKE" ok "$TMP/count2"
expect_rc 0 "run to stdout"
expect_out '^BenchmarkFake/a 100 1001 ns/op'
expect_err '^perfgate run: pinned to CPU'
expect_err '^perfgate run: run 2 of 2 done in'

# --- pinning: the suite reports its own affinity
ncpu=$(getconf _NPROCESSORS_ONLN)
for cpu in 0 $((ncpu - 1)); do
	run "$PERFGATE" run -q -n 1 --warmup 0 --cpus "$cpu" -- "$FAKE" affinity "$TMP/count3"
	expect_rc 0 "run --cpus $cpu"
	expect_out "^affinity: $cpu$"
	expect_out "^pinned-cpus: $cpu$"
done
# the priority is raised where permitted, and the results say which
niceness=$(sed -n 's/^niceness: //p' "$TMP/out")
if grep -q '^priority: raised (nice -5)$' "$TMP/out"; then
	[ "$niceness" = "$(( $(nice) - 5 ))" ] && ok "the suite ran at nice $niceness" ||
		not_ok "priority raised but the suite ran at nice $niceness"
else
	expect_out '^priority: unchanged \(raising it is not permitted\)$'
	[ "$niceness" = "$(nice)" ] && ok "unchanged priority" || not_ok "nice $niceness"
fi
run "$PERFGATE" run -q -n 1 --warmup 0 --cpus none -- "$FAKE" affinity "$TMP/count4"
expect_rc 0 "run --cpus none"
expect_out "^pinned-cpus: none$"
expect_out "^affinity: $(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)$"
if [ "$ncpu" -gt 1 ]; then
	# by default: one CPU that is not CPU 0 (no isolated CPUs here)
	if [ -z "$(cat /sys/devices/system/cpu/isolated 2>/dev/null)" ]; then
		run "$PERFGATE" run -n 1 --warmup 0 -- "$FAKE" affinity "$TMP/count5"
		expect_out "^affinity: $((ncpu - 1))$"
		expect_err "pinned to CPU $((ncpu - 1)) \(highest allowed CPU other than CPU 0\)"
	fi
fi

# --- failures: exit 3, the run named, completed runs kept
run "$PERFGATE" run -q -n 4 --warmup 1 -o "$TMP/crash.txt" --json "$TMP/crash.json" -- \
	"$FAKE" crash-on-3 "$TMP/count6"
expect_rc 3 "a suite that crashes"
expect_err "^perfgate: run 2 of 4: '$FAKE' was killed by signal 11 \(Segmentation fault\)$"
expect_err 'fake: about to crash'
expect_err "^perfgate: the 1 completed runs are kept in '$TMP/crash.txt'$"
n=$(grep -c '^BenchmarkFake/a' "$TMP/crash.txt")
[ "$n" -eq 1 ] && ok "the completed run is in the results file" || not_ok "$n runs kept"
# the file says how many runs it holds, and that it was cut short
grep -q '^runs: 1$' "$TMP/crash.txt" && ok "runs: 1 (the completed runs)" ||
	not_ok "runs line: $(grep '^runs:' "$TMP/crash.txt")"
grep -q '^incomplete: run 2 of 4 failed$' "$TMP/crash.txt" && ok "marked incomplete" ||
	not_ok "no incomplete line: $(cat "$TMP/crash.txt")"
if "$PYTHON" - "$TMP/crash.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["config"]["runs"] == "1", d["config"]
assert d["config"]["incomplete"] == "run 2 of 4 failed", d["config"]
assert [r["run"] for r in d["runs"]] == [1], d["runs"]
assert sorted({s["run"] for s in d["samples"]}) == [1]
PY
then ok "the JSON file says the same"; else not_ok "the JSON file of a failed run"; fi
grep -q '^incomplete:' "$TMP/r.txt" && not_ok "a complete file marked incomplete" ||
	ok "a complete file is not marked incomplete"
# compare and gate read it, and say that it is incomplete
run "$PERFGATE" compare "$TMP/crash.txt" "$TMP/r.txt"
expect_rc 0 "compare reads an incomplete file"
expect_out '^Fake/a '
expect_err "^perfgate: warning: '$TMP/crash.txt' is incomplete \(run 2 of 4 failed\): it holds only the runs that completed$"
run "$PERFGATE" compare "$TMP/r.txt" "$TMP/r.txt"
[ -s "$TMP/err" ] && not_ok "compare warns about complete files" || ok "no warning for complete files"
run "$PERFGATE" gate --baseline-file "$TMP/r.txt" --results "$TMP/crash.txt"
[ "$rc" -le 1 ] && ok "gate --results reads an incomplete file (exit $rc)" || not_ok "gate: exit $rc"
expect_out "warning: the candidate '$TMP/crash.txt' is incomplete \(run 2 of 4 failed\): only the runs that completed are compared"
expect_out '^Fake/a '
run "$PERFGATE" gate --baseline-file "$TMP/crash.txt" --results "$TMP/r.txt"
expect_out "warning: the baseline '$TMP/crash.txt' is incomplete \(run 2 of 4 failed\)"

start=$(date +%s)
run "$PERFGATE" run -q -n 3 --warmup 0 --timeout 1 -o "$TMP/hang.txt" -- "$FAKE" hang-on-2 "$TMP/count7"
took=$(( $(date +%s) - start ))
expect_rc 3 "a suite that hangs"
expect_err "^perfgate: run 2 of 3: '$FAKE' timed out after 1 s$"
[ "$took" -lt 20 ] && ok "the hung run was killed ($took s)" || not_ok "took $took s"
# the hung suite's child (its pid recorded, its command line marked) must
# die with it: wait for that, bounded (a survivor would sleep 60 s)
child=$(cat "$TMP/count7.child" 2>/dev/null)
if [ -n "$child" ]; then
	ok "the hung suite had started a child ($child)"
	i=0
	while pgrep -f "$TMP/count7-hang-child" >"$TMP/pgrep" && [ "$i" -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	if [ -s "$TMP/pgrep" ]; then
		not_ok "the hung suite's child survived: $(ps -o pid,stat,args -p "$child")"
		# its sleep first (killing the sh -c wrapper alone would leave
		# the sleep running, reparented); the wrapper may then be gone
		pkill -P "$child"
		kill "$child" 2>/dev/null
	else
		ok "no process left behind"
	fi
else
	not_ok "the hung suite did not record its child"
fi

run "$PERFGATE" run -q -n 2 --warmup 0 -- "$FAKE" fail-on-1 "$TMP/count8"
expect_rc 3 "a suite that exits 1"
expect_err "^perfgate: run 1 of 2: '$FAKE' exited with status 1$"
expect_empty_out

run "$PERFGATE" run -q -n 2 --warmup 0 -- "$FAKE" empty-on-2 "$TMP/count9"
expect_rc 3 "a suite that prints no benchmark lines"
expect_err "^perfgate: run 2 of 2: unusable output from '$FAKE': 'run 2 of 2': no benchmark results$"

run "$PERFGATE" run -q -n 1 --warmup 0 -- "$FAKE" garbage-on-1 "$TMP/count10"
expect_rc 3 "a suite that prints a malformed line"
expect_err "^perfgate: run 1 of 1: unusable output from '$FAKE': run 1 of 1:3: invalid value '12x'$"

run "$PERFGATE" run -q -n 1 -- "$TMP/no-such-suite"
expect_rc 3 "a suite that does not exist"
expect_err "^perfgate: warm-up run 1 of 1: cannot run '$TMP/no-such-suite': No such file or directory$"

# --- any command printing the Go benchmark format or Google Benchmark JSON
# is a suite: a real Google Benchmark binary (Debian's libbenchmark-dev)...
cat >"$TMP/gb.cc" <<'CC'
#include <benchmark/benchmark.h>
#include <cstring>
#include <vector>
static void BM_Copy(benchmark::State &state)
{
	std::vector<char> a(state.range(0)), b(state.range(0));
	for (auto _ : state) {
		std::memcpy(b.data(), a.data(), a.size());
		benchmark::DoNotOptimize(b.data());
	}
	state.SetBytesProcessed(state.iterations() * state.range(0));
}
BENCHMARK(BM_Copy)->Arg(64)->Arg(4096);
BENCHMARK_MAIN();
CC
if g++ -O2 "$TMP/gb.cc" -o "$TMP/gb" -lbenchmark -lpthread 2>"$TMP/err"; then
	ok "built a Google Benchmark suite"
	run "$PERFGATE" run -q -n 2 --warmup 0 -- "$TMP/gb" --benchmark_format=json \
		--benchmark_min_time=0.01 --benchmark_repetitions=2
	expect_rc 0 "run a Google Benchmark suite"
	n=$(grep -c '^BenchmarkBM_Copy/4096 [0-9]* [0-9.e+]* ns/op [0-9.e+]* cpu-ns/op [0-9.e+]* B/s$' "$TMP/out")
	[ "$n" -eq 4 ] && ok "2 runs x 2 repetitions of BM_Copy/4096" || not_ok "$n samples of BM_Copy/4096"
	expect_out '^num_cpus: [0-9]+$'
	# its console table (the default format) is not mistaken for results
	run "$PERFGATE" run -q -n 1 --warmup 0 -- "$TMP/gb" --benchmark_min_time=0.01
	expect_rc 3 "a Google Benchmark suite without --benchmark_format=json"
	expect_err "^perfgate: run 1 of 1: unusable output from '$TMP/gb': run 1 of 1:2: Google Benchmark console output, not JSON: run the suite with --benchmark_format=json$"
else
	not_ok "cannot build a Google Benchmark suite (g++, libbenchmark-dev)"
fi

# ... and go test -bench on the Go package of tests/data
if command -v go >/dev/null 2>&1; then
	cp -r "$TOP/tests/data/textproc" "$TMP/textproc"
	(cd "$TMP/textproc" && GOCACHE="$TMP/gocache" GOPATH="$TMP/gopath" GOFLAGS=-mod=mod \
		GOTOOLCHAIN=local HOME="$TMP" \
		"$PERFGATE" run -q -n 2 --warmup 0 -- go test -run '^$' -bench 'Digest' -benchtime 10x) \
		>"$TMP/out" 2>"$TMP/err"
	rc=$?
	expect_rc 0 "run go test -bench as a suite"
	n=$(grep -Ec '^BenchmarkDigest(-[0-9]+)? 10 ' "$TMP/out")
	[ "$n" -eq 2 ] && ok "2 samples of Digest with 10 iterations" || not_ok "$n samples of Digest"
	expect_out '^pkg: example.com/textproc$'
else
	not_ok "go is not installed (golang-go)"
fi

# --- --profile-with perf: one more run under perf record, its results
# discarded; a pprof profile that go tool pprof reads
EXAMPLE=$(dirname "$PERFGATE")/examples/example-suite
run "$PERFGATE" run -q -n 2 --warmup 0 --profile "$TMP/prof" --profile-with perf -o "$TMP/p.txt" -- \
	"$EXAMPLE" -bench Hash -benchtime 200ms
expect_rc 0 "run --profile-with perf"
n=$(grep -c '^BenchmarkHash/fnv1a-64K ' "$TMP/p.txt")
[ "$n" -eq 2 ] && ok "the profiled run's results are not in the results file" || not_ok "$n samples"
if [ -s "$TMP/prof/perf.pb.gz" ]; then
	ok "perf.pb.gz written"
	(cd "$TMP" && HOME="$TMP" GOCACHE="$TMP/gocache" GOFLAGS= go tool pprof -top -symbolize=none \
		"$TMP/prof/perf.pb.gz") >"$TMP/out" 2>"$TMP/err"
	rc=$?
	expect_rc 0 "go tool pprof reads it"
	# the hash loop takes nearly all of the run's CPU: it is on top
	sed -n '/flat%/{n;p;}' "$TMP/out" | grep -q 'fnv1a' && ok "the hash function is on top" ||
		not_ok "top: $(sed -n '/flat%/{n;p;}' "$TMP/out")"
else
	not_ok "no perf.pb.gz"
fi
run "$PERFGATE" run -q -n 1 --profile-with bogus -- "$EXAMPLE"
expect_rc 2 "--profile-with bogus"

# --- where perf does not work: said in one line, before any measured run
# (the suite's invocation counter stays absent)
mkdir -p "$TMP/nobin"
run env PATH="$TMP/nobin" "$PERFGATE" run -q -n 2 --warmup 0 --profile "$TMP/np" \
	--profile-with perf -- "$FAKE" ok "$TMP/count-noperf"
expect_rc 3 "--profile-with perf, perf not on PATH"
expect_err "^perfgate: perf is not installed \(Debian package linux-perf\): --profile-with perf needs it$"
expect_lines "$TMP/err" 1
[ ! -e "$TMP/count-noperf" ] && ok "no measured run before the perf check" ||
	not_ok "the suite ran $(cat "$TMP/count-noperf") times before perf was found missing"
# a perf that fails with several lines of stderr; it logs its arguments:
# the probe records into a regular file in TMPDIR, removed afterwards
mkdir -p "$TMP/fakeperf" "$TMP/probe-tmp"
cat >"$TMP/fakeperf/perf" <<'SH'
#!/bin/sh
printf '%s\n' "$*" >>"$FAKE_PERF_LOG"
echo "Error:" >&2
echo "Access to performance monitoring is limited." >&2
echo "	Consider adjusting /proc/sys/kernel/perf_event_paranoid" >&2
exit 255
SH
chmod +x "$TMP/fakeperf/perf"
run env PATH="$TMP/fakeperf:$PATH" FAKE_PERF_LOG="$TMP/perf.log" TMPDIR="$TMP/probe-tmp" \
	"$PERFGATE" run -q -n 2 --warmup 0 --profile "$TMP/fp" --profile-with perf -- \
	"$FAKE" ok "$TMP/count-fakeperf"
expect_rc 3 "--profile-with perf, perf record fails"
expect_lines "$TMP/err" 1
expect_err "^perfgate: perf record does not work here \(it exited with status 255: Error: Access to performance monitoring is limited\. Consider adjusting /proc/sys/kernel/perf_event_paranoid\); check kernel\.perf_event_paranoid \(perfgate doctor\)$"
[ ! -e "$TMP/count-fakeperf" ] && ok "no measured run before the failed perf check" ||
	not_ok "the suite ran before the perf check"
if grep -Eq "^record .*-o $TMP/probe-tmp/[^ ]+ -- true$" "$TMP/perf.log"; then
	ok "the probe records into a file in TMPDIR: $(cat "$TMP/perf.log")"
else
	not_ok "probe arguments: $(cat "$TMP/perf.log")"
fi
[ -z "$(ls -A "$TMP/probe-tmp")" ] && ok "the probe's file is removed" ||
	not_ok "left in TMPDIR: $(ls -A "$TMP/probe-tmp")"

# --- --profile-with, --profile-runs, --profile-rate, --trim-path need --profile
for args in "--profile-with perf" "--profile-with harness" "--profile-runs 2" \
	"--profile-rate 250" "--trim-path $TOP"; do
	# shellcheck disable=SC2086
	run "$PERFGATE" run -q -n 1 --warmup 0 $args -- "$FAKE" ok "$TMP/count-noprofile"
	expect_rc 2 "$args without --profile"
	expect_err "need --profile DIR"
done
[ ! -e "$TMP/count-noprofile" ] && ok "the suite never ran" || not_ok "the suite ran"

# --- a suite that ignores -cpuprofile: a warning naming it, not silence
run "$PERFGATE" run -q -n 1 --warmup 0 --profile "$TMP/ignored" -o "$TMP/ign.txt" -- \
	"$FAKE" ok "$TMP/count-ignored"
expect_rc 0 "a suite that ignores -cpuprofile"
expect_lines "$TMP/err" 1
expect_err "^perfgate: warning: '$FAKE' wrote no profile into '$TMP/ignored' \(does it take -cpuprofile DIR\?"
# ... also when the directory holds profiles of an earlier run
mkdir -p "$TMP/stale"
printf 'x' >"$TMP/stale/Old.pb.gz"
run "$PERFGATE" run -q -n 1 --warmup 0 --profile "$TMP/stale" -o "$TMP/ign.txt" -- \
	"$FAKE" ok "$TMP/count-ignored"
expect_err "wrote no profile into '$TMP/stale'"

# --- the harness's profiles: --profile DIR, one profile per benchmark from
# one more run whose results are discarded
HBENCH='Hash|Sort/n=100$'
run "$PERFGATE" run -q -n 2 --warmup 0 --profile "$TMP/hp" -o "$TMP/h.txt" -- \
	"$EXAMPLE" -bench "$HBENCH" -benchtime 200x
expect_rc 0 "run --profile DIR (harness)"
expect_empty_out
[ ! -s "$TMP/err" ] && ok "no warning" || not_ok "stderr: $(cat "$TMP/err")"
files=$(cd "$TMP/hp" && ls -A | tr '\n' ' ')
[ "$files" = "Hash-fnv1a-64K.pb.gz Sort-n=100.pb.gz " ] && ok "one profile per benchmark: $files" ||
	not_ok "profile files: '$files'"
n=$(grep -c '^BenchmarkHash/fnv1a-64K ' "$TMP/h.txt")
m=$(grep -c '^BenchmarkSort/n=100 ' "$TMP/h.txt")
[ "$n" -eq 2 ] && [ "$m" -eq 2 ] && ok "the results file keeps only the 2 measured runs" ||
	not_ok "$n Hash and $m Sort samples, expected 2 each"
# --profile-runs 2, --profile-rate 250, --trim-path: run-1/ and run-2/,
# the rate asked for in the profiles' comments, no build path left (2000
# iterations of Hash are about 0.4 s of CPU: ~100 samples, so file names
# are there to be trimmed)
run "$PERFGATE" run -q -n 1 --warmup 0 --profile "$TMP/hp2" --profile-runs 2 --profile-rate 250 \
	--trim-path "$TOP" -o "$TMP/h2.txt" -- "$EXAMPLE" -bench "$HBENCH" -benchtime 2000x
expect_rc 0 "run --profile-runs 2 --profile-rate 250 --trim-path"
files=$(cd "$TMP/hp2" && find . -type f | sort | tr '\n' ' ')
[ "$files" = "./run-1/Hash-fnv1a-64K.pb.gz ./run-1/Sort-n=100.pb.gz ./run-2/Hash-fnv1a-64K.pb.gz ./run-2/Sort-n=100.pb.gz " ] &&
	ok "--profile-runs 2: run-1/ and run-2/" || not_ok "profile files: '$files'"
n=$(grep -c '^BenchmarkHash/fnv1a-64K ' "$TMP/h2.txt")
[ "$n" -eq 1 ] && ok "the profiled runs' results are not in the results file" || not_ok "$n samples"
P2=$TMP/hp2/run-2/Hash-fnv1a-64K.pb.gz
(cd "$TMP" && HOME="$TMP" GOCACHE="$TMP/gocache" GOFLAGS= go tool pprof -raw -symbolize=none \
	"$P2") >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "go tool pprof reads the profile of run 2"
expect_out '^Comment: sampling rate: requested 250 Hz \(period 4000000 ns\)'
expect_out '^Period: 4000000$'
expect_out ' bench-runner/examples/example_suite\.c:[0-9]+ '
for f in "$TMP"/hp2/run-*/*.pb.gz; do
	if gzip -dc "$f" | grep -aq "$TOP/"; then not_ok "--trim-path: '$TOP/' left in $f"; else
		ok "--trim-path: no '$TOP/' in ${f#"$TMP/"}"; fi
done

# --- usage errors
for args in "-n 0 -- $FAKE" "-n x -- $FAKE" "--warmup -1 -- $FAKE" "--timeout soon -- $FAKE" \
	"--cpus 1-0 -- $FAKE" "--cpus 4000 -- $FAKE" "--bogus -- $FAKE" ""; do
	# shellcheck disable=SC2086
	run "$PERFGATE" run $args
	expect_rc 2 "usage error: run $args"
done
# an empty file name is a usage error before the suite runs (it was exit 3
# after all the runs, when the results could not be written)
for opt in -o --output --json --profile; do
	rm -f "$TMP/count-empty"
	run "$PERFGATE" run -q -n 1 "$opt" "" -- "$FAKE" ok "$TMP/count-empty"
	expect_rc 2 "run $opt ''"
	expect_err "^perfgate: .*must be a (file|folder) name, not ''"
	[ -e "$TMP/count-empty" ] && not_ok "run $opt '': the suite ran" || ok "run $opt '': the suite did not run"
done
run "$PERFGATE" run --cpus 999 -- "$FAKE" ok "$TMP/count11"
expect_rc 2 "a CPU this process may not use"
expect_err "CPU 999 is not available"

finish
