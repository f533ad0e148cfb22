#!/bin/sh
# Build a small demo project in ./imi-demo (or the folder given), record memory the way agents do,
# and show what the next agent session reads.
#
# Safe with any folder name: it only ever builds in a new or empty folder, and only ever replaces
# a folder it made itself earlier (marked by the file .imi-demo). Anything else is refused.
set -eu
dir="${1:-imi-demo}"
marker=.imi-demo

fail() { printf 'demo: %s\n' "$*" >&2; exit 1; }
step() { printf '\n-- %s\n' "$*"; }
id_of() { python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'; }

command -v imi >/dev/null 2>&1 ||
  fail "the imi command is not on PATH: install IMI first (see the README's first command)"
command -v python3 >/dev/null 2>&1 || fail "python3 is needed to read imi's JSON output"

if [ -e "$dir" ] || [ -L "$dir" ]; then
  if [ -d "$dir" ] && [ ! -L "$dir" ] && [ -f "$dir/$marker" ]; then
    case "$(pwd -P)/" in
      "$(cd "$dir" && pwd -P)"/*) fail "$dir is the folder you are in: run the demo from outside it (nothing was changed)" ;;
    esac
    printf 'demo: replacing the demo project made earlier in %s\n' "$dir"
    rm -rf "$dir"
  elif [ ! -d "$dir" ] || [ -L "$dir" ]; then
    fail "$dir exists and is not a folder: give the demo a new or empty folder (nothing was changed)"
  elif [ -n "$(ls -A "$dir")" ]; then
    fail "$dir is not empty and the demo did not make it: give a new or empty folder (nothing was changed)"
  fi
fi
mkdir -p "$dir"
cd "$dir"
where="$(pwd)"
: > "$marker"

step "A small web app with an auth module, in $where"
mkdir -p src/auth tests
printf 'export async function refresh(token) {\n  // called by every tab\n  return fetch("/token", { method: "POST" });\n}\n' > src/auth/refresh.ts
printf 'export function rateLimit(req) {\n  return true;\n}\n' > src/middleware.ts
printf 'test("refresh", () => {});\n' > tests/auth.test.ts
if git init -q 2>/dev/null; then
  printf '%s\n' "$marker" >> .git/info/exclude
  echo "git repository created (memory is shared through git as text in .imi/records/)"
fi

step "imi init: project memory for this folder"
imi init

step "imi vision / goal / task: what the project is for and the work planned"
imi vision "Users stay signed in: auth that never logs anyone out"
goal=$(imi goal "Auth that never logs users out" "Silent token refresh across tabs" high \
  "users churn after forced logouts" "web users" "zero forced logouts in a week" --json | id_of)
echo "Created goal $goal: Auth that never logs users out"
first=$(imi task "$goal" "Refresh tokens before expiry" "refresh 60 s before exp" critical --json \
  --acceptance-criteria "tests/auth.test.ts passes" --files src/auth/refresh.ts | id_of)
echo "Created task $first: Refresh tokens before expiry (critical, names src/auth/refresh.ts)"
second=$(imi task "$goal" "Handle concurrent refresh" "single-flight refresh" high --blocked-by "$first" --json | id_of)
echo "Created task $second: Handle concurrent refresh (waits for $first)"

step "imi decide / kill / lesson / log: what was decided, dropped and learnt"
imi decide "keep token refresh in src/auth/refresh.ts, not in middleware" \
  "middleware runs on every request; refresh is rare"
imi kill "GraphQL gateway" "not worth the operations cost"
imi lesson "concurrent refresh requests raced in src/auth/refresh.ts" \
  --correct-behavior "guard refresh with a single-flight mutex" --verified-by ci --files src/auth/refresh.ts:1-4
imi log "the rate limiter in src/middleware.ts ignores refresh grace periods"

step "Two agents at work: claude-1 finishes the first task, cursor-2 claims the next and checkpoints"
IMI_AGENT_ID=claude-1 imi start "$first"
IMI_AGENT_ID=claude-1 imi complete "$first" "refresh now runs 60 s before expiry in src/auth/refresh.ts" \
  --outcome "tests/auth.test.ts passes"
IMI_AGENT_ID=cursor-2 imi next
IMI_AGENT_ID=cursor-2 imi checkpoint "$second" "mutex added, tests pending"

step "imi context: what the next agent session reads"
imi context
step "imi context --file src/auth/refresh.ts: what an agent sees before editing that file"
imi context --file src/auth/refresh.ts

cat <<EOF

-- The demo project is in $where. Look around in it:
   cd $where
   imi context                      # the session context again
   imi status                       # goals, tasks and who holds them
   imi search refresh               # full-text search over the memory
   code .   (or: nvim src/auth/refresh.ts)   # with the IMI extension: lenses and lesson warnings
EOF
