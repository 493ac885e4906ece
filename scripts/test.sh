#!/usr/bin/env bash
# `npm test`: lint, typecheck, make sure the test services are there, then the Vitest suite.
# Arguments go to `vitest run` (a file filter, -t NAME, ...). Exit code = the suite's.
#
# Services (see docs/decisions.md, "Test services"):
#   PostgreSQL  scripts/ensure-postgres.sh -> TEST_POSTGRES_URL (the machine's own server when one
#               answers at 127.0.0.1:5432, else one started for this run and stopped at the end)
#   Chromium    scripts/ensure-chromium.sh -> CHROMIUM_PATH (Debian's, apt-get installed when missing)
# PRINTSYNC_SKIP_LINT=1 skips eslint and tsc (for quick local runs of one test file).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

step() { printf '\n==> %s\n' "$*" >&2; }
fail() { printf '\ntest.sh: FAILED: %s\n' "$*" >&2; exit 1; }

[[ -d node_modules ]] || fail "node_modules is missing: run npm install (or npm ci) first"

if [[ "${PRINTSYNC_SKIP_LINT:-0}" != 1 ]]; then
  step "eslint"
  npx --no-install eslint . || fail "eslint reported problems (npx eslint . to see them again)"
  step "tsc --noEmit"
  npx --no-install tsc --noEmit || fail "TypeScript errors (npx tsc --noEmit to see them again)"
  step "tsc -p web --noEmit (admin panel: DOM and JSX settings of its own)"
  npx --no-install tsc -p web --noEmit || fail "TypeScript errors in the admin panel (npx tsc -p web --noEmit)"
fi

step "PostgreSQL"
pg_run_dir=".tmp/postgres/run-$$"
cleanup() {
  bash scripts/ensure-postgres.sh stop "$pg_run_dir" || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
TEST_POSTGRES_URL="$(bash scripts/ensure-postgres.sh start "$pg_run_dir")" ||
  fail "no PostgreSQL for the tests (messages above from scripts/ensure-postgres.sh)"
export TEST_POSTGRES_URL

step "Chromium"
CHROMIUM_PATH="$(bash scripts/ensure-chromium.sh)" ||
  fail "no Chromium for the browser tests (messages above from scripts/ensure-chromium.sh)"
export CHROMIUM_PATH
echo "CHROMIUM_PATH=$CHROMIUM_PATH" >&2

step "vitest run $*"
mkdir -p test-results
summary_file="test-results/vitest-summary.json"
rm -f "$summary_file"
set +e
npx --no-install vitest run --reporter=default --reporter=json --outputFile.json="$summary_file" "$@"
status=$?
set -e
# One plain closing line that any CI reads the same way: "tests: N passed, N failed, N skipped".
if [[ -f "$summary_file" ]]; then
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const skipped = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
    console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
  ' "$summary_file"
fi
exit "$status"
