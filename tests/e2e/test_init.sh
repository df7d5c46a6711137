#!/bin/sh
# perfgate init: a starter perfgate.json at the top of the repository (even
# from a subdirectory), never overwritten without --force, valid JSON.
. "$(dirname "$0")/lib.sh"
pg() { "$PERFGATE" "$@"; }

# json_get FILE KEY: print the value of top-level KEY as JSON
json_get() {
	"$PYTHON" -c 'import json, sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"
}

REPO=$TMP/repo
mkdir -p "$REPO/src/deep"
git init -q "$REPO"
REPO=$(cd "$REPO" && pwd -P)

# --- from a subdirectory: written at the top
run sh -c 'cd "$1/src/deep" && "$2" init' sh "$REPO" "$PERFGATE"
expect_rc 0 "perfgate init in a subdirectory"
expect_out "^wrote $REPO/perfgate.json\$"
expect_out '^next: set "suite"'
[ -f "$REPO/perfgate.json" ] && ok "perfgate.json at the top" || not_ok "no perfgate.json at the top"
[ -e "$REPO/src/deep/perfgate.json" ] && not_ok "written in the subdirectory" || ok "nothing in the subdirectory"
run "$PYTHON" -m json.tool "$REPO/perfgate.json"
expect_rc 0 "the starter is valid JSON"
[ "$(json_get "$REPO/perfgate.json" count)" = 10 ] && ok "count 10" || not_ok "count is not 10"
[ "$(json_get "$REPO/perfgate.json" suite)" = "[]" ] && ok "suite empty" || not_ok "suite not empty"
[ "$(json_get "$REPO/perfgate.json" baseline_branch)" = '"main"' ] && ok "baseline_branch main" \
	|| not_ok "baseline_branch is not main"
[ "$(json_get "$REPO/perfgate.json" thresholds)" = '{"default": 5, "metrics": {"instructions/op": 1}, "benchmarks": {}}' ] \
	&& ok "thresholds" || not_ok "thresholds: $(json_get "$REPO/perfgate.json" thresholds)"
keys=$("$PYTHON" -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))))' "$REPO/perfgate.json")
[ "$keys" = "suite build count warmup cpus timeout store project baseline_branch max_walk alpha test correction threshold_on thresholds directions missing_baseline require_same_host require_quiet upload require_upload quick profile measure" ] \
	&& ok "every key, in order" || not_ok "keys: $keys"
[ "$(json_get "$REPO/perfgate.json" quick)" = '{"count": 3, "warmup": 0, "args": [], "store": null, "benchtime": "100ms", "profile": false}' ] \
	&& ok "quick: a shorter benchtime, no profiled run" || not_ok "quick: $(json_get "$REPO/perfgate.json" quick)"

# --- refuses to overwrite
printf '{"count": 7}\n' >"$REPO/perfgate.json"
run sh -c 'cd "$1" && "$2" init' sh "$REPO" "$PERFGATE"
expect_rc 2 "perfgate init over an existing file"
expect_err "^perfgate: '$REPO/perfgate.json' exists already; use --force to overwrite it\$"
expect_empty_out
[ "$(cat "$REPO/perfgate.json")" = '{"count": 7}' ] && ok "the file is untouched" || not_ok "the file changed"

# --- a dangling symlink is not overwritten either
rm "$REPO/perfgate.json"
ln -s "$TMP/nowhere.json" "$REPO/perfgate.json"
run sh -c 'cd "$1" && "$2" init' sh "$REPO" "$PERFGATE"
expect_rc 2 "perfgate init over a dangling symlink"
[ -e "$TMP/nowhere.json" ] && not_ok "wrote through the symlink" || ok "nothing written through the symlink"
rm "$REPO/perfgate.json"
printf '{"count": 7}\n' >"$REPO/perfgate.json"

# --- --force overwrites, with the suite given
run sh -c 'cd "$1/src" && "$2" init --force --suite build/bench -benchtime 100ms --x' sh "$REPO" "$PERFGATE"
expect_rc 0 "perfgate init --force --suite"
expect_out "^wrote $REPO/perfgate.json\$"
expect_no_out '^next:'
run "$PYTHON" -m json.tool "$REPO/perfgate.json"
expect_rc 0 "the rewritten file is valid JSON"
[ "$(json_get "$REPO/perfgate.json" suite)" = '["build/bench", "-benchtime", "100ms", "--x"]' ] \
	&& ok "the suite is every word after --suite" || not_ok "suite: $(json_get "$REPO/perfgate.json" suite)"
[ "$(json_get "$REPO/perfgate.json" count)" = 10 ] && ok "count back to 10" || not_ok "count is not 10"
ls -A "$REPO" | grep -q 'perfgate.json.tmp' && not_ok "a temporary file was left" || ok "no temporary file left"

# --- -f and -- work too
run sh -c 'cd "$1" && "$2" init -f -- ./suite -benchmem' sh "$REPO" "$PERFGATE"
expect_rc 0 "perfgate init -f -- SUITE"
[ "$(json_get "$REPO/perfgate.json" suite)" = '["./suite", "-benchmem"]' ] \
	&& ok "the suite after --" || not_ok "suite: $(json_get "$REPO/perfgate.json" suite)"

# --- outside a repository: the current directory
mkdir "$TMP/plain"
PLAIN=$(cd "$TMP/plain" && pwd -P)
run sh -c 'cd "$1" && GIT_CEILING_DIRECTORIES="$2" "$3" init' sh "$PLAIN" "$(dirname "$PLAIN")" "$PERFGATE"
expect_rc 0 "perfgate init outside a repository"
expect_out "^wrote $PLAIN/perfgate.json\$"
run "$PYTHON" -m json.tool "$PLAIN/perfgate.json"
expect_rc 0 "valid JSON outside a repository"

# --- usage errors
run pg init --frobnicate
expect_rc 2 "an unknown option"
expect_err "^perfgate: unknown option '--frobnicate'\$"
expect_err '^usage: perfgate init'
run pg init --suite
expect_rc 2 "--suite without a command"
expect_err "^perfgate: --suite needs the benchmark command\$"
run pg init stray
expect_rc 2 "a stray argument"
expect_err "^perfgate: unexpected argument 'stray'"
run pg init --help
expect_rc 0 "perfgate init --help"
expect_out '^usage: perfgate init'
run pg help
expect_out '^   init +write a starter perfgate.json$'

finish
