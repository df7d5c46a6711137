#!/bin/sh
# perfgate store against an S3 server (s3rver behind the strict front of
# tests/servers/s3/start.js: SigV4 signatures verified, x-amz-content-sha256
# required and checked against every upload's body): round trips under a
# bucket and a prefix, head, cat, rm, paged listing, wrong and missing
# credentials, verbose logs without the secret.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"

unset AWS_SESSION_TOKEN AWS_PROFILE AWS_DEFAULT_REGION PERFGATE_S3_MAX_KEYS
store() { "$PERFGATE" store "$@"; }
expect_err_lacks() {
	if grep -qF -- "$1" "$TMP/err"; then not_ok "stderr contains $2"; else ok "stderr lacks $2"; fi
}
# log_mark; ...; log_since: the S3 server's request log lines since the mark
log_mark() { mark=$(wc -l <"$S3_LOG"); }
log_since() { tail -n +"$((mark + 1))" "$S3_LOG"; }

start_s3
export AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
	AWS_REGION="$S3_REGION" PERFGATE_S3_ENDPOINT="$S3_ENDPOINT"
U=$S3_URL

# --- a 5 MB round trip; the upload carries the body's SHA-256 (the server
# refuses it otherwise)
head -c 5242880 /dev/urandom >"$TMP/big"
log_mark
run store --store "$U" put v1/proj/baselines/c0ffee/big.bin "$TMP/big"
expect_rc 0 "put 5 MB"
expect_empty_out
log_since >"$TMP/log"
grep -q '^PUT /perfgate/v1/proj/baselines/c0ffee/big\.bin -> 200$' "$TMP/log" &&
	ok "the server took the upload (path-style, signed, SHA-256 checked)" ||
	not_ok "server log: $(tr '\n' '|' <"$TMP/log")"
run store --store "$U" get v1/proj/baselines/c0ffee/big.bin "$TMP/big.out"
expect_rc 0 "get 5 MB"
cmp -s "$TMP/big" "$TMP/big.out" && ok "get returns the 5 MB byte for byte" || not_ok "get returned other bytes"
run store --store "$U" head v1/proj/baselines/c0ffee/big.bin
expect_rc 0 "head"
expect_out '^v1/proj/baselines/c0ffee/big\.bin 5242880$'

printf 'one line\nand another\n' >"$TMP/small"
run store --store "$U" put v1/proj/refs/main "$TMP/small"
expect_rc 0 "put a small object"
run store --store "$U" cat v1/proj/refs/main
expect_rc 0 "cat"
cmp -s "$TMP/small" "$TMP/out" && ok "cat prints the object exactly" || not_ok "cat printed other bytes"
: >"$TMP/empty"
run store --store "$U" put v1/proj/empty "$TMP/empty"
expect_rc 0 "put an empty object"
run store --store "$U" head v1/proj/empty
expect_out '^v1/proj/empty 0$'

# --- keys with every allowed punctuation character (signed as S3 does)
odd='v1/odd/a+b=c@d,e:f~g_h-i.txt'
run store --store "$U" put "$odd" "$TMP/small"
expect_rc 0 "put $odd"
run store --store "$U" cat "$odd"
expect_rc 0 "cat $odd"
cmp -s "$TMP/small" "$TMP/out" && ok "the odd key reads back" || not_ok "other bytes"
run store --store "$U" ls v1/odd/
expect_out '^21 v1/odd/a\+b=c@d,e:f~g_h-i\.txt$'

# --- a store below a prefix of the bucket
log_mark
run store --store "$U/team/perf" put v1/p/obj "$TMP/small"
expect_rc 0 "put below s3://bucket/prefix"
log_since | grep -q '^PUT /perfgate/team/perf/v1/p/obj -> 200$' && ok "stored under the prefix" ||
	not_ok "server log: $(log_since | tr '\n' '|')"
run store --store "$U/team/perf" ls
expect_rc 0 "ls of the prefixed store"
expect_out '^21 v1/p/obj$'
expect_lines "$TMP/out" 1
run store --store "$U" ls team/
expect_out '^21 team/perf/v1/p/obj$'

# --- rm
run store --store "$U" rm v1/proj/refs/main
expect_rc 0 "rm"
run store --store "$U" get v1/proj/refs/main "$TMP/gone"
expect_rc 2 "get after rm"
expect_err 'v1/proj/refs/main'
[ ! -e "$TMP/gone" ] && ok "no file created for an absent object" || not_ok "get created a file"
run store --store "$U" head v1/proj/refs/main
expect_rc 2 "head after rm"
run store --store "$U" cat v1/proj/refs/main
expect_rc 2 "cat after rm"
run store --store "$U" rm v1/proj/refs/main
expect_rc 0 "rm of an absent object"

# --- ls over several pages: 5 objects, 2 per page
for i in 1 2 3 4 5; do
	printf '%s\n' "object $i" >"$TMP/p$i"
	run store --store "$U" put "v1/pages/n$i/obj" "$TMP/p$i"
	[ "$rc" -eq 0 ] || not_ok "put v1/pages/n$i/obj: exit $rc"
done
log_mark
run env PERFGATE_S3_MAX_KEYS=2 "$PERFGATE" store --store "$U" ls v1/pages/
expect_rc 0 "ls with PERFGATE_S3_MAX_KEYS=2"
printf '9 v1/pages/n%s/obj\n' 1 2 3 4 5 >"$TMP/want"
cmp -s "$TMP/want" "$TMP/out" && ok "all 5 objects, sorted, with sizes" ||
	not_ok "ls: $(tr '\n' '|' <"$TMP/out")"
log_since >"$TMP/log"
pages=$(grep -c '^GET /perfgate/\{0,1\}?.*list-type=2.* -> 200$' "$TMP/log")
[ "$pages" -eq 3 ] && ok "3 pages requested" || not_ok "$pages list requests: $(tr '\n' '|' <"$TMP/log")"
tokens=$(grep -c '^GET /perfgate/\{0,1\}?continuation-token=[^&]' "$TMP/log")
[ "$tokens" -eq 2 ] && ok "pages 2 and 3 asked with the continuation token" ||
	not_ok "$tokens requests with a continuation token"
grep -q 'max-keys=2' "$TMP/log" && ok "max-keys=2 sent" || not_ok "no max-keys=2 in the requests"
run store --store "$U" ls v1/pages/
cmp -s "$TMP/want" "$TMP/out" && ok "the same in one page" || not_ok "ls: $(tr '\n' '|' <"$TMP/out")"
run store --store "$U" ls v1/nothing-here/
expect_rc 0 "ls of an absent prefix"
expect_empty_out

# --- a push writes the manifest after every object of its set (a reader
# never sees a manifest naming objects not there yet), and the ref last
C=abcdef0123456789abcdef0123456789abcdef01
printf 'profile one\n' >"$TMP/one.pb.gz"
printf 'profile two\n' >"$TMP/two.pb.gz"
log_mark
run "$PERFGATE" baseline push --store "$U" --project ml --commit $C --branch main \
	"$TOP/tests/data/go-old.txt" "$TMP/one.pb.gz" "$TMP/two.pb.gz"
expect_rc 0 "baseline push of a results file and two profiles"
log_since | sed -n 's/^PUT \([^ ]*\) -> 200$/\1/p' >"$TMP/puts"
set="/perfgate/v1/ml/baselines/$C"
if [ "$(wc -l <"$TMP/puts")" -eq 5 ] &&
	[ "$(sed -n 4p "$TMP/puts")" = "$set/manifest.json" ] &&
	[ "$(sed -n 5p "$TMP/puts")" = "/perfgate/v1/ml/refs/main" ] &&
	[ "$(head -n 3 "$TMP/puts" | grep -c "^$set/u[0-9TZ]*-[0-9a-f]*/")" -eq 3 ]; then
	ok "the three objects, then the manifest, then the ref"
else
	not_ok "PUTs in this order: $(tr '\n' ' ' <"$TMP/puts")"
fi

# --- -v: one line per request, never the secret
run store -v --store "$U" put v1/verbose "$TMP/small"
expect_rc 0 "put -v"
expect_err "^perfgate: store: PUT $S3_ENDPOINT/perfgate/v1/verbose -> 200 "
n=$(grep -c '^perfgate: store: [A-Z]* http' "$TMP/err")
[ "$n" -eq 1 ] && ok "one request logged for one put" || not_ok "$n requests logged"
expect_err_lacks "$S3_SECRET_KEY" "the secret key"

# --- wrong or missing credentials
wrong="wrong-secret-$$-zq"
run env AWS_SECRET_ACCESS_KEY="$wrong" "$PERFGATE" store -v --store "$U" cat v1/verbose
expect_rc 3 "a wrong secret key"
expect_err 'HTTP 403'
expect_err_lacks "$wrong" "the wrong secret"
expect_err_lacks "$S3_SECRET_KEY" "the secret"
n=$(grep -c '^perfgate: store: GET ' "$TMP/err")
[ "$n" -eq 1 ] && ok "a 403 is not retried" || not_ok "$n attempts for a 403"
run env AWS_SECRET_ACCESS_KEY="$wrong" "$PERFGATE" store --store "$U" put v1/refused "$TMP/small"
expect_rc 3 "put with a wrong secret key"
expect_err 'HTTP 403'
run store --store "$U" head v1/refused
expect_rc 2 "nothing was stored"
run env AWS_ACCESS_KEY_ID=NOSUCHKEY "$PERFGATE" store --store "$U" cat v1/verbose
expect_rc 3 "an unknown access key id"
expect_err 'HTTP 403'
run env AWS_REGION=eu-west-3 "$PERFGATE" store --store "$U" cat v1/verbose
expect_rc 3 "a signature for the wrong region"
expect_err 'HTTP 400'

log_mark
run env -u AWS_ACCESS_KEY_ID "$PERFGATE" store --store "$U" cat v1/verbose
expect_rc 2 "no AWS_ACCESS_KEY_ID"
expect_err 'AWS_ACCESS_KEY_ID'
expect_empty_out
run env -u AWS_SECRET_ACCESS_KEY "$PERFGATE" store --store "$U" cat v1/verbose
expect_rc 2 "no AWS_SECRET_ACCESS_KEY"
expect_err 'AWS_SECRET_ACCESS_KEY'
[ -z "$(log_since)" ] && ok "no request made without credentials" ||
	not_ok "requests made: $(log_since | tr '\n' '|')"

finish
