#!/bin/sh
# The CI templates (ci-templates/github, ci-templates/gitlab): every YAML
# file parses and passes yamllint; the shell in them passes shellcheck; and
# the templates RUN, their shell steps taken from the YAML files by
# tests/e2e/ci_templates.py, which emulates GitHub Actions and GitLab CI
# (checkout, env, expressions, rules, matrix/parallel, artifacts) in
# temporary git repositories with a local folder store and the seeded fake
# suite: the baseline role (push to main, schedule) and the gate role
# (merge/pull requests: pass, regression, a crashed suite, sharded), so a
# template that drifts from perfgate's command line fails here. Only the
# apt and make steps are not run (linted here; run by the real CI).
. "$(dirname "$0")/lib.sh"
SUITE=$TOP/tests/e2e/suites/seeded-suite.py
CIT=$TOP/tests/e2e/ci_templates.py
export SEEDED_STATE="$TMP/seeded.state"
unset SEEDED_SHIFT SEEDED_ALLOCS
export GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com GIT_COMMITTER_NAME=t \
	GIT_COMMITTER_EMAIL=t@example.com GIT_CONFIG_NOSYSTEM=1 HOME="$TMP/home"
mkdir -p "$HOME"
jq_() { # jq_ FILE EXPR: a Python expression over the JSON document d
	"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); print($2)" "$1"
}
expect_json() { # expect_json FILE EXPR WANT what
	got=$(jq_ "$1" "$2" 2>&1)
	if [ "$got" = "$3" ]; then ok "$4: $2 = $3"; else not_ok "$4: $2 is '$got', want '$3'"; fi
}

# --- static: YAML, yamllint, the templates' own rules, shellcheck
YAMLS=$(find "$TOP/ci-templates" \( -name '*.yml' -o -name '*.yaml' -o -name .yamllint \) | sort)
for f in $YAMLS; do
	run "$PYTHON" -c 'import sys, yaml; yaml.safe_load(open(sys.argv[1]))' "$f"
	expect_rc 0 "YAML parses: ${f#"$TOP"/}"
done
run yamllint --strict -c "$TOP/ci-templates/.yamllint" "$TOP/ci-templates"
expect_rc 0 "yamllint --strict ci-templates"
TEMPLATES="$TOP/ci-templates/github/action.yml $TOP/ci-templates/github/workflows/perf-gate.yml
	$TOP/ci-templates/github/workflows/perf-baseline.yml $TOP/ci-templates/github/workflows/perf-gate-sharded.yml
	$TOP/ci-templates/gitlab/perfgate.gitlab-ci.yml $TOP/ci-templates/gitlab/example.gitlab-ci.yml
	$TOP/ci-templates/gitlab/example-sharded.gitlab-ci.yml"
# shellcheck disable=SC2086
run "$PYTHON" "$CIT" static $TEMPLATES
expect_rc 0 "secrets only in env:, actions pinned, fetch-depth 0, artifact expiry 7-30 days, needs: artifacts stated"
# ... and those rules can fail
sed 's/store: \${{ vars.PERFGATE_STORE }}/store: ${{ secrets.PERFGATE_STORE }}/' \
	"$TOP/ci-templates/github/workflows/perf-gate.yml" | sed 's/fetch-depth: 0/fetch-depth: 1/' \
	>"$TMP/bad-workflow.yml"
run "$PYTHON" "$CIT" static "$TMP/bad-workflow.yml"
expect_rc 1 "a secret in with: and a shallow checkout are refused"
expect_out "secrets outside env:"
expect_out "needs fetch-depth: 0"
awk '/^  needs:$/ { print "  needs: [perf-gate]"; skip = 2; next } skip { skip--; next } { print }' \
	"$TOP/ci-templates/gitlab/perfgate.gitlab-ci.yml" >"$TMP/bad-gitlab.yml"
run "$PYTHON" "$CIT" static "$TMP/bad-gitlab.yml"
expect_rc 1 "a needs: that downloads every artifact of the job by default is refused"
expect_out "perf-gate-collect: needs: 'perf-gate' does not say artifacts: true or false"
# shellcheck disable=SC2086
run "$PYTHON" "$CIT" extract $TEMPLATES --out "$TMP/scripts"
expect_rc 0 "the shell blocks extracted (no \${{ }} inside a script)"
[ "$(cat "$TMP/out")" -ge 8 ] && ok "$(cat "$TMP/out") shell blocks" || not_ok "only $(cat "$TMP/out") shell blocks"
run shellcheck -s bash "$TMP"/scripts/*.sh
expect_rc 0 "shellcheck: every run: step and GitLab script"
run shellcheck -s sh "$TOP/ci-templates/hooks/pre-push"
expect_rc 0 "shellcheck: the pre-push hook"

# --- the project under test: main with a baseline-able commit, a store
ORIGIN=$TMP/origin
STORE=$TMP/store
git init -q -b main "$ORIGIN"
cd "$ORIGIN" || exit 1
printf '{"suite": ["%s"], "count": 5, "warmup": 0}\n' "$SUITE" >perfgate.json
printf '.perfgate/\nperfgate-reports/\n.perfgate-src/\n' >.gitignore
git add perfgate.json .gitignore && git commit -qm one
C1=$(git rev-parse HEAD)
# a clean pull/merge request, and its GitHub merge commit
git checkout -q -b feature
echo two >file && git add file && git commit -qm two
C2=$(git rev-parse HEAD)
M2=$(git commit-tree "$C2^{tree}" -p "$C1" -p "$C2" -m "Merge feature into main")
git update-ref refs/pull/1/merge "$M2"
git update-ref refs/merge-requests/1/head "$C2"
# a pull/merge request whose suite crashes
git checkout -q -b crash main
printf '{"suite": ["sh", "-c", "kill -SEGV $$"], "count": 3, "warmup": 0}\n' >perfgate.json
git commit -qam "a suite that crashes"
C3=$(git rev-parse HEAD)
M3=$(git commit-tree "$C3^{tree}" -p "$C1" -p "$C3" -m "Merge crash into main")
git update-ref refs/pull/3/merge "$M3"
git update-ref refs/merge-requests/3/head "$C3"
# a pull request whose perfgate configuration for CI is perf/perfgate-ci.json
# (the action's config: input, relative to its working-directory)
git checkout -q -b ci-config feature
mkdir -p perf
printf '{"suite": ["%s"], "count": 7, "warmup": 0, "thresholds": {"benchmarks": {"Walk": 12}}}\n' \
	"$SUITE" >perf/perfgate-ci.json
git add perf && git commit -qm "a configuration for CI"
C6=$(git rev-parse HEAD)
M6=$(git commit-tree "$C6^{tree}" -p "$C1" -p "$C6" -m "Merge ci-config into main")
git update-ref refs/pull/6/merge "$M6"
git checkout -q main
cd "$TMP" || exit 1

# a stand-in for the GitHub CLI (the pull-request comment): records its
# calls, knows one comment once one was posted
mkdir -p "$TMP/bin" "$TMP/gh-fake"
export GH_FAKE_DIR="$TMP/gh-fake" PATH="$TMP/bin:$PATH"
cat >"$TMP/bin/gh" <<'EOF'
#!/bin/sh
echo "gh $*" >>"$GH_FAKE_DIR/calls"
[ -n "${GH_TOKEN:-}" ] || { echo "gh: GH_TOKEN is not set" >&2; exit 4; }
case " $* " in
*" --jq "*) if [ -f "$GH_FAKE_DIR/comment" ]; then echo 4242; fi; exit 0 ;;
*" -X POST "* | *" -X PATCH "*)
	for a; do case $a in body=@*) cp "${a#body=@}" "$GH_FAKE_DIR/comment" ;; esac; done
	exit 0 ;;
esac
echo "gh: unexpected call: $*" >&2
exit 5
EOF
chmod +x "$TMP/bin/gh"

SECRET="tok-$$-do-not-print"
GH=$TOP/ci-templates/github
gh_run() { # gh_run NAME WORKFLOW ARGS...: emulate a workflow run (WORKFLOW: in workflows/, or a path)
	name=$1 wf=$2
	shift 2
	case $wf in /*) ;; *) wf=$GH/workflows/$wf ;; esac
	run "$PYTHON" "$CIT" github "$wf" --origin "$ORIGIN" --work "$TMP/gh/$name" \
		--action-dir "$GH" --result "$TMP/gh/$name.json" --var "PERFGATE_STORE=$STORE" \
		--secret "PERFGATE_STORE_TOKEN=$SECRET" --stub-step deps --stub-step "build:perfgate=$PERFGATE" "$@"
}
# the composite action's step "run" of job JOB (instance I)
step() { echo "[s for s in d['jobs']['$1']['instances'][${2:-0}]['steps'] if s['id'] == '$3'][0]"; }

# === GitHub: the baseline workflow (push to main, nightly)
gh_run push-main perf-baseline.yml --event push --ref main --sha "$C1" --run-id 100
expect_rc 0 "GitHub perf-baseline on a push to main"
expect_json "$TMP/gh/push-main.json" "d['jobs']['perf-baseline']['status']" success "push to main"
[ -f "$STORE/v1/widgets/baselines/$C1/manifest.json" ] && ok "the baseline of $C1 is in the store" ||
	not_ok "no baseline of $C1 in the store"
expect_json "$STORE/v1/widgets/refs/main" "d['commit']" "$C1" "refs/main"
expect_json "$TMP/gh/push-main.json" "$(step perf-baseline 0 run)['outputs']['exit-code']" 0 "refresh"
expect_json "$TMP/gh/push-main.json" "[s['id'] for s in d['jobs']['perf-baseline']['instances'][0]['steps'] if s.get('stubbed')]" \
	"['deps', 'build']" "only the apt and make steps are not run"
expect_json "$TMP/gh/push-main.json" "d['jobs']['perf-baseline']['instances'][0]['env_secrets']" \
	"['PERFGATE_STORE_TOKEN']" "the store token reaches the environment"
grep -q "$SECRET" "$TMP/gh/push-main/perf-baseline/log.txt" && not_ok "the token is in the log" ||
	ok "the token is not in the log"
grep -q 'baseline of .* pushed' "$TMP/gh/push-main/perf-baseline/summary.md" &&
	ok "the step summary has the refresh's end" || not_ok "step summary: $(cat "$TMP/gh/push-main/perf-baseline/summary.md")"
# the job's artifact keeps what the refresh pushed (--artifacts-dir)
expect_json "$TMP/gh/push-main.json" "[f for f in $(step perf-baseline 0 upload)['artifact']['files'] if f.startswith('artifacts/')]" \
	"['artifacts/results.txt']" "the refresh's artifact has its --artifacts-dir"
cmp -s "$TMP/gh/push-main/artifacts/perfgate-refresh/artifacts/results.txt" "$STORE"/v1/widgets/baselines/"$C1"/u*/results.txt &&
	ok "... holding the results pushed as the baseline" || not_ok "the refresh's artifact results.txt is not the baseline's"
gh_run nightly perf-baseline.yml --event schedule --ref main --sha "$C1" --run-id 101
expect_rc 0 "GitHub perf-baseline on schedule"
expect_json "$TMP/gh/nightly.json" "d['triggered']" True "the nightly cron triggers it"
gh_run not-pr perf-baseline.yml --event pull_request --sha "$M2" --head feature
expect_json "$TMP/gh/not-pr.json" "d['triggered']" False "perf-baseline does not run on pull requests"
gh_run not-push perf-gate.yml --event push --ref main --sha "$C1"
expect_json "$TMP/gh/not-push.json" "d['triggered']" False "perf-gate does not run on pushes"

# === GitHub: the pull-request gate
gh_run pr-pass perf-gate.yml --event pull_request --sha "$M2" --head feature --pr 1 --run-id 200
expect_rc 0 "GitHub perf-gate: an unchanged pull request passes"
R=$TMP/gh/pr-pass.json
expect_json "$R" "$(step perf-gate 0 run)['outputs']['exit-code'], $(step perf-gate 0 run)['outputs']['verdict']" \
	"0 pass" "pass"
expect_json "$R" "d['jobs']['perf-gate']['instances'][0]['steps'][0]['checkout']['depth']" 0 "full history"
expect_json "$TMP/gh/pr-pass/artifacts/perfgate-gate/report.json" "d['baseline']['commit'], d['baseline']['source']" \
	"$C1 merge base of HEAD and origin/main" "the baseline is main's"
expect_json "$TMP/gh/pr-pass/artifacts/perfgate-gate/report.json" "d['candidate']['commit']" "$M2" "the merge commit is measured"
expect_json "$R" "$(step perf-gate 0 upload)['artifact']['files']" \
	"['artifacts/report.json', 'artifacts/report.md', 'artifacts/report.xml', 'artifacts/results.txt', 'perfgate.log', 'report.json', 'report.md', 'report.xml']" \
	"uploaded: the reports, the log and the gate's --artifacts-dir"
expect_json "$R" "$(step perf-gate 0 upload)['artifact']['retention-days']" 14 "artifact retention"
grep -qi 'pass' "$TMP/gh/pr-pass/perf-gate/summary.md" && ok "the step summary has the Markdown report" ||
	not_ok "step summary"
head -n 1 "$GH_FAKE_DIR/comment" | grep -q '^<!-- perfgate-report -->$' && ok "the report was posted as a comment" ||
	not_ok "no comment"
grep -q -- '-X POST repos/acme/widgets/issues/1/comments' "$GH_FAKE_DIR/calls" && ok "a new comment (POST)" ||
	not_ok "calls: $(cat "$GH_FAKE_DIR/calls")"
# "Re-run jobs": the same workflow run, attempt 2, whose artifacts are
# there already; upload-artifact v4 refuses a name the run has (409)
# unless told to overwrite it, and the upload step comes before the verdict
gh_run pr-pass-rerun perf-gate.yml --event pull_request --sha "$M2" --head feature --pr 1 --run-id 200 \
	--run-attempt 2 --artifacts "$TMP/gh/pr-pass/artifacts"
expect_rc 0 "GitHub perf-gate: re-running a passing job passes"
expect_json "$TMP/gh/pr-pass-rerun.json" "$(step perf-gate 0 upload)['outcome'], $(step perf-gate 0 upload)['artifact']['overwrite']" \
	"success True" "the re-run's upload replaces the artifact"
expect_json "$TMP/gh/pr-pass/artifacts/perfgate-gate/report.json" "d['artifacts'].split('/')[-3]" "200-2" \
	"the artifact is the re-run's (run id 200, attempt 2)"

SEEDED_SHIFT=Hash=20 gh_run pr-reg perf-gate.yml --event pull_request --sha "$M2" --head feature --pr 1 --run-id 201
expect_rc 1 "GitHub perf-gate: a 20% slowdown fails the job"
R=$TMP/gh/pr-reg.json
expect_json "$R" "d['jobs']['perf-gate']['status']" failure "regression"
expect_json "$R" "$(step perf-gate 0 run)['outputs']['exit-code'], $(step perf-gate 0 run)['outputs']['verdict']" \
	"1 regression" "regression"
expect_json "$R" "$(step perf-gate 0 verdict)['outcome']" \
	"failure" "the Verdict step fails the job"
expect_json "$R" "$(step perf-gate 0 upload)['outcome']" success "the reports are uploaded all the same"
grep -q '^::error .*Hash' "$TMP/gh/pr-reg/perf-gate/log.txt" && ok "an ::error annotation names Hash" ||
	not_ok "no ::error annotation"
grep -q -- '-X PATCH repos/acme/widgets/issues/comments/4242' "$GH_FAKE_DIR/calls" &&
	ok "the comment is updated in place (PATCH)" || not_ok "calls: $(cat "$GH_FAKE_DIR/calls")"
grep -qi 'regression' "$GH_FAKE_DIR/comment" && ok "the comment has the regression" || not_ok "comment"

# --- a suite that crashes: exit 3 fails the job, unless fail-on-infra-error is false
gh_run pr-crash perf-gate.yml --event pull_request --sha "$M3" --head crash --pr 3 --run-id 300
expect_rc 1 "GitHub perf-gate: a crashed suite fails the job by default"
expect_json "$TMP/gh/pr-crash.json" "$(step perf-gate 0 run)['outputs']['exit-code']" 3 "crash"
gh_run pr-crash-ok perf-gate.yml --event pull_request --sha "$M3" --head crash --pr 3 --run-id 301 \
	--with '*.fail-on-infra-error=false'
expect_rc 0 "... and passes with fail-on-infra-error: false"
grep -q '^::warning::perfgate: infrastructure error' "$TMP/gh/pr-crash-ok/perf-gate/log.txt" &&
	ok "with a warning" || not_ok "no warning"

# --- the sharded gate: 4 shard jobs, then collect
SEEDED_SHIFT=Encode=20 gh_run sharded perf-gate-sharded.yml --event pull_request --sha "$M2" --head feature \
	--pr 1 --run-id 400
expect_rc 1 "GitHub sharded gate: the collect job finds one shard's regression"
R=$TMP/gh/sharded.json
expect_json "$R" "[i['status'] for i in d['jobs']['shard']['instances']]" \
	"['success', 'success', 'success', 'success']" "4 shards"
expect_json "$R" "[i['matrix']['shard'] for i in d['jobs']['shard']['instances']]" "[1, 2, 3, 4]" "matrix"
expect_json "$R" "d['jobs']['collect']['status']" failure "collect"
expect_json "$TMP/gh/sharded/artifacts/perfgate-gate/report.json" \
	"[r['benchmark'] for r in d['rows'] if r['decision'] == 'regression']" "['Encode']" "collect decides"
expect_json "$TMP/gh/sharded/artifacts/perfgate-gate/report.json" "len([r for r in d['rows'] if r['unit'] == 'ns/op'])" \
	6 "every benchmark collected"
for k in 1 2 3 4; do
	[ -d "$TMP/gh/sharded/artifacts/perfgate-gate-shard-$k-of-4" ] && ok "artifact of shard $k" || not_ok "no artifact of shard $k"
done
# bench_names FILE...: the benchmarks of results files, once each
bench_names() { cat "$@" 2>/dev/null | sed -n 's/^Benchmark\([^ ]*\) .*/\1/p' | sort -u | tr '\n' ' '; }
ALL_NAMES="Encode Hash Parse Sort/n=100 Sort/n=10000 Walk "
# each shard's artifact keeps the results it uploaded: together, the suite
got=$(bench_names "$TMP"/gh/sharded/artifacts/perfgate-gate-shard-*-of-4/artifacts/results.txt)
[ "$got" = "$ALL_NAMES" ] && ok "the shards' artifacts hold their results: $got" ||
	not_ok "the shards' artifacts hold the results of '$got', want '$ALL_NAMES'"

# --- drift: a template calling a flag perfgate does not have fails the run
cp -r "$GH" "$TMP/drifted-action"
sed -i 's/--markdown "\$reports/--markdown-file "$reports/' "$TMP/drifted-action/action.yml"
grep -q -- '--markdown-file' "$TMP/drifted-action/action.yml" || not_ok "setup: the sed did not apply"
run "$PYTHON" "$CIT" github "$GH/workflows/perf-gate.yml" --origin "$ORIGIN" --work "$TMP/gh/drift" \
	--action-dir "$TMP/drifted-action" --result "$TMP/gh/drift.json" --var "PERFGATE_STORE=$STORE" \
	--stub-step deps --stub-step "build:perfgate=$PERFGATE" --event pull_request --sha "$M2" --head feature
expect_rc 1 "a renamed flag in the action fails the emulated job"
expect_json "$TMP/gh/drift.json" "$(step perf-gate 0 run)['outputs']['exit-code']" 2 "usage error"

# --- a composite action's run: step must name its shell (GitHub refuses the action otherwise)
cp -r "$GH" "$TMP/noshell-action"
awk '/^    - name: Run perfgate$/ { s = 1 } s && /^      shell: bash$/ { s = 0; next } { print }' \
	"$GH/action.yml" >"$TMP/noshell-action/action.yml"
cmp -s "$GH/action.yml" "$TMP/noshell-action/action.yml" && not_ok "setup: shell: bash was not removed"
run "$PYTHON" "$CIT" github "$GH/workflows/perf-gate.yml" --origin "$ORIGIN" --work "$TMP/gh/noshell" \
	--action-dir "$TMP/noshell-action" --result "$TMP/gh/noshell.json" --var "PERFGATE_STORE=$STORE" \
	--stub-step deps --stub-step "build:perfgate=$PERFGATE" --event pull_request --sha "$M2" --head feature
expect_rc 2 "a composite run: step without shell: is refused"
expect_err "action step run: a composite action's run: step needs shell:"

# --- the inputs config, threshold, count and working-directory, with the
# repository checked out in a subdirectory of the workspace (path:)
mkdir -p "$TMP/gh-wf"
"$PYTHON" - "$GH/workflows/perf-gate.yml" "$TMP/gh-wf/perf-gate-subdir.yml" <<'PY'
import sys, yaml
wf = yaml.safe_load(open(sys.argv[1]))
for s in wf["jobs"]["perf-gate"]["steps"]:
    if s.get("uses", "").startswith("actions/checkout@"):
        s.setdefault("with", {})["path"] = "src/widgets"
yaml.safe_dump(wf, open(sys.argv[2], "w"), sort_keys=False)
PY
subdir_run() { # subdir_run NAME RUN-ID ARGS...: the pull request of perf/perfgate-ci.json in src/widgets
	name=$1 id=$2
	shift 2
	gh_run "$name" "$TMP/gh-wf/perf-gate-subdir.yml" --event pull_request --sha "$M6" --head ci-config \
		--pr 6 --run-id "$id" --with '*.working-directory=src/widgets' \
		--with '*.config=perf/perfgate-ci.json' --with '*.count=4' "$@"
}
SEEDED_SHIFT=Hash=20 subdir_run subdir 600 --with '*.threshold=30'
expect_rc 0 "GitHub perf-gate in src/widgets: a 20% slowdown passes with threshold: 30"
R=$TMP/gh/subdir/artifacts/perfgate-gate/report.json
expect_json "$TMP/gh/subdir.json" "d['jobs']['perf-gate']['instances'][0]['steps'][0]['checkout']['path'].endswith('/src/widgets')" \
	True "checked out into src/widgets"
expect_json "$R" "sorted(set((r['benchmark'], r['threshold_percent']) for r in d['rows'] if r['benchmark'] in ('Hash', 'Walk')))" \
	"[('Hash', 30.0), ('Walk', 12.0)]" "threshold: 30 (--threshold), Walk 12 from config: perf/perfgate-ci.json"
expect_json "$R" "sorted(set(r['new']['n'] for r in d['rows']))" "[4]" "count: 4 (not the config's 7)"
expect_json "$R" "d['baseline']['commit']" "$C1" "the baseline found from the subdirectory's repository"
SEEDED_SHIFT=Hash=20 subdir_run subdir-default 601
expect_rc 1 "... and fails with the default threshold"
expect_json "$TMP/gh/subdir-default.json" "$(step perf-gate 0 run)['outputs']['verdict']" regression "default threshold"

# --- the real harness suite (build/examples/example-suite), counted by
# callgrind (instructions/op: exact, whatever the machine's load), a few
# benchmarks: both roles through the templates, and a 3x slowdown of Hash
# whose profiles and flame graph must reach the uploaded artifact
EXAMPLE=$(dirname "$PERFGATE")/examples/example-suite
if ! command -v valgrind >/dev/null 2>&1; then
	echo "# valgrind is not installed: the example suite's case is skipped"
elif nm "$(dirname "$PERFGATE")/libperfgate_bench.a" 2>/dev/null | grep -q '__asan_version_mismatch_check'; then
	echo "# the harness is built with AddressSanitizer, which valgrind cannot run: skipped"
else
	REAL=$TMP/real-origin
	git init -q -b main "$REAL"
	printf '{"suite": ["%s", "-bench", "Hash|Sort/n=100$", "-benchtime", "2000x"], "count": 3, "measure": {"mode": "callgrind"}}\n' \
		"$EXAMPLE" >"$REAL/perfgate.json"
	printf '.perfgate/\n' >"$REAL/.gitignore"
	git -C "$REAL" add -A && git -C "$REAL" commit -qm one
	R1=$(git -C "$REAL" rev-parse HEAD)
	git -C "$REAL" checkout -q -b feature
	echo two >"$REAL/file" && git -C "$REAL" add file && git -C "$REAL" commit -qm two
	R2=$(git -C "$REAL" rev-parse HEAD)
	RM=$(git -C "$REAL" commit-tree "$R2^{tree}" -p "$R1" -p "$R2" -m "Merge feature into main")
	git -C "$REAL" update-ref refs/pull/9/merge "$RM"
	gh_run real-base perf-baseline.yml --event push --ref main --sha "$R1" --run-id 900 \
		--origin "$REAL" --var "PERFGATE_STORE=$TMP/real-store"
	expect_rc 0 "GitHub perf-baseline with the example suite under callgrind"
	PG_EXAMPLE_SLOWDOWN=200 gh_run real-pr perf-gate.yml --event pull_request --sha "$RM" --head feature \
		--pr 9 --run-id 901 --origin "$REAL" --var "PERFGATE_STORE=$TMP/real-store"
	expect_rc 1 "GitHub perf-gate: the example suite's Hash 3x slower fails the job"
	A=$TMP/gh/real-pr/artifacts/perfgate-gate
	expect_json "$A/report.json" "[(r['benchmark'], r['unit']) for r in d['rows'] if r['decision'] == 'regression']" \
		"[('Hash/fnv1a-64K', 'instructions/op')]" "example suite"
	for f in artifacts/results.txt artifacts/profiles/Hash-fnv1a-64K.pb.gz artifacts/profiles/Sort-n=100.pb.gz \
		artifacts/profiles/diff-Hash-fnv1a-64K.svg; do
		[ -s "$A/$f" ] && ok "the uploaded artifact has $f" || not_ok "the uploaded artifact has no $f: $(cd "$A" && find . -type f | sort | tr '\n' ' ')"
	done
	grep -q 'pg_example_injected_slowdown' "$A/artifacts/profiles/diff-Hash-fnv1a-64K.svg" &&
		ok "its flame graph names the injected function" || not_ok "flame graph"
fi

# === GitLab
GL=$TOP/ci-templates/gitlab
GLSTORE=$TMP/gl-store
gl_pipeline() { # gl_pipeline NAME FILE ARGS...: emulate a pipeline
	name=$1 file=$2
	shift 2
	run "$PYTHON" "$CIT" gitlab "$GL/$file" --origin "$ORIGIN" --work "$TMP/gl/$name" --include-root "$TOP" \
		--result "$TMP/gl/$name.json" --var "PERFGATE_STORE=$GLSTORE" --var "PERFGATE_PREPARE=touch prepared" "$@"
}
# ... with perfgate's sources and the binary under test as project variables
gl_run() {
	name=$1 file=$2
	shift 2
	gl_pipeline "$name" "$file" --var "PERFGATE=$PERFGATE" --var "PERFGATE_SRC=$TOP" "$@"
}
# a stand-in for perfgate's repository on the GitLab server, for the jobs'
# clone (PERFGATE_GIT_URL and PERFGATE_GIT_REF from the example's variables):
# tag v0.1.0, whose build/perfgate runs the perfgate under test
SERVER=$TMP/server
git init -q -b main "$SERVER/src"
mkdir -p "$SERVER/src/build"
printf 'build/perfgate:\n\ttrue\n' >"$SERVER/src/Makefile"
printf '#!/bin/sh\nexec "$PG_UNDER_TEST" "$@"\n' >"$SERVER/src/build/perfgate"
chmod +x "$SERVER/src/build/perfgate"
git -C "$SERVER/src" add -A && git -C "$SERVER/src" commit -qm perfgate && git -C "$SERVER/src" tag v0.1.0
git clone -q --bare "$SERVER/src" "$SERVER/your-group/perfgate.git"
export PG_UNDER_TEST="$PERFGATE"
inst() { echo "d['jobs']['$1']['instances'][${2:-0}]"; }
metrics() { # metrics FILE: the OpenMetrics samples, checked by a strict parser
	"$PYTHON" - "$1" <<'PY'
import sys
from prometheus_client.openmetrics.parser import text_string_to_metric_families
fams = list(text_string_to_metric_families(open(sys.argv[1]).read()))
print(" ".join("%s=%g" % (s.name, s.value) for f in fams for s in f.samples))
PY
}

gl_pipeline push-main example.gitlab-ci.yml --source push --ref main --sha "$C1" --server-url "file://$SERVER"
expect_rc 0 "GitLab: a push to the default branch"
[ -x "$TMP/gl/push-main/perf-baseline/widgets/.perfgate-src/build/perfgate" ] &&
	ok "the job cloned perfgate (PERFGATE_GIT_URL, PERFGATE_GIT_REF from .gitlab-ci.yml)" || not_ok "no clone of perfgate"
R=$TMP/gl/push-main.json
expect_json "$R" "d['selected']" "['perf-baseline']" "only perf-baseline on a push to main"
expect_json "$R" "$(inst perf-baseline)['status']" success "perf-baseline"
expect_json "$R" "len($(inst perf-baseline)['skipped_lines'])" 3 "only the apt and make lines are skipped"
expect_json "$R" "$(inst perf-baseline)['variables']['GIT_DEPTH']" 0 "GIT_DEPTH"
expect_json "$R" "$(inst perf-baseline)['artifacts']['expire_in']" "30 days" "baseline artifacts expiry"
# the metrics the merge requests' widget compares with: the new baseline
# against itself, in the gate's terms
expect_json "$R" "sorted($(inst perf-baseline)['artifacts']['reports'])" "['metrics']" "perf-baseline's metrics report"
expect_json "$R" "[f for f in $(inst perf-baseline)['artifacts']['paths']['perfgate-reports/'] if f.startswith('perfgate-reports/artifacts/')]" \
	"['perfgate-reports/artifacts/results.txt']" "perf-baseline's artifacts hold its --artifacts-dir"
expect_json "$R" "sorted(f for f in $(inst perf-baseline)['artifacts']['paths']['perfgate-reports/'] if f.endswith('results.txt'))" \
	"['perfgate-reports/artifacts/results.txt']" "perf-baseline's artifacts hold the results once"
BM=$TMP/gl/push-main/perf-baseline/widgets/perfgate-reports/metrics.txt
m=$(metrics "$BM" 2>&1)
case " $m " in
*" perfgate_regressions=0 perfgate_max_slowdown_percent=0 perfgate_compared=18 perfgate_improvements=0 "*" perfgate_exit_code=0 "*)
	ok "perf-baseline's OpenMetrics: $m" ;;
*) not_ok "perf-baseline's OpenMetrics: $m" ;;
esac
[ -f "$GLSTORE/v1/widgets/baselines/$C1/manifest.json" ] && ok "the baseline of $C1 is in the store" ||
	not_ok "no baseline in the GitLab store"
[ -f "$TMP/gl/push-main/perf-baseline/widgets/prepared" ] && ok "PERFGATE_PREPARE ran" || not_ok "PERFGATE_PREPARE"
gl_run nightly example.gitlab-ci.yml --source schedule --ref main --sha "$C1"
expect_json "$TMP/gl/nightly.json" "d['selected']" "['perf-baseline']" "perf-baseline on schedule"
expect_json "$TMP/gl/nightly.json" "$(inst perf-baseline)['status']" success "nightly"
gl_run push-feature example.gitlab-ci.yml --source push --ref feature --sha "$C2"
expect_json "$TMP/gl/push-feature.json" "d['selected']" "[]" "no perfgate job on a push to another branch"

gl_run mr-pass example.gitlab-ci.yml --source merge_request_event --ref feature --sha "$C2" --mr 1
expect_rc 0 "GitLab perf-gate: an unchanged merge request passes"
R=$TMP/gl/mr-pass.json
expect_json "$R" "d['selected']" "['perf-gate']" "only perf-gate in a merge request pipeline"
expect_json "$R" "$(inst perf-gate)['status'], $(inst perf-gate)['exit_code']" "success 0" "pass"
P=$TMP/gl/mr-pass/perf-gate/widgets/perfgate-reports
expect_json "$P/report.json" "d['baseline']['commit'], d['baseline']['source']" \
	"$C1 merge base of HEAD and origin/main" "the target branch was fetched for the merge base"
expect_json "$R" "sorted($(inst perf-gate)['artifacts']['reports'])" "['junit', 'metrics']" "junit and metrics reports"
expect_json "$R" "$(inst perf-gate)['artifacts']['expire_in']" "14 days" "gate artifacts expiry"
expect_json "$R" "[f for f in $(inst perf-gate)['artifacts']['paths']['perfgate-reports/'] if f.startswith('perfgate-reports/artifacts/')]" \
	"['perfgate-reports/artifacts/report.json', 'perfgate-reports/artifacts/report.md', 'perfgate-reports/artifacts/report.xml', 'perfgate-reports/artifacts/results.txt']" \
	"the job's artifacts hold the gate's --artifacts-dir"
"$PYTHON" -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); assert len(list(r.iter("testcase"))) >= 18' \
	"$P/report.xml" && ok "the JUnit report parses" || not_ok "JUnit report"
m=$(metrics "$P/metrics.txt" 2>&1)
case " $m " in
*" perfgate_regressions=0 "*" perfgate_compared=18 "*" perfgate_exit_code=0 "*) ok "OpenMetrics: $m" ;;
*) not_ok "OpenMetrics: $m" ;;
esac
names() { metrics "$1" | tr ' ' '\n' | sed 's/=.*//'; }
[ -n "$(names "$BM")" ] && [ "$(names "$BM")" = "$(names "$P/metrics.txt")" ] &&
	ok "perf-baseline and perf-gate report the same metrics" || not_ok "metric names differ"

SEEDED_SHIFT=Hash=20 gl_run mr-reg example.gitlab-ci.yml --source merge_request_event --ref feature --sha "$C2" --mr 1
expect_rc 1 "GitLab perf-gate: a 20% slowdown fails the pipeline"
R=$TMP/gl/mr-reg.json
expect_json "$R" "$(inst perf-gate)['status'], $(inst perf-gate)['exit_code']" "failed 1" "regression"
P=$TMP/gl/mr-reg/perf-gate/widgets/perfgate-reports
m=$(metrics "$P/metrics.txt" 2>&1)
case " $m " in
*" perfgate_regressions=1 "*"perfgate_max_slowdown_percent=1"[89]* | \
*" perfgate_regressions=1 "*"perfgate_max_slowdown_percent=2"[01]*) ok "OpenMetrics: $m" ;;
*) not_ok "OpenMetrics: $m" ;;
esac
"$PYTHON" -c 'import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); f = [t.get("name") for t in r.iter("testcase") if t.find("failure") is not None]; assert f == ["Hash"], f' \
	"$P/report.xml" && ok "the JUnit report fails Hash" || not_ok "JUnit report"

# jq failing (exit 5) costs the metrics report, never perfgate's exit status
mkdir -p "$TMP/badjq"
printf '#!/bin/sh\necho "jq: error: simulated" >&2\nexit 5\n' >"$TMP/badjq/jq"
chmod +x "$TMP/badjq/jq"
SEEDED_SHIFT=Hash=20 PATH="$TMP/badjq:$PATH" gl_run mr-badjq example.gitlab-ci.yml --source merge_request_event \
	--ref feature --sha "$C2" --mr 1
expect_json "$TMP/gl/mr-badjq.json" "$(inst perf-gate)['status'], $(inst perf-gate)['exit_code']" "failed 1" \
	"jq failing: the job still fails with perfgate's exit status 1"
expect_json "$TMP/gl/mr-badjq.json" "sorted($(inst perf-gate)['artifacts']['reports'])" "['junit']" "no metrics report"
grep -q '^perfgate: warning: no metrics report: jq failed (exit status 5)' "$TMP/gl/mr-badjq/perf-gate/log.txt" &&
	ok "a warning says why" || not_ok "no warning in the log"
PATH="$TMP/badjq:$PATH" gl_run mr-badjq-pass example.gitlab-ci.yml --source merge_request_event \
	--ref feature --sha "$C2" --mr 1
expect_json "$TMP/gl/mr-badjq-pass.json" "$(inst perf-gate)['status'], $(inst perf-gate)['exit_code']" "success 0" \
	"jq failing: a passing gate still passes"

gl_run mr-crash example.gitlab-ci.yml --source merge_request_event --ref crash --sha "$C3" --mr 3
expect_rc 0 "GitLab perf-gate: a crashed suite does not fail the pipeline"
expect_json "$TMP/gl/mr-crash.json" "$(inst perf-gate)['status'], $(inst perf-gate)['exit_code']" \
	"allowed-failure 3" "exit 3 is allowed to fail"

SEEDED_SHIFT=Encode=20 gl_run sharded example-sharded.gitlab-ci.yml --source merge_request_event --ref feature \
	--sha "$C2" --mr 1 --pipeline-id 6001
expect_rc 1 "GitLab sharded gate: the collect job finds one shard's regression"
R=$TMP/gl/sharded.json
expect_json "$R" "d['selected']" "['perf-gate', 'perf-gate-collect']" "shards and collect"
expect_json "$R" "[i['status'] for i in d['jobs']['perf-gate']['instances']]" \
	"['success', 'success', 'success', 'success']" "parallel: 4"
expect_json "$R" "$(inst perf-gate-collect)['status'], $(inst perf-gate-collect)['exit_code']" "failed 1" "collect"
expect_json "$R" "$(inst perf-gate-collect)['downloaded']" "[]" "the collect job downloads none of the shards' artifacts"
expect_json "$R" "sorted(set(f for i in d['jobs']['perf-gate']['instances'] for f in i['artifacts']['paths']['perfgate-reports/'] if f.startswith('perfgate-reports/artifacts/')))" \
	"['perfgate-reports/artifacts/results.txt']" "the shards' artifacts hold their --artifacts-dir"
got=$(bench_names "$TMP"/gl/sharded/perf-gate-[1-4]/widgets/perfgate-reports/artifacts/results.txt)
[ "$got" = "$ALL_NAMES" ] && ok "the shards' artifacts hold their results: $got" ||
	not_ok "the shards' artifacts hold the results of '$got', want '$ALL_NAMES'"
P=$TMP/gl/sharded/perf-gate-collect/widgets/perfgate-reports
expect_json "$P/report.json" "[r['benchmark'] for r in d['rows'] if r['decision'] == 'regression']" "['Encode']" \
	"collect decides for the whole suite"

finish
