#!/bin/sh
# The command dispatcher: help, version, unknown commands, exit codes.
. "$(dirname "$0")/lib.sh"

run "$PERFGATE" help
expect_rc 0 "perfgate help"
expect_out '^usage: perfgate <command>'
expect_out '^   version +print the version'

# "perfgate help CMD" is "perfgate CMD --help", for every command
for cmd in $(sed -n 's/^   \([a-z]*\)  .*/\1/p' "$TMP/out"); do
	"$PERFGATE" "$cmd" --help >"$TMP/want" 2>&1
	run "$PERFGATE" help "$cmd"
	expect_rc 0 "perfgate help $cmd"
	if cmp -s "$TMP/want" "$TMP/out"; then
		ok "perfgate help $cmd prints what $cmd --help prints"
	else
		not_ok "perfgate help $cmd differs from $cmd --help"
	fi
done
run "$PERFGATE" help compare
expect_out '^usage: perfgate compare '
expect_no_out '^usage: perfgate <command>'
run "$PERFGATE" help version
expect_out '^usage: perfgate version$'
run "$PERFGATE" help frobnicate
expect_rc 2 "help for an unknown command"
expect_err "^perfgate: 'frobnicate' is not a perfgate command"
expect_empty_out
run "$PERFGATE" help compare run
expect_rc 2 "help for two commands"

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
