#!/usr/bin/env bash
# `cloudanon gateway` (the Native AOT binary) landing in Azurite, next to dcmtk's storescp writing to a RAM disk (the
# floor: the same DICOM network path with nothing behind it), both fed by dcmtk's storescu over one association:
# files/s and MB/s for 500 generated CT files of 0.5 MB and 5 of 200 MB, and the gateway's peak RSS for each.
#   bench/compare-gateway.sh [--small 500] [--large 5]
# Azurite is started here in memory on ports 12100-12102; generated files live under /dev/shm and are removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/bench-setup.sh"
small=500 large=5
while [[ $# -gt 0 ]]; do
  case "$1" in
    --small) small="$2"; shift 2 ;;
    --large) large="$2"; shift 2 ;;
    *) echo "usage: bench/compare-gateway.sh [--small N] [--large N]" >&2; exit 2 ;;
  esac
done
shm="$(mktemp -d /dev/shm/cloudanon-gateway-bench-XXXXXX)"
trap 'rm -rf "$shm"; bench_cleanup' EXIT
bench_start_azurite 12100 memory
export AZURE_STORAGE_CONNECTION_STRING="$connection"
export CLOUDANON_MAPPING_KEY="$(cat "$work/mapping-key.txt")"

echo "== build (cloudanon Native AOT) and samples"
dotnet publish src/CloudAnon.Cli -c Release -r linux-x64 -o "$work/cli" -nologo -v q >/dev/null
/usr/bin/python3 scripts/make_samples.py "$shm/small" "$small" 512 >/dev/null
/usr/bin/python3 scripts/make_samples.py "$shm/large" "$large" 10240 >/dev/null

wait_for_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

# storescu sends the CT files of $1 to port $2, one association; prints "N files, X MB in S s: F files/s, M MB/s".
send() {
  local files=("$1"/ct-*.dcm) start end bytes
  bytes=$(cat "${files[@]}" | wc -c)
  start=$(date +%s.%N)
  storescu -aec CLOUDANON 127.0.0.1 "$2" "${files[@]}" || { echo "storescu failed" >&2; exit 1; }
  end=$(date +%s.%N)
  awk -v n="${#files[@]}" -v b="$bytes" -v s="$start" -v e="$end" \
    'BEGIN { t = e - s; printf "%d files, %.0f MB in %.2f s: %.3f files/s, %.1f MB/s\n", n, b / 1e6, t, n / t, b / 1e6 / t }'
}

for set in small large; do
  echo "== $set: storescu → storescp → /dev/shm (the floor)"
  mkdir -p "$shm/received-$set"
  storescp -aet CLOUDANON -od "$shm/received-$set" 12110 &
  floor=$!
  wait_for_port 12110
  send "$shm/$set" 12110
  kill "$floor"; wait "$floor" 2>/dev/null || true
  rm -rf "$shm/received-$set"

  echo "== $set: storescu → cloudanon gateway → Azurite"
  /usr/bin/time -f "gateway peak RSS %M KB" "$work/cli/cloudanon" gateway --ingress "gateway-$set" --port 12111 2>"$work/gateway-$set.log" &
  gateway=$!
  wait_for_port 12111
  send "$shm/$set" 12111
  kill -TERM "$(pgrep -P "$gateway")"; wait "$gateway" || true
  grep "peak RSS" "$work/gateway-$set.log"
done
