#!/usr/bin/python3
"""The table of make experiment-noise, from its log (tests/bench/experiment_noise.sh).

    tests/bench/experiment_noise_table.py build/experiment-noise.log

The log holds every gate's terminal report, each followed by a line
"-- MODE BRANCH: exit RC [wall SECONDS]". A gate on branch "same" (no change)
that exits 1 is a false alarm. On a branch "slowN" (BenchmarkHash/fnv1a-64K
made N% slower in the code) the slowdown counts as caught when a row of
Hash/fnv1a-64K is a REGRESSION in the deciding tables (after "decided by:"
when a confirmation ran) -- not merely when the gate fails: a slowed build
can also change other benchmarks (code layout), and those rows are counted
apart, per benchmark. Any other exit status is an error (the gate could not
run). Standard library only.
"""
import re
import sys

SLOW_BENCH = "Hash/fnv1a-64K"
END = re.compile(r"^-- (\S+) (\S+): exit (\d+)(?: wall ([0-9.]+))?\s*$")
ROW = re.compile(r"^(\S+)\s.*\s(REGRESSION)\s")


def regressed_rows(block):
    """Benchmark names with a REGRESSION row in the deciding tables."""
    start = 0
    for i, line in enumerate(block):
        if line.startswith("decided by:"):
            start = i
    names = set()
    for line in block[start:]:
        m = ROW.match(line)
        if m:
            names.add(m.group(1))
    return names


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: experiment_noise_table.py LOG\n")
        return 2
    try:
        with open(argv[1], encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError as e:
        sys.stderr.write("experiment_noise_table: cannot read '%s': %s\n" % (argv[1], e.strerror))
        return 2
    modes = {}
    order = []
    block = []
    for line in lines:
        m = END.match(line)
        if not m:
            block.append(line)
            continue
        mode, branch, rc, wall = m.group(1), m.group(2), int(m.group(3)), m.group(4)
        st = modes.get(mode)
        if st is None:
            st = modes[mode] = {"same": 0, "fa": 0, "slow": {}, "other": {},
                                "errors": 0, "wall": [], "gates": 0}
            order.append(mode)
        st["gates"] += 1
        if wall is not None:
            st["wall"].append(float(wall))
        if rc not in (0, 1):
            st["errors"] += 1
        elif branch == "same":
            st["same"] += 1
            st["fa"] += rc == 1
        elif branch.startswith("slow"):
            pct = branch[4:]
            n, caught = st["slow"].get(pct, (0, 0))
            names = regressed_rows(block) if rc == 1 else set()
            st["slow"][pct] = (n + 1, caught + (SLOW_BENCH in names))
            for name in names - {SLOW_BENCH}:
                st["other"][name] = st["other"].get(name, 0) + 1
        block = []
    if not order:
        sys.stderr.write("experiment_noise_table: no gate results in '%s'\n" % argv[1])
        return 2
    pcts = sorted({p for st in modes.values() for p in st["slow"]}, key=float)
    head = "%-11s %-18s" % ("mode", "false alarms (A/A)")
    for p in pcts:
        head += "  %-11s" % ("caught +%s%%" % p)
    head += "  %-6s  %-11s  %s" % ("errors", "wall s/gate", "other rows failing on the slowed builds")
    print(head)
    for mode in order:
        st = modes[mode]
        row = "%-11s %-18s" % (mode, "%d/%d" % (st["fa"], st["same"]))
        for p in pcts:
            n, caught = st["slow"].get(p, (0, 0))
            row += "  %-11s" % ("%d/%d" % (caught, n))
        wall = "%.1f" % (sum(st["wall"]) / len(st["wall"])) if st["wall"] else "-"
        nslow = sum(n for n, _ in st["slow"].values())
        other = ", ".join("%s %d/%d" % (k, v, nslow) for k, v in
                          sorted(st["other"].items(), key=lambda kv: (-kv[1], kv[0])))
        row += "  %-6d  %-11s  %s" % (st["errors"], wall, other or "none")
        print(row)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
