#!/usr/bin/env bash
# What recording costs `cloudanon process`: the same generated files, with the audit table on and off (--no-audit-table),
# in interleaved rounds through the same Azurite (the median is printed: single runs on shared cores vary by ±30%);
# files/s, the table round trips per file from process's own tally, and the CPU time per file of cloudanon and Azurite
# together (what recording costs on a loaded machine, where files/s is mostly the other load).
#   bench/compare-audit.sh [--files 200] [--jobs 8] [--rounds 3] [--cli PATH]
# --cli: the cloudanon to run (default: the framework-dependent Release build, made here). Azurite in memory on ports
# 12010-12012; nothing generated is kept.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/bench-setup.sh"
files=200 jobs=8 rounds=3 cli=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --cli) cli="$2"; shift 2 ;;
    *) echo "usage: bench/compare-audit.sh [--files N] [--jobs N] [--rounds N] [--cli PATH]" >&2; exit 2 ;;
  esac
done
bench_start_azurite 12010 memory
export AZURE_STORAGE_CONNECTION_STRING="$connection"
export CLOUDANON_MAPPING_KEY="$(cat "$work/mapping-key.txt")"
if [[ -z "$cli" ]]; then
  echo "== build (cloudanon, framework-dependent Release)"
  dotnet build src/CloudAnon.Cli -c Release -v q -nologo >/dev/null
  cli="src/CloudAnon.Cli/bin/Release/net10.0/cloudanon"
fi

azurite_ticks() { # CPU clock ticks Azurite has used (0 when this script did not start it)
  if [[ -n "$bench_azurite" ]]; then awk '{ print $14 + $15 }' "/proc/$bench_azurite/stat"; else echo 0; fi
}
run() { # run NAME ROUND [OPTION]...: one process run over its own fresh ingress, tables and audit stores
  local name="$1" round="$2"; shift 2
  bench_upload "ingress-$name-$round" "$files"
  local ticks TIMEFORMAT='%U %S'
  ticks="$(azurite_ticks)"
  { time "$cli" process --ingress "ingress-$name-$round" --egress "egress-$name-$round" --quarantine "quarantine-$name-$round" \
    --table "mappings$name$round" --audit-table "audit$name$round" --audit-container "audit-$name-$round" \
    --certificate "$work/cert.pem" --jobs "$jobs" "$@" 2>/dev/null | tee -a "$work/$name.txt"; } 2>"$work/time.txt"
  read -r user system <"$work/time.txt"
  awk -v u="$user" -v s="$system" -v a="$(( $(azurite_ticks) - ticks ))" -v hz="$(getconf CLK_TCK)" -v n="$((files + 3))" \
    'BEGIN { printf "cpu %.1f ms/file (cloudanon %.1f s, Azurite %.1f s)\n", (u + s + a / hz) * 1000 / n, u + s, a / hz }' | tee -a "$work/$name-cpu.txt"
}
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds: $files generated CT files of 0.5 MB (+ 3 refused), recording on and off"
  if (( round % 2 )); then run on "$round"; run off "$round" --no-audit-table; else run off "$round" --no-audit-table; run on "$round"; fi
done
median() { grep -o "[0-9.]* $2" "$1" | cut -d' ' -f1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
on="$(median "$work/on.txt" files/s)" off="$(median "$work/off.txt" files/s)"
echo "== median of $rounds rounds: recording off $off files/s, on $on files/s:" \
  "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.1f%% slower", (b - a) / b * 100 }')"
on="$(median "$work/on-cpu.txt" ms/file)" off="$(median "$work/off-cpu.txt" ms/file)"
echo "== CPU time per file (cloudanon and Azurite), median: recording off $off ms, on $on ms:" \
  "$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.1f%% more", (a - b) / b * 100 }')"
