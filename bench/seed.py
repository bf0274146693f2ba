#!/usr/bin/env python3
"""Seeds a running Retrostride server for the benchmarks: USERS people with SESSIONS_EACH
logged sessions each (10,000 in all by default), one session a day going back from today, and
a screening plus an active 12-week plan for the first person, whose API token is printed."""
import concurrent.futures as futures
import datetime as dt
import json
import sys
import urllib.request

base = sys.argv[1]
users = int(sys.argv[2]) if len(sys.argv) > 2 else 50
each = int(sys.argv[3]) if len(sys.argv) > 3 else 200


def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data) as response:
        text = response.read()
        return json.loads(text) if text else None


def person(i):
    email = f"bench{i}@example.org"
    call("POST", "/api/v1/accounts", {"email": email, "password": "benchmark password"})
    token = call("POST", "/api/v1/tokens", {"email": email, "password": "benchmark password", "name": "bench"})["token"]
    call("PUT", "/api/v1/profile", {"units": "metric", "body_mass_kg": 60 + i % 30}, token)
    return token


tokens = [person(i) for i in range(users)]
first = tokens[0]
answers = {"age": 55, **{k: False for k in [
    "heart_condition", "chest_pain", "dizziness_or_fainting", "other_chronic_condition",
    "medication_for_chronic_condition", "bone_or_joint_problem", "supervised_activity_only",
    "fall_last_12_months", "near_fall_last_12_months", "balance_problems",
    "neurological_condition", "lower_limb_injury_or_surgery_6_months",
    "poor_vision", "walking_aid", "osteoporosis", "pregnant", "currently_active",
    "clinician_approved"]}}
call("POST", "/api/v1/screenings", answers, first)
today = dt.date.today()
start = today - dt.timedelta(weeks=8)
call("POST", "/api/v1/plans", {"goal": "knee", "setting": "ground", "level": "new",
                               "days_per_week": 3, "weeks": 12, "start": start.isoformat()}, first)


def log(job):
    token, day = job
    started = dt.datetime.combine(today - dt.timedelta(days=day), dt.time(7, 30), dt.timezone.utc)
    call("POST", "/api/v1/sessions", {
        "started_at": started.isoformat().replace("+00:00", "Z"), "setting": "ground",
        "blocks": [{"direction": "forward", "seconds": 300}, {"direction": "backward", "seconds": 600},
                   {"direction": "forward", "seconds": 300}],
        "rpe": 12, "pain_before": 3, "pain_after": 2}, token)


jobs = [(t, d) for t in tokens for d in range(each)]
with futures.ThreadPoolExecutor(16) as pool:
    list(pool.map(log, jobs))
print(first)
