#!/usr/bin/env bash
# The engine's CPU time per file against the engine before the unlisted-attribute rule, codestream stripping and
# structure repair (commit aa3f896, the first with the JPEG cine benchmark): `engine-cpu-time` of each build in
# alternating rounds, then per operation the medians and the median of the per-round ratios (now / before).
#   bench/compare-engine.sh [--rounds 10] [--runs 1000] [--before DIR]
# --before: where the old tree is built (default /tmp/cloudanon-engine-before; built once, kept for later runs). It gets
# this tree's engine-cpu-time harness (EngineCpuTime.cs, PixelCpuTime.cs), so both builds are timed the same way.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
rounds=10 runs=1000 before=/tmp/cloudanon-engine-before base=aa3f896
while [[ $# -gt 0 ]]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --runs) runs="$2"; shift 2 ;;
    --before) before="$2"; shift 2 ;;
    *) echo "usage: bench/compare-engine.sh [--rounds N] [--runs N] [--before DIR]" >&2; exit 2 ;;
  esac
done
bench=bench/CloudAnon.Benchmarks
if [[ ! -f "$before/src/$bench/bin/Release/net10.0/CloudAnon.Benchmarks.dll" ]]; then
  echo "== build $base with this harness into $before"
  mkdir -p "$before/src"
  git archive "$base" | tar -x -C "$before/src"
  ln -sfn "$(realpath ../shared)" "$before/shared" # the corpus, beside the tree as the tests expect
  cp "$bench/EngineCpuTime.cs" "$bench/PixelCpuTime.cs" "$before/src/$bench/"
  sed -i 's|^BenchmarkSwitcher|if (args is ["engine-cpu-time", var runs]) return await CloudAnon.Benchmarks.EngineCpuTime.RunAsync(int.Parse(runs));\nBenchmarkSwitcher|' \
    "$before/src/$bench/Program.cs"
  dotnet build "$before/src/$bench" -c Release -v q -nologo >/dev/null
fi
echo "== build this tree"
dotnet build "$bench" -c Release -v q -nologo >/dev/null

results="$(mktemp)"
trap 'rm -f "$results"' EXIT
run() { # run NAME DLL ROUND: one engine-cpu-time process; its rows as "NAME ROUND operation cpu"
  dotnet "$2" engine-cpu-time "$runs" | awk -F' *\\| *' -v n="$1" -v r="$3" '/^\| (Reversible|Irreversible)/ { print n, r, $2, $3 }' >>"$results"
}
echo "== $rounds alternating rounds of $runs runs per operation; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for round in $(seq 1 "$rounds"); do
  if (( round % 2 )); then
    run before "$before/src/$bench/bin/Release/net10.0/CloudAnon.Benchmarks.dll" "$round"; run now "$bench/bin/Release/net10.0/CloudAnon.Benchmarks.dll" "$round"
  else
    run now "$bench/bin/Release/net10.0/CloudAnon.Benchmarks.dll" "$round"; run before "$before/src/$bench/bin/Release/net10.0/CloudAnon.Benchmarks.dll" "$round"
  fi
done
echo "== load average at the end $(cut -d' ' -f1-3 /proc/loadavg)"
echo "| operation | before, CPU ms (median) | now, CPU ms (median) | now / before (median of rounds) |"
echo "|---|---|---|---|"
awk '
  function median(list,   n, v, i, j, t) {
    n = split(list, v, " ")
    for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j - 1] + 0 > v[j] + 0; j--) { t = v[j]; v[j] = v[j - 1]; v[j - 1] = t }
    return n % 2 ? v[(n + 1) / 2] : (v[n / 2] + v[n / 2 + 1]) / 2
  }
  { cpu[$1, $2, $3] = $4; times[$1, $3] = times[$1, $3] " " $4; if (!($3 in seen)) { seen[$3] = 1; order[++ops] = $3 } if ($2 > last) last = $2 }
  END {
    for (o = 1; o <= ops; o++) {
      op = order[o]; ratios = ""
      for (r = 1; r <= last; r++) ratios = ratios " " cpu["now", r, op] / cpu["before", r, op]
      printf "| %s | %.3f | %.3f | %.2f |\n", op, median(times["before", op]), median(times["now", op]), median(ratios)
    }
  }' "$results"
