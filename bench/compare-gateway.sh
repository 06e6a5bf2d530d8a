#!/usr/bin/env bash
# `cloudanon gateway` (the Native AOT binary) landing in Azurite, next to dcmtk's storescp writing to a RAM disk (the
# floor: the same DICOM network path with nothing behind it), both fed by dcmtk's storescu over one association:
# files/s and MB/s for 500 generated CT files of 0.5 MB and 5 of 200 MB, the gateway's peak RSS and CPU seconds for
# each, its files/s over the floor's, and Azurite's own ceiling (what it takes from a minimal client).
#   bench/compare-gateway.sh [--small 500] [--large 5] [--rounds 1] [--before DIR]
# --before DIR: another build's cloudanon (e.g. main's, published to DIR) runs beside this one in each round, in
# alternation, so both see the same machine load. Azurite is started here in memory on ports 12100-12102 (each run's
# container is deleted after it); generated files live under /dev/shm and are removed on exit.
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/bench-setup.sh"
small=500 large=5 rounds=1 before=""
while [[ $# -gt 0 ]]; do
  case "$1" in
    --small) small="$2"; shift 2 ;;
    --large) large="$2"; shift 2 ;;
    --rounds) rounds="$2"; shift 2 ;;
    --before) before="$(cd "$2" && pwd)"; shift 2 ;;
    *) echo "usage: bench/compare-gateway.sh [--small N] [--large N] [--rounds N] [--before DIR]" >&2; exit 2 ;;
  esac
done
shm="$(mktemp -d /dev/shm/cloudanon-gateway-bench-XXXXXX)"
trap 'rm -rf "$shm"; bench_cleanup' EXIT
bench_start_azurite 12100 memory
export AZURE_STORAGE_CONNECTION_STRING="$connection"
export CLOUDANON_MAPPING_KEY="$(cat "$work/mapping-key.txt")"
echo "== $(uptime)"

echo "== build (cloudanon Native AOT) and samples"
dotnet publish src/CloudAnon.Cli -c Release -r linux-x64 -o "$work/cli" -nologo -v q >/dev/null
/usr/bin/python3 scripts/make_samples.py "$shm/small" "$small" 512 >/dev/null
/usr/bin/python3 scripts/make_samples.py "$shm/large" "$large" 10240 >/dev/null

wait_for_port() { for _ in $(seq 1 300); do (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return; sleep 0.1; done; echo "port $1 never opened" >&2; exit 1; }

# storescu sends the CT files of $1 to port $2, one association; prints "N files, X MB in S s: F files/s, M MB/s" and
# leaves the files/s in $rate.
send() {
  local files=("$1"/ct-*.dcm) start end bytes line
  bytes=$(cat "${files[@]}" | wc -c)
  start=$(date +%s.%N)
  storescu -aec CLOUDANON 127.0.0.1 "$2" "${files[@]}" || { echo "storescu failed" >&2; exit 1; }
  end=$(date +%s.%N)
  line=$(awk -v n="${#files[@]}" -v b="$bytes" -v s="$start" -v e="$end" \
    'BEGIN { t = e - s; printf "%d files, %.0f MB in %.2f s: %.3f files/s, %.1f MB/s\n", n, b / 1e6, t, n / t, b / 1e6 / t }')
  echo "$line"
  rate=$(sed -E 's/.*: ([0-9.]+) files\/s.*/\1/' <<<"$line")
}

# Runs the gateway binary $2 (labelled $1) on set $3; prints its figures, its ratio to $floor_rate, peak RSS and CPU.
gateway_run() {
  local label="$1" binary="$2" set="$3" container="gateway-$3-$1-$4"
  echo "== $set: storescu → cloudanon gateway ($label) → Azurite"
  /usr/bin/time -f "gateway ($label) peak RSS %M KB, CPU %U s user + %S s system" "$binary" gateway --ingress "$container" --port 12111 2>"$work/gateway.log" &
  local gateway=$!
  wait_for_port 12111
  send "$shm/$set" 12111
  kill -TERM "$(pgrep -P "$gateway")"; wait "$gateway" || true
  awk -v g="$rate" -v f="$floor_rate" -v l="$label" 'BEGIN { printf "gateway (%s) / floor: %.2f of the floor'"'"'s files/s\n", l, g / f }'
  grep "peak RSS" "$work/gateway.log"
  python3 scripts/blobs.py delete "$container"
}

for round in $(seq 1 "$rounds"); do
  for set in small large; do
    echo "== round $round, $set: storescu → storescp → /dev/shm (the floor); $(uptime)"
    mkdir -p "$shm/received-$set"
    storescp -aet CLOUDANON -od "$shm/received-$set" 12110 &
    floor=$!
    wait_for_port 12110
    send "$shm/$set" 12110
    floor_rate=$rate
    kill "$floor"; wait "$floor" 2>/dev/null || true
    rm -rf "$shm/received-$set"

    [[ -n "$before" ]] && gateway_run before "$before/cloudanon" "$set" "$round"
    gateway_run this "$work/cli/cloudanon" "$set" "$round"
  done
  # The storage side's own ceiling: Azurite is one Node.js process on the same cores, so the large files can land no
  # faster than it takes 4 MiB blocks from a minimal client.
  echo "== round $round, Azurite's ceiling: 1000 MB of 4 MiB blocks from scripts/blobs.py (no DICOM, no gateway)"
  python3 scripts/blobs.py stage "ceiling-$round" 1000
  python3 scripts/blobs.py delete "ceiling-$round"
done
