#!/usr/bin/env bash
# Server benchmark on loopback: seeds 10,000 logged sessions, then measures with wrk the
# progress summary and session logging at 32 connections, resident memory idle and under
# load, and the time from start to the first answer. Bounded: each wrk run lasts DURATION.
#
#   bench/server.sh sqlite|postgres [DURATION]     (needs wrk, python3; postgres needs initdb)
#
# RETROSTRIDE_BIN=path runs that binary instead of building one (to compare two builds);
# PERF=file records the server with perf during the progress run (the profile's top entries
# are then in `perf report -i file --no-children --stdio`). On PostgreSQL it also counts the
# statements one progress request and one logged session send (log_statement for a moment).
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
duration=${2:-10s}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
if [ -n "${RETROSTRIDE_BIN:-}" ]; then
  bin=$RETROSTRIDE_BIN
else
  cargo build --release -q -p retrostride
  bin=target/release/retrostride
fi
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

start_server() {
  local t0 t1
  t0=$(date +%s%N)
  "$bin" serve --listen "127.0.0.1:$port" --database-url "$url" --auth-burst 100000 >"$work/server.out" 2>"$work/server.err" &
  server=$!
  until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.002; done
  t1=$(date +%s%N)
  echo "start to first answer: $(( (t1 - t0) / 1000000 )) ms"
}
rss() { awk '/VmRSS|VmHWM/ {printf "%s %d MB  ", $1, $2/1024} END {print ""}' "/proc/$server/status"; }

echo "== $backend, $(nproc) cores, $(date -u +%F)"
start_server
echo "idle, empty store: $(rss)"
token=$(python3 bench/seed.py "http://127.0.0.1:$port" 50 200)
kill "$server"; wait "$server" 2>/dev/null || true
echo "seeded 10,000 sessions (50 people x 200); restarting"
start_server
sleep 1
echo "idle, 10,000 sessions: $(rss)"
if [ "$backend" = postgres ]; then
  # Statements per request, from the server's own log: the first request of each kind fills
  # what the process keeps, so count the second.
  sql() { runuser -u postgres -- "$pgbin/psql" -h 127.0.0.1 -p "$pgport" -U postgres -qAt -c "$1" bench; }
  # Statements the server sent (not this script's own through psql).
  statements() { grep "statement: \|execute " "$work/pg.log" | grep -cv "ALTER SYSTEM\|pg_reload_conf" || true; }
  count_statements() {
    local method=$1 path=$2 body=${3:-} before
    curl -sf -o /dev/null -X "$method" -H "Authorization: Bearer $token" -H 'content-type: application/json' ${body:+-d "$body"} "http://127.0.0.1:$port$path"
    sql "ALTER SYSTEM SET log_statement = 'all'" && sql "SELECT pg_reload_conf()" >/dev/null
    sleep 0.2
    before=$(statements)
    curl -sf -o /dev/null -X "$method" -H "Authorization: Bearer $token" -H 'content-type: application/json' ${body:+-d "$body"} "http://127.0.0.1:$port$path"
    sleep 0.2
    sql "ALTER SYSTEM RESET log_statement" && sql "SELECT pg_reload_conf()" >/dev/null
    echo "$method $path: $(( $(statements) - before )) statements"
  }
  count_statements GET /api/v1/progress
  count_statements POST /api/v1/sessions "$(sed -n "s/^wrk.body = '\(.*\)'$/\1/p" bench/log-session.lua)"
fi
echo "== GET /api/v1/progress, 32 connections, $duration"
[ -n "${PERF:-}" ] && { perf record -F 999 -g -p "$server" -o "$PERF" -q 2>/dev/null & perf_pid=$!; }
wrk -t2 -c32 -d"$duration" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/progress" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
[ -n "${PERF:-}" ] && { kill -INT "$perf_pid"; wait "$perf_pid" || true; }
echo "under load: $(rss)"
echo "== POST /api/v1/sessions, 32 connections, $duration"
wrk -t2 -c32 -d"$duration" --latency -s bench/log-session.lua -H "Authorization: Bearer $token" "http://127.0.0.1:$port/api/v1/sessions" | grep -E "Requests/sec|50%|99%|Non-2xx|Socket errors"
echo "after load: $(rss)"
