#!/usr/bin/env bash
# Times `cloudanon -e` against `gdcmanon -e` (same certificate, same inputs): a whole directory in one process for
# (a) 500 × 0.5 MB CT files and (b) 5 × ~210 MB multi-frame files, then one process per file on (a). Each row is run
# $REPS times (default 5), the rows interleaved so that both tools meet the same moments of a shared machine, and the
# median time is reported with the highest peak RSS. Prints a Markdown table of files/s, MB/s and peak RSS. Inputs and
# the CLI build come from bench/compare.sh (same $WORK, default /tmp/cloudanon-bench); nothing generated is committed.
# Usage: bench/compare-anon.sh   (CLOUDANON_BIN=path times a given build instead)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
# Reuse compare.sh's settings, build_cli and generate_inputs without running its dispatch at the end.
# shellcheck source=/dev/null
source <(sed '/^mkdir -p "\$WORK"$/,$d' "$ROOT/bench/compare.sh")
REPS="${REPS:-5}"
TIMES="$WORK/anon-times"

# Runs "$@" once under /usr/bin/time into a fresh output directory; appends "seconds peak_kb" to $TIMES/$1.
measure() {
  local name="$1" report="$WORK/time-anon.txt" start end; shift
  rm -rf "$WORK/anon-out"
  sync
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$report" "$@" >/dev/null 2>>"$WORK/anon-stderr.log"
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc -l) $(awk -F': ' '/Maximum resident set size/ {print $2}' "$report")" >>"$TIMES/$name"
}

# A table row from the runs of $1: the median seconds and the highest peak RSS.
row() {
  local name="$1" label="$2" files="$3" mb="$4" seconds kb
  seconds=$(sort -n "$TIMES/$name" | awk '{ s[NR] = $1 } END { print s[int((NR + 1) / 2)] }')
  kb=$(sort -n -k2 "$TIMES/$name" | tail -1 | cut -d' ' -f2)
  printf '| %s | %d | %.2f | %.1f | %.0f | %.0f |\n' "$label" "$files" "$seconds" "$(echo "$files / $seconds" | bc -l)" "$(echo "$mb / $seconds" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}

per_file() {
  local dir="$1"; shift
  mkdir -p "$WORK/anon-out"
  for f in "$dir"/*; do "$@" "$f" "$WORK/anon-out/${f##*/}" || exit 1; done
}
export -f per_file

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
cat "$SMALL"/* "$WORK"/large/* >/dev/null # page cache

rm -rf "$TIMES"; mkdir -p "$TIMES"
for _ in $(seq "$REPS"); do
  measure small-cloudanon "$CLOUDANON" -e -c "$CERT" "$SMALL" "$WORK/anon-out"
  measure small-gdcmanon gdcmanon -e -c "$CERT" "$SMALL" "$WORK/anon-out"
  measure large-cloudanon "$CLOUDANON" -e -c "$CERT" "$WORK/large" "$WORK/anon-out"
  measure large-gdcmanon gdcmanon -e -c "$CERT" "$WORK/large" "$WORK/anon-out"
  measure per-file-cloudanon bash -c 'per_file "$@"' _ "$SMALL" "$CLOUDANON" -e -c "$CERT"
  measure per-file-gdcmanon bash -c 'per_file "$@"' _ "$SMALL" gdcmanon -e -c "$CERT"
done
rm -rf "$WORK/anon-out"

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
