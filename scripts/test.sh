#!/usr/bin/env bash
# The test command: installs the test tools if missing, checks the links of README and docs, builds, and runs every
# test project.
# Prints one closing line "N passed, N failed" and exits non-zero when any test fails.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-test-tools.sh || exit 1
python3 scripts/check-links.py || exit 1

log=$(mktemp)
dotnet test CloudAnon.sln -c Release --nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

passed=$(grep -oE 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -oE 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "${passed} passed, ${failed} failed"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
