#!/usr/bin/env bash
# Install the agent CLIs that tests/agents/real run against a fake model on 127.0.0.1:
#
#   npm:  Claude Code (@anthropic-ai/claude-code), Codex CLI (@openai/codex) and Gemini CLI
#         (@google/gemini-cli), pinned, each in its own folder under the cache
#         (~/.cache/imi-agent-clis; IMI_AGENT_CLIS moves it)
#
# Claude Code and Codex ship native binaries inside their npm packages; Gemini CLI runs on Node 20+.
# A second run finds them in place and takes well under a second.
# The tests find the CLIs in the same place (tests/agents/real/clis.py).
set -euo pipefail

cache="${IMI_AGENT_CLIS:-${XDG_CACHE_HOME:-$HOME/.cache}/imi-agent-clis}"
declare -A packages=(
    [claude]="@anthropic-ai/claude-code@2.1.197"
    [codex]="@openai/codex@0.171.0"
    [gemini]="@google/gemini-cli@0.61.0"
)

say() { printf 'setup-agent-clis: %s\n' "$*" >&2; }

command -v npm >/dev/null || { say "npm is missing: install Node 18+ (editors/setup-test-tools.sh does)"; exit 1; }

for name in "${!packages[@]}"; do
    spec="${packages[$name]}"
    bin="$cache/$name/node_modules/.bin/$name"
    stamp="$cache/$name/.installed"  # the spec last installed and run successfully
    if [ -x "$bin" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$spec" ]; then
        continue
    fi
    say "npm install $spec"
    mkdir -p "$cache/$name"
    npm install --silent --no-save --no-audit --no-fund --prefix "$cache/$name" "$spec" >/dev/null
    "$bin" --version >/dev/null || { say "$name ($spec) installed but does not run"; exit 1; }
    printf '%s' "$spec" > "$stamp"
done

say "ready in $cache: ${packages[*]}"
