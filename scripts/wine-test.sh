#!/usr/bin/env bash
# The Windows build, run for real under Wine: installs Wine and mingw-w64
# from Debian when missing, provides ProcessPrng where the Wine prefix lacks
# it, cross-builds primebench.exe and primebench-worker.exe, and checks under
# Wine what a Windows user would do: --version, a short run of every strategy
# that needs no Python (verified, every figure within its bound, per-core
# counters present), report, compare and chart on the file it saved, a worker
# killed mid-run (exit 1 naming it, nothing left running) and --timeout
# (exit 1, nothing left). With --bench it also times a worker's start and a
# chunk's round trip under Wine and natively, for docs/platforms.md.
#
#   scripts/wine-test.sh [--bench]
#
# The prefix is private to primebench ($PRIMEBENCH_WINEPREFIX, default
# ~/.cache/primebench/wine), so a user's own ~/.wine is never touched.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=0
[ "${1:-}" = "--bench" ] && bench=1

say() { echo "wine-test: $*" >&2; }
fail() { say "FAIL: $*"; exit 1; }

find_wine() {
  local w
  for w in wine64 /usr/lib/wine/wine64 wine; do
    if command -v "$w" >/dev/null 2>&1; then
      echo "$w"
      return
    fi
  done
}
missing=()
[ -n "$(find_wine)" ] || missing+=(wine64)
command -v x86_64-w64-mingw32-gcc >/dev/null || missing+=(gcc-mingw-w64-x86-64-win32)
command -v jq >/dev/null || missing+=(jq)
if [ ${#missing[@]} -gt 0 ]; then
  command -v apt-get >/dev/null || { say "missing ${missing[*]}: install them with your package manager and rerun"; exit 1; }
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  say "installing ${missing[*]} (apt-get)"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
wine=$(find_wine)
wineserver=${wine%64}server
command -v "$wineserver" >/dev/null 2>&1 || wineserver=wineserver

export WINEPREFIX=${PRIMEBENCH_WINEPREFIX:-${XDG_CACHE_HOME:-$HOME/.cache}/primebench/wine}
export WINEARCH=win64 WINEDEBUG=-all WINEDLLOVERRIDES="mscoree,mshtml="
mkdir -p "$(dirname "$WINEPREFIX")"
# A wineserver left from an earlier run of this prefix (one whose processes
# were killed from outside) is stopped first: every check starts from a
# fresh server.
"$wineserver" -k 2>/dev/null || true
if [ ! -d "$WINEPREFIX/drive_c/windows/system32" ]; then
  say "creating the Wine prefix $WINEPREFIX"
  "$wine" wineboot -i >/dev/null 2>&1 || true
  "$wineserver" -w 2>/dev/null || true
fi
system32="$WINEPREFIX/drive_c/windows/system32"
[ -d "$system32" ] || fail "wineboot made no prefix at $WINEPREFIX"

work=$(mktemp -d)
cleanup() {
  "$wineserver" -k 2>/dev/null || true # every process of the prefix
  rm -rf "$work"
}
trap cleanup EXIT

if [ ! -e "$system32/bcryptprimitives.dll" ]; then
  say "this Wine lacks bcryptprimitives.dll (ProcessPrng): building one on RtlGenRandom"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$work/bcryptprimitives.dll" scripts/wine/processprng.c scripts/wine/processprng.def -ladvapi32
  cp "$work/bcryptprimitives.dll" "$system32/"
fi

say "cross-building for windows/amd64"
GOOS=windows GOARCH=amd64 go build -o "$work/primebench.exe" ./cmd/primebench
GOOS=windows GOARCH=amd64 go build -o "$work/primebench-worker.exe" ./cmd/primebench-worker
pb() { "$wine" "$work/primebench.exe" "$@"; }
# Wine maps / to drive Z:.
winpath() { echo "Z:${1//\//\\}"; }
left() { pgrep -f 'primebench(-worker)?\.exe' >/dev/null; }

say "--version"
version=$(pb --version) || fail "primebench.exe --version: exit $?"
case $version in "primebench version "*) ;; *) fail "--version said '$version'" ;; esac

say "a short run of every strategy that needs no Python"
file="$work/wine.json"
pb run --strategies all --workers 1,2 --workload range:1000000000000-1000000002000 --runs 2 --warmup 0 --probe-runs 1 \
  --label wine --output "$(winpath "$file")" >"$work/run.txt" 2>"$work/run.err" || { status=$?; cat "$work/run.err" >&2; fail "run: exit $status"; }
expected=$(pb list | awk '/^strategies/{on=1; next} /^groups/{on=0} on && $2 ~ /(^|,)all(,|$)/ {print $1}' | sort)
got=$(jq -r '.strategies[].name' "$file" | sort -u)
[ "$got" = "$expected" ] || fail "strategies run: $(echo $got) ; want $(echo $expected)"
# Every figure within its physical bound: CPU util at most the usable CPUs
# (plus the noise the summary allows), core busy at most 1, efficiency at
# most 1; and the per-core counters and CPU times present.
jq -e '.machine.effective_cpus as $e | all(.strategies[]; (.summary.cpu_utilisation == null or .summary.cpu_utilisation <= $e * 1.05 + 0.05)
  and (.summary.efficiency == null or .summary.efficiency <= 1.05)
  and all(.runs[]; all(.core_busy[]?; . <= 1)))' "$file" >/dev/null || fail "a figure beyond its bound: $(jq -c '[.strategies[] | {name, workers, u: .summary.cpu_utilisation, e: .summary.efficiency}]' "$file")"
jq -e '.machine.per_core == true' "$file" >/dev/null || fail "no per-CPU counters under Wine"
jq -e 'all(.strategies[]; all(.runs[]; .cpu_seconds != null and .core_busy != null))' "$file" >/dev/null ||
  fail "a run without CPU time or per-core figures: $(jq -c '[.strategies[] | {name, cpu: [.runs[].cpu_seconds]}]' "$file")"
jq -r '.strategies[] | "  \(.name)/\(.workers): \(.summary.numbers_per_second | floor) numbers/s, CPU util \(.summary.cpu_utilisation), startup \(.summary.startup_seconds)"' "$file" >&2

say "report, compare and chart on the saved file"
for format in table json csv markdown html; do
  pb report --format "$format" "$(winpath "$file")" >"$work/report.$format" || fail "report --format $format: exit $?"
done
grep -q "loops+subprocess" "$work/report.table" || fail "the report lacks a strategy"
cp "$file" "$work/wine2.json"
pb compare --force "$(winpath "$file")" "$(winpath "$work/wine2.json")" >"$work/compare.txt" || fail "compare: exit $?"
grep -q geomean "$work/compare.txt" || fail "compare printed no geomean"
mkdir -p "$work/charts"
pb chart --format svg --out "$(winpath "$work/charts")" "$(winpath "$file")" >/dev/null 2>&1 || fail "chart: exit $?"
[ "$(ls "$work/charts" | wc -l)" -ge 4 ] || fail "chart wrote $(ls "$work/charts")"

say "a worker killed mid-run"
pb run --strategies subprocess --workers 2 --workload range:1000000000000-1000000400000 --runs 3 --warmup 0 --probe-runs 0 \
  >"$work/kill.out" 2>"$work/kill.err" &
run=$!
# The workers start after the reference pass (a parallel pass over the
# whole range, about 15 s here, longer on a loaded machine): wait for them
# up to two minutes. The worker's --version check, run before any run
# starts, is not a worker: this step found it first in 4 tries of 4 here,
# killed it as it exited, and the run ended whole (exit 0).
for _ in $(seq 1 1200); do
  victim=$(pgrep -af 'primebench-worker\.exe' | grep -v -- '--version' | head -1 | cut -d' ' -f1 || true)
  [ -n "$victim" ] && break
  sleep 0.1
done
[ -n "$victim" ] || fail "no worker started"
sleep 1
kill -KILL "$victim" || fail "worker $victim was gone before it could be killed: $(cat "$work/kill.err")"
status=0
wait "$run" || status=$?
[ $status -eq 1 ] || fail "after a killed worker: exit $status, want 1; stderr: $(cat "$work/kill.err")"
grep -q "worker" "$work/kill.err" || fail "the message does not name the worker: $(cat "$work/kill.err")"
sleep 1
! left || fail "processes left after the killed worker: $(pgrep -af 'primebench(-worker)?\.exe')"
say "  $(tail -1 "$work/kill.err")"

say "--timeout"
status=0
pb run --strategies serial,subprocess --workers 2 --workload range:1000000000000-1000000400000 --timeout 3s \
  >"$work/timeout.out" 2>"$work/timeout.err" || status=$?
[ $status -eq 1 ] || fail "--timeout: exit $status, want 1; stderr: $(cat "$work/timeout.err")"
grep -q "timeout\|deadline" "$work/timeout.err" || fail "--timeout's message: $(cat "$work/timeout.err")"
sleep 1
! left || fail "processes left after --timeout: $(pgrep -af 'primebench(-worker)?\.exe')"
say "  $(tail -1 "$work/timeout.err")"

if [ $bench -eq 1 ]; then
  say "a worker's start and a chunk's round trip, under Wine and natively"
  GOOS=windows GOARCH=amd64 go test -c -o "$work/strategies.test.exe" ./strategies
  bench='BenchmarkWorkerStartup/workers=1$|BenchmarkPipeRoundTrip'
  echo "# under Wine ($("$wine" --version 2>/dev/null || echo wine))"
  PRIMEBENCH_BENCH_WORKER="$(winpath "$work/primebench-worker.exe")" "$wine" "$work/strategies.test.exe" -test.run '^$' -test.bench "$bench" -test.count 5 -test.benchtime 3x
  echo "# native"
  go test -run '^$' -bench "$bench" -count 5 -benchtime 3x ./strategies
fi
say "passed"
