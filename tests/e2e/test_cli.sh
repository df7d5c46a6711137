#!/bin/sh
# The command dispatcher: help, version, unknown commands, exit codes.
. "$(dirname "$0")/lib.sh"

run "$PERFGATE" help
expect_rc 0 "perfgate help"
expect_out '^usage: perfgate <command>'
expect_out '^   version +print the version'

run "$PERFGATE"
expect_rc 2 "perfgate without a command is a usage error"
expect_err '^usage: perfgate'

run "$PERFGATE" frobnicate
expect_rc 2 "an unknown command"
expect_err "^perfgate: 'frobnicate' is not a perfgate command"

run "$PERFGATE" --version
expect_rc 0 "perfgate --version"
expect_out '^perfgate [0-9]+\.[0-9]+\.[0-9]+$'

# a failed write to stdout is not reported as success
if [ -w /dev/full ]; then
	"$PERFGATE" help >/dev/full 2>"$TMP/err"
	rc=$?
	expect_rc 3 "writing to a full device"
	expect_err 'write failure on standard output'
fi

finish
