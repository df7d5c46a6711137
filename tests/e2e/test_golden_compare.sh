#!/bin/sh
# Data-driven golden cases for perfgate compare: each directory under
# tests/golden/compare/ holds the inputs, an `args` file (the command line
# after "perfgate compare", run inside the case's directory), an expected
# exit status in `status` (default 0) and the expected stdout in
# `expected`. UPDATE_GOLDEN=1 rewrites `expected` (review the diff!).
. "$(dirname "$0")/lib.sh"

for dir in "$TOP"/tests/golden/compare/*/; do
	name=$(basename "$dir")
	want_status=0
	[ -f "$dir/status" ] && want_status=$(cat "$dir/status")
	# shellcheck disable=SC2046
	(cd "$dir" && exec "$PERFGATE" compare $(cat args)) >"$TMP/out" 2>"$TMP/err"
	rc=$?
	expect_rc "$want_status" "golden $name"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$TMP/out" "$dir/expected"
	fi
	if diff -u "$dir/expected" "$TMP/out" >"$TMP/diff"; then
		ok "golden $name: output as expected"
	else
		not_ok "golden $name: output differs"
		sed 's/^/#   /' "$TMP/diff" | head -40
	fi
done

finish
