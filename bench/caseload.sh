#!/usr/bin/env bash
# Caseload benchmark on loopback (release build): 200 walkers share with one clinician, each
# with 3 years of logged sessions (4 a week: about 125,000 in all), an active plan and a 3MBWT,
# seeded through the import API. Then, one request at a time (no queueing), the caseload API
# (GET /api/v1/clinician/caseload) and page (GET /walkers) REQUESTS times each: median and p95
# latency, and the server's peak resident memory. Every view writes 200 access-log lines.
#
#   bench/caseload.sh sqlite|postgres [REQUESTS] [WALKERS] [YEARS]
#   (needs python3 and curl; postgres needs initdb)
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
requests=${2:-50}
walkers=${3:-200}
years=${4:-3}
cargo build --release -q -p retrostride
bin=target/release/retrostride
work=$(mktemp -d)
chmod 755 "$work"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
pg_pid=""
cleanup() {
  [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true
  if [ -n "$pg_pid" ]; then runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -m fast stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

case "$backend" in
  sqlite) url="sqlite://$work/bench.db" ;;
  postgres)
    pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
    pgport=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
    chown postgres "$work"
    runuser -u postgres -- "$pgbin/initdb" -D "$work/pg" -U postgres --auth=trust -E UTF8 >/dev/null
    runuser -u postgres -- "$pgbin/pg_ctl" -D "$work/pg" -o "-p $pgport -k $work -c listen_addresses=127.0.0.1" -l "$work/pg.log" -w start >/dev/null
    pg_pid=1
    runuser -u postgres -- "$pgbin/createdb" -h 127.0.0.1 -p "$pgport" -U postgres bench
    url="postgres://postgres@127.0.0.1:$pgport/bench" ;;
  *) echo "backend: sqlite or postgres" >&2; exit 2 ;;
esac

base="http://127.0.0.1:$port"
start_server() {
  "$bin" serve --listen "127.0.0.1:$port" --database-url "$url" --auth-burst 100000 >"$work/server.out" 2>"$work/server.err" &
  server=$!
  until curl -sf "$base/healthz" >/dev/null; do sleep 0.01; done
}
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024} END {print ""}' "/proc/$server/status"; }

echo "== caseload, $backend, $(nproc) cores, $(date -u +%F): $walkers walkers x $years years, 4 sessions a week"
start_server
curl -sf -H 'content-type: application/json' -d '{"email":"clinician@example.org","password":"benchmark password"}' "$base/api/v1/accounts" >/dev/null
"$bin" user role --database-url "$url" clinician@example.org clinician >/dev/null
t0=$(date +%s)
token=$(python3 bench/caseload_seed.py "$base" clinician@example.org "$walkers" "$years")
echo "seeding took $(( $(date +%s) - t0 )) s; restarting the server"
kill "$server"; wait "$server" 2>/dev/null || true
start_server
echo "idle: $(rss)"
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"email":"clinician@example.org","password":"benchmark password"}' "$base/api/v1/session" \
  | awk -F'[:;] *' 'tolower($1)=="set-cookie" {print $2}')
listed=$(curl -sf -H "authorization: Bearer $token" "$base/api/v1/clinician/caseload" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')
echo "walkers listed: $listed"
measure() {
  local label=$1; shift
  python3 - "$requests" "$@" <<'PY'
import statistics, subprocess, sys, time
n = int(sys.argv[1]); args = sys.argv[2:]
times = []
for _ in range(n):
    t = time.perf_counter()
    subprocess.run(["curl", "-sf", "-o", "/dev/null", *args], check=True)
    times.append((time.perf_counter() - t) * 1000)
times.sort()
p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
print(f"median {statistics.median(times):.1f} ms  p95 {p95:.1f} ms  ({n} requests, one at a time, curl included)")
PY
}
printf '%-34s ' "GET /api/v1/clinician/caseload:"; measure api -H "authorization: Bearer $token" "$base/api/v1/clinician/caseload"
printf '%-34s ' "GET /walkers (page):"; measure page -H "cookie: $cookie" "$base/walkers"
echo "after: $(rss)"
