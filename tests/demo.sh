#!/bin/sh
# make demo: the main job on the built-in defaults.
set -eu
PERFGATE=$1
"$PERFGATE" help
