#!/bin/sh
# The C benchmark harness as users see it: the public header compiles as
# C99, C11 and C++17 with GCC and Clang; suites link with pkg-config's
# flags; the example suite's command line, output, exit codes and its
# injected slowdown (PG_EXAMPLE_SLOWDOWN). Timing never decides a check:
# runs use -benchtime 1x/10x and checks look at structure and counts.
. "$(dirname "$0")/lib.sh"

BUILD_DIR=${PG_BUILD:-$(dirname "$PERFGATE")}
SUITE=$BUILD_DIR/examples/example-suite
SUITES=$TOP/tests/bench-runner/suites
export PKG_CONFIG_PATH="$BUILD_DIR"
WARN="-Wall -Wextra -Werror -Wshadow"
CWARN="$WARN -Wstrict-prototypes -Wmissing-prototypes"

have() { command -v "$1" >/dev/null 2>&1; }

# a library built with SANITIZE=1 never counts allocations
if nm "$BUILD_DIR/libperfgate_bench.a" 2>/dev/null | grep -q '__asan_version_mismatch_check'; then
	ASAN_LIB=1
else
	ASAN_LIB=0
fi

# count_out PATTERN: number of stdout lines matching PATTERN
count_out() { grep -Ec -- "$1" "$TMP/out"; }

expect_count() {
	n=$(count_out "$1")
	if [ "$n" -eq "$2" ]; then ok "$2 lines match /$1/"; else not_ok "$n lines match /$1/, expected $2"; fi
}

# ---------------------------------------------------------------- pkg-config
run pkg-config --cflags --libs perfgate-bench
expect_rc 0 "pkg-config finds perfgate-bench in the build tree"
# the archive is static: its libraries (protobuf-c, zlib, libdw for
# -cpuprofile) come with it
expect_out "^-I$TOP/bench-runner/include -L$BUILD_DIR -lperfgate_bench( -fsanitize=[a-z,]+)? .*-lprotobuf-c.* -lz.* -ldw"
PC_CFLAGS=$(pkg-config --cflags perfgate-bench)
PC_LIBS=$(pkg-config --libs perfgate-bench)

# ---------------------------------------------------------------- the header, as C and C++
# build NAME COMPILER FLAGS...: compile the user suite into $TMP/NAME
build() {
	name=$1 compiler=$2
	shift 2
	run "$compiler" "$@" $PC_CFLAGS "$SUITES/user_suite.c" "$SUITES/second_tu.c" \
		-o "$TMP/$name" $PC_LIBS
	expect_rc 0 "user suite compiles: $compiler $*"
}

check_user_suite() {
	run "$TMP/$1" -benchtime 10x -benchmem
	expect_rc 0 "$1 runs"
	expect_out '^goos: linux$'
	expect_out '^pkg: '"$1"'$'
	expect_out "^compiler: $2"
	expect_out '^BenchmarkEmpty +	      10	'
	expect_out '^BenchmarkCopy/size=64	      10	.* MB/s	.* ns/byte'
	expect_out '^BenchmarkCopy/size=4096	'
	expect_out '^BenchmarkSecondUnit +	      10	'
	expect_no_out '^BenchmarkCopy[ 	]'
	if grep -q '^benchmem: unavailable' "$TMP/out"; then
		expect_no_out 'B/op'
	else
		expect_out '^BenchmarkAlloc3 +	      10	.*	     300 B/op	       3 allocs/op$'
	fi
	expect_out '^PASS$'
}

build suite-c99 gcc -std=c99 -pedantic $CWARN
check_user_suite suite-c99 "gcc [0-9]"
build suite-c11 gcc -std=c11 -pedantic $CWARN
check_user_suite suite-c11 "gcc [0-9]"
# C++: compile the same sources as C++17 with g++
run g++ -std=c++17 -pedantic $WARN $PC_CFLAGS -x c++ "$SUITES/user_suite.c" \
	"$SUITES/second_tu.c" -x none -o "$TMP/suite-cxx" $PC_LIBS
expect_rc 0 "user suite compiles as C++17 with g++"
check_user_suite suite-cxx "g\\+\\+ [0-9]"
if have clang && have clang++; then
	build suite-clang clang -std=c99 -pedantic $CWARN
	check_user_suite suite-clang "clang [0-9]"
	run clang++ -std=c++17 -pedantic $WARN $PC_CFLAGS -x c++ "$SUITES/user_suite.c" \
		"$SUITES/second_tu.c" -x none -o "$TMP/suite-clangxx" $PC_LIBS
	expect_rc 0 "user suite compiles as C++17 with clang++"
	check_user_suite suite-clangxx "clang\\+\\+ [0-9]"
fi

# two translation units, two compilers: both named
run gcc -std=c11 $CWARN $PC_CFLAGS -c "$SUITES/user_suite.c" -o "$TMP/user_suite.o"
expect_rc 0 "compile the C part"
run g++ -std=c++17 $WARN $PC_CFLAGS -x c++ -c "$SUITES/second_tu.c" -o "$TMP/second_tu.o"
expect_rc 0 "compile the C++ part"
run g++ "$TMP/user_suite.o" "$TMP/second_tu.o" -o "$TMP/suite-mixed" $PC_LIBS
expect_rc 0 "link C and C++ objects"
run "$TMP/suite-mixed" -bench Empty -benchtime 1x
expect_rc 0 "mixed suite runs"
expect_out '^compiler: gcc [0-9][0-9.]*, g\+\+ [0-9][0-9.]*$'

# a suite's own main() replaces the library's
run gcc -std=c11 $CWARN $PC_CFLAGS "$SUITES/own_main.c" -o "$TMP/own-main" $PC_LIBS
expect_rc 0 "a suite with its own main links"
run "$TMP/own-main" -benchtime 1x
expect_rc 0 "own main runs"
expect_out '^build-flavour: own main 42$'
expect_out '^BenchmarkOwn +	       1	'

# a suite built with AddressSanitizer against the (non-ASan) library: no
# crash, no B/op figures, one note
run gcc -std=c11 -fsanitize=address $CWARN $PC_CFLAGS "$SUITES/user_suite.c" \
	"$SUITES/second_tu.c" -o "$TMP/suite-asan" $PC_LIBS
expect_rc 0 "user suite links with -fsanitize=address"
run "$TMP/suite-asan" -benchtime 10x -benchmem
expect_rc 0 "ASan suite runs"
expect_count '^benchmem: unavailable under AddressSanitizer$' 1
expect_no_out 'B/op'
# memory from ASan's strdup interceptor freed through the harness's free()
run gcc -std=c11 -fsanitize=address $CWARN $PC_CFLAGS "$SUITES/own_main.c" \
	-o "$TMP/own-main-asan" $PC_LIBS
expect_rc 0 "own-main suite links with -fsanitize=address"
run "$TMP/own-main-asan" -benchtime 1x -benchmem
expect_rc 0 "ASan suite frees memory from a sanitizer interceptor"
expect_out '^benchmem: unavailable under AddressSanitizer$'

if [ "$ASAN_LIB" -eq 0 ]; then
	# an allocator in a shared library is bypassed: said in the configuration
	run gcc -std=c11 -shared -fPIC $CWARN "$SUITES/fake_allocator.c" -o "$TMP/libfakealloc.so"
	expect_rc 0 "build a shared library with its own malloc"
	run gcc -std=c11 $CWARN $PC_CFLAGS "$SUITES/user_suite.c" "$SUITES/second_tu.c" \
		-o "$TMP/suite-foreign" $PC_LIBS -L"$TMP" -Wl,--no-as-needed -lfakealloc \
		-Wl,-rpath,"$TMP"
	expect_rc 0 "link a suite with it"
	run "$TMP/suite-foreign" -benchtime 10x -benchmem
	expect_rc 0 "the suite runs"
	expect_count "^allocator: glibc malloc \(the harness's malloc replaces the one of libfakealloc.so\)\$" 1
	expect_out '^BenchmarkAlloc3 +	      10	.*	     300 B/op	       3 allocs/op$'
	run env LD_PRELOAD="$TMP/libfakealloc.so" "$TMP/suite-c11" -bench Empty -benchtime 1x
	expect_rc 0 "a suite with a preloaded allocator runs"
	expect_count "^allocator: glibc malloc \(the harness's malloc replaces the one of libfakealloc.so\)\$" 1
	run "$TMP/suite-c11" -bench Empty -benchtime 1x
	expect_no_out '^allocator:'

	# a malloc linked into the program wins over the harness's: counting is off
	run gcc -std=c11 $CWARN $PC_CFLAGS "$SUITES/user_suite.c" "$SUITES/second_tu.c" \
		"$SUITES/fake_allocator.c" -o "$TMP/suite-own-malloc" $PC_LIBS
	expect_rc 0 "link a suite with its own malloc"
	run "$TMP/suite-own-malloc" -benchtime 10x -benchmem
	expect_rc 0 "the suite runs"
	expect_count "^benchmem: unavailable \(the program's malloc is not the harness's" 1
	expect_no_out 'B/op'
fi

# each result line is flushed as it is printed: with stdout a file (fully
# buffered), the first result is there while the second benchmark waits
# for the test to release it (bounded waits on both sides, no timing)
run gcc -std=c11 $CWARN $PC_CFLAGS "$SUITES/flush_suite.c" -o "$TMP/flush-suite" $PC_LIBS
expect_rc 0 "the flushing suite builds"
PG_TEST_RELEASE="$TMP/release" "$TMP/flush-suite" -benchtime 1x >"$TMP/flush.out" \
	2>"$TMP/flush.err" &
flush_pid=$!
i=0
while ! grep -q '^BenchmarkFlush/first' "$TMP/flush.out" && [ "$i" -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
if grep -q '^BenchmarkFlush/first' "$TMP/flush.out"; then
	ok "the first result line is out while the second benchmark runs"
else
	not_ok "no first result line before the second benchmark ended: $(cat "$TMP/flush.out")"
fi
grep -q '^BenchmarkFlush/blocked' "$TMP/flush.out" && not_ok "the blocked benchmark did not wait" ||
	ok "the second benchmark was still waiting"
: >"$TMP/release"
wait "$flush_pid"
rc=$?
expect_rc 0 "the flushing suite ends once released"
grep -q '^BenchmarkFlush/blocked' "$TMP/flush.out" && ok "then the second result line" ||
	not_ok "no second result line: $(cat "$TMP/flush.out" "$TMP/flush.err")"

# the harness builds on its own: C11 + POSIX, no include path into common/ or
# stats/ (only the code generated from the pprof schema, for -cpuprofile)
run sh -c "cd '$TOP' && for f in bench-runner/harness/*.c; do \
	cc -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE $CWARN -Ibench-runner/include \
	-I'$BUILD_DIR/gen' -c \"\$f\" -o '$TMP/standalone.o' || exit 1; done"
expect_rc 0 "the harness compiles without -I. (self-contained)"
run grep -lE '#include "(common|stats|gate)/' $TOP/bench-runner/harness/*.c \
	$TOP/bench-runner/harness/*.h $TOP/bench-runner/include/perfgate/bench.h
expect_rc 1 "the harness includes nothing from common/, stats/ or gate/"

# ---------------------------------------------------------------- the example suite
run "$SUITE" -list .
expect_rc 0 "-list"
expect_out '^BenchmarkSort$'
expect_out '^BenchmarkHash$'
expect_out '^BenchmarkJSON$'
expect_no_out '/'
expect_no_out '^goos'
n=$(wc -l <"$TMP/out")
if [ "$n" -ge 9 ]; then ok "at least 9 benchmarks listed ($n)"; else not_ok "$n benchmarks listed"; fi

run "$SUITE" -test.list '^BenchmarkS'
expect_rc 0 "-test.list"
expect_out '^BenchmarkSort$'
expect_out '^BenchmarkStringBuild$'
expect_no_out '^BenchmarkHash$'

run "$SUITE" -bench . -benchtime 1x -count 2 -benchmem
expect_rc 0 "every example benchmark runs"
expect_out '^goos: linux$'
expect_out '^goarch: '
expect_out '^pkg: example-suite$'
expect_out '^compiler: (gcc|clang) [0-9]'
expect_count '^instructions: ' "$(grep -q 'instructions/op' "$TMP/out" && echo 0 || echo 1)"
expect_count '^Benchmark' 28
expect_count '^BenchmarkSort/n=100 ' 2
expect_count '^BenchmarkSort/n=10000	' 2
expect_count '^BenchmarkHash/fnv1a-64K	.* MB/s' 2
expect_count '^BenchmarkMemcpy/(64B|4KB|1MB) .* MB/s' 6
expect_count '^BenchmarkListWalk .* ns/node' 2
expect_no_out '^BenchmarkSort[ 	]'
expect_no_out '^slowdown:'
if ! grep -q '^benchmem: unavailable' "$TMP/out"; then
	expect_count '^BenchmarkJSON .*[1-9][0-9]* allocs/op$' 2
	expect_count '^BenchmarkMallocChurn .*	   25504 B/op	      32 allocs/op$' 2
fi
expect_out '^PASS$'
cp "$TMP/out" "$TMP/old.txt"

# perfgate reads the harness's output
run "$SUITE" -bench 'Hash|Sort' -benchtime 1x -count 3
cp "$TMP/out" "$TMP/new.txt"
run "$PERFGATE" compare "$TMP/old.txt" "$TMP/new.txt"
if [ "$rc" -eq 0 ] || [ "$rc" -eq 1 ]; then ok "perfgate compare reads the output (exit $rc)"; else not_ok "perfgate compare: exit $rc"; fi
expect_out 'Hash/fnv1a-64K'

run "$SUITE" --test.bench='^Sort/n=100$' --test.benchtime=5x
expect_rc 0 "sub-benchmark filter"
expect_count '^Benchmark' 1
expect_out '^BenchmarkSort/n=100 *	       5	'

# -cpuprofile is tested in test_profile_capture.sh
run "$SUITE" -cpuprofile "$TMP/prof" -cpuprofilerate 0 -bench Hash
expect_rc 2 "an invalid -cpuprofilerate"
expect_err "^perfgate-bench: invalid -cpuprofilerate '0': not an integer from 1 to 10000 \\(Hz\\)$"
expect_empty_out

run "$SUITE" -benchtim 1s
expect_rc 2 "an unknown flag"
expect_err "^perfgate-bench: unknown flag '-benchtim'$"
expect_err '^usage: example-suite '
expect_empty_out

run "$SUITE" -benchtime 1q
expect_rc 2 "an invalid -benchtime"
expect_err "^perfgate-bench: invalid -benchtime '1q'"

run "$SUITE" -bench '(' -benchtime 1x
expect_rc 2 "an invalid -bench regex"
expect_err "^perfgate-bench: -bench: invalid regular expression '\\('"

run "$SUITE" -h
expect_rc 0 "-h"
expect_out '^usage: example-suite '

if [ -w /dev/full ]; then
	"$SUITE" -bench Hash -benchtime 1x >/dev/full 2>"$TMP/err"
	rc=$?
	expect_rc 3 "writing to a full device"
	expect_err 'write failure on standard output'
fi

# ---------------------------------------------------------------- PG_EXAMPLE_SLOWDOWN
run env PG_EXAMPLE_SLOWDOWN=5 "$SUITE" -bench 'Hash|Memcpy/64B' -benchtime 10x
expect_rc 0 "PG_EXAMPLE_SLOWDOWN=5"
expect_count '^slowdown: Hash/fnv1a-64K \+5%$' 1
expect_out '^BenchmarkHash/fnv1a-64K	      10	'
expect_out '^PASS$'

run env PG_EXAMPLE_SLOWDOWN=2.5 "$SUITE" -list Hash
expect_rc 0 "PG_EXAMPLE_SLOWDOWN=2.5"
run env PG_EXAMPLE_SLOWDOWN=2.5 "$SUITE" -bench Hash -benchtime 1x
expect_out '^slowdown: Hash/fnv1a-64K \+2\.5%$'

for bad in '' abc -3 5% nan inf 1e999 ' 5' 0x10; do
	run env PG_EXAMPLE_SLOWDOWN="$bad" "$SUITE" -bench Hash -benchtime 1x
	expect_rc 2 "PG_EXAMPLE_SLOWDOWN='$bad' is refused"
	expect_err "^example-suite: invalid PG_EXAMPLE_SLOWDOWN '"
	expect_empty_out
done

# the extra work is its own, exactly named, not inlined function
if have nm; then
	run nm "$SUITE"
	expect_out ' T pg_example_injected_slowdown$'
fi

# ---------------------------------------------------------------- the README's example
# The README shows tests/bench-runner/suites/readme_example.c verbatim: the
# block must not drift from the file, and the file must build and run.
EX=$SUITES/readme_example.c
"$PYTHON" - "$TOP/README.md" "$EX" <<'PY' && ok "README shows readme_example.c verbatim" || not_ok "README example differs from $EX"
import sys
readme, src = open(sys.argv[1]).read(), open(sys.argv[2]).read()
start = readme.index("```c\n/* sort_bench.c") + len("```c\n")
assert readme[start:readme.index("```", start)] == src
PY
run cc -O2 -Wall -Wextra -Werror "$EX" $PC_CFLAGS $PC_LIBS -o "$TMP/sort_bench"
expect_rc 0 "the README example builds with pkg-config"
run "$TMP/sort_bench" -bench . -benchtime 20x -count 2 -benchmem
expect_rc 0 "the README example runs"
expect_count '^BenchmarkSortInts/n=100	 +20	' 2
expect_count '^BenchmarkSortInts/n=10000	 +20	' 2
expect_count '^BenchmarkChecksum *	 +20	 +[0-9]+ ns/op	 *[0-9.]+ MB/s	 +0 B/op	 +0 allocs/op$' 2
run "$PERFGATE" run -q -n 2 --warmup 0 -- "$TMP/sort_bench" -benchtime 20x
expect_rc 0 "perfgate run on the README example"
expect_count '^BenchmarkSortInts/n=100 20 ' 2

finish
