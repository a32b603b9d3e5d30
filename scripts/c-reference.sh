#!/usr/bin/env bash
# Sets primebench's serial divisions/s against a C -O2 loop doing exactly the
# same divisions, side by side on the same range, alternating RUNS times so
# drift on a shared machine hits both alike. Needs a C compiler (cc).
#
#   scripts/c-reference.sh [LO HI [RUNS]]
set -euo pipefail
cd "$(dirname "$0")/.."
lo=${1:-1000000000000}
hi=${2:-1000000030000}
runs=${3:-5}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/divloop" scripts/cref/divloop.c
go build -o "$tmp/primebench" ./cmd/primebench
for i in $(seq "$runs"); do
  echo "C -O2:      $("$tmp/divloop" "$lo" "$hi")"
  "$tmp/primebench" run --strategies serial --runs 1 --warmup 0 --probe-runs 0 --sample-interval 0 --workload "range:$lo-$hi" --format json |
    python3 -c 'import json,sys; s=json.load(sys.stdin)["strategies"][0]["summary"]; print("primebench: %.4g divisions/s, %.3f s" % (s["divisions_per_second"], s["median_seconds"]))'
done
