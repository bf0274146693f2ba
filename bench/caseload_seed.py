#!/usr/bin/env python3
"""Seeds a running Retrostride server for the caseload benchmark: WALKERS walkers who share
with the clinician CLINICIAN_EMAIL (whose account must exist and hold the clinician role), each
with YEARS years of logged sessions (4 a week, going back from yesterday), an active 12-week
plan started 8 weeks ago (the sessions since its start logged against it), and a 3MBWT.

Fast: each walker's history goes in with one import (POST /api/v1/import) built from a template
walker's export, not one POST per session. Prints the clinician's API token.

    bench/caseload_seed.py BASE CLINICIAN_EMAIL [WALKERS] [YEARS]
"""
import concurrent.futures as futures
import copy
import datetime as dt
import json
import sys
import urllib.error
import urllib.request

base = sys.argv[1]
clinician_email = sys.argv[2]
walkers = int(sys.argv[3]) if len(sys.argv) > 3 else 200
years = int(sys.argv[4]) if len(sys.argv) > 4 else 3
PASSWORD = "benchmark password"


def call(method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    data = json.dumps(body).encode() if body is not None else None
    try:
        with urllib.request.urlopen(request, data, timeout=600) as response:
            text = response.read()
            return json.loads(text) if text else None
    except urllib.error.HTTPError as e:
        raise SystemExit(f"{method} {path}: {e.code} {e.read().decode()[:2000]}")


def account(email):
    call("POST", "/api/v1/accounts", {"email": email, "password": PASSWORD})
    return call("POST", "/api/v1/tokens", {"email": email, "password": PASSWORD, "name": "bench"})["token"]


ANSWERS = {"age": 68, "currently_active": True, **{k: False for k in [
    "heart_condition", "chest_pain", "dizziness_or_fainting", "other_chronic_condition",
    "medication_for_chronic_condition", "bone_or_joint_problem", "supervised_activity_only",
    "fall_last_12_months", "near_fall_last_12_months", "balance_problems",
    "neurological_condition", "lower_limb_injury_or_surgery_6_months", "poor_vision",
    "walking_aid", "osteoporosis", "pregnant", "clinician_approved"]}}

today = dt.date.today()
plan_start = today - dt.timedelta(weeks=8)

# The template: a real screening, plan, session and 3MBWT, exported, so the documents built
# from it are in the server's own shape.
template = account("caseload-template@example.org")
call("POST", "/api/v1/screenings", ANSWERS, template)
call("POST", "/api/v1/plans", {"goal": "knee", "setting": "hallway", "level": "new",
                               "days_per_week": 4, "weeks": 12, "start": plan_start.isoformat()}, template)
call("POST", "/api/v1/sessions", {"started_at": f"{plan_start}T08:00:00Z", "setting": "hallway",
                                  "blocks": [{"direction": "forward", "seconds": 300},
                                             {"direction": "backward", "seconds": 300}],
                                  "rpe": 12, "pain_before": 2, "pain_after": 2}, template)
call("POST", "/api/v1/assessments", {"kind": "three_mbwt", "seconds": 4.0, "population": "older-adults"}, template)
exported = call("GET", "/api/v1/export", token=template)
plan_id = exported["plans"][0]["id"]
session = exported["sessions"][0]
planned = {p["date"]: p for p in exported["plans"][0]["sessions"]} if "sessions" in exported["plans"][0] else {}


def document(i):
    doc = copy.deepcopy(exported)
    sessions = []
    day = today - dt.timedelta(days=1)
    first = today - dt.timedelta(days=365 * years)
    n = 0
    while day >= first:
        # Four a week: Monday, Tuesday, Thursday, Saturday.
        if day.weekday() in (0, 1, 3, 5):
            s = copy.deepcopy(session)
            started = f"{day.isoformat()}T08:00:00Z"
            s["started_at"] = started
            if "local_date" in s:
                s["local_date"] = day.isoformat()
            if "created_at" in s:
                s["created_at"] = started
            # Some walkers skip sessions, some have rising pain or a near-fall lately.
            s["pain_before"] = 2
            s["pain_after"] = 4 if (i % 7 == 0 and n == 0) else 2
            s["near_falls"] = 1 if (i % 10 == 0 and n == 1) else 0
            s["plan_id"] = plan_id if day >= plan_start else None
            if day < plan_start:
                s.pop("planned_backward_seconds", None)
            if i % 4 == 0 and day >= today - dt.timedelta(days=10):
                day -= dt.timedelta(days=1)
                continue
            s["id"] = 1_000_000 + n
            sessions.append(s)
            n += 1
        day -= dt.timedelta(days=1)
    sessions.reverse()
    doc["sessions"] = sessions
    return doc


def walker(i):
    token = account(f"walker{i}@example.org")
    call("POST", "/api/v1/import", document(i), token)
    code = call("POST", "/api/v1/clinician/invites", token=clinician)["code"]
    call("POST", "/api/v1/grants", {"code": code}, token)
    return len(document(i)["sessions"]) if i == 0 else None


clinician = call("POST", "/api/v1/tokens", {"email": clinician_email, "password": PASSWORD, "name": "bench"})["token"]
with futures.ThreadPoolExecutor(4) as pool:
    counts = list(pool.map(walker, range(walkers)))
print(f"seeded {walkers} walkers x {counts[0]} sessions", file=sys.stderr)
print(clinician)
