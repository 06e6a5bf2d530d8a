#!/usr/bin/env bash
# One command, fresh machine (.NET SDK + Node): Azurite, containers and table, a development certificate and mapping key,
# sample files in ingress, then either the function or `cloudanon process`, and what landed in egress and quarantine.
#
#   scripts/run-local.sh [--function] [--samples DIR] [--keep] [--jobs N] [-- extra `cloudanon process` arguments]
#
#   --function      run the function app as Azure runs it: published, under the test host (Microsoft's blob extension
#                   receives one Event Grid BlobCreated event per sample and invokes the real isolated worker over gRPC);
#                   every host and worker log line goes to dev/function-logs/. Without it: `cloudanon process`.
#   --samples DIR   upload the files of DIR (default: a few files of ../shared/corpus if present, else generated ones)
#   --keep          leave Azurite running afterwards (its PID is in .azurite/azurite.pid)
# Development material goes to ./dev (git-ignored); Azurite keeps its data in memory (PID and log in ./.azurite).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
samples="" keep=0 jobs=8 function=0 extra=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --function) function=1; shift ;;
    --samples) samples="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --jobs) jobs="$2"; shift 2 ;;
    --) shift; extra=("$@"); break ;;
    *) echo "usage: scripts/run-local.sh [--function] [--samples DIR] [--keep] [--jobs N] [-- process arguments]" >&2; exit 2 ;;
  esac
done

step() { printf '\n== %s\n' "$*"; }
connection="DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;QueueEndpoint=http://127.0.0.1:10001/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;"

step "Azurite"
if [[ ! -x node_modules/.bin/azurite ]]; then npm ci --no-audit --no-fund; fi
started=""
if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null; then
  echo "something already listens on 127.0.0.1:10000: using it as Azurite"
else
  mkdir -p .azurite
  # Started directly (not through npx) so the recorded PID is node itself. --skipApiVersionCheck: the current Storage
  # SDK sends an API version Azurite would otherwise refuse. In memory: every run starts clean (--keep to inspect).
  node_modules/.bin/azurite --silent --skipApiVersionCheck --disableTelemetry --inMemoryPersistence \
    --blobHost 127.0.0.1 --queueHost 127.0.0.1 --tableHost 127.0.0.1 >.azurite/azurite.log 2>&1 &
  started=$!
  echo "$started" > .azurite/azurite.pid
  for _ in $(seq 1 150); do
    if (exec 3<>/dev/tcp/127.0.0.1/10000) 2>/dev/null && (exec 3<>/dev/tcp/127.0.0.1/10002) 2>/dev/null; then break; fi
    kill -0 "$started" 2>/dev/null || { cat .azurite/azurite.log >&2; echo "Azurite exited" >&2; exit 1; }
    sleep 0.2
  done
  echo "Azurite started, PID $started (log .azurite/azurite.log)"
fi
stop_azurite() {
  if [[ -n "$started" && $keep -eq 0 ]]; then kill "$started" 2>/dev/null || true; rm -f .azurite/azurite.pid; echo "Azurite stopped"; fi
}
trap stop_azurite EXIT

step "Development certificate and mapping key (./dev, git-ignored)"
mkdir -p dev
if [[ ! -f dev/cloudanon-dev.pem ]]; then
  openssl req -x509 -newkey rsa:3072 -nodes -sha256 -days 365 -subj "/CN=CloudAnon development" \
    -keyout dev/cloudanon-dev.key -out dev/cloudanon-dev.pem 2>/dev/null
  chmod 600 dev/cloudanon-dev.key
fi
[[ -f dev/mapping-key.txt ]] || { openssl rand -base64 32 > dev/mapping-key.txt; chmod 600 dev/mapping-key.txt; }
echo "certificate dev/cloudanon-dev.pem (private key dev/cloudanon-dev.key, for re-identification), mapping key dev/mapping-key.txt"

step "Sample files"
if [[ -z "$samples" ]]; then
  samples=dev/samples
  rm -rf "$samples" && mkdir -p "$samples"
  corpus="$root/../shared/corpus"
  if [[ -d "$corpus" ]]; then
    for pattern in 'modality/CT/*' 'modality/MR/*' 'modality/US/*' 'phi/*' 'non-dicom/*' 'defective/dcm_qa_deident_00001_already_deidentified.dcm'; do
      find "$corpus" -path "$corpus/$pattern" -type f -size -20M | sort | head -n 2 | while read -r f; do
        cp "$f" "$samples/$(echo "${f#"$corpus"/}" | tr '/' '_')"
      done
    done
    echo "copied $(ls "$samples" | wc -l) files from $corpus"
  else
    /usr/bin/python3 scripts/make_samples.py "$samples" 5
    echo "generated $(ls "$samples" | wc -l) files with pydicom"
  fi
fi
python3 scripts/blobs.py create ingress
python3 scripts/blobs.py upload ingress "$samples"/*

if [[ $function -eq 1 ]]; then
  step "The function app (published) under the test host"
  dotnet publish src/CloudAnon.Functions -c Release -o dev/function-app --nologo -v quiet | (grep -v 'warning NU1603' || true)
  # local.settings.json as a developer fills it in from the sample: Azurite, the development certificate and mapping key.
  python3 - "$connection" "$(cat dev/mapping-key.txt)" "$root/dev/cloudanon-dev.pem" <<'PY' > dev/function.settings.json
import json, sys
settings = json.load(open("local.settings.sample.json"))
connection, key, certificate = sys.argv[1:]
settings["Values"].update({"AzureWebJobsStorage": connection, "Storage": connection, "MappingKey": key.strip(), "CertificatePath": certificate})
print(json.dumps(settings, indent=2))
PY
  chmod 600 dev/function.settings.json
  rm -rf dev/function-logs
  # dotnet run starts in the project's directory: absolute paths.
  dotnet run --project tests/CloudAnon.Functions.TestHost -c Release -- \
    --app "$root/dev/function-app" --settings "$root/dev/function.settings.json" --logs "$root/dev/function-logs" \
    | (grep -v 'warning NU1603' || true)
  egress=$(python3 -c 'import json; print(json.load(open("local.settings.sample.json"))["Values"]["EgressContainer"])')
  quarantine=$(python3 -c 'import json; print(json.load(open("local.settings.sample.json"))["Values"]["QuarantineContainer"])')
else
  step "cloudanon process"
  dotnet run --project src/CloudAnon.Cli -c Release -- process --connection "$connection" \
    --ingress ingress --egress egress --quarantine quarantine --table mappings \
    --certificate dev/cloudanon-dev.pem --mapping-key-file dev/mapping-key.txt --jobs "$jobs" "${extra[@]}"
  egress=egress quarantine=quarantine
fi

step "What landed"
python3 scripts/blobs.py list "$egress"
python3 scripts/blobs.py list "$quarantine"
