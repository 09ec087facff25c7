#!/usr/bin/env bash
# npm run test:e2e — the extension in a real VS Code (code-server 4.100.3, the
# VS Code 1.100 web workbench) driven through headless Debian Chromium.
#
# Installs what it needs, idempotently, into .e2e/ (git-ignored):
#   Debian: chromium, wimtools, ripgrep, neovim (the headless-Neovim LSP check),
#           libkrb5-dev (code-server's native build)
#   .e2e/code-server/  npm code-server@4.100.3 (4.103 and later need Node 22 or 24)
#   .e2e/pw/           npm playwright-core (not a devDependency of the project)
# then packages the VSIX and runs test/wimtools/*.test.ts and test/e2e/*.test.ts
# with Node's test runner.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE=${PPKG_E2E_CACHE:-$ROOT/.e2e}
CODE_SERVER_VERSION=4.100.3
PLAYWRIGHT_VERSION=1.65.1
mkdir -p "$CACHE"
t0=$(date +%s)

log() { printf '[e2e] %s\n' "$*"; }

# --- Debian packages ---------------------------------------------------------
need_apt=()
command -v chromium >/dev/null || need_apt+=(chromium)
command -v wimverify >/dev/null || need_apt+=(wimtools)
command -v rg >/dev/null || need_apt+=(ripgrep)
command -v openssl >/dev/null || need_apt+=(openssl)
command -v nvim >/dev/null || need_apt+=(neovim)
if [ ! -x "$CACHE/code-server/node_modules/.bin/code-server" ]; then
  dpkg -s libkrb5-dev >/dev/null 2>&1 || need_apt+=(libkrb5-dev)
  command -v g++ >/dev/null || need_apt+=(g++ make)
  command -v python3 >/dev/null || need_apt+=(python3)
fi
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  if [ "$(id -u)" != 0 ]; then echo "[e2e] need root to install ${need_apt[*]}" >&2; exit 2; fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# --- code-server --------------------------------------------------------------
CS_DIR=$CACHE/code-server
if [ ! -f "$CS_DIR/.installed-$CODE_SERVER_VERSION" ]; then
  log "installing code-server@$CODE_SERVER_VERSION into $CS_DIR (a few minutes, once)"
  rm -rf "$CS_DIR"; mkdir -p "$CS_DIR"
  # @vscode/ripgrep downloads rg from GitHub unless this cache holds the tarball:
  # seed it with Debian's rg.
  TMPROOT=$(node -p 'require("os").tmpdir()')
  RG_CACHE=$TMPROOT/vscode-ripgrep-cache-1.15.11
  RG_TAR=$RG_CACHE/ripgrep-v13.0.0-10-x86_64-unknown-linux-musl.tar.gz
  if [ ! -f "$RG_TAR" ]; then
    mkdir -p "$RG_CACHE" "$CACHE/rg-seed"
    cp "$(command -v rg)" "$CACHE/rg-seed/rg"
    tar -czf "$RG_TAR" -C "$CACHE/rg-seed" rg
  fi
  echo '{"private":true}' > "$CS_DIR/package.json"
  ( cd "$CS_DIR" && npm_config_yes=true npm install --no-audit --no-fund --unsafe-perm --loglevel=error \
      "code-server@$CODE_SERVER_VERSION" ) > "$CACHE/code-server-install.log" 2>&1 || {
    tail -40 "$CACHE/code-server-install.log" >&2; echo "[e2e] code-server install failed (log: $CACHE/code-server-install.log)" >&2; exit 2; }
  touch "$CS_DIR/.installed-$CODE_SERVER_VERSION"
fi

# --- playwright-core ----------------------------------------------------------
PW_DIR=$CACHE/pw
if [ ! -f "$PW_DIR/node_modules/playwright-core/package.json" ] || \
   [ "$(node -p "require('$PW_DIR/node_modules/playwright-core/package.json').version")" != "$PLAYWRIGHT_VERSION" ]; then
  log "installing playwright-core@$PLAYWRIGHT_VERSION into $PW_DIR"
  mkdir -p "$PW_DIR"; echo '{"private":true}' > "$PW_DIR/package.json"
  ( cd "$PW_DIR" && npm install --no-save --no-audit --no-fund --loglevel=error "playwright-core@$PLAYWRIGHT_VERSION" )
fi
t1=$(date +%s)
log "tools ready in $((t1 - t0))s"

# --- the VSIX -------------------------------------------------------------------
log "npm run package"
npm run --silent package
t2=$(date +%s)
log "packaged in $((t2 - t1))s"

# --- the checks -----------------------------------------------------------------
export PPKG_E2E_CACHE=$CACHE
export PPKG_E2E_CODE_SERVER=$CS_DIR/node_modules/.bin/code-server
export PPKG_E2E_PLAYWRIGHT=$PW_DIR/node_modules/playwright-core
export PPKG_E2E_RESULTS=${PPKG_E2E_RESULTS:-$ROOT/test-results/e2e-$(date +%Y%m%d-%H%M%S)}
mkdir -p "$PPKG_E2E_RESULTS"
log "results (screenshots, logs) go to $PPKG_E2E_RESULTS"
# The WIM writer read back by wimlib's own tools (wimverify, wiminfo, wimdir,
# wimapply) runs here too, since this job is the one that installs wimtools.
files=(test/wimtools/*.test.ts test/e2e/*.test.ts)
if [ $# -gt 0 ]; then files=("$@"); fi
status=0
node --import tsx --test --test-concurrency=1 --test-reporter=spec "${files[@]}" || status=$?
t3=$(date +%s)
log "checks ran in $((t3 - t2))s; total $((t3 - t0))s; results in $PPKG_E2E_RESULTS"
exit $status
