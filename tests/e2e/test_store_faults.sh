#!/bin/sh
# perfgate store against failing servers (tests/servers/faults.py, which
# counts the requests it gets): what is retried and what is not, a dead
# server, a slow one and one that never answers given up on within the
# retry budget, downloads and uploads started over after a failure.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"

store() { "$PERFGATE" store "$@"; }
expect_count() {
	n=$(faults_count "$1")
	if [ "$n" = "$2" ]; then ok "$3: $n requests for $1"; else not_ok "$3: $n requests for $1, expected $2"; fi
}
# expect_ms MS MIN MAX what
expect_ms() {
	if [ "$1" -ge "$2" ] && [ "$1" -lt "$3" ]; then ok "$4 in $1 ms"; else
		not_ok "$4 took $1 ms, expected [$2, $3) ms"
	fi
}

start_faults
F=$FAULTS_URL
printf 'one line\nand another\n' >"$TMP/small"
head -c 1048576 /dev/urandom >"$TMP/big"

# --- a 500, then success: retried once
run store -v --store "$F/fail-1-500" put v1/a "$TMP/small"
expect_rc 0 "put answered 500 once"
expect_count /fail-1-500/v1/a 2 "the put was retried"
expect_err "^perfgate: store: PUT $F/fail-1-500/v1/a -> 500 \(.*retrying in"
expect_err "^perfgate: store: PUT $F/fail-1-500/v1/a -> 201 "
n=$(grep -c '^perfgate: store: PUT ' "$TMP/err")
[ "$n" -eq 2 ] && ok "-v logged both requests" || not_ok "-v logged $n requests"
run store --store "$F/fail-1-500" cat v1/a
expect_rc 0 "cat after the retried put"
cmp -s "$TMP/small" "$TMP/out" && ok "the retried upload stored the whole object" || not_ok "other bytes"

# the retried upload of a larger file starts over from its first byte
run store --store "$F/fail-1-503" put v1/big "$TMP/big"
expect_rc 0 "put of 1 MB answered 503 once"
expect_count /fail-1-503/v1/big 2 "the put was retried"
run store --store "$F/fail-1-503" get v1/big "$TMP/big.out"
expect_rc 0 "get it back"
cmp -s "$TMP/big" "$TMP/big.out" && ok "the retried upload sent the whole file again" ||
	not_ok "the stored object differs from the file"

# 429 and 503 are retried too; a GET as well (then a 404: no such object)
run store --store "$F/fail-1-429" put v1/c "$TMP/small"
expect_rc 0 "put answered 429 once"
expect_count /fail-1-429/v1/c 2 "429 retried"
run store --store "$F/fail-1-503" cat v1/none
expect_rc 2 "a GET answered 503, then 404"
expect_count /fail-1-503/v1/none 2 "the GET was retried, the 404 was not"

# a download cut short is started over, not appended to
run store --store "$F/cut-1" put v1/cut "$TMP/big"
expect_rc 0 "put for the cut download"
run store --store "$F/cut-1" get v1/cut "$TMP/cut.out"
expect_rc 0 "a download cut in the middle once"
cmp -s "$TMP/big" "$TMP/cut.out" && ok "the retried download is whole, nothing appended twice" ||
	not_ok "the downloaded file differs ($(wc -c <"$TMP/cut.out") bytes)"
expect_count /cut-1/v1/cut 3 "one put, two gets"
run store --store "$F/cut-1" cat v1/cut
cmp -s "$TMP/big" "$TMP/out" && ok "cat of it" || not_ok "cat: other bytes"

# --- not retried: 404, 403, 401, 400
run store --store "$F/ok" get v1/missing "$TMP/missing"
expect_rc 2 "get of an absent object"
expect_count /ok/v1/missing 1 "a 404 is not retried"
[ ! -e "$TMP/missing" ] && ok "no file created" || not_ok "a file was created"
run store --store "$F/ok" head v1/missing
expect_rc 2 "head of an absent object"
expect_count /ok/v1/missing 2 "one more request"
for code in 403 401 400; do
	run store --store "$F/status-$code" get v1/x "$TMP/x"
	expect_rc 3 "an HTTP $code"
	expect_err "HTTP $code"
	expect_count "/status-$code/v1/x" 1 "a $code is not retried"
done

# --- a server that keeps failing: --attempts bounds the requests
run store --store "$F/fail-9-500" --attempts 3 --retry-budget 20 put v1/d "$TMP/small"
expect_rc 3 "a server answering 500 every time"
expect_err 'HTTP 500'
expect_err 'after 3 attempts'
expect_count /fail-9-500/v1/d 3 "3 attempts"
run store --store "$F/fail-9-500" --attempts 1 cat v1/e
expect_rc 3 "--attempts 1"
expect_count /fail-9-500/v1/e 1 "no retry"

# --- a connection closed without an answer: retried, then given up
run store --store "$F/close" --attempts 3 --retry-budget 20 cat v1/f
expect_rc 3 "a server that closes without answering"
expect_err 'after 3 attempts'
expect_count /close/v1/f 3 "3 attempts"

# --- nothing listening: exit 3 within the retry budget
port=$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
t0=$(now_ms)
run store --store "http://127.0.0.1:$port/store" --retry-budget 3 --connect-timeout 1 get v1/g "$TMP/g"
t=$(($(now_ms) - t0))
expect_rc 3 "a server that is down"
expect_err "127\.0\.0\.1:$port"
expect_err "[Cc]ould ?n.t connect|[Cc]onnection refused"
expect_err 'after [2-9][0-9]* attempts'
expect_ms "$t" 0 10000 "given up on within the retry budget of 3 s"
[ ! -e "$TMP/g" ] && ok "no file created" || not_ok "a file was created"

# --- a server slower than --timeout: exit 3 with a timeout, within bounds
t0=$(now_ms)
run store --store "$F/slow-30" --timeout 1 --retry-budget 3 cat v1/h
t=$(($(now_ms) - t0))
expect_rc 3 "a server slower than --timeout 1"
expect_err '[Tt]imed? ?out'
expect_ms "$t" 1000 10000 "given up on after at least one 1 s timeout"
n=$(faults_count /slow-30/v1/h)
[ "$n" -ge 1 ] && [ "$n" -le 3 ] && ok "$n attempts within a budget of 3 s" || not_ok "$n attempts"

# --- a server that takes the request and never answers, with the default
# options (--timeout 120, --retry-budget 30): the first attempt is
# abandoned after 15 s without a byte moving, the retry after the 15 s
# left, so it is given up on within about 30 s, not after 120 s
t0=$(now_ms)
run store --store "$F/slow-300" cat v1/hang
t=$(($(now_ms) - t0))
expect_rc 3 "a server that never answers, default options"
expect_err "^perfgate: download of '$F/slow-300/v1/hang' failed: timed out: no data sent or received for [0-9.]+ s \(after 2 attempts in (29|3[0-2])\.[0-9] s\)\$"
expect_ms "$t" 29000 35000 "given up on within the default retry budget of 30 s"
expect_count /slow-300/v1/hang 2 "abandoned once, retried once"

# slow but within --timeout: no timeout, no retry
run store --store "$F/slow-0.3" --timeout 5 put v1/i "$TMP/small"
expect_rc 0 "a server slower than usual but within --timeout"
expect_count /slow-0.3/v1/i 1 "no retry"

# --- a store without WebDAV (Nexus raw, GitLab's generic packages):
# push, pull and gate work; ls and prune fail with one line that says so,
# and a 501 is not retried
OLD=$TOP/tests/data/go-old.txt
C1=1111111111111111111111111111111111111111
NO_PROPFIND="the server does not support WebDAV PROPFIND, which listing needs: baseline ls and prune need a WebDAV server, e.g. nginx with dav_ext, or S3; gate, refresh, push and pull work without it"
# expect_no_listing STORE NAME WHY: push and pull work on STORE; ls and
# prune fail (exit 3) in one line "list of '...' failed: WHY (NO_PROPFIND)"
expect_no_listing() {
	run "$PERFGATE" baseline push --store "$1" --project demo --commit $C1 --branch main "$OLD"
	expect_rc 0 "push to $2"
	run "$PERFGATE" baseline pull --store "$1" --project demo --commit $C1 -o "$TMP/pulled-$2"
	expect_rc 0 "pull from it"
	cmp -s "$OLD" "$TMP/pulled-$2/results.txt" && ok "the results came back" || not_ok "other results"
	for cmd in ls "prune --older-than 30d"; do
		# shellcheck disable=SC2086
		run "$PERFGATE" baseline $cmd --store "$1" --project demo
		expect_rc 3 "baseline $cmd on $2"
		expect_err "^perfgate: list of '$1/v1/demo/(baselines/)?' failed: $3 \($NO_PROPFIND\)\$"
		expect_lines "$TMP/err" 1
	done
}
for code in 405 501; do
	expect_no_listing "$F/nodav-$code" "a store without PROPFIND ($code)" "HTTP $code [A-Za-z ]+"
	expect_count "/nodav-$code/v1/demo/" 1 "prune asked once (not retried)"
done
# GitLab's generic package registry answers PROPFIND with 404, which on a
# WebDAV server means an absent folder: known by its URL, ls and prune
# fail at once, in one line, instead of finding nothing
G=/nodav-404/api/v4/projects/7/packages/generic/perfgate/0.0.1
expect_no_listing "$F$G" "GitLab's generic package registry (emulated)" \
	"GitLab's generic package registry cannot list folders"
expect_count "$G/v1/demo/" 0 "no PROPFIND sent"

finish
