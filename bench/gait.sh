#!/usr/bin/env bash
# Gait benchmark: a synthetic 24-hour lower-back recording at 100 Hz (acceleration and gyroscope,
# walking bouts through the day), analysed by `retrostride analyze` (end to end, CSV parsing
# included, one core) and by mobgap's Mobilise-D pipeline (installed from PyPI into a virtual
# environment) on the same file; prints both times, peak memory and the ratio. Then, where the
# lab recordings are (MOTION_DIR, default ../shared/data/motion), mobgap's initial-contact
# detectors and ours on the same reference bouts. Streaming: a week (WEEK_SECONDS, default
# 604800) is generated into a FIFO that `analyze` reads, never written to disk, and its peak
# resident memory is printed beside the day's: it must not grow with the recording's length.
# The analysis alone, from samples in memory, is `cargo bench -p gait --bench day`; the CSV
# reader alone (MB/s), `cargo bench -p gait --bench csv`.
#
#   bench/gait.sh [SECONDS]     (default 86400; needs python3 with venv, and /usr/bin/time;
#                                WEEK_SECONDS=0 skips the week, which takes minutes to generate)
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-86400}
work=${GAIT_BENCH_DIR:-$(mktemp -d)}
venv="$work/mobgap-venv"
command -v /usr/bin/time >/dev/null || { echo "install time (apt-get install time)" >&2; exit 1; }
cargo build --release -q -p retrostride
cargo build --release -q -p gait --example synth_csv
csv="$work/day.csv"
[ -s "$csv" ] || target/release/examples/synth_csv "$csv" "$seconds"
echo "== $(nproc) cores, $(date -u +%F); $seconds s at 100 Hz: $(du -h "$csv" | cut -f1) of CSV"
/usr/bin/time -f "retrostride: %e s wall, %U s user, %M KB peak resident" \
  taskset -c 0 target/release/retrostride analyze "$csv" --rate 100 --json >"$work/ours.json" 2>"$work/ours.err" || { cat "$work/ours.err"; exit 1; }
ours_line=$(tail -1 "$work/ours.err")
echo "$ours_line"
python3 -c "import json; d=json.load(open('$work/ours.json')); print(f\"retrostride: {d['total_steps']} steps in {len(d['bouts'])} bouts\")"
week=${WEEK_SECONDS:-604800}
if [ "$week" -gt 0 ]; then
  fifo="$work/week.fifo"
  rm -f "$fifo" && mkfifo "$fifo"
  target/release/examples/synth_csv "$fifo" "$week" 2>/dev/null &
  /usr/bin/time -f "%M" -o "$work/week.time" \
    target/release/retrostride analyze "$fifo" --rate 100 --json >"$work/week.json" 2>/dev/null
  wait
  rm -f "$fifo"
  day_kb=$(echo "$ours_line" | sed 's/.*, \([0-9]*\) KB peak resident/\1/')
  python3 -c "import json; d=json.load(open('$work/week.json')); k=int(open('$work/week.time').read().split()[-1]); print(f\"streaming: {$week} s through a FIFO ({d['samples']} samples, {d['total_steps']} steps in {len(d['bouts'])} bouts): {k} KB peak resident, {k / $day_kb:.2f}x the {$seconds} s file's {$day_kb} KB\")"
fi
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q mobgap
fi
mobgap_out=$(/usr/bin/time -f "mobgap: %e s wall, %M KB peak resident" taskset -c 0 "$venv/bin/python" bench/mobgap_day.py "$csv" 2>&1 | grep -v Warning)
echo "$mobgap_out" | grep -v MOBGAP_SECONDS
ours=$(echo "$ours_line" | sed 's/retrostride: \([0-9.]*\) s wall.*/\1/')
theirs=$(echo "$mobgap_out" | awk '/MOBGAP_SECONDS/ {print $2}')
python3 -c "print(f'mobgap / retrostride, wall time on one core: {float($theirs) / float($ours):.0f}x')"
# Accuracy on the lab recordings, where they are: mobgap's detectors beside ours, counted alike.
motion=${MOTION_DIR:-../shared/data/motion}
if [ -d "$motion/lab" ]; then
  "$venv/bin/python" bench/mobgap_lab.py "$motion"
  cargo run --release -q -p gait --example evaluate -- "$motion" | grep '^total'
fi
