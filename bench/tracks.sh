#!/usr/bin/env bash
# Activity-file benchmark: `retrostride activity` (release build, one core, end to end: file
# read, parse, summary) on synthetic Garmin-Connect-like GPX exports (1 Hz points with
# elevation, time, heart rate and cadence): one of 25 MB, one of 60 MB (the largest size under
# the 64 MB file limit, to show memory growing with the records kept, not the file), one of
# 100 MB (over the limit: refused), and a zip of 100 distinct 367 KB files (on every core as
# well as one). Prints wall time and peak resident memory beside the issue's targets, and the
# reference figures of "a popular self-hosted tracker" (from the issue; it cannot run here).
# With python3 and venv, gpxpy (from PyPI, into a venv the script makes) parses the same 25 MB
# file as a runnable anchor, and the ratio is printed. The parse alone is `cargo bench -p tracks`.
#
#   bench/tracks.sh        (needs /usr/bin/time; hyperfine is used where installed)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v /usr/bin/time >/dev/null || { echo "install time (apt-get install time)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cargo build --release -q -p retrostride
cargo build --release -q -p tracks --example synth_gpx
bin=target/release/retrostride
synth=target/release/examples/synth_gpx
$synth gpx "$work/25mb.gpx" $((25 * 1024 * 1024))
$synth gpx "$work/60mb.gpx" $((60 * 1024 * 1024))
$synth gpx "$work/100mb.gpx" $((100 * 1024 * 1024))
$synth zip "$work/100.zip" 100 $((367 * 1024))
echo "== $(nproc) cores, $(date -u +%F), load: $(uptime | sed 's/.*load average: //')"
echo "== 25 MB GPX: $(grep -c '<trkpt' "$work/25mb.gpx") points; zip: $(du -h "$work/100.zip" | cut -f1) holding 100 x 367 KB"

# Best of five runs under /usr/bin/time: wall seconds and peak resident KB.
measure() {
  local label=$1; shift
  local best_s="" best_kb=""
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/out" 2>"$work/err" || true
    read -r s kb <"$work/time"
    if [ -z "$best_s" ] || python3 -c "import sys; sys.exit(0 if $s < $best_s else 1)"; then best_s=$s; fi
    if [ -z "$best_kb" ] || [ "$kb" -gt "$best_kb" ]; then best_kb=$kb; fi
  done
  printf '%-44s %6.2f s (best of 5), %4d MB peak resident\n' "$label" "$best_s" $((best_kb / 1024))
  echo "$best_s" >"$work/last"
}

measure "25 MB GPX, one core (target < 0.25 s, 50 MB)" taskset -c 0 $bin activity "$work/25mb.gpx"
gpx25=$(cat "$work/last")
python3 -c "print(f'  = {25 / max($gpx25, 0.001):.0f} MB/s (target at least 100 MB/s)')"
measure "60 MB GPX, one core" taskset -c 0 $bin activity "$work/60mb.gpx"
measure "100 MB GPX (over the 64 MB limit: refused)" taskset -c 0 $bin activity "$work/100mb.gpx"
grep -oh 'the file is.*' "$work/out" "$work/err" | head -1 | sed 's/^/  /' || true
measure "zip of 100 x 367 KB GPX, one core" taskset -c 0 $bin activity "$work/100.zip"
measure "zip of 100 x 367 KB GPX, all $(nproc) cores (target < 0.4 s)" $bin activity "$work/100.zip"
if command -v hyperfine >/dev/null; then
  hyperfine -N -w 1 -r 10 \
    "taskset -c 0 $bin activity $work/25mb.gpx" \
    "$bin activity $work/100.zip" 2>/dev/null | grep -E 'Benchmark|Time' || true
fi
echo "reference (from the issue, a popular self-hosted tracker; cannot run here):"
echo "  25 MB GPX: timed out at 400 MB resident; zip of 100 GPX files: 46 s"

# A runnable anchor: gpxpy, the usual Python GPX library, parsing the same 25 MB file.
if python3 -m venv "$work/venv" >/dev/null 2>&1 && "$work/venv/bin/pip" install -q gpxpy >/dev/null 2>&1; then
  cat >"$work/gpxpy_read.py" <<'PY'
import sys, time
import gpxpy
start = time.perf_counter()
with open(sys.argv[1]) as f:
    g = gpxpy.parse(f)
points = sum(len(s.points) for t in g.tracks for s in t.segments)
print(f"{time.perf_counter() - start:.3f} {points}")
PY
  /usr/bin/time -f "%M" -o "$work/time" taskset -c 0 "$work/venv/bin/python" "$work/gpxpy_read.py" "$work/25mb.gpx" >"$work/gpxpy"
  read -r theirs points <"$work/gpxpy"
  printf '%-44s %6.2f s, %4d MB peak resident (%d points)\n' "gpxpy $("$work/venv/bin/python" -c 'import gpxpy; print(gpxpy.__version__)'), 25 MB GPX, one core" \
    "$theirs" $(($(cat "$work/time") / 1024)) "$points"
  python3 -c "print(f'  gpxpy / retrostride: {$theirs / max($gpx25, 0.001):.0f}x')"
else
  echo "gpxpy: not run (no python3 venv or no access to PyPI)"
fi
