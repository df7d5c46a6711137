#!/usr/bin/python3
"""Time `perfgate compare` on two large Go benchmark format files.

    bench_stats.py --perfgate build/perfgate --dir build/bench
                   [--runs 5] [--bench-parse build/bench_parse] [--strict]

Writes DIR/old.txt and DIR/new.txt with gen_results.py (beside this
script) when they are missing: 10,000 benchmarks x 3 units x 20 samples
(about 14 MB each), new.txt a second run of the same benchmarks, 5 %
slower on a tenth of them. Then runs
`perfgate compare old.txt new.txt > /dev/null` --runs times, each in a
fresh process whose resource usage is taken with wait4(), and prints the
wall time (min, median), the peak RSS, the file sizes and the end-to-end
throughput (both files' bytes / median wall time) against the targets:
under 0.5 s and 150 MB. With --bench-parse, also runs that program
(tests/bench/bench_parse.c) on old.txt for the parser's own throughput.

Exit status: 0; 2 when perfgate fails (status other than 0 or 1, 1 being
"regression found", which these files are meant to give); 1 when a
target is missed and --strict is given.

Debian's /usr/bin/python3, standard library only.
"""
import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

TARGET_WALL = 0.5        # seconds
TARGET_RSS = 150.0       # MB

HERE = os.path.dirname(os.path.abspath(__file__))


def generate(path, extra):
    if os.path.exists(path):
        return
    cmd = [sys.executable, os.path.join(HERE, "gen_results.py"),
           "--benchmarks", "10000", "--samples", "20"] + extra + [path + ".tmp"]
    print("bench-stats: generating %s" % path, flush=True)
    subprocess.run(cmd, check=True)
    os.replace(path + ".tmp", path)


def run_once(cmd):
    """Wall time (s), peak RSS (MB) and exit status of one run."""
    with tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        msg = err.read().decode(errors="replace")
    return wall, usage.ru_maxrss / 1024.0, p.returncode, msg


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--perfgate", required=True)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--bench-parse", help="the bench_parse program, if built")
    ap.add_argument("--strict", action="store_true",
                    help="exit 1 when a target is missed")
    args = ap.parse_args()

    os.makedirs(args.dir, exist_ok=True)
    old = os.path.join(args.dir, "old.txt")
    new = os.path.join(args.dir, "new.txt")
    generate(old, ["--seed", "1"])
    generate(new, ["--seed", "1", "--noise-seed", "2", "--shift", "5",
                   "--shift-fraction", "0.1"])
    size_old = os.path.getsize(old) / 1e6
    size_new = os.path.getsize(new) / 1e6

    cmd = [args.perfgate, "compare", old, new]
    walls, rss = [], []
    for _ in range(args.runs):
        wall, peak, rc, msg = run_once(cmd)
        if rc not in (0, 1):
            sys.stderr.write("bench-stats: %s exited with %d\n%s"
                             % (" ".join(cmd), rc, msg))
            return 2
        walls.append(wall)
        rss.append(peak)

    med = statistics.median(walls)
    peak = max(rss)
    ok_wall = med < TARGET_WALL
    ok_rss = peak < TARGET_RSS
    print("files:      old.txt %.1f MB, new.txt %.1f MB" % (size_old, size_new))
    print("wall time:  min %.3f s, median %.3f s over %d runs (target < %.1f s): %s"
          % (min(walls), med, len(walls), TARGET_WALL, "ok" if ok_wall else "MISSED"))
    print("peak RSS:   %.1f MB (target < %.0f MB): %s"
          % (peak, TARGET_RSS, "ok" if ok_rss else "MISSED"))
    print("throughput: %.0f MB/s end to end (both files / median wall time)"
          % ((size_old + size_new) / med))
    if args.bench_parse:
        out = subprocess.run([args.bench_parse, old, "10"], check=True,
                             capture_output=True, text=True).stdout
        sys.stdout.write("bench_parse: " + out.replace("\n", "\n             ").rstrip() + "\n")
    if args.strict and not (ok_wall and ok_rss):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
