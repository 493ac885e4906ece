#!/usr/bin/env bash
# Makes sure Debian's Chromium is installed and prints its path on stdout (progress goes to stderr).
# Used by scripts/test.sh, which exports the path as CHROMIUM_PATH for the browser tests.
#   CHROMIUM_PATH=/path/to/chromium  use that binary instead (must be executable)
set -euo pipefail

log() { echo "ensure-chromium: $*" >&2; }

if [[ -n "${CHROMIUM_PATH:-}" ]]; then
  if [[ -x "$CHROMIUM_PATH" ]]; then
    echo "$CHROMIUM_PATH"
    exit 0
  fi
  log "CHROMIUM_PATH=$CHROMIUM_PATH is not an executable file; falling back to Debian's chromium"
fi

target=/usr/bin/chromium
if [[ -x "$target" ]]; then
  echo "$target"
  exit 0
fi

if [[ "$(id -u)" -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
  log "ERROR: $target is missing and it can't be installed here (needs root and apt-get)."
  log "Install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH."
  exit 1
fi

log "installing Debian's chromium with apt-get (takes a minute or two)..."
mkdir -p .tmp
apt_log="$(pwd)/.tmp/apt-chromium.log"
export DEBIAN_FRONTEND=noninteractive
# Wait for another apt/dpkg run (someone else installing at the same time) instead of failing.
apt_opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q -y)
if ! { apt-get "${apt_opts[@]}" update && apt-get "${apt_opts[@]}" install chromium; } >"$apt_log" 2>&1 </dev/null; then
  log "ERROR: apt-get install chromium failed; last lines of $apt_log:"
  tail -n 30 "$apt_log" >&2
  exit 1
fi
if [[ ! -x "$target" ]]; then
  log "ERROR: apt-get installed chromium but $target is still missing (see $apt_log)"
  exit 1
fi
log "installed $("$target" --version 2>/dev/null || echo chromium)"
echo "$target"
