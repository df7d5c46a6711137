#!/bin/sh
# perfgate baseline against the real remote stores: nginx WebDAV (with
# basic auth) and S3 (s3rver behind its strict SigV4 front). Round trip,
# listing, a corrupted object, a racing double push, prune.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_servers.sh"
unset AWS_SESSION_TOKEN AWS_PROFILE
OLD=$TOP/tests/data/go-old.txt
C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222
pg() { "$PERFGATE" "$@"; }

# check_store NAME URL CORRUPT-CMD: the same checks on each store;
# CORRUPT-CMD KEY FILE replaces an object behind perfgate's back
check_store() {
	name=$1 url=$2 corrupt=$3
	printf 'profile bytes\n' >"$TMP/Hash.pb.gz"
	run pg baseline push --store "$url" --project demo --commit $C1 --branch main "$OLD" "$TMP/Hash.pb.gz"
	expect_rc 0 "$name: push"
	run pg baseline ls --store "$url" --project demo
	expect_rc 0 "$name: ls"
	expect_out "^111111111111 +main \\(latest\\) "
	rm -rf "$TMP/pull"
	run pg baseline pull --store "$url" --project demo --commit $C1 -o "$TMP/pull"
	expect_rc 0 "$name: pull"
	cmp -s "$OLD" "$TMP/pull/results.txt" && ok "$name: results identical" || not_ok "$name: results differ"
	cmp -s "$TMP/Hash.pb.gz" "$TMP/pull/profiles/Hash.pb.gz" && ok "$name: profile identical" ||
		not_ok "$name: profile differs"

	# a corrupted object is refused, not used
	key=$(pg store --store "$url" ls v1/demo/baselines/$C1/ | awk '/results.txt$/ {print $2}')
	sed 's/ns\/op/ns\/OP/' "$OLD" >"$TMP/corrupted"
	$corrupt "$key" "$TMP/corrupted"
	rm -rf "$TMP/bad"
	run pg baseline pull --store "$url" --project demo --commit $C1 -o "$TMP/bad"
	expect_rc 3 "$name: a corrupted object"
	expect_err "^perfgate: checksum mismatch for '.*/v1/demo/baselines/$C1/u[0-9TZ]+-[0-9a-f]{8}/results.txt'"
	[ -e "$TMP/bad/results.txt" ] && not_ok "$name: corrupted file kept" || ok "$name: corrupted file not kept"

	# racing pushes: both succeed, and leave one complete baseline every time
	race_pushes "$name" "$url" $C2 3

	# prune through the store's listing: the 5 stray uploads of the 3 races go
	PERFGATE_NOW=2099-01-01T00:00:00Z run pg baseline prune --store "$url" --project demo --older-than 1d --keep-last 5
	expect_rc 0 "$name: prune"
	expect_out "^deleted 0 runs, 0 baselines and 5 orphaned uploads "
	n=$(pg store --store "$url" ls v1/demo/baselines/$C2/ | grep -c results.txt)
	[ "$n" -eq 1 ] && ok "$name: one upload of $C2 left" || not_ok "$name: $n uploads of $C2 left"
	run pg baseline pull --store "$url" --project demo --commit $C2 -o "$TMP/rp2"
	expect_rc 0 "$name: the surviving baseline still pulls"
}

# --- nginx WebDAV, basic auth
start_nginx
export PERFGATE_STORE_USER="$NGINX_USER" PERFGATE_STORE_PASSWORD="$NGINX_PASSWORD"
nginx_corrupt() { cp "$2" "$NGINX_ROOT/auth/$1"; }
check_store nginx "$NGINX_HTTP_AUTH" nginx_corrupt

# --- streaming: a 200 MiB profile goes up and comes back with perfgate's
# peak resident memory far below its size (nothing holds the whole file)
# peak_rss CMD...: like run, and sets $kib to CMD's peak RSS in KiB
peak_rss() {
	kib=$("$PYTHON" -c 'import resource, subprocess, sys
with open(sys.argv[1], "w") as out, open(sys.argv[2], "w") as err:
    rc = subprocess.call(sys.argv[3:], stdout=out, stderr=err)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
sys.exit(rc)' "$TMP/out" "$TMP/err" "$@")
	rc=$?
}
expect_rss_below() {
	if [ "$kib" -gt 0 ] && [ "$kib" -lt "$1" ]; then ok "$2: peak RSS $kib KiB"; else
		not_ok "$2: peak RSS $kib KiB, expected below $1 KiB"
	fi
}
truncate -s 200M "$TMP/big.pb.gz"
printf 'start' | dd of="$TMP/big.pb.gz" conv=notrunc 2>/dev/null
printf 'end' | dd of="$TMP/big.pb.gz" bs=1 seek=209715197 conv=notrunc 2>/dev/null
peak_rss "$PERFGATE" baseline push --store "$NGINX_HTTP_AUTH" --project big --commit $C1 "$OLD" "$TMP/big.pb.gz"
expect_rc 0 "push of a 200 MiB profile"
expect_rss_below 65536 "push of 200 MiB"
peak_rss "$PERFGATE" baseline pull --store "$NGINX_HTTP_AUTH" --project big --commit $C1 -o "$TMP/bigpull"
expect_rc 0 "pull of it"
expect_rss_below 65536 "pull of 200 MiB"
cmp -s "$TMP/big.pb.gz" "$TMP/bigpull/profiles/big.pb.gz" && ok "the 200 MiB came back whole" ||
	not_ok "the pulled profile differs"
rm -rf "$TMP/big.pb.gz" "$TMP/bigpull" "$NGINX_ROOT/auth/v1/big"
unset PERFGATE_STORE_USER PERFGATE_STORE_PASSWORD

# --- S3
start_s3
export AWS_ACCESS_KEY_ID="$S3_ACCESS_KEY" AWS_SECRET_ACCESS_KEY="$S3_SECRET_KEY" \
	AWS_REGION="$S3_REGION" PERFGATE_S3_ENDPOINT="$S3_ENDPOINT" PERFGATE_S3_MAX_KEYS=3
s3_corrupt() { "$PERFGATE" store --store "$S3_URL/team" put "$1" "$2"; }
check_store s3 "$S3_URL/team" s3_corrupt

finish
