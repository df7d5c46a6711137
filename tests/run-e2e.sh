#!/bin/sh
# Run end-to-end test scripts; each script exits non-zero when a check
# fails (tests/e2e/lib.sh). One summary line at the end.
set -u
pass=0
fail=0
failed=""
for t in "$@"; do
	echo "== $t"
	if sh "$t"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		failed="$failed $t"
	fi
done
echo "e2e: $pass scripts passed, $fail failed"
if [ "$fail" -ne 0 ]; then
	echo "e2e: FAILED:$failed"
	exit 1
fi
