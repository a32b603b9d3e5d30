#!/usr/bin/env bash
# Runs one primebench command on every host of a list through OpenSSH, gives
# each host its own --label, gathers the result files into one directory and
# prints the compare table of all of them, the first host being the baseline.
#
#   scripts/fleet.sh [-o DIR] [-p REMOTE_PRIMEBENCH] [-F SSH_CONFIG] [-j] HOST... -- RUN_FLAGS...
#
#   -o DIR   where the result files go (default results/fleet-DATE), one HOST.json each
#   -p CMD   primebench on the hosts (default: primebench on their PATH)
#   -F FILE  ssh configuration file (default: ssh's own)
#   -j       run the hosts at the same time (default: one after another)
#
# Example: scripts/fleet.sh laptop ci-vm big-box -- --workload preset:quick --runs 6
#
# Each host needs primebench and primebench-worker installed (go install
# github.com/primebench/primebench/cmd/...@latest). The result file comes
# back on ssh's stdout (--format json), so nothing is copied by hand; it is
# written to a temporary name and renamed once complete. The local compare
# uses $PRIMEBENCH (default: primebench on PATH). A host that fails is named
# on stderr and left out of the table; the script then exits 1.
set -euo pipefail

out="results/fleet-$(date -u +%Y%m%d-%H%M%S)"
remote="primebench"
ssh_opts=()
parallel=0
usage() { echo "usage: $0 [-o DIR] [-p REMOTE_PRIMEBENCH] [-F SSH_CONFIG] [-j] HOST... -- RUN_FLAGS..." >&2; exit 2; }
while getopts "o:p:F:j" opt; do
  case $opt in
    o) out=$OPTARG ;;
    p) remote=$OPTARG ;;
    F) ssh_opts+=(-F "$OPTARG") ;;
    j) parallel=1 ;;
    *) usage ;;
  esac
done
shift $((OPTIND - 1))
hosts=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  hosts+=("$1")
  shift
done
[ $# -gt 0 ] && shift # the --
[ ${#hosts[@]} -gt 0 ] || usage
for h in "${hosts[@]}"; do
  case $h in
    */* | .* | "") echo "$0: host name $h cannot name a result file" >&2; exit 2 ;;
  esac
done
local_primebench=${PRIMEBENCH:-primebench}
mkdir -p "$out"

# The remote shell sees one command line: quote every word of it.
quoted=""
for word in "$remote" run --format json "$@"; do
  quoted+=" $(printf '%q' "$word")"
done

run_host() {
  local host=$1 tmp="$out/.$1.json.tmp"
  if ssh "${ssh_opts[@]}" -T "$host" "$quoted --label $(printf '%q' "$host")" >"$tmp"; then
    mv "$tmp" "$out/$host.json"
  else
    echo "$0: $host failed (exit $?): no result from it" >&2
    rm -f "$tmp"
    return 1
  fi
}

failed=0
if [ $parallel -eq 1 ]; then
  pids=()
  for h in "${hosts[@]}"; do
    run_host "$h" & pids+=($!)
  done
  for p in "${pids[@]}"; do
    wait "$p" || failed=1
  done
else
  for h in "${hosts[@]}"; do
    echo "$0: running on $h" >&2
    run_host "$h" || failed=1
  done
fi

files=()
for h in "${hosts[@]}"; do
  [ -f "$out/$h.json" ] && files+=("$out/$h.json")
done
echo "$0: result files in $out" >&2
if [ ${#files[@]} -ge 2 ]; then
  "$local_primebench" compare "${files[@]}"
elif [ ${#files[@]} -eq 1 ]; then
  "$local_primebench" report "${files[0]}"
fi
exit $failed
