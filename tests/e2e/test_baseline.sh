#!/bin/sh
# perfgate baseline push/pull/ls/prune on a local folder store: round trip,
# integrity checks, sanitized keys, a racing double push, retention.
. "$(dirname "$0")/lib.sh"
STORE=$TMP/store
OLD=$TOP/tests/data/go-old.txt
C1=1111111111111111111111111111111111111111
C2=2222222222222222222222222222222222222222
pg() { "$PERFGATE" "$@"; }

# --- push, ls, pull: the files come back byte for byte
printf 'fake profile\n' >"$TMP/Hash.pb.gz"
run pg baseline push --store "$STORE" --project demo --commit $C1 --branch main "$OLD" "$TMP/Hash.pb.gz"
expect_rc 0 "baseline push"
expect_out "^pushed baseline $C1 of 'demo' \\(2 files, [0-9.]+ KiB\\) to $STORE/v1/demo/baselines/$C1/\$"
expect_out "^refs/main now points to $C1\$"
[ -f "$STORE/v1/demo/baselines/$C1/manifest.json" ] && ok "the manifest is there" || not_ok "no manifest"
run pg baseline ls --store "$STORE" --project demo
expect_rc 0 "baseline ls"
expect_out '^commit +branch +created +host +size$'
expect_out "^111111111111 +main \\(latest\\) +20[0-9-]+T[0-9:]+Z +AMD EPYC"
run pg baseline pull --store "$STORE" --project demo --commit $C1 -o "$TMP/pulled"
expect_rc 0 "baseline pull"
expect_out "^pulled baseline $C1 of 'demo' \\(2 files, "
cmp -s "$OLD" "$TMP/pulled/results.txt" && ok "results identical" || not_ok "results differ"
cmp -s "$TMP/Hash.pb.gz" "$TMP/pulled/profiles/Hash.pb.gz" && ok "profile identical" || not_ok "profile differs"
[ -f "$TMP/pulled/manifest.json" ] && ok "manifest.json pulled" || not_ok "no manifest.json"

# --- pushing garbage is refused before anything is uploaded
printf 'not\nbenchmark\nresults\n' >"$TMP/garbage.txt"
run pg baseline push --store "$TMP/store2" --project demo --commit $C1 "$TMP/garbage.txt"
expect_rc 2 "pushing a file without results"
expect_err "^perfgate: '$TMP/garbage.txt': no benchmark results\$"
[ -e "$TMP/store2" ] && not_ok "something was uploaded" || ok "nothing was uploaded"

# --- a profile that cannot be read is found before anything is uploaded
# (timeout: reading the FIFO would wait for a writer forever)
mkdir "$TMP/dir.pb.gz"
mkfifo "$TMP/fifo.pb.gz"
for bad in missing.pb.gz dir.pb.gz fifo.pb.gz; do
	case $bad in
	missing.*) why="cannot open '$TMP/$bad': No such file or directory" ;;
	*) why="'$TMP/$bad' is not a regular file" ;;
	esac
	run timeout 60 "$PERFGATE" baseline push --store "$TMP/store3" --project demo --commit $C1 \
		--branch main "$OLD" "$TMP/Hash.pb.gz" "$TMP/$bad"
	expect_rc 2 "pushing a profile that cannot be read ($bad)"
	expect_err "^perfgate: $why\$"
	[ -e "$TMP/store3" ] && not_ok "$bad: uploaded $(cd "$TMP/store3" && find . -type f | tr '\n' ' ')" ||
		ok "$bad: nothing was uploaded"
	rm -rf "$TMP/store3"
done

# --- no baseline for a commit
run pg baseline pull --store "$STORE" --project demo --commit $C2 -o "$TMP/none"
expect_rc 2 "pulling a baseline that does not exist"
expect_err "^perfgate: no baseline for commit $C2 of 'demo' in '$STORE'\$"

# --- a baseline whose manifest is missing (a push interrupted before its
# last write) does not exist for readers, even beside a complete one
mkdir -p "$TMP/nomanifest/v1/demo/baselines/$C2/u20260101T000000Z-0badf00d/profiles"
cp "$OLD" "$TMP/nomanifest/v1/demo/baselines/$C2/u20260101T000000Z-0badf00d/results.txt"
cp "$TMP/Hash.pb.gz" "$TMP/nomanifest/v1/demo/baselines/$C2/u20260101T000000Z-0badf00d/profiles/"
run pg baseline push --store "$TMP/nomanifest" --project demo --commit $C1 "$OLD"
expect_rc 0 "push of a complete baseline beside it"
run pg baseline ls --store "$TMP/nomanifest" --project demo
expect_rc 0 "ls"
expect_out "^111111111111 "
expect_no_out "^222222222222"
expect_lines "$TMP/out" 2
run pg baseline pull --store "$TMP/nomanifest" --project demo --commit $C2 -o "$TMP/nomanifest-pull"
expect_rc 2 "pull of the baseline without a manifest"
expect_err "^perfgate: no baseline for commit $C2 of 'demo' in '$TMP/nomanifest'\$"
[ -e "$TMP/nomanifest-pull/results.txt" ] && not_ok "its results were pulled" || ok "nothing pulled"

# --- a corrupted object is never used
cp -r "$STORE" "$TMP/corrupt"
obj=$(find "$TMP/corrupt/v1/demo/baselines/$C1" -name results.txt)
sed 's/ns\/op/ns\/op /' "$OLD" >"$obj"
run pg baseline pull --store "$TMP/corrupt" --project demo --commit $C1 -o "$TMP/bad"
expect_rc 3 "a corrupted object"
expect_err "^perfgate: (size|checksum) mismatch for '$TMP/corrupt/v1/demo/baselines/$C1/u[0-9TZ]+-[0-9a-f]{8}/results.txt'"
[ -e "$TMP/bad/results.txt" ] && not_ok "the corrupted file was kept" || ok "no corrupted file left"
ls -A "$TMP/bad" 2>/dev/null | grep -q partial && not_ok "a partial file was left" || ok "no partial file left"
printf 'x' >>"$obj"
dd if=/dev/zero of="$obj" bs=1 count=0 seek="$(wc -c <"$OLD")" 2>/dev/null
run pg baseline pull --store "$TMP/corrupt" --project demo --commit $C1 -o "$TMP/bad"
expect_rc 3 "same size, different content"
expect_err "^perfgate: checksum mismatch for '.*results.txt': the manifest says sha256 [0-9a-f]{64}, the store holds [0-9a-f]{64}\$"
rm "$obj"
run pg baseline pull --store "$TMP/corrupt" --project demo --commit $C1 -o "$TMP/bad"
expect_rc 3 "an object missing from the store"
expect_err "is listed in the manifest but missing from the store"

# --- a manifest may not point outside its set or write outside the pull directory
mkdir -p "$TMP/evil/v1/demo/baselines/$C1"
cat >"$TMP/evil/v1/demo/baselines/$C1/manifest.json" <<JSON
{"version": 1, "kind": "baseline", "commit": "$C1", "created": "2026-01-01T00:00:00Z",
 "upload_id": "u1", "files": [{"name": "../../escaped", "key": "v1/demo/baselines/$C1/u1/x",
 "size": 1, "sha256": "$(printf x | sha256sum | cut -d' ' -f1)"}]}
JSON
mkdir -p "$TMP/evil/v1/demo/baselines/$C1/u1" && printf x >"$TMP/evil/v1/demo/baselines/$C1/u1/x"
run pg baseline pull --store "$TMP/evil" --project demo --commit $C1 -o "$TMP/evilpull/a/b"
expect_rc 3 "a manifest naming ../../escaped"
expect_err "files\\[0\\] is malformed or points outside its set"
[ -e "$TMP/evilpull/escaped" ] && not_ok "a file escaped the pull directory" || ok "nothing escaped"

# --- names from outside are sanitized into single key components
run pg baseline push --store "$TMP/san" --project "../../etc" --commit $C1 --branch "feature/x/../y" "$OLD"
expect_rc 0 "push with hostile project and branch names"
[ -f "$TMP/san/v1/..-..-etc/refs/feature-x-..-y" ] && ok "project and branch sanitized" ||
	not_ok "unexpected layout: $(cd "$TMP/san" && find . -type f | head -5)"
[ -e "$TMP/etc" ] && not_ok "wrote outside the store" || ok "stayed inside the store"
run pg baseline push --store "$STORE" --commit "../$C1" "$OLD"
expect_rc 2 "a commit that is not hex"
expect_err "^perfgate: invalid commit"

# --- names from outside put no control character on the terminal: a
# branch with an escape sequence, a bell and a C1 CSI (U+009B), pushed,
# listed and pruned; a manifest with control characters listed and pulled
no_controls() {
	if "$PYTHON" -c 'import re, sys
text = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
sys.exit(1 if re.search("[\x00-\x09\x0b-\x1f\x7f-\x9f]", text) else 0)' "$TMP/out"; then
		ok "$1: no control character on stdout"
	else
		not_ok "$1: control characters on stdout: $(od -c "$TMP/out" | head -5)"
	fi
}
evil=$(printf 'feat\033[2J\033]0;pwned\007\302\233x')
shown='feat\?\[2J\?\]0;pwned\?\?x'
export PERFGATE_NOW=2026-01-01T00:00:00Z
run pg baseline push --store "$TMP/ctl" --project demo --commit $C1 --branch "$evil" "$OLD"
expect_rc 0 "push with a branch full of control characters"
expect_out "^refs/$shown now points to $C1\$"
no_controls "push"
export PERFGATE_NOW=2026-01-02T00:00:00Z
run pg baseline push --store "$TMP/ctl" --project demo --commit $C2 --branch "$evil" "$OLD"
run pg baseline ls --store "$TMP/ctl" --project demo
expect_rc 0 "ls of baselines of that branch"
expect_out "^222222222222 +$shown \(latest\) "
expect_out "^111111111111 +$shown "
no_controls "ls"
export PERFGATE_NOW=2026-03-01T00:00:00Z
run pg baseline prune --store "$TMP/ctl" --project demo --older-than 30d
expect_rc 0 "prune of the older one"
expect_out "^deleting baseline $C1 of $shown \(created 2026-01-01T00:00:00Z\)\$"
no_controls "prune"
unset PERFGATE_NOW
mkdir -p "$TMP/ctl2/v1/demo/baselines/$C1/u1"
printf x >"$TMP/ctl2/v1/demo/baselines/$C1/u1/x"
cat >"$TMP/ctl2/v1/demo/baselines/$C1/manifest.json" <<JSON
{"version": 1, "kind": "baseline", "commit": "$C1", "branch": "b\u009b31m\u0007",
 "created": "2026-01-01T00:00:00Z\u001b[31m", "upload_id": "u1",
 "host": {"cpu": "\u001b]0;cpu\u0007", "kernel": "k\r\n"},
 "files": [{"name": "x", "key": "v1/demo/baselines/$C1/u1/x", "size": 1,
 "sha256": "$(printf x | sha256sum | cut -d' ' -f1)"}]}
JSON
run pg baseline ls --store "$TMP/ctl2" --project demo
expect_rc 0 "ls of a manifest with control characters"
expect_out '^111111111111 +b\?31m\? +2026-01-01T00:00:00Z\?\[31m +\?\]0;cpu\?, k\?\? +1 B$'
no_controls "ls of that manifest"
run pg baseline pull --store "$TMP/ctl2" --project demo --commit $C1 -o "$TMP/ctlpull"
expect_rc 0 "pull of it"
expect_out "created 2026-01-01T00:00:00Z\\?\\[31m\\)"
no_controls "pull"

# --- two pushes racing on one commit both succeed and leave one complete
# baseline
race_pushes local "$TMP/race" $C2 5

# --- retention: runs and baselines older than the limit go, the latest of
# every branch and the --keep-last newest stay, and so do recent uploads
P=$TMP/prune
at() { PERFGATE_NOW=$1; export PERFGATE_NOW; shift; "$@" >/dev/null 2>&1 || not_ok "setup: $*"; unset PERFGATE_NOW; }
c() { printf '%040d' "$1"; }
at 2026-01-01T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 1)" --branch main "$OLD"
at 2026-02-01T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 2)" --branch main "$OLD"
at 2026-01-15T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 3)" --branch feature "$OLD"
at 2026-01-20T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 4)" "$OLD"
at 2026-03-30T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 5)" "$OLD"
at 2026-01-10T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 1)" --run-id 101 "$OLD"
at 2026-03-30T00:00:00Z pg baseline push --store "$P" --project p --commit "$(c 5)" --run-id 102 "$OLD"
# an interrupted push: objects without a manifest, an old and a recent one
mkdir -p "$P/v1/p/baselines/$(c 4)/u20260101T000000Z-0badf00d" "$P/v1/p/baselines/$(c 5)/u20260331T000000Z-0badf00d"
cp "$OLD" "$P/v1/p/baselines/$(c 4)/u20260101T000000Z-0badf00d/results.txt"
cp "$OLD" "$P/v1/p/baselines/$(c 5)/u20260331T000000Z-0badf00d/results.txt"
before=$(find "$P" -type f | sort)
export PERFGATE_NOW=2026-04-01T00:00:00Z
run pg baseline prune --store "$P" --project p --older-than 30d --dry-run
expect_rc 0 "prune --dry-run"
# baseline 4's stray upload goes with baseline 4
expect_out "^would delete 1 run, 2 baselines and 0 orphaned uploads \\(7 objects, "
[ "$(find "$P" -type f | sort)" = "$before" ] && ok "--dry-run deleted nothing" || not_ok "--dry-run deleted files"
# the 4 newest (5, 2, 4, 3) stay whatever their age
run pg baseline prune --store "$P" --project p --older-than 30d --keep-last 4
expect_rc 0 "prune --keep-last 4"
expect_out "^deleting run 101 of commit $(c 1) \\(created 2026-01-10T00:00:00Z\\)\$"
expect_out "^deleting baseline $(c 1) of main \\(created 2026-01-01T00:00:00Z\\)\$"
expect_out "^deleting orphaned upload v1/p/baselines/$(c 4)/u20260101T000000Z-0badf00d/\$"
expect_out "^deleted 1 run, 1 baseline and 1 orphaned upload "
# then 2 (main's latest) and 3 (feature's latest) stay, 4 goes
run pg baseline prune --store "$P" --project p --older-than 30d
expect_rc 0 "prune --older-than 30d"
expect_out "^deleting baseline $(c 4) \\(created 2026-01-20T00:00:00Z\\)\$"
expect_out "^deleted 0 runs, 1 baseline and 0 orphaned uploads .*; 3 baselines kept\$"
unset PERFGATE_NOW
for n in 2 3 5; do
	[ -f "$P/v1/p/baselines/$(c $n)/manifest.json" ] && ok "baseline $n kept" || not_ok "baseline $n deleted"
done
for n in 1 4; do
	[ -e "$P/v1/p/baselines/$(c $n)" ] && not_ok "baseline $n still there" || ok "baseline $n deleted"
done
[ -f "$P/v1/p/runs/$(c 5)/102/manifest.json" ] && ok "recent run kept" || not_ok "recent run deleted"
[ -e "$P/v1/p/runs/$(c 1)" ] && not_ok "old run still there" || ok "old run deleted"
[ -f "$P/v1/p/baselines/$(c 5)/u20260331T000000Z-0badf00d/results.txt" ] && ok "recent orphan kept (a push may be under way)" ||
	not_ok "recent orphan deleted"
run pg baseline pull --store "$P" --project p --commit "$(c 2)" -o "$TMP/p2"
expect_rc 0 "a kept baseline still pulls"
run pg baseline prune --store "$P" --project p
expect_rc 2 "prune without --older-than"

# --- usage
run pg baseline
expect_rc 2 "baseline without a subcommand"
run pg baseline frob
expect_rc 2 "an unknown subcommand"
run pg baseline pull --store "$STORE" --commit $C1
expect_rc 2 "pull without -o"
run pg baseline push --store "$STORE" --commit $C1
expect_rc 2 "push without files"
run pg baseline push --store "$STORE" --commit $C1 "$TMP/missing.txt"
expect_rc 2 "push of a missing file"
expect_err "cannot open '$TMP/missing.txt'"

finish
