-- wrk script: POST one logged session per request (the "logging a session" benchmark).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"started_at":"2026-01-05T07:30:00Z","setting":"ground","blocks":[{"direction":"backward","seconds":300}],"rpe":12,"pain_before":2,"pain_after":2}'
