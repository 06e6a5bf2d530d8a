#!/usr/bin/env bash
# Times `cloudanon -e` against `gdcmanon -e` (same certificate, same inputs): a whole directory in one process for
# (a) 500 × 0.5 MB CT files and (b) 5 × ~210 MB multi-frame files, then one process per file on (a). Each row is the
# median of $REPS (default 5) runs, interleaved as compare.sh does, with the highest peak RSS. Prints a Markdown table of files/s, MB/s and peak RSS. Inputs and
# the CLI build come from bench/compare.sh (same $WORK, default /tmp/cloudanon-bench); nothing generated is committed.
# Usage: bench/compare-anon.sh   (CLOUDANON_BIN=path times a given build instead)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Reuse compare.sh's settings, build_cli and generate_inputs without running its dispatch at the end.
# shellcheck source=/dev/null
source <(sed '/^mkdir -p "\$WORK"$/,$d' "$ROOT/bench/compare.sh")
mkdir -p "$WORK"
build_cli
# CLOUDANON_BIN picks a specific build; a build from before the anonymizer existed answers -v with an error.
CLOUDANON="${CLOUDANON_BIN:-$CLOUDANON}"
KIND="${CLOUDANON_BIN:+given build $CLOUDANON_BIN}"
KIND="${KIND:-$(cat "$WORK/cli/kind")}"
"$CLOUDANON" -v >/dev/null || { log "$CLOUDANON has no anonymizer: rm -rf $WORK/cli and rerun"; exit 1; }
generate_inputs
# The corpus CT behind (a) is marked de-identified, which both tools refuse: strip the marks once (with cloudanon's dumb mode).
if [[ ! -f "$WORK/anon-small.done" ]]; then
  rm -rf "$WORK/anon-small"
  "$CLOUDANON" --dumb --remove 12,62 --remove 12,63 --remove 12,64 --remove 400,500 "$WORK/small" "$WORK/anon-small" >/dev/null
  touch "$WORK/anon-small.done"
fi
SMALL="$WORK/anon-small"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$WORK/anon-key.pem" -out "$WORK/anon-cert.pem" -days 2 -subj /CN=bench 2>/dev/null
CERT="$WORK/anon-cert.pem"
small_mb=$(du -sm --apparent-size "$SMALL" | cut -f1)
large_mb=$(du -sm --apparent-size "$WORK/large" | cut -f1)
start_measurements "$SMALL"/* "$WORK"/large/*
for _ in $(seq "$REPS"); do
  for tool in "$CLOUDANON" gdcmanon; do
    measure "small-${tool##*/}" "$tool" -e -c "$CERT" "$SMALL" "$WORK/out"
    measure "large-${tool##*/}" "$tool" -e -c "$CERT" "$WORK/large" "$WORK/out"
  done
  measure per-file-cloudanon bash -c 'per_file "$@"' _ "$SMALL" "$CLOUDANON" -e -c "$CERT"
  measure per-file-gdcmanon bash -c 'per_file "$@"' _ "$SMALL" gdcmanon -e -c "$CERT"
done
rm -rf "$WORK/out"

echo
echo "De-identification, inputs in page cache, median of $REPS interleaved runs ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/ {print $2}') GB; cloudanon $KIND, gdcmanon $(gdcmanon -v | awk '{print $3}'))"
echo
echo "| tool and data | files | seconds | files/s | MB/s | peak RSS (MB) |"
echo "|---|---|---|---|---|---|"
row small-cloudanon "cloudanon -e, (a) ${SMALL_COUNT} × 0.5 MB, one run" "$SMALL_COUNT" "$small_mb"
row small-gdcmanon "gdcmanon -e, (a), one run" "$SMALL_COUNT" "$small_mb"
row large-cloudanon "cloudanon -e, (b) ${LARGE_COUNT} × $((large_mb / LARGE_COUNT)) MB, one run" "$LARGE_COUNT" "$large_mb"
row large-gdcmanon "gdcmanon -e, (b), one run" "$LARGE_COUNT" "$large_mb"
row per-file-cloudanon "cloudanon -e, (a), one process per file" "$SMALL_COUNT" "$small_mb"
row per-file-gdcmanon "gdcmanon -e, (a), one process per file" "$SMALL_COUNT" "$small_mb"
