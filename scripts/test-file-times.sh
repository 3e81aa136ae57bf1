#!/usr/bin/env bash
# Time test files the way docs/ci.md's table was taken: each file alone through tap, RUNS rounds,
# the files alternating within a round (so a load that comes and goes hits every file alike).
# One line per run: the file, tap's own time for it, wall time, pass or fail, and the load
# average when it started. Run it after `npx tsc -p tsconfig.json`.
#
#   scripts/test-file-times.sh [-n RUNS] dist/test/e2e/portal-test-call.test.js [more files…]
#
# A run is as long as its file (the slowest take minutes); nothing else bounds it.
set -uo pipefail
cd "$(dirname "$0")/.."
runs=1
if [ "${1:-}" = "-n" ]; then
  runs=$2
  shift 2
fi
if [ "$#" -eq 0 ]; then
  echo "usage: scripts/test-file-times.sh [-n RUNS] FILE.test.js..." >&2
  exit 2
fi
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
for round in $(seq 1 "$runs"); do
  for file in "$@"; do
    load=$(cut -d' ' -f1 /proc/loadavg)
    start=$(date +%s%N)
    if npx tap --reporter=tap "$file" >"$log" 2>&1; then result=pass; else result=FAIL; status=1; fi
    wall_ms=$(( ($(date +%s%N) - start) / 1000000 ))
    # tap's line for the file itself: "ok 1 - dist/test/x.test.js # time=12345.678ms".
    tap_ms=$(grep -a -E '^(not )?ok 1 - ' "$log" | sed -nE 's/.*time=([0-9.]+)ms.*/\1/p' | head -n 1)
    awk -v f="$file" -v r="$round" -v tap="${tap_ms:-0}" -v wall="$wall_ms" -v res="$result" -v load="$load" \
      'BEGIN { printf "%s round %s: tap %.1f s, wall %.1f s, %s, load %s\n", f, r, tap / 1000, wall / 1000, res, load }'
  done
done
exit "$status"
