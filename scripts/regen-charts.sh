#!/usr/bin/env bash
# Regenerates results/charts/ from every result file in results/: for each
# file its throughput, scaling (when it holds a worker scan), per-core
# utilisation and run-time charts, and for each workload that several files
# share a grouped throughput chart. Idempotent: the charts are rebuilt from
# scratch and the same files give byte-identical PNGs. It fetches nothing
# itself (building primebench needs the Go module cache, or the module proxy
# on first use).
#
#   scripts/regen-charts.sh [png|svg]
set -euo pipefail
cd "$(dirname "$0")/.."
format=${1:-png}
out=results/charts
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/primebench" ./cmd/primebench
shopt -s nullglob
files=(results/*.json)
if [ ${#files[@]} -eq 0 ]; then
  echo "no result files in results/: run primebench run --save first" >&2
  exit 1
fi
rm -rf "$out"
mkdir -p "$out"
"$tmp/primebench" chart --format "$format" --out "$out" "${files[@]}"
