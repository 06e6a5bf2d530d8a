#!/usr/bin/env bash
# `cloudanon process` (the Native AOT binary) next to a plain parallel copy of the same blobs (download + upload, 8 at a
# time) through the same Azurite, in one run: files/s and requests per file. Then `cloudanon backfill`'s messages/s.
#   bench/compare-pipeline.sh [--files 300] [--jobs 8]
# Azurite is started here in memory on ports 12000-12002; nothing generated is kept.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
files=300 jobs=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "usage: bench/compare-pipeline.sh [--files N] [--jobs N]" >&2; exit 2 ;;
  esac
done
work="$(mktemp -d)"
azurite=""
cleanup() { [[ -n "$azurite" ]] && kill "$azurite" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

[[ -x node_modules/.bin/azurite ]] || npm ci --no-audit --no-fund
node_modules/.bin/azurite --silent --inMemoryPersistence --skipApiVersionCheck --disableTelemetry \
  --blobHost 127.0.0.1 --blobPort 12000 --queueHost 127.0.0.1 --queuePort 12001 --tableHost 127.0.0.1 --tablePort 12002 \
  >"$work/azurite.log" 2>&1 &
azurite=$!
for _ in $(seq 1 150); do (exec 3<>/dev/tcp/127.0.0.1/12002) 2>/dev/null && break; sleep 0.2; done
export AZURE_STORAGE_CONNECTION_STRING="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:12000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:12001/devstoreaccount1;TableEndpoint=http://127.0.0.1:12002/devstoreaccount1;"
export AZURITE_BLOB_ENDPOINT=http://127.0.0.1:12000/devstoreaccount1
export CLOUDANON_MAPPING_KEY="$(openssl rand -base64 32)"

echo "== $files generated CT files of 0.5 MB into ingress"
/usr/bin/python3 scripts/make_samples.py "$work/samples" "$files" 512 >/dev/null
python3 scripts/blobs.py create ingress >/dev/null
python3 scripts/blobs.py upload ingress "$work/samples"/* >/dev/null
openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 1 -subj "/CN=CloudAnon bench" -keyout "$work/key.pem" -out "$work/cert.pem" 2>/dev/null

echo "== builds (cloudanon Native AOT, benchmarks)"
dotnet publish src/CloudAnon.Cli -c Release -r linux-x64 -o "$work/cli" -nologo -v q >/dev/null
dotnet build bench/CloudAnon.Benchmarks -c Release -v q -nologo >/dev/null

echo "== plain copy"
dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pipeline copy --source ingress --target copy --jobs "$jobs" \
  --connection "$AZURE_STORAGE_CONNECTION_STRING"
echo "== cloudanon process --jobs $jobs"
"$work/cli/cloudanon" process --certificate "$work/cert.pem" --jobs "$jobs" 2>/dev/null
echo "== cloudanon backfill of $files fresh blobs"
python3 scripts/blobs.py create backfill-ingress >/dev/null
python3 scripts/blobs.py upload backfill-ingress "$work/samples"/* >/dev/null
"$work/cli/cloudanon" backfill --ingress backfill-ingress 2>/dev/null
