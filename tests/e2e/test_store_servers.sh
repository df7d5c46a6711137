#!/bin/sh
# The store tests' servers (tests/servers/) behave as those tests assume,
# checked with the curl CLI: nginx's WebDAV, basic auth and TLS; the S3
# server's strictness (signatures verified, x-amz-content-sha256 required
# and checked against the body); the fault server's faults and counters.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"

if ! command -v curl >/dev/null 2>&1; then
	not_ok "curl is not installed (Debian package curl; .ci/install-deps.sh installs it)"
	finish
	exit 1
fi

# req NAME CURL-ARGS...: run curl; $code is the HTTP status ("000" for
# none), $crc curl's exit status, the body in $TMP/body
req() {
	code=$(curl -sS -o "$TMP/body" -w '%{http_code}' "$@" 2>"$TMP/err")
	crc=$?
}
expect_code() {
	if [ "$code" = "$1" ]; then ok "$2: HTTP $code"; else
		not_ok "$2: HTTP $code (curl exit $crc), expected $1"
		sed 's/^/#   /' "$TMP/body" "$TMP/err" | head -20
	fi
}
expect_body() {
	if grep -Eq -- "$1" "$TMP/body"; then ok "body matches /$1/"; else
		not_ok "body does not match /$1/"
		sed 's/^/#   /' "$TMP/body" | head -20
	fi
}

printf 'hello store\n' >"$TMP/small"
sha() { sha256sum "$1" | cut -d' ' -f1; }
EMPTY_SHA=$(printf '' | sha256sum | cut -d' ' -f1)

# ------------------------------------------------------------ nginx
start_nginx
req -T "$TMP/small" "$NGINX_HTTP/v1/a/b/c.txt"
expect_code 201 "nginx: PUT creates the full path"
cmp -s "$TMP/small" "$NGINX_ROOT/open/v1/a/b/c.txt" && ok "the object is a file under NGINX_ROOT" ||
	not_ok "no '$NGINX_ROOT/open/v1/a/b/c.txt' with the content"
req "$NGINX_HTTP/v1/a/b/c.txt"
expect_code 200 "nginx: GET"
cmp -s "$TMP/small" "$TMP/body" && ok "GET returns what PUT sent" || not_ok "GET returned other bytes"
req -X PROPFIND -H 'Depth: 1' "$NGINX_HTTP/v1/a/b/"
expect_code 207 "nginx: PROPFIND Depth 1"
expect_body '<D:href>/open/v1/a/b/c.txt</D:href>'
expect_body '<D:getcontentlength>12</D:getcontentlength>'
req -X PROPFIND -H 'Depth: 1' "$NGINX_HTTP/v1/nothing/"
expect_code 404 "nginx: PROPFIND of an absent collection"
req -X DELETE "$NGINX_HTTP/v1/a/b/c.txt"
expect_code 204 "nginx: DELETE"
req "$NGINX_HTTP/v1/a/b/c.txt"
expect_code 404 "nginx: GET after DELETE"
req "$NGINX_HTTP/"
expect_code 403 "nginx: no directory listing (autoindex off)"

req -T "$TMP/small" "$NGINX_HTTP_AUTH/k"
expect_code 401 "nginx /auth/: no credentials"
req -u "$NGINX_USER:wrong-$NGINX_PASSWORD" -T "$TMP/small" "$NGINX_HTTP_AUTH/k"
expect_code 401 "nginx /auth/: a wrong password"
req -u "$NGINX_USER:$NGINX_PASSWORD" -T "$TMP/small" "$NGINX_HTTP_AUTH/k"
expect_code 201 "nginx /auth/: the right credentials"

req "$NGINX_HTTPS/v1/none"
if [ "$crc" -eq 60 ]; then ok "nginx https: refused without the CA (curl exit 60)"; else
	not_ok "nginx https without --cacert: curl exit $crc, HTTP $code (expected exit 60)"
fi
req --cacert "$NGINX_CA" -u "$NGINX_USER:$NGINX_PASSWORD" "$NGINX_HTTPS_AUTH/k"
expect_code 200 "nginx https with --cacert and credentials"
cmp -s "$TMP/small" "$TMP/body" && ok "https GET returns the object" || not_ok "https GET body"

# ------------------------------------------------------------ S3
start_s3
S3="$S3_ENDPOINT/$S3_BUCKET"
SIGV4="aws:amz:$S3_REGION:s3"
KEYS="$S3_ACCESS_KEY:$S3_SECRET_KEY"

# curl's --aws-sigv4 (7.88) sends no x-amz-content-sha256 of its own:
# the requirement bites
req --aws-sigv4 "$SIGV4" --user "$KEYS" -T "$TMP/small" "$S3/v1/k"
expect_code 400 "s3: a signed PUT without x-amz-content-sha256"
expect_body '<Code>InvalidRequest</Code><Message>Missing required header for this request: x-amz-content-sha256'
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" "$S3/v1/k"
expect_code 404 "s3: ... and nothing was stored"
expect_body '<Code>NoSuchKey</Code>'

req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $(sha "$TMP/small")" \
	-T "$TMP/small" "$S3/v1/k"
expect_code 200 "s3: a signed PUT with the body's SHA-256"
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" "$S3/v1/k"
expect_code 200 "s3: signed GET"
cmp -s "$TMP/small" "$TMP/body" && ok "s3 GET returns what PUT sent" || not_ok "s3 GET body"

printf 'other bytes\n' >"$TMP/other"
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $(sha "$TMP/other")" \
	-T "$TMP/small" "$S3/v1/k2"
expect_code 400 "s3: x-amz-content-sha256 that is not the body's"
expect_body '<Code>XAmzContentSHA256Mismatch</Code>'
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" \
	-T "$TMP/small" "$S3/v1/k2"
expect_code 400 "s3: UNSIGNED-PAYLOAD on an upload"

req --aws-sigv4 "$SIGV4" --user "$S3_ACCESS_KEY:wrong-secret" \
	-H "x-amz-content-sha256: $EMPTY_SHA" "$S3/v1/k"
expect_code 403 "s3: a wrong secret key"
expect_body '<Code>SignatureDoesNotMatch</Code>'
req --aws-sigv4 "$SIGV4" --user "NOSUCHKEY:$S3_SECRET_KEY" \
	-H "x-amz-content-sha256: $EMPTY_SHA" "$S3/v1/k"
expect_code 403 "s3: an unknown access key id"
expect_body '<Code>InvalidAccessKeyId</Code>'
req --aws-sigv4 "aws:amz:eu-west-3:s3" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" "$S3/v1/k"
expect_code 400 "s3: a signature for another region"
expect_body '<Code>AuthorizationHeaderMalformed</Code>'
req -H "x-amz-content-sha256: $EMPTY_SHA" "$S3/v1/k"
expect_code 403 "s3: an unsigned request"
expect_body '<Code>AccessDenied</Code>'

# ListObjectsV2; curl 7.88 signs the query string as written, so the
# parameters go in SigV4's sorted order
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" \
	"$S3?list-type=2&max-keys=10&prefix=v1%2F"
expect_code 200 "s3: ListObjectsV2"
expect_body '<Key>v1/k</Key>'
# more than one page: s3rver's continuation tokens (DES: node runs with
# --openssl-legacy-provider)
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $(sha "$TMP/other")" \
	-T "$TMP/other" "$S3/v1/l"
expect_code 200 "s3: a second object"
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" \
	"$S3?list-type=2&max-keys=1&prefix=v1%2F"
expect_code 200 "s3: ListObjectsV2, first page of 1"
expect_body '<Key>v1/k</Key>'
expect_body '<IsTruncated>true</IsTruncated>'
token=$(sed -n 's|.*<NextContinuationToken>\([^<]*\)</NextContinuationToken>.*|\1|p' "$TMP/body")
token=$("$PYTHON" -c 'import sys, urllib.parse; print(urllib.parse.quote(sys.argv[1], safe=""))' "$token")
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" \
	"$S3?continuation-token=$token&list-type=2&max-keys=1&prefix=v1%2F"
expect_code 200 "s3: ListObjectsV2, second page"
expect_body '<Key>v1/l</Key>'
expect_body '<IsTruncated>false</IsTruncated>'
req --aws-sigv4 "$SIGV4" --user "$KEYS" -H "x-amz-content-sha256: $EMPTY_SHA" \
	"$S3?prefix=v1%2F&list-type=2"
expect_code 403 "s3: a query string signed unsorted (as real S3 would)"

# ------------------------------------------------------------ faults
start_faults --accept-header "X-Test-Token: let-me-in"
req -T "$TMP/small" "$FAULTS_URL/fail-2-503/v1/x"
expect_code 503 "faults: the first failure"
req -T "$TMP/small" "$FAULTS_URL/fail-2-503/v1/x"
expect_code 503 "faults: the second failure"
req -T "$TMP/small" "$FAULTS_URL/fail-2-503/v1/x"
expect_code 201 "faults: then a store"
req "$FAULTS_URL/fail-2-503/v1/x"
expect_code 200 "faults: GET"
cmp -s "$TMP/small" "$TMP/body" && ok "faults GET returns what PUT sent" || not_ok "faults GET body"
n=$(faults_count /fail-2-503/v1/x)
[ "$n" = 4 ] && ok "faults: 4 requests counted" || not_ok "faults: $n requests counted, expected 4"
req "$FAULTS_URL/ok/v1/none"
expect_code 404 "faults: an absent object"
req "$FAULTS_URL/status-403/v1/x"
expect_code 403 "faults: a fixed status"
req "$FAULTS_URL/close/v1/x"
[ "$crc" -eq 52 ] && ok "faults: closed without an answer (curl exit 52)" ||
	not_ok "faults /close/: curl exit $crc, HTTP $code"
t0=$(now_ms)
req -m 1 "$FAULTS_URL/slow-5/v1/x"
t=$(($(now_ms) - t0))
[ "$crc" -eq 28 ] && [ "$t" -lt 4000 ] && ok "faults: slow answer, curl timed out in $t ms" ||
	not_ok "faults /slow-5/: curl exit $crc after $t ms"
req -T "$TMP/small" "$FAULTS_URL/corrupt/v1/x"
expect_code 201 "faults: PUT to /corrupt/"
req "$FAULTS_URL/corrupt/v1/x"
expect_code 200 "faults: GET from /corrupt/"
if ! cmp -s "$TMP/small" "$TMP/body" && [ "$(wc -c <"$TMP/body")" -eq "$(wc -c <"$TMP/small")" ]; then
	ok "faults: the corrupted object has the same size, other bytes"
else
	not_ok "faults: /corrupt/ served the object unchanged or resized"
fi
req -T "$TMP/small" "$FAULTS_URL/cut-1/v1/x"
expect_code 201 "faults: PUT to /cut-1/"
req "$FAULTS_URL/cut-1/v1/x"
[ "$crc" -eq 18 ] && [ "$(wc -c <"$TMP/body")" -eq 6 ] && ok "faults: the first GET from /cut-1/ is cut in half (curl exit 18)" ||
	not_ok "faults /cut-1/: curl exit $crc, $(wc -c <"$TMP/body") bytes"
req "$FAULTS_URL/cut-1/v1/x"
expect_code 200 "faults: the second GET from /cut-1/"
cmp -s "$TMP/small" "$TMP/body" && ok "faults: ... is whole" || not_ok "faults: the second GET from /cut-1/ differs"
req -T "$TMP/small" "$FAULTS_URL/auth/v1/x"
expect_code 401 "faults /auth/: without the header"
req -H "X-Test-Token: let-me-in" -T "$TMP/small" "$FAULTS_URL/auth/v1/x"
expect_code 201 "faults /auth/: with the header"
faults_headers /auth/v1/x >"$TMP/headers"
grep -q '^x-test-token: let-me-in$' "$TMP/headers" && ok "faults: the headers received are recorded" ||
	not_ok "faults: recorded headers: $(cat "$TMP/headers")"

finish
