#!/bin/sh
# Install, from Debian 12 packages, everything perfgate needs to build and
# everything its tests need. Run as root (or through sudo). Idempotent.
#
#   .ci/install-deps.sh          build and test dependencies
#   .ci/install-deps.sh build    only what `make` and `make demo` need
set -eu

BUILD_PKGS="gcc make pkg-config git ca-certificates
	libgit2-dev libcurl4-openssl-dev libgsl-dev libjansson-dev zlib1g-dev
	libssl-dev libxml2-dev libprotobuf-c-dev protobuf-c-compiler libdw-dev
	valgrind"
TEST_PKGS="clang libcmocka-dev python3 g++ libbenchmark-dev golang-go chromium linux-perf"
# The store tests' servers (tests/servers/): nginx with WebDAV, openssl for
# its test certificates, curl for the servers' self-checks; Node.js and npm
# for the S3 server (s3rver), from Debian only where the machine has none.
TEST_PKGS="$TEST_PKGS nginx libnginx-mod-http-dav-ext openssl curl"
# The CI templates' tests (tests/e2e/test_ci_templates.sh, test_hook.sh):
# the YAML parser and linter, jq (the GitLab template's metrics report),
# an OpenMetrics parser to check that report, shellcheck for the scripts.
TEST_PKGS="$TEST_PKGS python3-yaml yamllint jq python3-prometheus-client shellcheck"
# scipy and numpy: `make check-refs` regenerates the statistics tests'
# reference values from their scripts (tests/stats/gen_*.py).
TEST_PKGS="$TEST_PKGS python3-scipy python3-numpy"
command -v node >/dev/null 2>&1 || TEST_PKGS="$TEST_PKGS nodejs"
command -v npm >/dev/null 2>&1 || TEST_PKGS="$TEST_PKGS npm"

case "${1:-all}" in
build) PKGS="$BUILD_PKGS" ;;
all) PKGS="$BUILD_PKGS $TEST_PKGS" ;;
*) echo "usage: $0 [build|all]" >&2; exit 2 ;;
esac

if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		exec sudo "$0" "$@"
	fi
	echo "install-deps: run as root: apt-get install $PKGS" | tr '\n\t' '  ' >&2
	echo >&2
	exit 1
fi

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
if [ -n "$missing" ]; then
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing
fi
