#!/bin/sh
# perfgate store against a real WebDAV server (Debian's nginx, started by
# tests/servers/nginx.sh): round trips, listing, deletion, basic auth, TLS
# with --cacert, the insecure-http rule, verbose logs without credentials;
# and token auth against the fault server, which records the headers it
# received.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"

store() { "$PERFGATE" store "$@"; }
# expect_err_lacks WORD what: stderr does not contain WORD (fixed string)
expect_err_lacks() {
	if grep -qF -- "$1" "$TMP/err"; then not_ok "stderr contains $2"; else ok "stderr lacks $2"; fi
}
# elapsed_ok MS MAX what
elapsed_ok() {
	if [ "$1" -lt "$2" ]; then ok "$3 in $1 ms"; else not_ok "$3 took $1 ms (limit $2)"; fi
}

start_nginx
H=$NGINX_HTTP

# --- a 5 MB round trip: the server holds exactly the bytes, get returns them
head -c 5242880 /dev/urandom >"$TMP/big"
run store --store "$H" put v1/proj/baselines/c0ffee/big.bin "$TMP/big"
expect_rc 0 "put 5 MB"
expect_empty_out
cmp -s "$TMP/big" "$NGINX_ROOT/open/v1/proj/baselines/c0ffee/big.bin" &&
	ok "nginx holds the 5 MB object byte for byte" || not_ok "the object on the server differs"
run store --store "$H" get v1/proj/baselines/c0ffee/big.bin "$TMP/big.out"
expect_rc 0 "get 5 MB"
cmp -s "$TMP/big" "$TMP/big.out" && ok "get returns the 5 MB byte for byte" || not_ok "get returned other bytes"
# get replaces an existing file whole
printf 'old\n' >"$TMP/replaced"
run store --store "$H" get v1/proj/baselines/c0ffee/big.bin "$TMP/replaced"
expect_rc 0 "get over an existing file"
cmp -s "$TMP/big" "$TMP/replaced" && ok "the existing file was replaced" || not_ok "the file was not replaced"
# a trailing slash on the store URL changes nothing
run store --store "$H/" head v1/proj/baselines/c0ffee/big.bin
expect_rc 0 "head with a trailing slash on the URL"
expect_out '^v1/proj/baselines/c0ffee/big\.bin 5242880$'

# --- cat, head
printf 'one line\nand another\n' >"$TMP/small"
run store --store "$H" put v1/proj/refs/main "$TMP/small"
expect_rc 0 "put a small object"
run store --store "$H" cat v1/proj/refs/main
expect_rc 0 "cat"
cmp -s "$TMP/small" "$TMP/out" && ok "cat prints the object exactly" || not_ok "cat printed other bytes"
run store --store "$H" head v1/proj/refs/main
expect_rc 0 "head"
expect_out '^v1/proj/refs/main 21$'
expect_lines "$TMP/out" 1
# replacing an object
printf 'v2\n' >"$TMP/small2"
run store --store "$H" put v1/proj/refs/main "$TMP/small2"
expect_rc 0 "put over an existing object"
run store --store "$H" cat v1/proj/refs/main
cmp -s "$TMP/small2" "$TMP/out" && ok "the object was replaced" || not_ok "the old object is still served"

# --- keys with every allowed punctuation character reach the server as such
odd='v1/odd/a+b=c@d,e:f~g_h-i.txt'
run store --store "$H" put "$odd" "$TMP/small"
expect_rc 0 "put $odd"
[ -f "$NGINX_ROOT/open/$odd" ] && ok "the server stored '$odd' under its own name" ||
	not_ok "no file '$odd' on the server: $(ls "$NGINX_ROOT/open/v1/odd" 2>&1)"
run store --store "$H" cat "$odd"
expect_rc 0 "cat $odd"
cmp -s "$TMP/small" "$TMP/out" && ok "the odd key reads back" || not_ok "the odd key reads back other bytes"

# --- ls: nested keys, sizes, sorted, relative to the store root
for k in v1/tree/a.txt v1/tree/x/b.txt v1/tree/x/y/c.txt v1/tree/x/y/z/d.txt v1/other/e.txt; do
	run store --store "$H" put "$k" "$TMP/small"
	[ "$rc" -eq 0 ] || not_ok "put $k: exit $rc"
done
run store --store "$H" ls v1/tree/
expect_rc 0 "ls v1/tree/"
printf '%s\n' '21 v1/tree/a.txt' '21 v1/tree/x/b.txt' '21 v1/tree/x/y/c.txt' '21 v1/tree/x/y/z/d.txt' >"$TMP/want"
cmp -s "$TMP/want" "$TMP/out" && ok "ls lists the nested keys, sorted, with sizes" ||
	not_ok "ls v1/tree/: $(tr '\n' '|' <"$TMP/out")"
run store --store "$H" ls v1/tree/x/y/
expect_rc 0 "ls a deeper prefix"
expect_lines "$TMP/out" 2
run store --store "$H" ls
expect_rc 0 "ls everything"
expect_out '^5242880 v1/proj/baselines/c0ffee/big\.bin$'
expect_out '^21 v1/other/e\.txt$'
expect_out '^21 v1/odd/a\+b=c@d,e:f~g_h-i\.txt$'
expect_lines "$TMP/out" 8
LC_ALL=C sort -c -k2,2 "$TMP/out" 2>/dev/null && ok "ls output is sorted by key" || not_ok "ls output is not sorted"
run store --store "$H" ls v1/nothing-here/
expect_rc 0 "ls of an absent prefix"
expect_empty_out

# --- rm; then the object is gone, and removing it again succeeds
run store --store "$H" rm v1/tree/x/b.txt
expect_rc 0 "rm"
[ ! -e "$NGINX_ROOT/open/v1/tree/x/b.txt" ] && ok "the file left the server" || not_ok "the file is still on the server"
run store --store "$H" get v1/tree/x/b.txt "$TMP/gone"
expect_rc 2 "get after rm"
expect_err 'v1/tree/x/b\.txt'
[ ! -e "$TMP/gone" ] && ok "no file created for an absent object" || not_ok "get created '$TMP/gone'"
run store --store "$H" head v1/tree/x/b.txt
expect_rc 2 "head after rm"
run store --store "$H" cat v1/tree/x/b.txt
expect_rc 2 "cat after rm"
expect_empty_out
run store --store "$H" rm v1/tree/x/b.txt
expect_rc 0 "rm of an absent object"
run store --store "$H" ls v1/tree/
expect_lines "$TMP/out" 3

# --- basic auth
A=$NGINX_HTTP_AUTH
basic=$(printf '%s:%s' "$NGINX_USER" "$NGINX_PASSWORD" | base64 -w0)
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store --store "$A" put v1/auth/obj "$TMP/small"
expect_rc 0 "put with the right credentials"
[ -f "$NGINX_ROOT/auth/v1/auth/obj" ] && ok "the object is on the server" || not_ok "no object on the server"
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store --store "$A" cat v1/auth/obj
expect_rc 0 "cat with the right credentials"
cmp -s "$TMP/small" "$TMP/out" && ok "it reads back" || not_ok "it reads back other bytes"
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store --store "$A" ls v1/auth/
expect_rc 0 "ls with the right credentials"
expect_out '^21 v1/auth/obj$'

wrong="wrong-pass-$$-zq"
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$wrong" \
	"$PERFGATE" store --store "$A" cat v1/auth/obj
expect_rc 3 "a wrong password"
expect_err 'HTTP 401'
expect_err_lacks "$wrong" "the password"
expect_err_lacks "$(printf '%s:%s' "$NGINX_USER" "$wrong" | base64 -w0)" "the Authorization header"
expect_empty_out
run store --store "$A" cat v1/auth/obj
expect_rc 3 "no credentials"
expect_err 'HTTP 401'
run store --store "$A" put v1/auth/obj2 "$TMP/small"
expect_rc 3 "put without credentials"
expect_err 'HTTP 401'
[ ! -e "$NGINX_ROOT/auth/v1/auth/obj2" ] && ok "nothing was stored" || not_ok "an object was stored without credentials"

# --- -v: one line per request, never the password
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store -v --store "$A" put v1/auth/verbose "$TMP/small"
expect_rc 0 "put -v"
expect_err "^perfgate: store: PUT http://127\.0\.0\.1:$NGINX_PORT/auth/v1/auth/verbose -> 201 "
n=$(grep -c '^perfgate: store: [A-Z]* http' "$TMP/err")
[ "$n" -eq 1 ] && ok "one request logged for one put" || not_ok "$n requests logged for one put"
expect_err_lacks "$NGINX_PASSWORD" "the password"
expect_err_lacks "$basic" "the Authorization header"
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store --verbose --store "$A" get v1/auth/verbose "$TMP/v.out"
expect_rc 0 "get --verbose"
expect_err "^perfgate: store: GET http://127\.0\.0\.1:$NGINX_PORT/auth/v1/auth/verbose -> 200 "
n=$(grep -c '^perfgate: store: [A-Z]* http' "$TMP/err")
[ "$n" -eq 1 ] && ok "one request logged for one get" || not_ok "$n requests logged for one get"
expect_err_lacks "$NGINX_PASSWORD" "the password"
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$wrong" \
	"$PERFGATE" store -v --store "$A" cat v1/auth/verbose
expect_rc 3 "cat -v with a wrong password"
expect_err "^perfgate: store: GET http://127\.0\.0\.1:$NGINX_PORT/auth/v1/auth/verbose -> 401 "
expect_err_lacks "$wrong" "the wrong password"

# --- HTTPS: verified against --cacert; without it the connection fails
S=$NGINX_HTTPS
run store --store "$S" --cacert "$NGINX_CA" put v1/tls/obj "$TMP/big"
expect_rc 0 "put over https with --cacert"
run store --store "$S" --cacert "$NGINX_CA" get v1/tls/obj "$TMP/tls.out"
expect_rc 0 "get over https with --cacert"
cmp -s "$TMP/big" "$TMP/tls.out" && ok "https round trip" || not_ok "https round trip: other bytes"
run store --store "$S" get v1/tls/obj "$TMP/tls2.out"
expect_rc 3 "https without --cacert: the certificate is not trusted"
expect_err '[Cc]ertificate'
expect_err '--cacert'
[ ! -e "$TMP/tls2.out" ] && ok "no file written" || not_ok "a file was written"
run store --store "$S" put v1/tls/obj2 "$TMP/small"
expect_rc 3 "put over https without --cacert"
[ ! -e "$NGINX_ROOT/open/v1/tls/obj2" ] && ok "nothing was stored" || not_ok "an object was stored"
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store --store "$NGINX_HTTPS_AUTH" --cacert "$NGINX_CA" cat v1/auth/obj
expect_rc 0 "basic auth over https"
cmp -s "$TMP/small" "$TMP/out" && ok "it reads back over https" || not_ok "https cat: other bytes"
run store --store "$S" --cacert "$TMP/no-such-ca.pem" head v1/tls/obj
expect_rc 2 "--cacert naming no file"
expect_err 'no-such-ca\.pem'
run store --store "$S" --cacert "$TMP/small" head v1/tls/obj
expect_rc 2 "--cacert naming a file that is not PEM"

# --- credentials over plain http to a host that is not loopback: refused
# before any connection. These run in a network namespace of their own (no
# interface up), so that nothing could reach 10.255.255.1 even if the rule
# broke; the rule must still give exit 2 there.
isolate=""
if unshare -n true 2>/dev/null; then
	isolate="unshare -n"
elif unshare -rn true 2>/dev/null; then
	isolate="unshare -rn"
fi
if [ -z "$isolate" ]; then
	not_ok "cannot make a network namespace (unshare -n): the insecure-http checks need one"
else
	far=http://10.255.255.1/store
	for cred in "PERFGATE_STORE_USER=u PERFGATE_STORE_PASSWORD=p-$$" "PERFGATE_STORE_TOKEN=t-$$"; do
		t0=$(now_ms)
		# shellcheck disable=SC2086
		run env $cred $isolate "$PERFGATE" store --store "$far" --connect-timeout 1 \
			--retry-budget 2 cat v1/x
		t=$(($(now_ms) - t0))
		expect_rc 2 "credentials ($cred) over http to 10.255.255.1"
		expect_err '--allow-insecure-http'
		expect_err_lacks "p-$$" "the password"
		expect_err_lacks "t-$$" "the token"
		elapsed_ok "$t" 2000 "refused before connecting"
	done
	t0=$(now_ms)
	# shellcheck disable=SC2086
	run env PERFGATE_STORE_TOKEN=t-$$ $isolate "$PERFGATE" store --store "$far" \
		--allow-insecure-http --connect-timeout 1 --retry-budget 2 cat v1/x
	t=$(($(now_ms) - t0))
	expect_rc 3 "with --allow-insecure-http the request is made (and fails here)"
	if grep -q -- '--allow-insecure-http' "$TMP/err"; then not_ok "refused despite --allow-insecure-http"; else ok "not refused"; fi
	elapsed_ok "$t" 10000 "the failed connection"
	# shellcheck disable=SC2086
	run env $isolate "$PERFGATE" store --store "$far" --connect-timeout 1 --retry-budget 2 cat v1/x
	expect_rc 3 "no credentials: plain http anywhere is allowed (and fails here)"
	if grep -q -- '--allow-insecure-http' "$TMP/err"; then not_ok "refused without credentials"; else ok "not refused"; fi
fi
# loopback is fine without the option (the basic auth checks above), by name too
run env PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD" \
	"$PERFGATE" store --store "http://localhost:$NGINX_PORT/auth" head v1/auth/obj
expect_rc 0 "credentials over http to localhost"
expect_out '^v1/auth/obj 21$'

# --- token auth: the header the server receives (fault server, /auth/)
token="tok-$$-$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')"
start_faults --accept-header "Authorization: Bearer $token" --accept-header "JOB-TOKEN: $token"
F=$FAULTS_URL/auth
run env PERFGATE_STORE_TOKEN="$token" "$PERFGATE" store --store "$F" put v1/t/obj "$TMP/small"
expect_rc 0 "put with PERFGATE_STORE_TOKEN"
faults_headers /auth/v1/t/obj >"$TMP/headers"
grep -qx "authorization: Bearer $token" "$TMP/headers" && ok "sent as Authorization: Bearer" ||
	not_ok "headers received: $(tr '\n' '|' <"$TMP/headers")"
run env PERFGATE_STORE_TOKEN="$token" "$PERFGATE" store --store "$F" cat v1/t/obj
expect_rc 0 "cat with PERFGATE_STORE_TOKEN"
cmp -s "$TMP/small" "$TMP/out" && ok "it reads back" || not_ok "other bytes"

run env PERFGATE_STORE_TOKEN="$token" PERFGATE_STORE_TOKEN_HEADER=JOB-TOKEN \
	"$PERFGATE" store -v --store "$F" put v1/t/job "$TMP/small"
expect_rc 0 "put with PERFGATE_STORE_TOKEN_HEADER=JOB-TOKEN"
faults_headers /auth/v1/t/job >"$TMP/headers"
grep -qx "job-token: $token" "$TMP/headers" && ok "sent as JOB-TOKEN" ||
	not_ok "headers received: $(tr '\n' '|' <"$TMP/headers")"
grep -q '^authorization:' "$TMP/headers" && not_ok "an Authorization header was sent too" ||
	ok "no Authorization header"
expect_err "^perfgate: store: PUT $FAULTS_URL/auth/v1/t/job -> 201 "
expect_err_lacks "$token" "the token (-v)"

run env PERFGATE_STORE_TOKEN="wrong-$token" "$PERFGATE" store -v --store "$F" cat v1/t/obj
expect_rc 3 "a wrong token"
expect_err 'HTTP 401'
expect_err_lacks "$token" "the token"
n=$(faults_count /auth/v1/t/obj)
[ "$n" -eq 3 ] && ok "a 401 is not retried (3 requests in all for the path)" ||
	not_ok "$n requests for /auth/v1/t/obj, expected 3 (put, cat, the refused cat)"
run store --store "$F" cat v1/t/obj
expect_rc 3 "no token"
expect_err 'HTTP 401'

finish
