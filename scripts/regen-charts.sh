#!/usr/bin/env bash
# Regenerates results/charts/ and results/pages/ from every result file in
# results/: for each file its charts (throughput, speedup, scaling when it
# holds a worker scan, per-core utilisation, run times, rounds, lag, CPython pairs)
# and its HTML page; for each workload that several files share, a grouped
# throughput chart; and the comparison pages results/comparisons.txt names,
# with, when Chromium is installed, a screenshot of each for docs/pages.md. Idempotent: everything is rebuilt from scratch and the
# same files give the same charts and pages. It fetches nothing itself
# (building primebench needs the Go module cache, or the module proxy on
# first use).
#
#   scripts/regen-charts.sh [png|svg]
set -euo pipefail
cd "$(dirname "$0")/.."
format=${1:-png}
out=results/charts
pages=results/pages
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/primebench" ./cmd/primebench
shopt -s nullglob
files=(results/*.json)
if [ ${#files[@]} -eq 0 ]; then
  echo "no result files in results/: run primebench run --save first" >&2
  exit 1
fi
# Without Chromium the screenshots cannot be remade: keep the ones there
# are (docs/pages.md embeds one) rather than delete them with the pages.
browser=$(command -v chromium || command -v chromium-browser || true)
mkdir -p "$tmp/kept"
if [ -z "$browser" ]; then
  kept=("$pages"/*.png)
  if [ ${#kept[@]} -gt 0 ]; then
    cp "${kept[@]}" "$tmp/kept/"
    echo "regen-charts.sh: no Chromium: keeping the ${#kept[@]} existing screenshot(s) in $pages, which may no longer match their pages" >&2
  fi
fi
rm -rf "$out" "$pages"
mkdir -p "$out" "$pages"
cp "$tmp/kept/"* "$pages/" 2>/dev/null || true
"$tmp/primebench" chart --format "$format" --out "$out" "${files[@]}"
for f in "${files[@]}"; do
  name=$(basename "${f%.json}")
  "$tmp/primebench" report --format html --output "$pages/$name.html" "$f"
done
# The comparison pages results/comparisons.txt lists, each with a
# screenshot for docs/pages.md when Chromium is installed.
while IFS= read -r line; do
  case $line in '#'* | '') continue ;; esac
  name=${line%%:*}
  read -r -a members <<<"${line#*:}"
  page="$pages/compare_$name.html"
  "$tmp/primebench" compare --format html --output "$page" "${members[@]}"
  if [ -n "$browser" ]; then
    "$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
      --disable-component-update --disable-sync --proxy-server=127.0.0.1:9 --user-data-dir="$tmp/profile" \
      --hide-scrollbars --window-size=1280,1800 --screenshot="$pages/compare_$name.png" "file://$PWD/$page" 2>/dev/null
  fi
done < results/comparisons.txt
