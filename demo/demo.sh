#!/bin/sh
# Build a small demo project in ./imi-demo (or $1), record some memory the way agents do, and show it.
set -eu
dir="${1:-imi-demo}"
rm -rf "$dir"
mkdir -p "$dir/src/auth" "$dir/tests"
cd "$dir"
git init -q 2>/dev/null || true
printf 'export async function refresh(token) {\n  // called by every tab\n  return fetch("/token", { method: "POST" });\n}\n' > src/auth/refresh.ts
printf 'export function rateLimit(req) {\n  return true;\n}\n' > src/middleware.ts
printf 'test("refresh", () => {});\n' > tests/auth.test.ts

imi init
imi vision "Users stay signed in: auth that never logs anyone out"
goal=$(imi goal "Auth that never logs users out" "Silent token refresh across tabs" high \
  "users churn after forced logouts" "web users" "zero forced logouts in a week" --json \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
first=$(imi task "$goal" "Refresh tokens before expiry" "refresh 60 s before exp" critical --json \
  --acceptance-criteria "tests/auth.test.ts passes" --files src/auth/refresh.ts \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
imi task "$goal" "Handle concurrent refresh" "single-flight refresh" high --blocked-by "$first" >/dev/null
imi decide "keep token refresh in src/auth/refresh.ts, not in middleware" \
  "middleware runs on every request; refresh is rare"
imi kill "GraphQL gateway" "not worth the operations cost"
imi lesson "concurrent refresh requests raced in src/auth/refresh.ts" \
  --correct-behavior "guard refresh with a single-flight mutex" --verified-by ci --files src/auth/refresh.ts:1-4
imi log "the rate limiter in src/middleware.ts ignores refresh grace periods"
IMI_AGENT_ID=claude-1 imi start "$first" >/dev/null
IMI_AGENT_ID=claude-1 imi complete "$first" "refresh now runs 60 s before expiry in src/auth/refresh.ts" \
  --outcome "tests/auth.test.ts passes" >/dev/null
IMI_AGENT_ID=cursor-2 imi next >/dev/null
IMI_AGENT_ID=cursor-2 imi checkpoint "$(imi status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["in_progress"][0]["id"])')" \
  "mutex added, tests pending" >/dev/null

echo "== imi context (what the next agent session reads) =="
imi context
echo
echo "== imi context --file src/auth/refresh.ts (what an agent sees before editing it) =="
imi context --file src/auth/refresh.ts
