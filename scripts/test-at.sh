#!/usr/bin/env bash
# Run test files through tap as if the wall clock read AT (UTC) when they start: the way docs/ci.md's
# time-of-day audit proved a test's dependence on the hour or the date, and its fix. Every process the
# test starts (the CLI, `centre serve`, the lab, PostgreSQL, Chromium) sees the same shifted clock, which
# runs on at its real pace: libfaketime with an offset (`faketime -f +Ns`), not a fixed start time, which
# each process would take from its own start. Timers and timeouts keep the real monotonic clock.
# Needs Debian's faketime (apt-get install faketime); no test relies on it. Run it after `npx tsc -p tsconfig.json`.
#
#   scripts/test-at.sh 2026-10-25T01:30:00Z dist/test/e2e/maintenance-scheduler.test.js [more files…]
set -uo pipefail
cd "$(dirname "$0")/.."
if [ "$#" -lt 2 ]; then
  echo "usage: scripts/test-at.sh YYYY-MM-DDTHH:MM:SSZ FILE.test.js..." >&2
  exit 2
fi
command -v faketime >/dev/null || { echo "test-at: needs faketime (apt-get install faketime)" >&2; exit 2; }
target=$(date -u -d "$1" +%s) || exit 2
shift
offset=$(( target - $(date -u +%s) ))
echo "test-at: the clock shifted by ${offset} s: $(date -u -d "@${target}" +%FT%TZ) at the start" >&2
FAKETIME_DONT_FAKE_MONOTONIC=1 exec faketime -f "${offset:+$( [ "$offset" -ge 0 ] && echo +)}${offset}s" npx tap --reporter=tap "$@"
