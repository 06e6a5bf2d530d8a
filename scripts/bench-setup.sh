# Sourced by the pipeline benchmarks (scripts/bench-pipeline.sh, bench/compare-pipeline.sh): Azurite, generated files,
# a throwaway certificate and mapping key, all under a temporary folder removed on exit.
#   bench_start_azurite BASE_PORT memory|disk   starts Azurite on BASE_PORT..+2 unless one answers there; sets $connection
#   bench_upload CONTAINER FILES                 FILES generated 0.5 MB CT files (+ 3 refused ones) into CONTAINER
#   $work/cert.pem, $work/key.pem, $work/mapping-key.txt
set -euo pipefail
bench_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$bench_root"
work="$(mktemp -d)"
bench_azurite=""
bench_cleanup() { [[ -n "$bench_azurite" ]] && kill "$bench_azurite" 2>/dev/null; rm -rf "$work"; }
trap bench_cleanup EXIT

openssl rand -base64 32 > "$work/mapping-key.txt"
openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 1 -subj "/CN=CloudAnon bench" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

bench_start_azurite() {
  local base="$1" persistence="$2"
  local blob=$base queue=$((base + 1)) table=$((base + 2))
  connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:$blob/devstoreaccount1;QueueEndpoint=http://127.0.0.1:$queue/devstoreaccount1;TableEndpoint=http://127.0.0.1:$table/devstoreaccount1;"
  export AZURITE_BLOB_ENDPOINT="http://127.0.0.1:$blob/devstoreaccount1"
  (exec 3<>/dev/tcp/127.0.0.1/$blob) 2>/dev/null && return
  [[ -x node_modules/.bin/azurite ]] || npm ci --no-audit --no-fund
  # On disk the 1 GiB run does not hold 2 GiB in Azurite's node process; in memory the small-file figures are not disk-bound.
  local where=(--inMemoryPersistence)
  [[ "$persistence" == disk ]] && where=(--location "$work/azurite")
  node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry "${where[@]}" \
    --blobHost 127.0.0.1 --blobPort $blob --queueHost 127.0.0.1 --queuePort $queue --tableHost 127.0.0.1 --tablePort $table \
    >"$work/azurite.log" 2>&1 &
  bench_azurite=$!
  for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/$table) 2>/dev/null && break; sleep 0.2; done
}

bench_upload() {
  local container="$1" files="$2"
  [[ -d "$work/samples" ]] || /usr/bin/python3 scripts/make_samples.py "$work/samples" "$files" 512 >/dev/null
  python3 scripts/blobs.py create "$container" >/dev/null
  python3 scripts/blobs.py upload "$container" "$work/samples"/* >/dev/null
}
