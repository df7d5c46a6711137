#!/usr/bin/python3
"""A fake benchmark suite for the gate's tests: prints the Go benchmark
format with seeded, reproducible samples, one line per benchmark per
invocation, like one run of a real suite.

    seeded-suite.py [-list REGEX] [-bench REGEX] [other flags ignored]

Environment:
  SEEDED_STATE   a file counting the invocations (each run draws new noise)
  SEEDED_SEED    base seed (default 1)
  SEEDED_SHIFT   "Name=PCT,Name2=PCT": make those benchmarks PCT percent
                 slower (ns/op); negative for faster. A file
                 seeded-shift.txt in the working directory adds shifts the
                 same way (so a commit can carry a "code change")
  SEEDED_LOG     a file to append "<cwd-marker> <benchmarks run>" to, one line
                 per invocation (tests of the A/B order)
  SEEDED_ARGS_LOG  a file to append "PERFGATE_BENCHTIME=<value, or -> <args>"
                 to, one line per invocation (what the runner passes a suite)
  SEEDED_ALLOCS  "Name=N": allocs/op of a benchmark (default 3)
  SEEDED_NOISE   relative noise (default 0.01: 1%, far below the 5%
                 threshold, so decisions do not depend on luck)
  SEEDED_BENCHES how many benchmarks (default 6)
  SEEDED_RUN_CONFIG  a configuration key: print "<key>: <invocation number>"
                 (the count SEEDED_STATE keeps, else 1) before the results,
                 a configuration line that changes from run to run
"""
import os
import random
import re
import sys

NAMES = ["Hash", "Sort/n=100", "Sort/n=10000", "Parse", "Encode", "Walk",
         "Copy/64B", "Copy/4KB", "Build", "Lookup"]


def parse_map(text, conv):
    out = {}
    for item in filter(None, (text or "").split(",")):
        k, v = item.split("=", 1) if item.count("=") == 1 else item.rsplit("=", 1)
        out[k] = conv(v)
    return out


def main():
    args = sys.argv[1:]
    args_log = os.environ.get("SEEDED_ARGS_LOG")
    if args_log:
        with open(args_log, "a") as f:
            f.write("PERFGATE_BENCHTIME=%s %s\n"
                    % (os.environ.get("PERFGATE_BENCHTIME", "-"), " ".join(args)))
    count = int(os.environ.get("SEEDED_BENCHES", "6"))
    names = NAMES[:count]
    if "-list" in args:
        rx = re.compile(args[args.index("-list") + 1])
        for top in dict.fromkeys(n.split("/")[0] for n in names):
            if rx.search("Benchmark" + top):
                print("Benchmark" + top)
        return
    bench = re.compile(args[args.index("-bench") + 1]) if "-bench" in args else None
    state = os.environ.get("SEEDED_STATE")
    n = 1
    if state:
        try:
            n = int(open(state).read()) + 1
        except (OSError, ValueError):
            n = 1
        with open(state, "w") as f:
            f.write(str(n))
    seed = int(os.environ.get("SEEDED_SEED", "1"))
    shift = parse_map(os.environ.get("SEEDED_SHIFT"), float)
    try:
        for k, v in parse_map(open("seeded-shift.txt").read().strip(), float).items():
            shift[k] = shift.get(k, 0.0) + v
    except OSError:
        pass
    allocs = parse_map(os.environ.get("SEEDED_ALLOCS"), int)
    noise = float(os.environ.get("SEEDED_NOISE", "0.01"))
    rng = random.Random(seed * 1000003 + n)
    log = os.environ.get("SEEDED_LOG")
    if log:
        marker = open("side.txt").read().strip() if os.path.exists("side.txt") else "-"
        ran = [n for n in names if not bench or bench.search("Benchmark" + n.split("/")[0])]
        with open(log, "a") as f:
            f.write("%s %s\n" % (marker, ",".join(ran)))
    print("goos: linux")
    print("pkg: seeded")
    run_config = os.environ.get("SEEDED_RUN_CONFIG")
    if run_config:
        print("%s: %d" % (run_config, n))
    for i, name in enumerate(names):
        if bench and not bench.search("Benchmark" + name.split("/")[0]):
            continue
        base = 1000.0 * (i + 1)
        v = base * (1 + shift.get(name, 0.0) / 100) * (1 + abs(rng.gauss(0, noise)))
        print("Benchmark%s\t1000\t%.1f ns/op\t%d B/op\t%d allocs/op"
              % (name, v, 64 * (i + 1), allocs.get(name, 3)))
    print("PASS")


if __name__ == "__main__":
    main()
