#!/bin/sh
# An S3 server for perfgate's end-to-end tests: s3rver (the npm package,
# pinned by tests/servers/s3/package-lock.json, installed by
# `npm ci --prefix tests/servers/s3`) behind the strict front of
# tests/servers/s3/start.js, which verifies Signature Version 4 signatures
# and requires x-amz-content-sha256 (the SHA-256 of the body on uploads).
#
#   tests/servers/s3.sh start DIR   DIR must be absent or empty
#   tests/servers/s3.sh stop DIR    nothing to do when not running
#
# Listens on 127.0.0.1 on a free port, one bucket made at start, the
# objects under DIR/data. start writes DIR/env, for the tests to source:
#   S3_ENDPOINT     http://127.0.0.1:PORT (PERFGATE_S3_ENDPOINT)
#   S3_PORT
#   S3_BUCKET       perfgate
#   S3_URL          s3://perfgate (the store URL)
#   S3_REGION       us-east-1 (AWS_REGION)
#   S3_ACCESS_KEY   S3RVER, the key id s3rver knows (AWS_ACCESS_KEY_ID)
#   S3_SECRET_KEY   random, made at start (AWS_SECRET_ACCESS_KEY)
#   S3_LOG          one line per request: "PUT /perfgate/KEY -> 200"
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
SRV_NAME=s3.sh
. "$HERE/lib.sh"

usage() {
	echo "usage: $0 start|stop DIR" >&2
	exit 2
}
[ $# -eq 2 ] || usage
DIR=$2

start() {
	command -v node >/dev/null 2>&1 ||
		srv_die "node is not installed (Debian packages nodejs npm; .ci/install-deps.sh installs them)"
	[ -f "$HERE/s3/node_modules/s3rver/package.json" ] ||
		srv_die "s3rver is not installed: run 'npm ci --prefix tests/servers/s3' (.ci/run does)"
	srv_check_dir "$DIR"
	DIR=$(cd "$DIR" && pwd)
	bucket=perfgate
	region=us-east-1
	access_key=S3RVER
	secret_key="perfgate-test-$(srv_random_hex 12)"
	# s3rver encrypts ListObjectsV2 continuation tokens with DES, which
	# OpenSSL 3 keeps in its legacy provider
	S3_FRONT_SECRET_KEY=$secret_key node --openssl-legacy-provider "$HERE/s3/start.js" --dir "$DIR" \
		--bucket "$bucket" --access-key "$access_key" --region "$region" \
		--port-file "$DIR/port" </dev/null >"$DIR/log" 2>&1 &
	pid=$!
	echo "$pid" >"$DIR/pid"
	if ! srv_wait_file "$DIR/port" 30 "$pid"; then
		cat "$DIR/log" >&2
		srv_stop_pid_file "$DIR/pid"
		srv_die "the S3 server did not start in 30 s"
	fi
	port=$(cat "$DIR/port")
	cat >"$DIR/env" <<-EOF
	S3_ENDPOINT='http://127.0.0.1:$port'
	S3_PORT=$port
	S3_BUCKET='$bucket'
	S3_URL='s3://$bucket'
	S3_REGION='$region'
	S3_ACCESS_KEY='$access_key'
	S3_SECRET_KEY='$secret_key'
	S3_LOG='$DIR/log'
	EOF
	echo "s3: http://127.0.0.1:$port, bucket $bucket (pid $pid, env in $DIR/env)"
}

case "$1" in
start) start ;;
stop) srv_stop_pid_file "$DIR/pid" ;;
*) usage ;;
esac
