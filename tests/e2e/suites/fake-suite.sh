#!/bin/sh
# A fake benchmark suite for the runner's tests: prints the Go benchmark
# format with deterministic numbers, and misbehaves on request.
#
#   fake-suite.sh MODE STATEFILE
#
# STATEFILE counts the invocations (1, 2, ...): the value printed is
# 1000 + the invocation number, so a test can tell which runs were kept.
# MODE: ok | affinity (reports its CPU affinity and nice value as
# configuration) | seed (a configuration line 'seed: 100 + invocation') | crash-on-N | hang-on-N (waits for a child that sleeps
# 60 s) | fail-on-N (exit 1) | empty-on-N (prints no benchmark line) |
# garbage-on-N (a malformed line)
set -u
mode=$1
state=$2
n=$(( $(cat "$state" 2>/dev/null || echo 0) + 1 ))
echo "$n" >"$state"
at=${mode##*-on-}

echo "goos: linux"
echo "pkg: fake"
case $mode in
affinity)
	echo "affinity: $(sed -n 's/^Cpus_allowed_list:[[:space:]]*//p' /proc/self/status)"
	echo "niceness: $(nice)"
	;;
seed) echo "seed: $((100 + n))" ;;
crash-on-*) [ "$n" -eq "$at" ] && { echo "fake: about to crash" >&2; kill -SEGV $$; } ;;
hang-on-*)
	# hang in a child whose command line holds a unique marker
	# (STATEFILE-hang-child) and whose pid is in STATEFILE.child, so a
	# test can tell whether the kill reached the whole process group
	if [ "$n" -eq "$at" ]; then
		sh -c 'sleep 60; : "$0"' "$state-hang-child" &
		echo "$!" >"$state.child"
		wait
	fi
	;;
fail-on-*) [ "$n" -eq "$at" ] && { echo "fake: something failed" >&2; exit 1; } ;;
empty-on-*) [ "$n" -eq "$at" ] && { echo "PASS"; exit 0; } ;;
garbage-on-*) [ "$n" -eq "$at" ] && { echo "BenchmarkFake/a 100 12x ns/op"; exit 0; } ;;
esac
echo "BenchmarkFake/a	100	$((1000 + n)) ns/op	64 B/op"
echo "BenchmarkFake/b	100	$((2000 + n)) ns/op	64 B/op"
echo "PASS"
