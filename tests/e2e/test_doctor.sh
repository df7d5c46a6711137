#!/bin/sh
# perfgate doctor: the quiet-host checks on fake sysfs/procfs trees
# (PERFGATE_SYSROOT), then on the real host.
. "$(dirname "$0")/lib.sh"

# The highest CPU this process may run on: the fake trees isolate it, so
# that the default choice (isolated CPUs) is one the real affinity allows.
HI=$("$PYTHON" -c 'import os; print(max(os.sched_getaffinity(0)))')
if [ "$HI" -gt 0 ]; then SIB=$((HI - 1)); else SIB=1; fi # its fake SMT sibling

put() { # put ROOT REL CONTENT
	mkdir -p "$(dirname "$1/$2")" && printf '%s\n' "$3" >"$1/$2"
}

C=sys/devices/system/cpu
QUIET=$TMP/quiet
put "$QUIET" $C/online "0-1023"
put "$QUIET" $C/isolated "$HI"
put "$QUIET" $C/cpu$HI/cpufreq/scaling_governor performance
put "$QUIET" $C/intel_pstate/no_turbo 1
put "$QUIET" $C/cpu$HI/topology/thread_siblings_list "$HI"
put "$QUIET" proc/sys/kernel/randomize_va_space 2
put "$QUIET" proc/loadavg "0.05 0.10 0.10 1/120 4242"
put "$QUIET" proc/cpuinfo "flags		: fpu vme sse2"
put "$QUIET" sys/class/dmi/id/sys_vendor "Dell Inc."
put "$QUIET" sys/class/dmi/id/product_name "PowerEdge R640"
put "$QUIET" proc/sys/kernel/perf_event_paranoid 2
put "$QUIET" perfgate-probe/perf_event ok

NOISY=$TMP/noisy
put "$NOISY" $C/online "0-1023"
put "$NOISY" $C/cpu$HI/cpufreq/scaling_governor powersave
put "$NOISY" $C/intel_pstate/no_turbo 0
put "$NOISY" $C/cpu$HI/topology/thread_siblings_list "$SIB,$HI"
put "$NOISY" $C/smt/control on
put "$NOISY" proc/sys/kernel/randomize_va_space 0
put "$NOISY" proc/loadavg "900.00 2.00 1.00 5/300 4242"
put "$NOISY" proc/cpuinfo "flags		: fpu vme sse2 hypervisor"
put "$NOISY" sys/class/dmi/id/sys_vendor "QEMU"
put "$NOISY" sys/class/dmi/id/product_name "Standard PC (Q35 + ICH9, 2009)"
put "$NOISY" proc/sys/kernel/perf_event_paranoid 3
put "$NOISY" perfgate-probe/perf_event EACCES

ok_line='^ok    '
# --- a quiet host: no warning, exit 0 (also with --require-quiet)
run env PERFGATE_SYSROOT="$QUIET" "$PERFGATE" doctor
expect_rc 0 "doctor on a quiet host"
expect_out "^checking CPU $HI: what perfgate run would pin to \\(isolated CPUs\\)\$"
for check in governor turbo smt aslr load isolated virtualization perf_event; do
	expect_out "^ok    $check +[a-zA-Z]"
done
expect_no_out '^(warn|info) '
expect_no_out 'fix:'
expect_out '^this host looks quiet$'
if [ "$(grep -Ec "$ok_line" "$TMP/out")" -eq 8 ]; then ok "8 findings"; else not_ok "8 findings"; fi
run env PERFGATE_SYSROOT="$QUIET" "$PERFGATE" doctor --require-quiet
expect_rc 0 "doctor --require-quiet on a quiet host"
expect_out '^this host looks quiet$'

# --- a noisy host: warnings with their fixes, exit 0; 3 with --require-quiet
run env PERFGATE_SYSROOT="$NOISY" "$PERFGATE" doctor --cpus "$HI"
expect_rc 0 "doctor on a noisy host"
expect_out "^checking CPU $HI \\(--cpus\\)\$"
expect_out "^warn  governor        frequency governor 'powersave' on CPU $HI "
expect_out '^                      fix: sudo cpupower frequency-set -g performance$'
expect_out '^                       or: echo performance \| sudo tee /sys/devices/system/cpu/cpu\*/cpufreq/scaling_governor$'
expect_out '^warn  turbo +turbo boost is on'
expect_out '^ +fix: echo 1 \| sudo tee /sys/devices/system/cpu/intel_pstate/no_turbo$'
expect_out "^warn  smt +CPU $HI shares its core with SMT sibling CPU $SIB:"
expect_out '^ +or: echo off \| sudo tee /sys/devices/system/cpu/smt/control$'
expect_out '^warn  aslr +ASLR is off'
expect_out '^ +fix: sudo sysctl -w kernel.randomize_va_space=2$'
expect_out '^warn  load +load average 900.00 over the last minute on 1024 online CPUs'
expect_out '^warn  isolated +no CPU is isolated'
expect_out "^ +fix: add 'isolcpus=$HI nohz_full=$HI rcu_nocbs=$HI' to GRUB_CMDLINE_LINUX"
expect_out '^warn  virtualization  virtual machine \(QEMU\)'
expect_out '^warn  perf_event +kernel.perf_event_paranoid=3 forbids counting instructions'
expect_out '^ +fix: sudo sysctl -w kernel.perf_event_paranoid=2$'
expect_out '^8 warnings: this host is not quiet; results will be noisier$'
run env PERFGATE_SYSROOT="$NOISY" "$PERFGATE" doctor --cpus "$HI" --require-quiet
expect_rc 3 "doctor --require-quiet on a noisy host"
expect_out '^8 warnings: this host is not quiet; failing because of --require-quiet$'

# --- JSON
run env PERFGATE_SYSROOT="$NOISY" "$PERFGATE" doctor --cpus "$HI" --format json
expect_rc 0 "doctor --format json"
if "$PYTHON" - "$TMP/out" "$HI" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cpus"] == sys.argv[2], d["cpus"]
assert d["cpus_reason"] == "--cpus"
assert d["warnings"] == 8, d["warnings"]
ids = [f["check"] for f in d["findings"]]
assert ids == ["governor", "turbo", "smt", "aslr", "load", "isolated", "virtualization",
               "perf_event"], ids
for f in d["findings"]:
    assert set(f) == {"check", "level", "message", "fix"}, f
    assert f["level"] == "warn" and isinstance(f["fix"], str) and f["fix"], f
    assert isinstance(f["message"], str) and "\n" not in f["message"]
PY
then ok "JSON has the documented shape"; else not_ok "JSON has the documented shape"; fi
run env PERFGATE_SYSROOT="$QUIET" "$PERFGATE" doctor --format json --require-quiet
expect_rc 0 "doctor --format json on a quiet host"
if "$PYTHON" - "$TMP/out" "$HI" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
assert d["cpus"] == sys.argv[2] and d["cpus_reason"] == "isolated CPUs", d
assert d["warnings"] == 0
assert all(f["level"] == "ok" and f["fix"] is None for f in d["findings"])
PY
then ok "quiet JSON: no warning, fix null"; else not_ok "quiet JSON: no warning, fix null"; fi
run env PERFGATE_SYSROOT="$NOISY" "$PERFGATE" doctor --cpus "$HI" --format json --require-quiet
expect_rc 3 "doctor --format json --require-quiet on a noisy host"

# --- usage errors: exit 2, nothing on stdout
for args in "--cpus x" "--cpus 3-1" "--cpus 1," "--cpus ''" "--cpus 1023" "--format yaml" \
	"--bogus" "extra" "--cpus"; do
	eval "run env PERFGATE_SYSROOT=\"\$QUIET\" \"\$PERFGATE\" doctor $args"
	expect_rc 2 "usage error: doctor $args"
	expect_empty_out
done
run "$PERFGATE" doctor --cpus x
expect_err "^perfgate: doctor: --cpus: invalid CPU list 'x'$"
expect_err '^usage: perfgate doctor'
if [ "$HI" -ne 1023 ]; then
	run env PERFGATE_SYSROOT="$QUIET" "$PERFGATE" doctor --cpus 1023
	expect_err "^perfgate: doctor: --cpus: CPU 1023 is not available to this process"
fi
run "$PERFGATE" doctor --help
expect_rc 0 "doctor --help"
expect_out '^usage: perfgate doctor \[--cpus LIST\] \[--require-quiet\] \[--format text\|json\]$'
run "$PERFGATE" help
expect_out '^   doctor +check whether this host is quiet enough to benchmark$'

# --- the real host: whatever it finds, it runs and exits 0
run env -u PERFGATE_SYSROOT "$PERFGATE" doctor
expect_rc 0 "doctor on the real host"
expect_out '^checking CPUs? [0-9]'
expect_out '^(ok|info|warn) +perf_event '
expect_out '^(this host looks quiet|[0-9]+ warnings?: this host is not quiet; results will be noisier)$'
sed 's/^/# /' "$TMP/out"
run env -u PERFGATE_SYSROOT "$PERFGATE" doctor --format json
expect_rc 0 "doctor --format json on the real host"
if "$PYTHON" -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["findings"]) == 8' "$TMP/out"
then ok "real host JSON parses"; else not_ok "real host JSON parses"; fi

# --- a failed write to stdout is not success
if [ -w /dev/full ]; then
	PERFGATE_SYSROOT="$QUIET" "$PERFGATE" doctor >/dev/full 2>"$TMP/err"
	rc=$?
	expect_rc 3 "doctor writing to a full device"
	expect_err 'write failure on standard output'
fi

# --- perfgate run checks the host before it runs anything
FAKE=$TOP/tests/e2e/suites/fake-suite.sh
run env PERFGATE_SYSROOT="$NOISY" "$PERFGATE" run -n 1 --warmup 0 --require-quiet -- "$FAKE" ok "$TMP/runs"
expect_rc 3 "run --require-quiet on a noisy host"
expect_err '^warn  governor '
expect_err "^perfgate: the host is not quiet \([0-9]+ warnings\) and --require-quiet was given$"
expect_empty_out
[ -e "$TMP/runs" ] && not_ok "the suite ran on a noisy host" || ok "the suite did not run"
run env PERFGATE_SYSROOT="$NOISY" "$PERFGATE" run -n 1 --warmup 0 -- "$FAKE" ok "$TMP/runs"
expect_rc 0 "run without --require-quiet on a noisy host warns and runs"
expect_err '^warn  aslr '
expect_out '^BenchmarkFake/a 100 1001 ns/op'
run env PERFGATE_SYSROOT="$QUIET" "$PERFGATE" run -n 1 --warmup 0 --require-quiet -- "$FAKE" ok "$TMP/runs2"
expect_rc 0 "run --require-quiet on a quiet host"
expect_out "^pinned-cpus: $HI$"

finish
