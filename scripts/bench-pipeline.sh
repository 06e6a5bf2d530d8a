#!/usr/bin/env bash
# Pipeline figures for docs/pipeline.md and docs/scale.md, on Azurite (started here on disk unless one answers on 10000):
#   1. `cloudanon process` over 500 generated 0.5 MB CT files (+ 3 refused ones): files/s, MB/s, round trips/file;
#   2. peak memory of one 1 GiB instance through the IngressProcessor (bench: pipeline large-blob);
#   3. table round trips, entities and bytes per file, new vs known study (bench: pipeline round-trips).
#   scripts/bench-pipeline.sh [--files N] [--mib N] [--jobs N]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
files=500 mib=1024 jobs=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --mib) mib="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "usage: scripts/bench-pipeline.sh [--files N] [--mib N] [--jobs N]" >&2; exit 2 ;;
  esac
done
connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"
work="$(mktemp -d)"
started=""
cleanup() { [[ -n "$started" ]] && kill "$started" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

[[ -x node_modules/.bin/azurite ]] || npm ci --no-audit --no-fund
if ! (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
  # On disk, not in memory: the 1 GiB run would otherwise hold 2 GiB in Azurite's node process.
  node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --location "$work/azurite" \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >"$work/azurite.log" 2>&1 &
  started=$!
  for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null && break; sleep 0.2; done
fi

echo "== cloudanon process on $files files"
/usr/bin/python3 scripts/make_samples.py "$work/samples" "$files" 512
suffix="$(date +%s)"
python3 scripts/blobs.py create "bench-ingress-$suffix"
python3 scripts/blobs.py upload "bench-ingress-$suffix" "$work/samples"/*
openssl rand -base64 32 > "$work/mapping-key.txt"
openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 1 -subj "/CN=CloudAnon bench" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null
dotnet build src/CloudAnon.Cli -c Release -v q -nologo >/dev/null
dotnet src/CloudAnon.Cli/bin/Release/net10.0/cloudanon.dll process --connection "$connection" --ingress "bench-ingress-$suffix" \
  --egress "bench-egress-$suffix" --quarantine "bench-quarantine-$suffix" --table "bench$suffix" \
  --certificate "$work/cert.pem" --mapping-key-file "$work/mapping-key.txt" --jobs "$jobs"

echo "== 1 GiB instance and table round trips (bench/CloudAnon.Benchmarks, pipeline mode)"
dotnet build bench/CloudAnon.Benchmarks -c Release -v q -nologo >/dev/null
dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pipeline large-blob --mib "$mib" --connection "$connection"
dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pipeline round-trips --files 50 --connection "$connection"
