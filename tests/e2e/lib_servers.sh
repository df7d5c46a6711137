# The real servers of the store's end-to-end tests (sourced after lib.sh).
# Each is started into $TMP/NAME on 127.0.0.1 with free ports and stopped
# when the test exits (also when it fails): see tests/servers/.
#
# start_nginx               nginx WebDAV; sets NGINX_* (tests/servers/nginx.sh)
# start_s3                  s3rver behind a strict front; sets S3_*
#                           (tests/servers/s3.sh)
# start_faults [ARGS...]    the fault-injecting server; sets FAULTS_URL,
#                           FAULTS_PORT (tests/servers/faults.py start ARGS)
# A server that cannot start fails the test, naming what to install.
#
# faults_count PATH         requests the faults server saw for PATH
# faults_headers PATH       the headers of its last request for PATH, one
#                           "name: value" line each, names lowercased
# now_ms                    wall clock in milliseconds
# Proxy settings of the environment are dropped: the tests talk to
# 127.0.0.1 only.

SERVERS=$TOP/tests/servers
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY

_stop_nginx() { "$SERVERS/nginx.sh" stop "$TMP/nginx"; }
_stop_s3() { "$SERVERS/s3.sh" stop "$TMP/s3"; }
_stop_faults() { "$PYTHON" "$SERVERS/faults.py" stop "$TMP/faults"; }

# _start NAME HOOK WHAT-TO-INSTALL COMMAND...
_start() {
	_name=$1 _hook=$2 _install=$3
	shift 3
	cleanup_hooks="$cleanup_hooks $_hook"
	if "$@" >"$TMP/out" 2>"$TMP/err"; then
		ok "$(cat "$TMP/out")"
		. "$TMP/$_name/env"
	else
		not_ok "cannot start the $_name test server ($_install)"
		finish
		exit 1
	fi
}

start_nginx() {
	_start nginx _stop_nginx \
		"Debian packages nginx libnginx-mod-http-dav-ext openssl: .ci/install-deps.sh installs them" \
		"$SERVERS/nginx.sh" start "$TMP/nginx"
}

start_s3() {
	_start s3 _stop_s3 \
		"node and 'npm ci --prefix tests/servers/s3': .ci/install-deps.sh and .ci/run do that" \
		"$SERVERS/s3.sh" start "$TMP/s3"
}

start_faults() {
	_start faults _stop_faults "Debian's /usr/bin/python3" \
		"$PYTHON" "$SERVERS/faults.py" start "$TMP/faults" "$@"
}

faults_count() {
	"$PYTHON" - "$FAULTS_URL" "$1" <<'PY'
import sys, urllib.parse, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
url = sys.argv[1] + "/__count?path=" + urllib.parse.quote(sys.argv[2])
print(opener.open(url, timeout=10).read().decode().strip())
PY
}

faults_headers() {
	"$PYTHON" - "$FAULTS_URL" "$1" <<'PY'
import json, sys, urllib.request
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
reqs = json.load(opener.open(sys.argv[1] + "/__requests", timeout=10))
last = [r for r in reqs if r["path"] == sys.argv[2]][-1:]
for r in last:
    for k, v in r["headers"].items():
        print("%s: %s" % (k.lower(), v))
PY
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}
