#!/usr/bin/python3
"""Write a Go benchmark format results file for perfgate's benchmarks.

    gen_results.py [--benchmarks 10000] [--samples 20] [--seed 1]
                   [--noise-seed N] [--shift PCT [--shift-fraction 0.1]] OUT

Lines are those of `go test -bench . -count 20 -benchmem` output without the
column padding, the runs of a benchmark one after the other:

    BenchmarkDecode/n=1024/v7-2	123456	9876.5 ns/op	2048 B/op	12 allocs/op

with configuration lines (goos, goarch, pkg, cpu) at the top and the usual
PASS / ok trailer: 10,000 benchmarks x 20 samples make about 14 MB
(--padded writes go test's padded columns: about 19 MB). Each
benchmark has a base ns/op, B/op and allocs/op drawn from --seed; samples
scatter around it by about 2 %, drawn from --noise-seed (default: --seed).
The same seeds give the same file. --shift PCT makes a --shift-fraction of
the benchmarks PCT percent slower (ns/op), chosen from --seed too: a
second run of the same benchmarks is `--seed 1 --noise-seed 2`, the same
with a regression `--seed 1 --noise-seed 2 --shift 5`.

Debian's /usr/bin/python3, standard library only.
"""
import argparse
import random
import sys

OPS = ["Decode", "Encode", "Parse", "Marshal", "Unmarshal", "Compress",
       "Decompress", "Hash", "Sort", "Search"]
SIZES = [16, 64, 256, 1024, 4096, 16384, 65536]


def names(n):
    """n distinct sub-benchmark names with a -2 procs suffix."""
    out = []
    i = 0
    while len(out) < n:
        op = OPS[i % len(OPS)]
        size = SIZES[(i // len(OPS)) % len(SIZES)]
        variant = i // (len(OPS) * len(SIZES))
        out.append("%s/n=%d/v%d-2" % (op, size, variant))
        i += 1
    return out


def ns_field(x, width):
    # testing.BenchmarkResult prints ns/op with more digits when small
    if x >= 99.995:
        return "%*.0f ns/op" % (width, x) if x >= 1e5 else "%*.1f ns/op" % (width, x)
    return "%*.2f ns/op" % (width, x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", help="file to write ('-' for standard output)")
    ap.add_argument("--benchmarks", type=int, default=10000)
    ap.add_argument("--samples", type=int, default=20)
    ap.add_argument("--seed", type=int, default=1,
                    help="seed of the benchmarks' base values")
    ap.add_argument("--noise-seed", type=int, default=None,
                    help="seed of the samples' noise (default: --seed)")
    ap.add_argument("--shift", type=float, default=0.0,
                    help="percent by which the shifted benchmarks slow down")
    ap.add_argument("--shift-fraction", type=float, default=0.1,
                    help="fraction of the benchmarks that are shifted")
    ap.add_argument("--padded", action="store_true",
                    help="pad the columns as go test does")
    args = ap.parse_args()

    base = random.Random(args.seed)
    nseed = args.seed if args.noise_seed is None else args.noise_seed
    noise = random.Random(nseed * 7919 + 17)
    pick = random.Random(args.seed * 104729 + 3)
    bench = names(args.benchmarks)
    width = max(len("Benchmark" + b) for b in bench) if args.padded else 0
    nw = 8 if args.padded else 0

    out = sys.stdout if args.out == "-" else open(args.out, "w", newline="\n")
    w = out.write
    w("goos: linux\n")
    w("goarch: amd64\n")
    w("pkg: example.com/codec\n")
    w("cpu: Intel(R) Xeon(R) CPU @ 2.20GHz\n")
    for b in bench:
        ns = base.lognormvariate(8.0, 2.0)
        bytes_op = int(base.choice([0, 16, 64, 512, 2048, 8192]))
        allocs = int(base.choice([0, 1, 2, 4, 12, 40]))
        shifted = pick.random() < args.shift_fraction
        if shifted and args.shift:
            ns *= 1 + args.shift / 100.0
        iters = max(1, int(1e9 / ns))
        name = ("Benchmark" + b).ljust(width)
        for _ in range(args.samples):
            x = ns * noise.gauss(1.0, 0.02)
            if x <= 0:
                x = ns
            w("%s\t%*d\t%s\t%*d B/op\t%*d allocs/op\n"
              % (name, nw, iters, ns_field(x, 12 if args.padded else 0),
                 nw, bytes_op, nw, allocs))
    w("PASS\n")
    w("ok  \texample.com/codec\t812.345s\n")
    if out is not sys.stdout:
        out.close()


if __name__ == "__main__":
    main()
