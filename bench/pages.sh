#!/usr/bin/env bash
# Page benchmark on loopback (release build, SQLite): for each page of the web app, the bytes a
# phone downloads on first load (HTML plus the CSS, scripts and icon it references, gzip as a
# browser asks for it) and the server time per page (wrk, one connection, so no queueing),
# signed in as a person with an active plan and 200 logged sessions among 10,000.
#
#   bench/pages.sh [DURATION]     (needs wrk, python3, curl)
set -euo pipefail
cd "$(dirname "$0")/.."
duration=${1:-3s}
command -v wrk >/dev/null || { echo "install wrk (apt-get install wrk)" >&2; exit 1; }
cargo build --release -q -p retrostride
bin=target/release/retrostride
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cleanup() { [ -n "${server:-}" ] && kill "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
base="http://127.0.0.1:$port"
"$bin" serve --listen "127.0.0.1:$port" --database-url "sqlite://$work/bench.db" --auth-burst 100000 >"$work/out" 2>"$work/err" &
server=$!
until curl -sf "$base/healthz" >/dev/null; do sleep 0.01; done
python3 bench/seed.py "$base" 50 200 >/dev/null
# Sign in as the measured person (bench0) and keep the browser cookie.
cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"email":"bench0@example.org","password":"benchmark password"}' "$base/api/v1/session" \
  | awk -F'[:;] *' 'tolower($1)=="set-cookie" {print $2}')
curl -s -XPOST -H "cookie: $cookie" -H 'content-type: application/json' \
  -H "x-csrf-token: $(curl -s -H "cookie: $cookie" "$base/today" | sed -n 's/.*name="csrf-token" content="\([0-9a-f]*\)".*/\1/p')" \
  -d '{"seconds": 4.8, "population": "older-adults", "kind": "three_mbwt"}' "$base/api/v1/assessments" >/dev/null || true
# A second person whose plan has a next session, for the timer page.
curl -s -H 'content-type: application/json' -d '{"email":"timer@example.org","password":"benchmark password"}' "$base/api/v1/accounts" >/dev/null
timer_token=$(curl -s -H 'content-type: application/json' -d '{"email":"timer@example.org","password":"benchmark password","name":"b"}' "$base/api/v1/tokens" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
curl -s -H "authorization: Bearer $timer_token" -H 'content-type: application/json' -d "$(python3 -c 'import json; a={q:False for q in ["heart_condition","chest_pain","dizziness_or_fainting","other_chronic_condition","medication_for_chronic_condition","bone_or_joint_problem","supervised_activity_only","fall_last_12_months","near_fall_last_12_months","balance_problems","neurological_condition","lower_limb_injury_or_surgery_6_months","poor_vision","walking_aid","osteoporosis","pregnant","clinician_approved"]}; a.update(age=50,currently_active=True); print(json.dumps(a))')" "$base/api/v1/screenings" >/dev/null
curl -s -H "authorization: Bearer $timer_token" -H 'content-type: application/json' -d "{\"goal\":\"knee\",\"setting\":\"ground\",\"level\":\"new\",\"days_per_week\":3,\"weeks\":6,\"start\":\"$(date +%F)\"}" "$base/api/v1/plans" >/dev/null
timer_cookie=$(curl -s -D - -o /dev/null -H 'content-type: application/json' \
  -d '{"email":"timer@example.org","password":"benchmark password"}' "$base/api/v1/session" \
  | awk -F'[:;] *' 'tolower($1)=="set-cookie" {print $2}')
session_id=$(curl -s -H "cookie: $cookie" "$base/api/v1/sessions?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')

bytes() { curl -s --compressed -o /dev/null -w '%{size_download}' -H "cookie: $cookie" -H 'accept-encoding: gzip' "$1"; }
asset_bytes() {
  local page=$1 total=0 url
  for url in $(curl -s -H "cookie: $cookie" "$page" | grep -o '/static/[a-z.]*?v=[0-9.]*' | sort -u); do
    total=$(( total + $(curl -s -o /dev/null -w '%{size_download}' -H 'accept-encoding: gzip' "$base$url") ))
  done
  # Modules imported by other modules (outbox.js) are fetched too.
  case "$page" in *) total=$(( total + $(curl -s -o /dev/null -w '%{size_download}' -H 'accept-encoding: gzip' "$base/static/outbox.js") )) ;; esac
  echo "$total"
}
echo "== pages, $(nproc) cores, $(date -u +%F); bytes are gzip-compressed as sent; wrk -c1 for $duration each"
printf '%-22s %10s %10s %10s %10s %10s\n' page "html B" "assets B" "total B" "p50 ms" "p99 ms"
for path in / /signin /start/clearance /start/plan /today /today/run /log /history "/history/$session_id" /progress /assess/3mbwt /settings; do
  # The timer page is measured for the person whose plan has a session to run.
  if [ "$path" = /today/run ]; then saved=$cookie; cookie=$timer_cookie; fi
  html_gz=$(curl -s -o /dev/null -w '%{size_download}' -H "cookie: $cookie" -H 'accept-encoding: gzip' "$base$path")
  assets=$(asset_bytes "$base$path")
  latency=$(wrk -t1 -c1 -d"$duration" --latency -H "cookie: $cookie" -H 'accept-encoding: gzip' "$base$path" \
    | awk '/ 50%/ {p50=$2} / 99%/ {p99=$2} END {print p50, p99}')
  printf '%-22s %10s %10s %10s %10s %10s\n' "$path" "$html_gz" "$assets" "$(( html_gz + assets ))" $latency
  if [ "$path" = /today/run ]; then cookie=$saved; fi
done
