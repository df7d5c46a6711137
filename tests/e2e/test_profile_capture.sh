#!/bin/sh
# CPU profiles from the C harness (-cpuprofile DIR), read by Go's pprof
# (Debian's golang-go, offline: -symbolize=none, private HOME/GOCACHE):
# one file per benchmark, the hot function on top, the injected slowdown
# near the top, labels, mappings with the build-id, comments naming each
# sampling source this kernel allows, the timer's weighting against a
# known amount of burned CPU, set-up kept out of the profile, -trimpath,
# the symbolization fallbacks of a stripped suite, a smoke run of the overhead benchmark (tests/bench/profiler_overhead.py)
# and the signal-safety test (malloc-heavy code at 1000 Hz, many runs).
#
# Nothing here depends on timing luck: the checked functions take over 80%
# of their benchmark (or none of it), and CPU totals are checked to +-30%.
. "$(dirname "$0")/lib.sh"

BUILD_DIR=${PG_BUILD:-$(dirname "$PERFGATE")}
SUITE=$BUILD_DIR/examples/example-suite
SUITES=$TOP/tests/bench-runner/suites
export PKG_CONFIG_PATH="$BUILD_DIR"

if ! command -v go >/dev/null 2>&1; then
	echo "# go (golang-go) is missing: sudo apt-get install golang-go"
	not_ok "go tool pprof is needed"
	finish
	exit 1
fi
# go tool pprof offline, without touching the user's Go set-up
mkdir -p "$TMP/gohome"
PPROF_ENV="HOME=$TMP/gohome GOCACHE=$TMP/gohome/cache GOPATH=$TMP/gohome/go GOFLAGS= GOTOOLCHAIN=local GOPROXY=off"
pprof() { env $PPROF_ENV go tool pprof -symbolize=none "$@"; }

# top_function FILE: the function with the largest flat share
top_function() { pprof -top "$1" 2>/dev/null | awk '/flat%/ { getline; print $6; exit }'; }
# flat_percent FILE FUNCTION: its flat share (a number without '%')
flat_percent() {
	pprof -top "$1" 2>/dev/null | awk -v f="$2" '$6 == f { sub("%", "", $2); print $2; exit }'
}
# totals FILE: "<samples> <cpu nanoseconds>" over all samples
totals() {
	pprof -raw "$1" 2>/dev/null | awk '
		/^Samples:/ { in_s = 1; next }
		/^[A-Z][a-z]+:?$/ && in_s { in_s = 0 }
		in_s && $1 ~ /^[0-9]+$/ && $2 ~ /^[0-9]+:$/ { n += $1; sub(":", "", $2); ns += $2 }
		END { printf "%d %d\n", n, ns }'
}
# valid FILE: gzip and pprof accept it
valid() { gzip -t "$1" 2>/dev/null && pprof -raw "$1" >/dev/null 2>&1; }

# ---------------------------------------------------------------- one file per benchmark
run "$SUITE" -bench 'Hash|Sort' -cpuprofile "$TMP/p1/new" -benchtime 0.5s
expect_rc 0 "the example suite runs with -cpuprofile (directory created)"
expect_out '^BenchmarkHash/fnv1a-64K	'
expect_no_out -i 'profile'
files=$(cd "$TMP/p1/new" && ls -A | tr '\n' ' ')
if [ "$files" = "Hash-fnv1a-64K.pb.gz Sort-n=100.pb.gz Sort-n=10000.pb.gz " ]; then
	ok "one profile per benchmark, none for the parent BenchmarkSort: $files"
else
	not_ok "profile files: '$files'"
fi
HASH=$TMP/p1/new/Hash-fnv1a-64K.pb.gz
if valid "$HASH"; then ok "gzip and go tool pprof read the profile"; else not_ok "invalid profile"; fi

# the hot function: FNV-1a (inlined into bench_fnv1a_64k) is the benchmark
top=$(top_function "$HASH")
pct=$(flat_percent "$HASH" bench_fnv1a_64k)
if [ "$top" = bench_fnv1a_64k ] && [ "${pct%.*}" -ge 80 ]; then
	ok "go tool pprof -top: bench_fnv1a_64k on top ($pct% flat)"
else
	not_ok "top function '$top', bench_fnv1a_64k at '$pct'%"
	pprof -top "$HASH" 2>&1 | sed -n '1,25s/^/#   /p'
fi
top=$(top_function "$TMP/p1/new/Sort-n=10000.pb.gz")
case $top in
msort_with_tmp* | cmp_int | __memcpy* | memcpy* | qsort*)
	ok "Sort/n=10000: $top on top (sorting)" ;;
*)	not_ok "Sort/n=10000: unexpected top function '$top'" ;;
esac

# labels, sample types, comments, mappings with the build-id
pprof -raw "$HASH" >"$TMP/raw.txt" 2>&1
nsamples=$(awk '/^Samples:/ { s = 1; next } /^Locations/ { s = 0 } s && /^ +[0-9]+ +[0-9]+:/' "$TMP/raw.txt" | wc -l)
nlabels=$(grep -c '^ *benchmark:\[BenchmarkHash/fnv1a-64K\]$' "$TMP/raw.txt")
if [ "$nsamples" -gt 0 ] && [ "$nsamples" -eq "$nlabels" ]; then
	ok "a benchmark label on each of the $nsamples samples"
else
	not_ok "$nsamples samples, $nlabels benchmark labels"
fi
if grep -q '^samples/count cpu/nanoseconds$' "$TMP/raw.txt" && grep -q '^PeriodType: cpu nanoseconds$' "$TMP/raw.txt" &&
	grep -q '^Period: 10000000$' "$TMP/raw.txt"; then
	ok "sample types samples/count, cpu/nanoseconds; period 10 ms (100 Hz)"
else
	not_ok "sample types or period"
fi
for c in '^Comment: sampling source: (perf|timer|itimer): ' \
	'^Comment: sampling rate: requested 100 Hz \(period 10000000 ns\), effective [0-9.]+ Hz' \
	'^Comment: dropped samples: 0$' '^Comment: weighting: ' '^Comment: symbolization: libdw'; do
	if grep -Eq "$c" "$TMP/raw.txt"; then ok "comment /$c/"; else not_ok "no comment /$c/"; fi
done
exe_line=$(awk '/^Mappings/ { getline; print; exit }' "$TMP/raw.txt")
if command -v readelf >/dev/null 2>&1; then
	build_id=$(readelf -n "$SUITE" | awk '/Build ID:/ { print $3 }')
	case $exe_line in
	*"$(cd "$(dirname "$SUITE")" && pwd)/example-suite $build_id "*)
		ok "the first mapping is the executable, with its GNU build-id $build_id" ;;
	*) not_ok "first mapping '$exe_line', build-id '$build_id'" ;;
	esac
fi
if grep -E '^ +[0-9]+: 0x[0-9a-f]+ M=1 bench_fnv1a_64k .*/bench-runner/examples/example_suite\.c:[0-9]+ s=[0-9]+$' "$TMP/raw.txt" >/dev/null; then
	ok "locations: address, mapping, function, file:line"
else
	not_ok "no symbolized location of bench_fnv1a_64k"
fi

# the profiles hold no environment variables
if PG_PROFILE_SECRET=xyzzy-not-in-profiles "$SUITE" -bench Hash -benchtime 50x \
	-cpuprofile "$TMP/p-env" >/dev/null 2>&1 &&
	! gzip -dc "$TMP/p-env/Hash-fnv1a-64K.pb.gz" | grep -aq xyzzy-not-in-profiles; then
	ok "no environment variable in the profile"
else
	not_ok "the profile holds the environment, or the run failed"
fi

# -trimpath removes the build path from file names
run "$SUITE" -bench Hash -benchtime 0.2s -cpuprofile "$TMP/p-trim" -cpuprofilerate 1000 -trimpath "$TOP"
expect_rc 0 "-trimpath run"
if pprof -raw "$TMP/p-trim/Hash-fnv1a-64K.pb.gz" 2>&1 | grep -q " bench-runner/examples/example_suite\.c:" &&
	! gzip -dc "$TMP/p-trim/Hash-fnv1a-64K.pb.gz" | grep -aq "$TOP/"; then
	ok "-trimpath: file names relative to $TOP"
else
	not_ok "-trimpath left '$TOP/' in the profile"
fi

# ---------------------------------------------------------------- the injected slowdown
run env PG_EXAMPLE_SLOWDOWN=100 "$SUITE" -bench Hash -cpuprofile "$TMP/p-slow" -benchtime 6000x
expect_rc 0 "PG_EXAMPLE_SLOWDOWN=100 with -cpuprofile"
SLOW=$TMP/p-slow/Hash-fnv1a-64K.pb.gz
rank=$(pprof -top "$SLOW" 2>/dev/null | awk '/flat%/ { r = 1; next } r { if ($6 == "pg_example_injected_slowdown") { print r; exit } r++ }')
pct=$(flat_percent "$SLOW" pg_example_injected_slowdown)
if [ -n "$rank" ] && [ "$rank" -le 2 ] && [ "${pct%.*}" -ge 30 ]; then
	ok "pg_example_injected_slowdown is #$rank in pprof -top ($pct% flat)"
else
	not_ok "pg_example_injected_slowdown rank '$rank', '$pct'% flat"
	pprof -top "$SLOW" 2>&1 | sed -n '1,20s/^/#   /p'
fi

# ---------------------------------------------------------------- only the timed regions
PROFSUITE=$TMP/profile-suite
run cc -O2 -g $(pkg-config --cflags perfgate-bench) "$SUITES/profile_suite.c" -o "$PROFSUITE" \
	$(pkg-config --libs perfgate-bench)
expect_rc 0 "profile_suite.c links with pkg-config --libs perfgate-bench"
run "$PROFSUITE" -bench SetupExcluded -benchtime 20x -cpuprofile "$TMP/p-setup" -cpuprofilerate 1000
expect_rc 0 "SetupExcluded runs"
pprof -raw "$TMP/p-setup/SetupExcluded.pb.gz" >"$TMP/raw-setup.txt" 2>&1
if grep -q ' timed_work ' "$TMP/raw-setup.txt" && ! grep -q 'setup_burn' "$TMP/raw-setup.txt"; then
	ok "set-up (0.6 s before reset_timer and with the timer stopped) is not in the profile; timed_work is"
else
	not_ok "set-up in the profile, or timed_work missing"
	grep -E 'setup_burn|timed_work' "$TMP/raw-setup.txt" | sed 's/^/#   /' | head
fi

# ---------------------------------------------------------------- without symbols
# A stripped suite: libdw finds no symbol for its own code, neither does
# dladdr (nothing exported), so its frames fall back to module+offset
# names; the mapping keeps the build-id (strip keeps the note), so other
# tools can re-symbolize with the unstripped binary; pprof reads it all.
STRIPPED=$TMP/profile-suite-stripped
if strip -o "$STRIPPED" "$PROFSUITE" && readelf -S "$PROFSUITE" | grep -q '\.symtab' &&
	! readelf -S "$STRIPPED" | grep -Eq '\.(symtab|debug_)'; then
	ok "stripped the profile suite: no .symtab, no .debug_* sections"
else
	not_ok "strip -o $STRIPPED failed, or left symbols"
fi
run "$STRIPPED" -bench Burn -benchtime 100x -cpuprofile "$TMP/p-strip" -cpuprofilerate 1000
expect_rc 0 "the stripped suite runs with -cpuprofile"
f=$TMP/p-strip/Burn.pb.gz
if valid "$f"; then ok "gzip and go tool pprof read the stripped suite's profile"; else not_ok "invalid profile"; fi
# burn_cpu burns all of the benchmark's CPU: its addresses are on top
pprof -top "$f" >"$TMP/top-strip.txt" 2>&1
share=$(awk '/flat%/ { r = 1; next } r && $6 ~ /^profile-suite-stripped\+0x[0-9a-f]+$/ { sub("%", "", $2); s += $2 } END { printf "%d", s }' "$TMP/top-strip.txt")
top=$(top_function "$f")
case $top in
profile-suite-stripped+0x*) ok "module+offset names on top: $top, $share% flat in such frames" ;;
*) not_ok "top function '$top' of the stripped suite"; sed -n '1,20s/^/#   /p' "$TMP/top-strip.txt" ;;
esac
[ "$share" -ge 80 ] && ok "module+offset frames hold ${share}% (>= 80%)" || not_ok "module+offset frames hold ${share}%"
grep -q ' burn_cpu$' "$TMP/top-strip.txt" && not_ok "burn_cpu named without symbols?" ||
	ok "no name invented for the stripped code"
build_id=$(readelf -n "$PROFSUITE" 2>/dev/null | awk '/Build ID:/ { print $3 }')
if [ -n "$build_id" ] && pprof -raw "$f" 2>/dev/null | awk '/^Mappings/ { getline; print; exit }' |
	grep -q " $STRIPPED $build_id "; then
	ok "the mapping names the stripped file with the unstripped binary's build-id $build_id"
else
	not_ok "no mapping with the build-id '$build_id'"
fi

# ---------------------------------------------------------------- each sampling source
# Burn: -benchtime 100x burns 101 ops * 2 ms = 202 ms of CPU in timed
# regions; at 1000 Hz each source's cpu/nanoseconds must be within 30%.
KNOWN_NS=202000000
for src in perf timer itimer; do
	dir=$TMP/p-src-$src
	run env PG_BENCH_PROFILE_SOURCE=$src "$PROFSUITE" -bench Burn -benchtime 100x \
		-cpuprofile "$dir" -cpuprofilerate 1000
	if [ "$rc" -eq 3 ] && grep -q "cannot use the profiling source '$src'" "$TMP/err"; then
		ok "# SKIP source $src unavailable here: $(cat "$TMP/err")"
		continue
	fi
	expect_rc 0 "PG_BENCH_PROFILE_SOURCE=$src"
	f=$dir/Burn.pb.gz
	if pprof -raw "$f" 2>/dev/null | grep -q "^Comment: sampling source: $src: "; then
		ok "the comments name the source $src"
	else
		not_ok "no comment naming the source $src"
	fi
	if pprof -raw "$f" 2>/dev/null | grep -q "^Comment: note: .*source forced (PG_BENCH_PROFILE_SOURCE=$src)"; then
		ok "the comments say the source was forced"
	else
		not_ok "no note on the forced source"
	fi
	set -- $(totals "$f")
	signals=$1 weighted=$2
	unweighted=$((signals * 1000000))
	echo "# $src at 1000 Hz: $signals samples; cpu/nanoseconds $((weighted / 1000000)) ms" \
		"(unweighted: $((unweighted / 1000000)) ms) of $((KNOWN_NS / 1000000)) ms burned"
	if [ "$weighted" -ge $((KNOWN_NS * 7 / 10)) ] && [ "$weighted" -le $((KNOWN_NS * 13 / 10)) ]; then
		ok "$src: cpu/nanoseconds within 30% of the CPU burned"
	else
		not_ok "$src: cpu/nanoseconds $weighted, burned $KNOWN_NS"
	fi
	if [ "$weighted" -ge "$unweighted" ]; then ok "$src: weights >= 1"; else not_ok "$src: weights < 1"; fi
	top=$(top_function "$f")
	case $top in
	burn_cpu) ok "$src: $top on top" ;;
	*) not_ok "$src: top function '$top'" ;;
	esac
done

# the order of the sources: a shim that makes perf_event_open (and then
# timer_create too) fail shows the next one chosen, with the reason noted.
# (Not with AddressSanitizer, whose runtime must be the first library.)
if nm "$SUITE" 2>/dev/null | grep -q " U __asan_init"; then
	ok "# SKIP source fallback: the suite is built with AddressSanitizer"
else
	cat >"$TMP/shim.c" <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <sys/syscall.h>
long syscall(long n, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	va_start(ap, n);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (n == SYS_perf_event_open) {
		errno = EACCES;
		return -1;
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(n, a[0], a[1], a[2], a[3], a[4], a[5]);
}
int timer_create(clockid_t c, struct sigevent *e, timer_t *t)
{
	static int (*real)(clockid_t, struct sigevent *, timer_t *);

	if (getenv("SHIM_NO_TIMER")) {
		errno = EPERM;
		return -1;
	}
	if (!real)
		real = (int (*)(clockid_t, struct sigevent *, timer_t *))dlsym(RTLD_NEXT,
									 "timer_create");
	return real(c, e, t);
}
EOF
	if cc -shared -fPIC -o "$TMP/shim.so" "$TMP/shim.c" -ldl >"$TMP/err" 2>&1; then
		run env LD_PRELOAD="$TMP/shim.so" "$SUITE" -bench Hash -benchtime 0.2s \
			-cpuprofile "$TMP/p-fb1"
		expect_rc 0 "perf_event_open refused: the run works"
		pprof -raw "$TMP/p-fb1/Hash-fnv1a-64K.pb.gz" >"$TMP/raw-fb.txt" 2>&1
		if grep -q '^Comment: sampling source: timer: ' "$TMP/raw-fb.txt" &&
			grep -q '^Comment: note: perf source unavailable (perf_event_open: Permission denied)$' \
				"$TMP/raw-fb.txt"; then
			ok "perf_event_open refused: the timer source, the reason in a comment"
		else
			not_ok "no fallback to the timer source"
		fi
		run env LD_PRELOAD="$TMP/shim.so" SHIM_NO_TIMER=1 "$SUITE" -bench Hash -benchtime 0.2s \
			-cpuprofile "$TMP/p-fb2"
		expect_rc 0 "perf_event_open and timer_create refused: the run works"
		pprof -raw "$TMP/p-fb2/Hash-fnv1a-64K.pb.gz" >"$TMP/raw-fb.txt" 2>&1
		if grep -q '^Comment: sampling source: itimer: ' "$TMP/raw-fb.txt" &&
			grep -q 'timer source unavailable (timer_create: Operation not permitted)' \
				"$TMP/raw-fb.txt"; then
			ok "then the itimer source, both reasons in a comment"
		else
			not_ok "no fallback to the itimer source"
		fi
		run env LD_PRELOAD="$TMP/shim.so" PG_BENCH_PROFILE_SOURCE=perf "$SUITE" -bench Hash \
			-cpuprofile "$TMP/p-fb3"
		expect_rc 3 "a forced source that is unavailable"
		expect_err "^perfgate-bench: -cpuprofile: cannot use the profiling source 'perf': perf_event_open: Permission denied$"
	else
		not_ok "cannot build the shim: $(cat "$TMP/err")"
	fi
fi

run env PG_BENCH_PROFILE_SOURCE=sundial "$SUITE" -bench Hash -cpuprofile "$TMP/p-x"
expect_rc 2 "an unknown PG_BENCH_PROFILE_SOURCE"
expect_err "^perfgate-bench: invalid PG_BENCH_PROFILE_SOURCE 'sundial': expected perf, timer or itimer$"

# ---------------------------------------------------------------- errors
touch "$TMP/a-file"
run "$SUITE" -bench Hash -cpuprofile "$TMP/a-file"
expect_rc 3 "-cpuprofile naming a file"
expect_err "^perfgate-bench: -cpuprofile: cannot create directory '$TMP/a-file': Not a directory$"
expect_empty_out

# ---------------------------------------------------------------- the overhead benchmark
# tests/bench/profiler_overhead.py (make profiler-overhead) must not break
# silently: a tiny run (2 rounds of 20 iterations, 50 Hz, one calibration
# round) checks that it runs and prints its figures and a verdict; the
# figures of so small a run mean nothing, so none is checked. The verdict's
# rule is checked on given figures.
OVERHEAD=$TOP/tests/bench/profiler_overhead.py
run "$PYTHON" "$OVERHEAD" --suite "$SUITE" --rounds 2 --rate 50 --benchtime 20x \
	--bench '^(Hash|Sort)$' --calibrate-rounds 1
expect_rc 0 "profiler_overhead.py smoke run"
expect_out '^CPU profiler overhead: example-suite, 2 rounds \(interleaved\), -benchtime 20x, 50 Hz'
expect_out '^BenchmarkHash/fnv1a-64K +[-+][0-9.]+% '
expect_out '^overall \(geomean of the medians\): [-+][0-9.]+% .*target: at most 2%: (met|MISSED|inconclusive \(.*\))$'
expect_out '^per-sample cost: BenchmarkHash/fnv1a-64K at 500 Hz, 1 rounds: '
expect_err '^profiler-overhead: round 2/2 done$'
if "$PYTHON" - "$TOP/tests/bench" <<'PY' >"$TMP/out" 2>&1
import sys
sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, sys.argv[1])
from profiler_overhead import verdict_of
assert verdict_of(1.0, [0.5, 1.5]) == "met"
assert verdict_of(3.0, [2.5, 3.5]) == "MISSED"
for overall, rounds in ((1.0, [-1.5, 2.5]), (3.0, [0.5, 5.0]), (1.0, [1.0])):
    v = verdict_of(overall, rounds)
    assert v.startswith("inconclusive ("), (overall, rounds, v)
PY
then ok "the verdict: met, MISSED, inconclusive when the rounds spread over more than 2 points"
else not_ok "the verdict's rule: $(cat "$TMP/out")"; fi

# ---------------------------------------------------------------- signal safety
# malloc-heavy code interrupted at 1000 Hz: 50 runs with the default source,
# 10 with each other one; every run exits 0 and leaves a valid profile.
safety() {
	src=$1 runs=$2 fails=0 i=0
	while [ "$i" -lt "$runs" ]; do
		i=$((i + 1))
		rm -rf "$TMP/p-safe"
		if ! env ${src:+PG_BENCH_PROFILE_SOURCE=$src} "$SUITE" -bench MallocChurn \
			-benchtime 0.05s -cpuprofile "$TMP/p-safe" -cpuprofilerate 1000 \
			>"$TMP/out" 2>"$TMP/err"; then
			fails=$((fails + 1))
			echo "# run $i (${src:-default}): exit $?: $(head -c 300 "$TMP/err")"
		elif ! valid "$TMP/p-safe/MallocChurn.pb.gz"; then
			fails=$((fails + 1))
			echo "# run $i (${src:-default}): invalid profile"
		fi
	done
	if [ "$fails" -eq 0 ]; then
		ok "MallocChurn at 1000 Hz (${src:-default source}): $runs runs, no crash, a valid profile each"
	else
		not_ok "MallocChurn at 1000 Hz (${src:-default source}): $fails of $runs runs failed"
	fi
}
safety "" 50
for src in timer itimer; do
	if env PG_BENCH_PROFILE_SOURCE=$src "$SUITE" -bench MallocChurn -benchtime 1x \
		-cpuprofile "$TMP/p-probe" >/dev/null 2>&1; then
		safety $src 10
	fi
done

finish
