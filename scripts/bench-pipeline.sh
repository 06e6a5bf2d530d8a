#!/usr/bin/env bash
# Pipeline figures for docs/measurements.md, on Azurite (started here on disk unless one answers on 10000):
#   1. `cloudanon process` over 500 generated 0.5 MB CT files (+ 3 refused ones): files/s, MB/s, round trips/file;
#   2. peak memory of one 1 GiB instance through the IngressProcessor (bench: pipeline large-blob);
#   3. table round trips, entities and bytes per file, new vs known study (bench: pipeline round-trips).
#   scripts/bench-pipeline.sh [--files N] [--mib N] [--jobs N]
source "$(dirname "${BASH_SOURCE[0]}")/bench-setup.sh"
files=500 mib=1024 jobs=8
while [[ $# -gt 0 ]]; do
  case "$1" in
    --files) files="$2"; shift 2 ;;
    --mib) mib="$2"; shift 2 ;;
    --jobs) jobs="$2"; shift 2 ;;
    *) echo "usage: scripts/bench-pipeline.sh [--files N] [--mib N] [--jobs N]" >&2; exit 2 ;;
  esac
done
bench_start_azurite 10000 disk

echo "== cloudanon process on $files files"
suffix="$(date +%s)"
bench_upload "bench-ingress-$suffix" "$files"
dotnet build src/CloudAnon.Cli -c Release -v q -nologo >/dev/null
dotnet src/CloudAnon.Cli/bin/Release/net10.0/cloudanon.dll process --connection "$connection" --ingress "bench-ingress-$suffix" \
  --egress "bench-egress-$suffix" --quarantine "bench-quarantine-$suffix" --table "bench$suffix" \
  --certificate "$work/cert.pem" --mapping-key-file "$work/mapping-key.txt" --jobs "$jobs"

echo "== 1 GiB instance and table round trips (bench/CloudAnon.Benchmarks, pipeline mode)"
dotnet build bench/CloudAnon.Benchmarks -c Release -v q -nologo >/dev/null
dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pipeline large-blob --mib "$mib" --connection "$connection"
dotnet bench/CloudAnon.Benchmarks/bin/Release/net10.0/CloudAnon.Benchmarks.dll pipeline round-trips --files 50 --connection "$connection"
