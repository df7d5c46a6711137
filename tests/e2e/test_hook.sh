#!/bin/sh
# `perfgate hook install` and the pre-push hook (ci-templates/hooks/pre-push)
# with real `git push`es to a local bare repository: a push with a
# regression is refused, a clean one goes through, --no-verify skips the
# check, an infrastructure error is let through; the pushed commit is what
# is measured: a branch that is not checked out, or HEAD under uncommitted
# changes, is built apart in a temporary worktree (perfgate.json's "build")
# and a regression in it refused, uncommitted changes never count, and
# without a build command it is let through with a note; a pre-existing
# hook is kept, runs first and comes back on uninstall, core.hooksPath is
# respected. The suite is the seeded fake
# suite (tests/e2e/suites/seeded-suite.py), the store the local default.
. "$(dirname "$0")/lib.sh"
SUITE=$TOP/tests/e2e/suites/seeded-suite.py
export SEEDED_STATE="$TMP/seeded.state"
unset SEEDED_SHIFT SEEDED_ALLOCS
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$TMP/home"
mkdir -p "$HOME"
pg() { "$PERFGATE" "$@"; }
PG_ABS=$(cd "$(dirname "$PERFGATE")" && pwd -P)/$(basename "$PERFGATE")
# a PATH without perfgate on it (the hook must use the path written into it)
case $(command -v perfgate 2>/dev/null) in "") ;; *) not_ok "setup: perfgate is on PATH" ;; esac

REMOTE=$TMP/remote.git
git init -q --bare "$REMOTE"
REPO=$TMP/repo
git init -q -b main "$REPO"
cd "$REPO" || exit 1
git remote add origin "$REMOTE"
printf '{"suite": ["%s"], "quick": {"count": 5}}\n' "$SUITE" >perfgate.json
printf '.perfgate/\n' >.gitignore
git add perfgate.json .gitignore && git commit -qm one
remote_has() { git --git-dir="$REMOTE" rev-parse -q --verify "refs/heads/$1" 2>/dev/null; }

# --- install: writes the hook with this binary's path; again: a no-op
run pg hook install
expect_rc 0 "perfgate hook install"
expect_out "^perfgate: installed the pre-push hook: $REPO/.git/hooks/pre-push\$"
HOOK=$REPO/.git/hooks/pre-push
[ -x "$HOOK" ] && ok "the hook is executable" || not_ok "no executable hook"
grep -qx "perfgate_bin='$PG_ABS'" "$HOOK" && ok "the hook names this perfgate" ||
	not_ok "perfgate_bin: $(grep '^perfgate_bin=' "$HOOK")"
# the installed hook is ci-templates/hooks/pre-push but for that line
grep -v '^perfgate_bin=' "$HOOK" >"$TMP/installed" && grep -v '^perfgate_bin=' "$TOP/ci-templates/hooks/pre-push" >"$TMP/template"
cmp -s "$TMP/installed" "$TMP/template" && ok "the installed hook is the template" || not_ok "the installed hook differs from the template"
run pg hook show
expect_rc 0 "perfgate hook show"
cmp -s "$TMP/out" "$HOOK" && ok "show prints what install wrote" || not_ok "show differs from the installed hook"
cp "$HOOK" "$TMP/hook.1"
run pg hook install
expect_rc 0 "a second install"
expect_out "installed already"
cmp -s "$HOOK" "$TMP/hook.1" && [ ! -e "$REPO/.git/hooks/pre-push.local" ] && ok "a second install changes nothing" ||
	not_ok "a second install changed the hooks"

# --- no baseline yet: the check passes with a warning, the push goes
run git push -q origin main
expect_rc 0 "a push without a baseline goes through"
expect_err "perfgate pre-push: checking [0-9a-f]+ with 'perfgate gate --quick'"
expect_err "^perfgate: NO BASELINE"
[ -n "$(remote_has main)" ] && ok "main was pushed" || not_ok "main is not on the remote"
[ -s "$REPO/.git/perfgate/pre-push.txt" ] && ok "the full report is kept in .git/perfgate/pre-push.txt" ||
	not_ok "no report"

# --- a baseline for main (the local store), then a feature branch
run pg baseline refresh -q -n 5
expect_rc 0 "a local baseline for main"
git checkout -q -b feature
echo two >file && git add file && git commit -qm two

# a regression: refused, the verdict in a few lines, the escape hatch named
SEEDED_SHIFT=Hash=20 run git push origin feature
if [ "$rc" -ne 0 ]; then ok "a push with a 20% regression is refused (exit $rc)"; else not_ok "the push went through"; fi
expect_err "^perfgate: REGRESSION: 1 of 18 benchmark metrics slower than allowed \\(Hash ns/op"
expect_err "perfgate pre-push: push refused: a benchmark got slower than allowed"
expect_err "git push --no-verify"
expect_err "failed to push some refs"
[ -z "$(remote_has feature)" ] && ok "feature is not on the remote" || not_ok "feature reached the remote"
n=$(grep -c '^perfgate' "$TMP/err")
[ "$n" -le 6 ] && ok "a few lines ($n)" || not_ok "$n lines of output"
grep -q 'REGRESSION' "$REPO/.git/perfgate/pre-push.txt" && grep -q 'Hash' "$REPO/.git/perfgate/pre-push.txt" &&
	ok "the full report names Hash" || not_ok "the full report"
ls "$REPO"/.perfgate/store/v1/repo/runs >/dev/null 2>&1 && not_ok "the hook uploaded run artifacts" ||
	ok "the hook uploads nothing (--no-upload)"

# the same push without the regression goes through
run git push origin feature
expect_rc 0 "a clean push goes through"
expect_err "^perfgate: PASS: no regression beyond thresholds in 18 benchmark metrics"
[ "$(remote_has feature)" = "$(git rev-parse HEAD)" ] && ok "feature is on the remote" || not_ok "feature was not pushed"

# --no-verify skips the check
echo three >>file && git commit -qam three
SEEDED_SHIFT=Hash=20 run git push --no-verify origin feature
expect_rc 0 "git push --no-verify with a regression"
if grep -q "perfgate pre-push\|^perfgate:" "$TMP/err"; then not_ok "the hook ran"; else ok "the hook did not run"; fi

# a branch that is not checked out cannot be measured without a "build"
# command to build it apart: one line, and the push goes through
git branch other main
SEEDED_SHIFT=Hash=20 run git push origin other
expect_rc 0 "a push of another branch, no build command: goes through"
expect_err "^perfgate pre-push: [0-9a-f]+ could not be measured: it is not the clean HEAD and perfgate.json has no \"build\" command to build it apart; pushing without the check\$"
n=$(grep -c '^perfgate' "$TMP/err")
[ "$n" -eq 1 ] && ok "in one line" || not_ok "$n lines"
[ "$(git worktree list | wc -l)" -eq 1 ] && ok "no worktree left behind" || not_ok "worktrees: $(git worktree list)"
# a tag, a deletion: not checked
git tag v1
SEEDED_SHIFT=Hash=20 run git push origin v1
expect_rc 0 "a tag push goes through unchecked"
expect_err "no branch commit to check \\(tags and deletions are not checked\\)"
SEEDED_SHIFT=Hash=20 run git push origin :other
expect_rc 0 "a deletion goes through unchecked"
expect_err "no branch commit to check"

# an infrastructure error (the suite crashes) warns and lets the push through
git checkout -q -b crash
printf '{"suite": ["sh", "-c", "kill -SEGV $$"]}\n' >perfgate.json
git commit -qam "a suite that crashes"
run git push origin crash
expect_rc 0 "a crashing suite does not block the push"
expect_err "warning: the check could not be made \\(perfgate exit status 3\\); pushing anyway"
git checkout -q feature

# --- the pushed commit, never the working tree: with a "build" command, a
# commit that is not the clean HEAD is checked out in a temporary worktree,
# built and measured there (the seeded suite reads its "code change" from
# seeded-shift.txt in the folder it runs in) against this repository's store
mkdir -p "$TMP/hook-tmp"
export TMPDIR="$TMP/hook-tmp"
printf '{"suite": ["%s"], "quick": {"count": 5}, "build": "echo building $(git rev-parse HEAD) in $(basename $(pwd))"}\n' \
	"$SUITE" >perfgate.json
printf '' >seeded-shift.txt
git add perfgate.json seeded-shift.txt && git commit -qm "a build command"
run git push origin feature
expect_rc 0 "a clean HEAD with a build command"
expect_err "perfgate pre-push: checking [0-9a-f]+ with 'perfgate gate --quick'\\.\\.\\.\$"
expect_err "^perfgate: PASS"
grep -q '^building ' "$REPO/.git/perfgate/pre-push.txt" && not_ok "a clean HEAD was built" ||
	ok "a clean HEAD is measured here, as it is built"
# a branch that is not checked out, with a regression committed in it
git checkout -q -b slow
printf 'Hash=20' >seeded-shift.txt && git commit -qam "Hash 20% slower"
SLOW=$(git rev-parse HEAD)
git checkout -q feature
run git push origin slow
if [ "$rc" -ne 0 ]; then ok "a regression in a branch that is not checked out is refused (exit $rc)"; else not_ok "slow was pushed"; fi
expect_err "^perfgate pre-push: checking [0-9a-f]+ with 'perfgate gate --quick' \\(built apart in a temporary worktree\\)\\.\\.\\.\$"
expect_err "^perfgate: REGRESSION: 1 of 18 benchmark metrics slower than allowed \\(Hash ns/op"
expect_err "push refused"
[ -z "$(remote_has slow)" ] && ok "slow is not on the remote" || not_ok "slow reached the remote"
grep -qx "building $SLOW in repo" "$REPO/.git/perfgate/pre-push.txt" &&
	ok "built at the pushed commit, in a worktree named like the repository" ||
	not_ok "report: $(grep building "$REPO/.git/perfgate/pre-push.txt")"
[ "$(git worktree list | wc -l)" -eq 1 ] && ok "the worktree is removed" || not_ok "worktrees: $(git worktree list)"
[ -z "$(ls -A "$TMP/hook-tmp")" ] && ok "the temporary folder is removed" || not_ok "left: $(ls -A "$TMP/hook-tmp")"
[ "$(git rev-parse HEAD)" != "$SLOW" ] && git diff --quiet HEAD -- && ok "the working tree is untouched" ||
	not_ok "the working tree changed"
# uncommitted changes do not count: a regression in the working tree only...
echo eight >>file && git commit -qam eight
printf 'Hash=20' >seeded-shift.txt
run git push origin feature
expect_rc 0 "a regression only in uncommitted changes does not refuse the push"
expect_err "built apart in a temporary worktree"
expect_err "^perfgate: PASS"
[ "$(remote_has feature)" = "$(git rev-parse HEAD)" ] && ok "feature is on the remote" || not_ok "feature was not pushed"
# ... nor does a working tree that undoes a committed regression
git commit -qam "Hash 20% slower, committed"
printf '' >seeded-shift.txt
run git push origin feature
if [ "$rc" -ne 0 ]; then ok "a committed regression is refused whatever the working tree says (exit $rc)"; else not_ok "pushed"; fi
expect_err "^perfgate: REGRESSION: 1 of 18 benchmark metrics slower than allowed \\(Hash ns/op"
[ "$(cat seeded-shift.txt)" = "" ] && ok "the uncommitted change is still there" || not_ok "the working tree changed"
git checkout -q -- seeded-shift.txt && git reset -q --hard HEAD~1
unset TMPDIR

# a hook without a perfgate binary to call warns and lets the push through
sed "s|^perfgate_bin=.*|perfgate_bin='$TMP/gone/perfgate'|" "$HOOK" >"$TMP/hook.gone"
cp "$HOOK" "$TMP/hook.saved" && cp "$TMP/hook.gone" "$HOOK"
SEEDED_SHIFT=Hash=20 run git push origin HEAD:refs/heads/nobin
expect_rc 0 "no perfgate binary: the push goes through"
expect_err "warning: perfgate not found"
cp "$TMP/hook.saved" "$HOOK"

# --- the template copied by hand finds perfgate on PATH
cp "$TOP/ci-templates/hooks/pre-push" "$HOOK"
mkdir -p "$TMP/pathbin" && ln -sf "$PG_ABS" "$TMP/pathbin/perfgate"
echo four >>file && git commit -qam four
SEEDED_SHIFT=Hash=20 PATH="$TMP/pathbin:$PATH" run git push origin feature
if [ "$rc" -ne 0 ]; then ok "the copied template (perfgate on PATH) refuses a regression"; else not_ok "pushed"; fi
expect_err "^perfgate: REGRESSION"
run pg hook uninstall
expect_rc 0 "uninstall recognises the copied template"
[ ! -e "$HOOK" ] && ok "the hook is gone" || not_ok "the hook is still there"

# --- a pre-existing hook: kept as pre-push.local, runs first, comes back
cat >"$HOOK" <<'EOF'
#!/bin/sh
# the project's own pre-push hook
while read -r lref lsha rref rsha; do echo "$1 $lref $rref" >>"$HOOK_LOG"; done
[ -z "${REFUSE:-}" ] || { echo "own hook: refused" >&2; exit 1; }
exit 0
EOF
chmod +x "$HOOK"
cp "$HOOK" "$TMP/own-hook"
export HOOK_LOG="$TMP/own-hook.log"
run pg hook install
expect_rc 0 "install over an existing hook"
expect_out "the hook that was there is now $REPO/.git/hooks/pre-push.local; it runs first"
cmp -s "$REPO/.git/hooks/pre-push.local" "$TMP/own-hook" && ok "the existing hook is kept as pre-push.local" ||
	not_ok "pre-push.local is not the old hook"
run pg hook install
expect_out "installed already"
echo five >>file && git commit -qam five
SEEDED_SHIFT=Hash=20 run git push origin feature
if [ "$rc" -ne 0 ]; then ok "chained: a regression is still refused"; else not_ok "chained: pushed"; fi
grep -q '^origin refs/heads/feature refs/heads/feature$' "$HOOK_LOG" && ok "the existing hook ran with git's arguments and refs" ||
	not_ok "own hook log: $(cat "$HOOK_LOG" 2>/dev/null)"
: >"$HOOK_LOG"
REFUSE=1 run git push origin feature
if [ "$rc" -ne 0 ]; then ok "the existing hook can still refuse the push"; else not_ok "pushed despite the own hook"; fi
expect_err "own hook: refused"
if grep -q "perfgate pre-push: checking" "$TMP/err"; then not_ok "perfgate ran after a refusal"; else ok "perfgate did not run after the refusal"; fi
run git push origin feature
expect_rc 0 "chained: a clean push goes through"
grep -q 'refs/heads/feature' "$HOOK_LOG" && ok "the existing hook ran" || not_ok "the existing hook did not run"
run pg hook uninstall
expect_rc 0 "uninstall"
expect_out "put pre-push.local back as pre-push"
cmp -s "$HOOK" "$TMP/own-hook" && [ ! -e "$REPO/.git/hooks/pre-push.local" ] &&
	ok "the existing hook is back as it was" || not_ok "the existing hook was not restored"
run pg hook uninstall
expect_rc 2 "uninstall leaves a hook that is not perfgate's"
expect_err "is not perfgate's hook"
cmp -s "$HOOK" "$TMP/own-hook" && ok "... untouched" || not_ok "the hook was changed"
# both pre-push and pre-push.local taken: refused, nothing changed
cp "$TMP/own-hook" "$REPO/.git/hooks/pre-push.local"
run pg hook install
expect_rc 2 "install when pre-push and pre-push.local both exist"
expect_err "exists already"
rm "$REPO/.git/hooks/pre-push.local"

# --- core.hooksPath
rm "$HOOK"
git config core.hooksPath .githooks
(cd "$REPO/.git" && "$PERFGATE" hook install) >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "install with core.hooksPath (from inside .git)"
expect_out "installed the pre-push hook: $REPO/.githooks/pre-push\$"
echo six >>file && git commit -qam six
SEEDED_SHIFT=Hash=20 run git push origin feature
if [ "$rc" -ne 0 ]; then ok "core.hooksPath: a regression is refused"; else not_ok "core.hooksPath: pushed"; fi
expect_err "^perfgate: REGRESSION"

# --- perfgate hook config: the settings the hook reads from perfgate.json
run pg hook config build
expect_rc 0 "hook config build"
expect_out '^echo building \$\(git rev-parse HEAD\) in \$\(basename \$\(pwd\)\)$'
run pg hook config quick.count
expect_out '^5$'
run pg hook config quick.store
expect_rc 0 "hook config quick.store (null)"
expect_empty_out
run pg hook config quick.bogus
expect_rc 2 "hook config of an unknown key"
expect_err "^perfgate: no setting 'quick.bogus' in perfgate.json$"
run pg hook config
expect_rc 2 "hook config without a key"

# --- outside a repository, usage
cd "$TMP" || exit 1
run pg hook install
expect_rc 2 "install outside a repository"
expect_err "^perfgate: the current directory is not in a git repository\$"
run pg hook
expect_rc 2 "hook without a subcommand"
run pg hook frob
expect_rc 2 "hook frob"
run pg hook install extra
expect_rc 2 "hook install extra"
run pg hook --help
expect_rc 0 "hook --help"
expect_out "git push --no-verify"

finish
