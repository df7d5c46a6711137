#!/bin/sh
# tests/bench/experiment_noise_table.py: the table of make experiment-noise,
# from a log written as experiment_noise.sh writes it. A slowdown counts as
# caught only when Hash/fnv1a-64K itself is flagged (in the deciding tables
# after a confirmation), other failing rows are counted apart.
. "$(dirname "$0")/lib.sh"
TABLE=$TOP/tests/bench/experiment_noise_table.py

cat >"$TMP/log" <<'LOG'
== stored trial 1
perfgate: PASS: no regression beyond thresholds in 6 benchmark metrics
-- stored same: exit 0 wall 2.0
ns/op               old      new   delta  95% CI            decision
Hash/fnv1a-64K  84.79µs  89.98µs  +6.1%  [+5.3%, +7.0%]     REGRESSION  +6.1% > 5% threshold
MatMul64        77.49µs  158.7µs  +104%  [+90%, +120%]      REGRESSION  +104% > 5% threshold
-- stored slow5: exit 1 wall 4.0
ns/op               old      new   delta  95% CI            decision
Hash/fnv1a-64K  84.79µs  85.98µs  +1.4%  [+0.3%, +2.5%]     unchanged   within 5%
MatMul64        77.49µs  158.7µs  +104%  [+90%, +120%]      REGRESSION  +104% > 5% threshold
-- stored slow10: exit 1 wall 3.0
== stored trial 2
Sort/n=100      3.451µs  3.973µs  +15.1%  [+8%, +21.6%]     REGRESSION  +15.1% > 5% threshold
-- stored same: exit 1 wall 2.0
-- stored slow5: exit 3 wall 0.5
-- stored slow10: exit 0 wall 3.5
== confirm trial 1
first pass: the stored baseline against the candidate's runs
Hash/fnv1a-64K  84.79µs  89.98µs  +6.1%  [+5.3%, +7.0%]     REGRESSION  +6.1% > 5% threshold
decided by: same-runner A/B against 4be784601e59 built here: 1 benchmark x 20 pairs
Hash/fnv1a-64K  84.79µs  85.98µs  +1.4%  [+0.3%, +2.5%]     unchanged   paired: within 5%
-- confirm same: exit 0 wall 5.0
first pass: the stored baseline against the candidate's runs
Hash/fnv1a-64K  84.79µs  89.98µs  +6.1%  [+5.3%, +7.0%]     REGRESSION  +6.1% > 5% threshold
decided by: same-runner A/B against 4be784601e59 built here: 1 benchmark x 20 pairs
Hash/fnv1a-64K  84.79µs  89.98µs  +6.1%  [+5.3%, +7.0%]     REGRESSION  paired: +6.1% > 5% threshold
-- confirm slow5: exit 1 wall 7.0
-- confirm slow10: exit 0
LOG

run "$PYTHON" "$TABLE" "$TMP/log"
expect_rc 0 "the table of a log"
expect_out '^mode +false alarms \(A/A\) +caught \+5% +caught \+10% +errors +wall s/gate +other rows failing on the slowed builds$'
# stored: 1 false alarm in 2; +5%: caught in trial 1 (trial 2 is an error);
# +10%: failed only for MatMul64 (not caught), passed in trial 2
expect_out '^stored +1/2 +1/1 +0/2 +1 +2\.5 +MatMul64 2/3$'
# confirm: the first pass's Hash row does not count, the decision does
expect_out '^confirm +0/1 +1/1 +0/1 +0 +6\.0 +none$'

run "$PYTHON" "$TABLE" "$TMP/missing"
expect_rc 2 "a missing log"
expect_err "^experiment_noise_table: cannot read '$TMP/missing': No such file or directory$"
printf 'nothing here\n' >"$TMP/empty"
run "$PYTHON" "$TABLE" "$TMP/empty"
expect_rc 2 "a log without gates"
expect_err "^experiment_noise_table: no gate results in '$TMP/empty'$"
finish
