#!/bin/sh
# make experiment-noise: how often each way of measuring raises a false
# alarm on this machine, how often it catches a real slowdown, and what it
# costs in wall time. Real runs of the bundled example suite, real gates;
# nothing is simulated.
#
# For each mode, a scratch git repository holds a tiny "project": the
# example suite's sources, built per commit (a commit's slowdown.txt
# compiles PG_EXAMPLE_SLOWDOWN's extra work in: that commit's code is
# slower), and TRIALS times:
#   A/A      a commit that changes nothing is gated: any failure is a false alarm
#   +5%      a commit that makes BenchmarkHash/fnv1a-64K 5% slower (the work
#            of PG_EXAMPLE_SLOWDOWN=5, compiled in): caught?
#   +10%     the same with 10%
# For the modes that use a stored baseline (stored, confirm, callgrind)
# every trial first refreshes the baseline of main, so each trial compares
# two independent measurements taken minutes apart, as CI does.
#
# Modes:
#   stored     perfgate gate against the stored baseline (the default)
#   ab         perfgate gate --ab (the baseline built and measured here, ABBA)
#   ab-confirm perfgate gate --ab --confirm (suspects of that A/B measured again)
#   confirm    perfgate gate --confirm (stored first pass, A/B confirmation;
#              the default in CI when perfgate.json has a build command)
#   callgrind  perfgate gate --measure callgrind (instructions/op)
#
# Environment (defaults in brackets):
#   TRIALS [30]  COUNT [10, the gate's default]  MODES ["stored ab ab-confirm confirm callgrind"]
#   BENCH ['Hash|Sort/n=100$|Memcpy/4KB|MatMul64']  BENCHTIME [50ms]
#   CG_ITERATIONS [100]  (callgrind: the fixed number of iterations)
#   CG_COUNT [3]  (callgrind: runs per side; the counts of every run are
#                  identical, so more runs cost time and add nothing)
#   SLOWDOWNS ["5 10"]
# Every gate's output goes to $LOG (default build/experiment-noise.log),
# followed by "-- MODE BRANCH: exit RC wall SECONDS"; the table is made from
# the log by tests/bench/experiment_noise_table.py (which can be rerun on it):
# false alarms, the slowdowns caught (a row of Hash/fnv1a-64K flagged), the
# other rows that failed on the slowed builds, errors, wall time per gate.
set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$TOP/build}
case $BUILD in /*) ;; *) BUILD=$TOP/$BUILD ;; esac
PERFGATE=$BUILD/perfgate
EXAMPLE=$BUILD/examples/example-suite
TRIALS=${TRIALS:-30}
COUNT=${COUNT:-10}
MODES=${MODES:-stored ab ab-confirm confirm callgrind}
BENCH=${BENCH:-'Hash|Sort/n=100$|Memcpy/4KB|MatMul64'}
BENCHTIME=${BENCHTIME:-50ms}
CG_ITERATIONS=${CG_ITERATIONS:-100}
CG_COUNT=${CG_COUNT:-3}
SLOWDOWNS=${SLOWDOWNS:-5 10}
WORK=$(mktemp -d "${TMPDIR:-/tmp}/perfgate-noise.XXXXXX") || exit 3
LOG=${LOG:-$BUILD/experiment-noise.log}
: >"$LOG" || exit 3
trap 'rm -rf "$WORK"' EXIT
trap 'exit 130' INT TERM

for f in "$PERFGATE" "$EXAMPLE"; do
	[ -x "$f" ] || { echo "experiment-noise: '$f' is missing; run make first" >&2; exit 2; }
done
command -v valgrind >/dev/null 2>&1 || case " $MODES " in *" callgrind "*)
	echo "experiment-noise: valgrind is not installed; the callgrind mode is skipped" >&2
	MODES=$(echo " $MODES " | sed 's/ callgrind / /') ;;
esac
unset CI GITHUB_ACTIONS GITHUB_HEAD_REF GITHUB_REF_NAME GITHUB_BASE_REF GITHUB_RUN_ID \
	CI_COMMIT_REF_NAME CI_MERGE_REQUEST_TARGET_BRANCH_NAME PG_EXAMPLE_SLOWDOWN
export GIT_AUTHOR_NAME=perfgate GIT_AUTHOR_EMAIL=perfgate@localhost \
	GIT_COMMITTER_NAME=perfgate GIT_COMMITTER_EMAIL=perfgate@localhost \
	GIT_CONFIG_NOSYSTEM=1 HOME="$WORK/home" PKG_CONFIG_PATH="$BUILD"
mkdir -p "$HOME"

now() { date +%s.%N; }
progress() { [ -t 2 ] && printf '\r\033[K%s' "$*" >&2; :; }

# setup_repo MODE: the scratch project: the example suite's sources and
# build.sh (tests/bench/experiment_build.sh); branches same (a comment
# changes), slow5 and slow10 (a slowdown.txt: the slowdown compiled in).
# The candidate is built in the working tree as CI builds it; --ab builds
# the baseline with perfgate.json's "build".
setup_repo() {
	repo=$WORK/$1
	git init -q -b main "$repo" && cd "$repo" || exit 3
	cp "$TOP"/bench-runner/examples/*.c . &&
		cp "$TOP/tests/bench/experiment_build.sh" build.sh && chmod +x build.sh || exit 3
	printf '.perfgate/\nsuite\n' >.gitignore
	count=$COUNT
	if [ "$1" = callgrind ]; then
		args= count=$CG_COUNT
		measure=", \"measure\": {\"mode\": \"callgrind\", \"iterations\": $CG_ITERATIONS}"
	else
		args=", \"-benchtime\", \"$BENCHTIME\""
		measure=
	fi
	printf '{"suite": ["./suite", "-bench", "%s"%s], "build": "./build.sh", "count": %d%s}\n' \
		"$BENCH" "$args" "$count" "$measure" >perfgate.json
	git add . && git commit -qm base || exit 3
	git checkout -q -b same && echo "/* a comment */" >>example_suite.c &&
		git commit -qam same || exit 3
	for s in $SLOWDOWNS; do
		git checkout -q -b "slow$s" main && echo "$s" >slowdown.txt &&
			git add . && git commit -qm "slower by $s%" || exit 3
	done
	git checkout -q main
}

# gate MODE BRANCH: sets rc to the gate's exit status; adds its wall time
# to wall and counts it in ngates
gate() {
	gmode=$1 gbranch=$2
	git checkout -q "$gbranch" && ./build.sh >>"$LOG" 2>&1 ||
		{ echo "experiment-noise: cannot build $gbranch; see $LOG" >&2; exit 3; }
	case $gmode in
	stored|callgrind) set -- --no-confirm ;;
	ab) set -- --ab --no-confirm ;;
	ab-confirm) set -- --ab --confirm ;;
	confirm) set -- --confirm ;;
	esac
	t0=$(now)
	"$PERFGATE" gate -q --no-upload "$@" >>"$LOG" 2>&1
	rc=$?
	t1=$(now)
	gwall=$(echo "$t1 - $t0" | bc)
	wall=$(echo "$wall + $gwall" | bc)
	ngates=$((ngates + 1))
	echo "-- $gmode $gbranch: exit $rc wall $gwall" >>"$LOG"
}

refresh() {
	git checkout -q main && ./build.sh >>"$LOG" 2>&1 ||
		{ echo "experiment-noise: cannot build main; see $LOG" >&2; exit 3; }
	"$PERFGATE" baseline refresh -q >>"$LOG" 2>&1 ||
		{ echo "experiment-noise: baseline refresh failed; see the log" >&2; tail -5 "$LOG" >&2; exit 3; }
}

printf '%s\n' "experiment-noise: $TRIALS trials per mode, count $COUNT, -bench '$BENCH'," \
	"  -benchtime $BENCHTIME (callgrind: count $CG_COUNT, N=$CG_ITERATIONS), injected slowdowns: $SLOWDOWNS% on Hash/fnv1a-64K" >&2
for mode in $MODES; do
	setup_repo "$mode"
	fa=0 errors=0 wall=0 ngates=0
	for s in $SLOWDOWNS; do eval "caught_$s=0"; done
	t=1
	while [ "$t" -le "$TRIALS" ]; do
		progress "$mode: trial $t/$TRIALS"
		case $mode in ab|ab-confirm) ;; *) refresh ;; esac
		echo "== $mode trial $t" >>"$LOG"
		gate "$mode" same
		case $rc in 0) ;; 1) fa=$((fa + 1)) ;; *) errors=$((errors + 1)) ;; esac
		for s in $SLOWDOWNS; do
			gate "$mode" "slow$s"
			case $rc in
			0) ;;
			1) eval "caught_$s=\$((caught_$s + 1))" ;;
			*) errors=$((errors + 1)) ;;
			esac
		done
		t=$((t + 1))
	done
	progress ""
	# a first look on stderr (by exit status: a slowed build may fail
	# for other rows); the table below looks at the rows
	line="experiment-noise: $mode: $fa/$TRIALS A/A gates failed"
	for s in $SLOWDOWNS; do
		eval "c=\$caught_$s"
		line="$line, $c/$TRIALS +$s% gates failed"
	done
	printf '%s, %s errors, %.1f s/gate\n' "$line" "$errors" "$(echo "$wall / $ngates" | bc -l)" >&2
	[ "$errors" -eq 0 ] || echo "experiment-noise: $mode: $errors gate runs failed to run; see $LOG" >&2
done
# the table: false alarms, and a slowdown caught only when the gate flags
# Hash/fnv1a-64K itself (tests/bench/experiment_noise_table.py)
/usr/bin/python3 "$TOP/tests/bench/experiment_noise_table.py" "$LOG"
