#!/bin/sh
# The build command of make experiment-noise's scratch projects (copied
# into each as build.sh): builds ./suite, the example suite, from this
# commit's sources. A commit with a slowdown.txt is a code change that makes
# BenchmarkHash/fnv1a-64K slower: the extra work of PG_EXAMPLE_SLOWDOWN,
# compiled in. PKG_CONFIG_PATH must name perfgate's build directory.
set -e
if [ -s slowdown.txt ]; then
	set -- "-DPG_EXAMPLE_BUILT_IN_SLOWDOWN=\"$(cat slowdown.txt)\""
fi
# shellcheck disable=SC2046 # pkg-config's output is a list of words
cc -O2 -g "$@" -o suite ./*.c $(pkg-config --cflags --libs perfgate-bench jansson) -lm
