#!/usr/bin/env bash
# `cloudanon process` (the Native AOT binary) next to a plain parallel copy of the same blobs (download + upload, 8 at a
# time) through the same Azurite, in one run: files/s and requests per file, in interleaved rounds (the median is
# printed: single runs on 2 shared cores vary by ±30%). Then `cloudanon backfill`'s messages/s.
#   bench/compare-pipeline.sh [--files 300] [--jobs 8] [--rounds 3]
# Azurite is started here in memory on ports 12000-12002; nothing generated is kept.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/bench-setup.sh"
files=300 jobs=8 rounds=3
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    *) echo "usage: bench/compare-pipeline.sh [--files N] [--jobs N] [--rounds N]" >&2; exit 2 ;;
  esac
done
bench_start_azurite 12000 memory
export AZURE_STORAGE_CONNECTION_STRING="$connection"
export CLOUDANON_MAPPING_KEY="$(cat "$work/mapping-key.txt")"

echo "== builds (cloudanon Native AOT, benchmarks)"
dotnet publish src/CloudAnon.Cli -c Release -r linux-x64 -o "$work/cli" -nologo -v q >/dev/null
dotnet build bench/CloudAnon.Benchmarks -c Release -v q -nologo >/dev/null

copy() {
  dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pipeline copy --source "ingress-$1" \
    --target "copy-$1" --jobs "$jobs" --connection "$connection" | tee -a "$work/copy.txt"
}
process() {
  # A fresh table a round: every round is a new study for the mapping store, as a first backfill is.
  "$work/cli/cloudanon" process --ingress "ingress-$1" --egress "egress-$1" --quarantine "quarantine-$1" --table "mappings$1" \
    --certificate "$work/cert.pem" --jobs "$jobs" 2>/dev/null | tee -a "$work/process.txt"
}
for round in $(seq 1 "$rounds"); do
  echo "== round $round of $rounds: $files generated CT files of 0.5 MB (+ 3 refused) into ingress-$round"
  bench_upload "ingress-$round" "$files"
  if (( round % 2 )); then copy "$round"; process "$round"; else process "$round"; copy "$round"; fi
done
median() { grep -o '[0-9.]* files/s' "$1" | cut -d' ' -f1 | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
copy_rate="$(median "$work/copy.txt")" process_rate="$(median "$work/process.txt")"
echo "== median of $rounds rounds: plain copy $copy_rate files/s, cloudanon process $process_rate files/s:" \
  "$(awk -v p="$process_rate" -v c="$copy_rate" 'BEGIN { printf "%.2f", p / c }') of the copy"

echo "== cloudanon backfill of $files fresh blobs"
bench_upload backfill-ingress "$files"
"$work/cli/cloudanon" backfill --ingress backfill-ingress 2>/dev/null
