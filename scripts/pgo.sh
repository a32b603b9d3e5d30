#!/usr/bin/env bash
# Regenerates the profile both binaries are built with (profile-guided
# optimisation, picked up as default.pgo by go build, go run and go install).
#
# Why: the trial-division loop is about 60 bytes. Where the linker happens to
# put it within a 64-byte line decides how fast it runs: measured on a 2-vCPU
# AMD EPYC, the same worker binary ran 3.5-4.5% slower with the loop at
# offset 58 of its line than at offset 26, and any change to either binary
# can move it. With a profile the compiler aligns hot loop blocks (Go 1.23+,
# amd64 and 386), so primebench and primebench-worker both start the loop at
# a line boundary and the subprocess strategy measures processes, not the
# luck of code placement. Run this after changing workload/isprime.go.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go test -run '^$' -bench 'IsPrime' -benchtime 2s -cpuprofile "$tmp/cpu.pprof" -o "$tmp/workload.test" ./workload >/dev/null
for main in cmd/primebench cmd/primebench-worker; do
  cp "$tmp/cpu.pprof" "$main/default.pgo"
done
# Show where the loop now starts in each binary (offset in its 64-byte line).
for main in primebench primebench-worker; do
  go build -o "$tmp/$main" "./cmd/$main"
  addr=$(go tool objdump -s 'workload.isPrime$' "$tmp/$main" | awk '/ADDQ \$0x2, CX/ { print $2; exit }')
  [ -n "$addr" ] && echo "$main: division loop at $addr, offset $(( addr % 64 )) in its cache line"
done
