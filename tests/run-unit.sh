#!/bin/sh
# Run every cmocka suite given; print one summary line; fail if any failed.
# Each suite prints cmocka's own "[  PASSED  ]" / "[  FAILED  ]" lines.
set -u
pass=0
fail=0
failed=""
for t in "$@"; do
	echo "== $t"
	if "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $t"
	fi
done
echo "unit: $pass suites passed, $fail failed"
if [ "$fail" -ne 0 ]; then
	echo "unit: FAILED:$failed"
	exit 1
fi
