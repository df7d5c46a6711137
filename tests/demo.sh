#!/bin/sh
# make demo: the main job on the built-in defaults. For now: compare the
# bundled example results (real `go test -bench` output, see
# tests/data/README.md) and print the table.
set -eu
PERFGATE=$1
TOP=$(cd "$(dirname "$0")/.." && pwd)
echo "\$ perfgate compare tests/data/go-old.txt tests/data/go-new.txt"
cd "$TOP"
"$PERFGATE" compare tests/data/go-old.txt tests/data/go-new.txt
