#!/bin/sh
# perfgate profile top/diff on real pprof profiles: Go's runtime/pprof
# (tests/data/profgen, built and run here; no profile is committed), and
# perfgate's own harness (-cpuprofile) on the example suite with an
# injected slowdown. The differential flame graphs (of the Go profiles and
# of the injected slowdown) are opened in headless Chromium and the
# screenshots must not be blank.
. "$(dirname "$0")/lib.sh"
BUILD_DIR=$(cd "$(dirname "$PERFGATE")" && pwd)
EXAMPLE=$BUILD_DIR/examples/example-suite
CHROMIUM=${CHROMIUM:-chromium}

# json_check FILE PYTHON-CODE: run the code with `d` the JSON of FILE
json_check() {
	"$PYTHON" - "$1" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
exec(sys.argv[2])
PY
}

check() { # check WHAT CMD...: ok when CMD succeeds
	what=$1
	shift
	if "$@" >"$TMP/check.out" 2>&1; then ok "$what"; else
		not_ok "$what"
		sed 's/^/#   /' "$TMP/check.out" | head -20
	fi
}

# --- Go profiles: hotA (with the inlined mixStep) and hotB
if ! command -v go >/dev/null 2>&1; then
	not_ok "go is not installed (Debian: apt-get install golang-go)"
	finish
	exit
fi
GOTMP=$TMP/go
mkdir -p "$GOTMP"
goenv() {
	env HOME="$GOTMP" GOCACHE="$GOTMP/cache" GOPATH="$GOTMP/path" GOPROXY=off \
		GOFLAGS=-mod=mod GOTOOLCHAIN=local GOTELEMETRY=off "$@"
}
(cd "$TOP/tests/data/profgen" && goenv go build -o "$TMP/profgen" .) >"$TMP/out" 2>"$TMP/err"
rc=$?
expect_rc 0 "build the Go profile generator"
# base: two runs at 1:1; new: one run at 1:6 (hotB's share grows a lot); a
# fixed amount of work (about 1.2 s of CPU, 120 samples each), not a
# duration, so a busy machine does not thin the profiles. Without Go's
# asynchronous preemption: on a busy machine it put a fifth of the samples
# on runtime.asyncPreempt instead of the function that was running (seen
# with a load average of 10), and hotB's growth fell under 20 points.
G() { env GODEBUG=asyncpreemptoff=1 "$TMP/profgen" "$@"; }
run G -o "$TMP/base1.pb.gz" -a 1 -b 1 -rounds 4000
expect_rc 0 "profile run base1"
run G -o "$TMP/base2.pb.gz" -a 1 -b 1 -rounds 4000
expect_rc 0 "profile run base2"
run G -o "$TMP/new.pb.gz" -a 1 -b 6 -rounds 1200 -label benchmark=Fnv/new
expect_rc 0 "profile run new (labelled)"

# --- top: text like go tool pprof -top
run "$PERFGATE" profile top "$TMP/base1.pb.gz"
expect_rc 0 "profile top"
expect_out "^files: $TMP/base1.pb.gz$"
expect_out '^type: cpu/nanoseconds, total [0-9.]+m?s in [0-9]+ samples$'
expect_out '^ *flat +flat% +sum% +cum +cum% +name$'
expect_out '^ *[0-9.]+m?s +[0-9.]+% +[0-9.]+% +[0-9.]+m?s +[0-9.]+% +main\.hotB$'
expect_out ' main\.mixStep$'
# main.work is on (nearly) every stack: a sample may land in the Go runtime
expect_out ' (9[5-9]|100)\.[0-9]{2}% +main\.work$'

# our flat% and cum% agree with go tool pprof's for every function
run "$PERFGATE" profile top -n 0 --format json "$TMP/base1.pb.gz" "$TMP/base2.pb.gz"
expect_rc 0 "profile top --format json, two files merged"
cp "$TMP/out" "$TMP/top.json"
run goenv go tool pprof -top -nodefraction=0 -nodecount=1000 "$TMP/base1.pb.gz" "$TMP/base2.pb.gz"
expect_rc 0 "go tool pprof -top on the same files"
cp "$TMP/out" "$TMP/pprof.txt"
check "flat% and cum% equal go tool pprof's" "$PYTHON" - "$TMP/top.json" "$TMP/pprof.txt" <<'PY'
import json, re, sys
d = json.load(open(sys.argv[1]))
ours = {f["name"]: f for f in d["functions"]}
assert d["sample_type"] == "cpu" and d["unit"] == "nanoseconds" and d["sort"] == "flat"
assert d["files"] == [sys.argv[1].replace("top.json", "base1.pb.gz"),
                      sys.argv[1].replace("top.json", "base2.pb.gz")], d["files"]
seen = 0
for line in open(sys.argv[2]):
    m = re.match(r"\s*\S+\s+([0-9.]+)%\s+[0-9.]+%\s+\S+\s+([0-9.]+)%\s+(.*?)( \(inline\))?$", line)
    if not m:
        continue
    name = m.group(3)
    assert name in ours, (name, sorted(ours))
    assert abs(ours[name]["flat_percent"] - float(m.group(1))) < 0.006, (name, ours[name], line)
    assert abs(ours[name]["cum_percent"] - float(m.group(2))) < 0.006, (name, ours[name], line)
    seen += 1
assert seen == len(ours) and seen >= 5, (seen, len(ours))
flats = [f["flat_percent"] for f in d["functions"]]
assert flats == sorted(flats, reverse=True)
print("checked", seen, "functions")
PY

# --cum, -n, --label, --sample-type
run "$PERFGATE" profile top --cum -n 2 --format json "$TMP/base1.pb.gz"
expect_rc 0 "profile top --cum -n 2"
check "--cum sorts by cumulative share, -n 2 keeps two" json_check "$TMP/out" '
f = d["functions"]
assert len(f) == 2 and d["sort"] == "cum" and d["nfunctions"] > 2, d
assert f[0]["cum_percent"] >= 95 and f[0]["cum_percent"] >= f[1]["cum_percent"], f'
run "$PERFGATE" profile top --label benchmark=Fnv/new "$TMP/new.pb.gz"
expect_rc 0 "profile top --label benchmark=Fnv/new"
expect_out '^label: benchmark=Fnv/new$'
expect_out ' runtime/pprof\.Do$'
run "$PERFGATE" profile top --label benchmark=Other "$TMP/new.pb.gz"
expect_rc 2 "a label no sample has"
expect_err "^perfgate: no samples with label benchmark=Other in '$TMP/new.pb.gz'$"
run "$PERFGATE" profile top --sample-type samples/count "$TMP/new.pb.gz"
expect_rc 0 "profile top --sample-type samples/count"
expect_out '^type: samples/count, total [0-9]+ in [0-9]+ samples$'
run "$PERFGATE" profile top --sample-type alloc_space "$TMP/new.pb.gz"
expect_rc 2 "an unknown sample type"
expect_err "^perfgate: '$TMP/new.pb.gz': no sample type 'alloc_space' \(it has samples/count, cpu/nanoseconds\)$"

# --- diff: hotB grew, hotA and mixStep shrank; two base runs merged
run "$PERFGATE" profile diff --base "$TMP/base1.pb.gz" --base "$TMP/base2.pb.gz" \
	--new "$TMP/new.pb.gz" --min-growth 10 --svg "$TMP/diff.svg"
expect_rc 0 "profile diff --base --base --new --svg"
expect_out "^base: $TMP/base1.pb.gz,$TMP/base2.pb.gz \(total [0-9.]+m?s in [0-9]+ samples\)$"
expect_out '^grew by more than 10 points:$'
expect_out '^ *base% +new% +growth +name$'
expect_out '^ *[0-9.]+% +[0-9.]+% +\+[0-9.]+ +main\.hotB$'
expect_out '^shrank by more than 10 points:$'
expect_out "^differential flame graph: $TMP/diff.svg$"
run "$PERFGATE" profile diff --format json --min-growth 10 "$TMP/base1.pb.gz" "$TMP/new.pb.gz"
expect_rc 0 "profile diff --format json BASE NEW"
cp "$TMP/out" "$TMP/diff.json"
check "diff JSON: hotB the largest growth, sorted by growth" json_check "$TMP/diff.json" '
f = d["functions"]
for k in ("version", "base_files", "new_files", "sample_type", "unit", "base_total",
          "new_total", "base_samples", "new_samples", "min_growth", "label", "svg"):
    assert k in d, k
assert d["sample_type"] == "cpu" and d["min_growth"] == 10 and d["svg"] is None
for x in f:
    assert set(x) >= {"name", "base_flat_percent", "new_flat_percent", "growth_points"}, x
    assert abs(x["growth_points"] - (x["new_flat_percent"] - x["base_flat_percent"])) < 1e-9
    assert abs(x["growth_points"]) > 10, x
g = [x["growth_points"] for x in f]
assert g == sorted(g, reverse=True), g
assert f[0]["name"] == "main.hotB" and f[0]["growth_points"] > 20, f[0]
assert f[-1]["growth_points"] < -10, f[-1]'

# --- the SVG: well-formed, self-contained, escaped; a non-blank screenshot
check "the SVG is well-formed XML with hover titles and no script" "$PYTHON" - "$TMP/diff.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
text = open(sys.argv[1], encoding="utf-8").read()
root = ET.fromstring(text)
ns = "{http://www.w3.org/2000/svg}"
assert root.tag == ns + "svg"
assert "<script" not in text and "href" not in text and "http://" not in text.replace(
    'xmlns="http://www.w3.org/2000/svg"', "")
titles = [t.text for t in root.iter(ns + "title")]
hot = [t for t in titles if t.startswith("main.hotB: ")]
assert hot and "(base " in hot[0] and " points)" in hot[0], hot
fills = [r.get("fill") for r in root.iter(ns + "rect")]
assert any(f.startswith("rgb(2") for f in fills)  # some red
PY

# screenshot SVG PNG: headless Chromium in its own session, bounded in
# time; afterwards every process of that session (its process group) is
# killed by the group's ID.
CHROME_PGID=""
kill_chrome() {
	if [ -n "$CHROME_PGID" ]; then kill -KILL -- "-$CHROME_PGID" 2>/dev/null; fi
	CHROME_PGID=""
}
cleanup_hooks="$cleanup_hooks kill_chrome"
screenshot() {
	rm -f "$TMP/chrome.pid"
	timeout -k 5 90 setsid sh -c 'echo $$ >"$1"; shift; exec "$@"' sh "$TMP/chrome.pid" \
		"$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--disable-dev-shm-usage --user-data-dir="$TMP/chrome" --screenshot="$2" \
		--window-size=1200,800 "file://$1" >"$TMP/chrome.log" 2>&1
	chrome_rc=$?
	CHROME_PGID=$(cat "$TMP/chrome.pid" 2>/dev/null)
	kill_chrome
	return $chrome_rc
}
# png_check PNG CONDITION: decode the screenshot (standard library only) and
# check CONDITION, a Python expression over w, h, colours (the set of
# colours), red, blue, dark (pixel counts) and frame_red (red pixels in
# rows without blue ones: frames, not the colour legend)
png_check() {
	"$PYTHON" - "$1" "$2" <<'PY'
import struct, sys, zlib
data = open(sys.argv[1], "rb").read()
assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
pos, idat = 8, b""
while pos < len(data):
    n, kind = struct.unpack(">I4s", data[pos:pos + 8])
    body = data[pos + 8:pos + 8 + n]
    if kind == b"IHDR":
        w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
    elif kind == b"IDAT":
        idat += body
    pos += 12 + n
assert depth == 8 and ctype in (2, 6), (depth, ctype)
bpp = 3 if ctype == 2 else 4
raw = zlib.decompress(idat)
stride = w * bpp
rows, prev, i = [], bytearray(stride), 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + stride]); i += 1 + stride
    for x in range(stride):
        a = line[x - bpp] if x >= bpp else 0
        b = prev[x]; c = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    rows.append(line); prev = line
colours, red, blue, dark, frame_red = set(), 0, 0, 0, 0
for line in rows:
    row_red = row_blue = 0
    for x in range(0, stride, bpp):
        r, g, b = line[x], line[x + 1], line[x + 2]
        colours.add((r, g, b))
        row_red += r > 180 and g < 90 and b < 90
        row_blue += b > 150 and r < 90
        dark += r < 60 and g < 60 and b < 60
    red += row_red
    blue += row_blue
    frame_red += row_red if not row_blue else 0
print("%dx%d: %d colours, %d red (%d in frames), %d blue, %d dark pixels" %
      (w, h, len(colours), red, frame_red, blue, dark))
assert eval(sys.argv[2]), sys.argv[2]
PY
}
# shot_check SVG PNG CONDITION WHAT: a screenshot of SVG in PNG, checked
# with png_check CONDITION
shot_check() {
	if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
		not_ok "chromium is not installed (Debian: apt-get install chromium)"
		return
	fi
	if screenshot "$1" "$2" && [ -s "$2" ]; then
		ok "headless Chromium took a screenshot of $1"
	else
		not_ok "headless Chromium took no screenshot of $1 (exit $chrome_rc)"
		sed 's/^/#   /' "$TMP/chrome.log" | tail -20
	fi
	check "$4" png_check "$2" "$3"
	sed 's/^/# /' "$TMP/check.out"
}
shot_check "$TMP/diff.svg" "$TMP/shot.png" \
	'len(colours) > 10 and red > 1000 and blue > 1000 and dark > 200' \
	"the screenshot is not blank: red and blue frames, text"

# --- the example suite: an injected slowdown is the largest growth
# (the harness writes one profile per benchmark into the -cpuprofile DIR).
# 30% extra work in its own function is 30/130 = 23 points of the new
# profile; with ~200 samples per run the sampling error of that share is
# about 3 points (a fixed 20000 iterations, about 1.6 s of CPU: a busy
# machine cannot thin the profile), so "more than 10 points" is more than 4
# standard errors below it, and every other function must grow by less than
# a third of it.
run "$EXAMPLE" -bench 'Hash/fnv1a-64K$' -benchtime 20000x -cpuprofile "$TMP/ex-base"
expect_rc 0 "example suite, profiled"
run env PG_EXAMPLE_SLOWDOWN=30 "$EXAMPLE" -bench 'Hash/fnv1a-64K$' -benchtime 20000x \
	-cpuprofile "$TMP/ex-new"
expect_rc 0 "example suite with PG_EXAMPLE_SLOWDOWN=30, profiled"
if ls "$TMP/ex-base/"*.pb.gz "$TMP/ex-new/"*.pb.gz >/dev/null 2>&1; then
	ok "the harness wrote the profiles"
else
	not_ok "the harness wrote no profile into the -cpuprofile directories"
fi
run "$PERFGATE" profile diff --format json --min-growth 0 "$TMP/ex-base/"*.pb.gz \
	"$TMP/ex-new/"*.pb.gz
expect_rc 0 "profile diff of the example suite's Hash profiles"
check "pg_example_injected_slowdown is the largest growth, far outside noise" \
	json_check "$TMP/out" '
f = d["functions"]
print("; ".join("%s %+.1f" % (x["name"], x["growth_points"]) for x in f[:3]))
assert f[0]["name"] == "pg_example_injected_slowdown", f[:3]
assert f[0]["growth_points"] > 10, f[0]
assert f[1]["growth_points"] < f[0]["growth_points"] / 3, f[:2]'
sed 's/^/# /' "$TMP/check.out"
run "$PERFGATE" profile diff --svg "$TMP/ex.svg" "$TMP/ex-base/"*.pb.gz "$TMP/ex-new/"*.pb.gz
expect_rc 0 "profile diff --svg on the example suite"
expect_out '^ *0\.00% +[0-9.]+% +\+[0-9.]+ +pg_example_injected_slowdown$'
check "the example's SVG names the injected function, in red" "$PYTHON" - "$TMP/ex.svg" <<'PY'
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
for g in root.iter(ns + "g"):
    t = g.find(ns + "title")
    if t is not None and t.text.startswith("pg_example_injected_slowdown: "):
        fill = g.find(ns + "rect").get("fill")
        r, gr, b = (int(v) for v in fill[4:-1].split(","))
        assert r > gr + 100 and r > b + 100, fill
        break
else:
    raise AssertionError("no frame for pg_example_injected_slowdown")
PY
# ... and it is this diff, the injected slowdown's, that opens in a browser:
# the injected function's frame drawn red (red outside the colour legend's
# row), the unchanged frames and their names
shot_check "$TMP/ex.svg" "$TMP/ex-shot.png" 'len(colours) > 10 and frame_red > 1000 and dark > 200' \
	"the example's screenshot is not blank: a red frame, text"

# --- usage and input errors: exit 2, nothing on stdout
for args in "" "top" "diff" "diff $TMP/base1.pb.gz" "bogus x" "top --svg x $TMP/new.pb.gz" \
	"diff --cum $TMP/base1.pb.gz $TMP/new.pb.gz" "top --format csv $TMP/new.pb.gz" \
	"top -n x $TMP/new.pb.gz" "top --label nokey $TMP/new.pb.gz" \
	"diff --min-growth -1 $TMP/base1.pb.gz $TMP/new.pb.gz" \
	"diff --base $TMP/base1.pb.gz $TMP/new.pb.gz" "top --bogus $TMP/new.pb.gz" "top -n"; do
	# shellcheck disable=SC2086
	run "$PERFGATE" profile $args
	expect_rc 2 "usage error: profile $args"
	expect_empty_out
done
run "$PERFGATE" profile top --svg x "$TMP/new.pb.gz"
expect_err "^perfgate: profile top: --svg is an option of 'profile diff'$"
expect_err '^usage: perfgate profile top'
run "$PERFGATE" profile top -n
expect_err "^perfgate: profile top: option '-n' needs a value$"
run "$PERFGATE" profile --help
expect_rc 0 "profile --help"
expect_out '^usage: perfgate profile top'
run "$PERFGATE" help
expect_out '^   profile +show and diff CPU profiles$'

printf 'BenchmarkX 1 2 ns/op\n' >"$TMP/results.txt"
run "$PERFGATE" profile top "$TMP/results.txt"
expect_rc 2 "a results file is not a profile"
expect_err "^perfgate: '$TMP/results.txt': not a pprof profile: "
run "$PERFGATE" profile top "$TMP/missing.pb.gz"
expect_rc 2 "a missing file"
expect_err "'$TMP/missing.pb.gz'"
head -c 100 "$TMP/base1.pb.gz" >"$TMP/cut.pb.gz"
run "$PERFGATE" profile diff "$TMP/base1.pb.gz" "$TMP/cut.pb.gz"
expect_rc 2 "a truncated profile"
expect_err "^perfgate: '$TMP/cut.pb.gz': truncated gzip data$"
: >"$TMP/empty.pb.gz"
run "$PERFGATE" profile diff "$TMP/empty.pb.gz" "$TMP/new.pb.gz"
expect_rc 2 "an empty file"
expect_err "^perfgate: '$TMP/empty.pb.gz': empty file$"
run "$PERFGATE" profile diff --svg "$TMP/no/such/dir/d.svg" "$TMP/base1.pb.gz" "$TMP/new.pb.gz"
expect_rc 3 "the SVG cannot be written"
expect_empty_out

finish
