#!/usr/bin/env bash
# Times identity rewrites by cloudanon against gdcmconv (GDCM) and dcmconv (DCMTK) on the same files in one run,
# printing a Markdown table of files/s, MB/s and peak RSS: the median of $REPS (default 5) interleaved runs. Generated
# files live under $WORK (default /tmp/cloudanon-bench) and are never committed. Usage: bench/compare.sh [codec]   (one function per comparison;
# further comparisons, e.g. the anonymiser, add a function and a case below.)
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
WORK="${WORK:-/tmp/cloudanon-bench}"
PYTHON=/usr/bin/python3
SMALL_COUNT=500
LARGE_COUNT=5
LARGE_FRAMES=400
CLOUDANON=""
REPS="${REPS:-5}"
TIMES="$WORK/times"

log() { echo "$*" >&2; }

# Native AOT when it builds (clang and zlib1g-dev installed), otherwise a framework-dependent Release build. The build
# is kept for the commit (and uncommitted changes) it was made from, and made again when the source differs.
build_cli() {
  local out="$WORK/cli" source
  source="$(git -C "$ROOT" rev-parse HEAD 2>/dev/null)-$(git -C "$ROOT" diff HEAD -- src 2>/dev/null | sha1sum | cut -c1-12)"
  CLOUDANON="$out/cloudanon"
  if [[ -x "$CLOUDANON" && "$(cat "$out/source" 2>/dev/null)" == "$source" ]]; then return; fi
  rm -rf "$out"
  log "building cloudanon (Release) ..."
  if dotnet publish "$ROOT/src/CloudAnon.Cli" -c Release -r linux-x64 -p:PublishAot=true -o "$out" >"$WORK/publish.log" 2>&1; then
    echo "native-aot" >"$out/kind"
  else
    log "Native AOT publish failed (see $WORK/publish.log); using a framework-dependent build"
    dotnet publish "$ROOT/src/CloudAnon.Cli" -c Release -o "$out" >>"$WORK/publish.log" 2>&1
    echo "framework-dependent" >"$out/kind"
  fi
  echo "$source" >"$out/source"
}

# (a) 500 copies of a 512x512 16-bit CT from the corpus with distinct SOP Instance UIDs;
# (b) 5 multi-frame files of 400 frames 512x512 16-bit (~210 MB), pixel data appended in 1-frame chunks.
generate_inputs() {
  [[ -f "$WORK/inputs.done" ]] && return
  log "generating inputs in $WORK ..."
  mkdir -p "$WORK/small" "$WORK/large"
  "$PYTHON" - "$ROOT/../shared/corpus/modality/CT/SignedCT.dcm" "$WORK" "$SMALL_COUNT" "$LARGE_COUNT" "$LARGE_FRAMES" <<'PY'
import struct, sys
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import ExplicitVRLittleEndian, generate_uid

ct, work, small, large, frames = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
ds = pydicom.dcmread(ct)
for i in range(small):
    ds.SOPInstanceUID = generate_uid()
    ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    ds.save_as(f"{work}/small/ct{i:04d}.dcm", write_like_original=True)

frame = bytes((i * 7) & 0xFF for i in range(512 * 512 * 2))
for n in range(large):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = "1.2.840.10008.5.1.4.1.1.7.3"
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    mf = Dataset()
    mf.file_meta = meta
    mf.is_little_endian, mf.is_implicit_VR = True, False
    mf.SOPClassUID, mf.SOPInstanceUID = meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID
    mf.Modality, mf.PatientName, mf.PatientID = "OT", "Bench^Large", f"BENCH{n}"
    mf.StudyInstanceUID, mf.SeriesInstanceUID = generate_uid(), generate_uid()
    mf.SamplesPerPixel, mf.PhotometricInterpretation = 1, "MONOCHROME2"
    mf.NumberOfFrames, mf.Rows, mf.Columns = frames, 512, 512
    mf.BitsAllocated, mf.BitsStored, mf.HighBit, mf.PixelRepresentation = 16, 16, 15, 0
    path = f"{work}/large/mf{n}.dcm"
    mf.save_as(path, write_like_original=False)
    with open(path, "ab") as f:
        f.write(struct.pack("<HH2sHI", 0x7FE0, 0x0010, b"OW", 0, frames * len(frame)))
        for _ in range(frames):
            f.write(frame)
PY
  touch "$WORK/inputs.done"
}

# Runs "$@" once under /usr/bin/time with a fresh $WORK/out; appends "seconds peak_kb" to $TIMES/$1. Tools' messages go
# to $WORK/stderr.log.
measure() {
  local name="$1" report="$WORK/time.txt" start end; shift
  rm -rf "$WORK/out"
  sync
  start=$(date +%s.%N)
  /usr/bin/time -v -o "$report" "$@" >/dev/null 2>>"$WORK/stderr.log"
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

# "$@" IN OUT for every file of $1, one process per file, outputs in $WORK/out.
per_file() {
  local dir="$1"; shift
  mkdir -p "$WORK/out"
  for f in "$dir"/*; do "$@" "$f" "$WORK/out/${f##*/}" || exit 1; done
}
export -f per_file

# Each measurement runs $REPS times, the rows interleaved so that every tool meets the same moments of a shared machine.
start_measurements() {
  rm -rf "$TIMES"; mkdir -p "$TIMES"
  cat "$@" >/dev/null # page cache
}

# The codec comparison: identity rewrite, one process per file, for each tool on (a) and (b).
compare_codec() {
  build_cli
  generate_inputs
  local small_mb large_mb name
  local -A commands=([cloudanon]="$CLOUDANON convert" [gdcmconv]=gdcmconv [dcmconv]=dcmconv)
  small_mb=$(du -sm --apparent-size "$WORK/small" | cut -f1)
  large_mb=$(du -sm --apparent-size "$WORK/large" | cut -f1)
  start_measurements "$WORK"/small/* "$WORK"/large/*
  for _ in $(seq "$REPS"); do
    for name in cloudanon gdcmconv dcmconv; do
      # shellcheck disable=SC2086 # a command and its arguments, split on purpose
      measure "small-$name" bash -c 'per_file "$@"' _ "$WORK/small" ${commands[$name]}
      # shellcheck disable=SC2086
      measure "large-$name" bash -c 'per_file "$@"' _ "$WORK/large" ${commands[$name]}
    done
  done
  rm -rf "$WORK/out"
  echo
  echo "Identity rewrite, one process per file, inputs in page cache, median of $REPS interleaved runs ($(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); cloudanon $(cat "$WORK/cli/kind"))"
  echo
  echo "| tool and data | files | seconds | files/s | MB/s | peak RSS (MB) |"
  echo "|---|---|---|---|---|---|"
  row small-cloudanon "cloudanon convert, (a) ${SMALL_COUNT} × 0.5 MB" "$SMALL_COUNT" "$small_mb"
  row small-gdcmconv "gdcmconv, (a)" "$SMALL_COUNT" "$small_mb"
  row small-dcmconv "dcmconv, (a)" "$SMALL_COUNT" "$small_mb"
  row large-cloudanon "cloudanon convert, (b) ${LARGE_COUNT} × $((large_mb / LARGE_COUNT)) MB" "$LARGE_COUNT" "$large_mb"
  row large-gdcmconv "gdcmconv, (b)" "$LARGE_COUNT" "$large_mb"
  row large-dcmconv "dcmconv, (b)" "$LARGE_COUNT" "$large_mb"
}

mkdir -p "$WORK"
case "${1:-codec}" in
  codec) compare_codec ;;
  *) echo "usage: $0 [codec]" >&2; exit 2 ;;
esac
