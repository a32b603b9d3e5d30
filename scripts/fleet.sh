#!/usr/bin/env bash
# Runs one primebench command on every host of a list through OpenSSH, gives
# each host its own --label, gathers the result files into one directory and
# prints the fleet view of all of them (compare --view fleet: a row per host,
# each judged against its group of identical hardware), as
# scripts/slurm/fleet.sbatch does for a Slurm cluster.
#
#   scripts/fleet.sh [-o DIR] [-p REMOTE_PRIMEBENCH] [-F SSH_CONFIG] [-v VIEW] [-j] [-n] HOST... -- RUN_FLAGS...
#
#   -o DIR   where the result files go (default results/fleet-DATE), one HOST.json each
#   -v VIEW  compare's view: fleet (the default), columns (the first host the
#            baseline) or auto
#   -p CMD   primebench on the hosts (default: primebench on their PATH)
#   -F FILE  ssh configuration file (default: ssh's own)
#   -j       run the hosts at the same time (default: one after another)
#   -n       print the ssh command for each host and run nothing
#
# Example: scripts/fleet.sh laptop ci-vm big-box -- --workload preset:quick --runs 6
#
# Each host needs primebench and primebench-worker installed (go install
# github.com/primebench/primebench/cmd/...@latest). The result file comes
# back on ssh's stdout (--format json), so nothing is copied by hand; it is
# written to a temporary name and renamed once complete. The local compare
# uses $PRIMEBENCH (default: primebench on PATH). A host that fails is named
# on stderr and left out of the table; the script then exits 1.
#
# Hosts are names or user@name as ssh_config knows them: letters, digits
# and . _ - @ : % + (no host may begin with '-', which ssh would take for an
# option, or '.', and none may hold '/', as each names a result file); every
# host is checked before anything runs, and `--` comes before it on ssh's
# command line. The remote command is quoted for any POSIX shell (each word
# in single quotes), since the account's login shell runs it. The script
# keeps to bash 3.2 (macOS's /bin/bash): no empty "${array[@]}" under set -u.
# It loops over the hosts itself rather than through GNU parallel's
# --sshlogin, so that it needs nothing but bash and ssh on the machine it
# runs from, and each host's result arrives whole or not at all.
set -euo pipefail

out="results/fleet-$(date -u +%Y%m%d-%H%M%S)"
remote="primebench"
ssh_opts=()
parallel=0
dry=0
view=fleet
usage() { echo "usage: $0 [-o DIR] [-p REMOTE_PRIMEBENCH] [-F SSH_CONFIG] [-v VIEW] [-j] [-n] HOST... -- RUN_FLAGS..." >&2; exit 2; }
while getopts "o:p:F:v:jn" opt; do
  case $opt in
    o) out=$OPTARG ;;
    v) case $OPTARG in fleet | columns | auto) view=$OPTARG ;; *) echo "$0: -v $OPTARG: choose fleet, columns or auto" >&2; exit 2 ;; esac ;;
    p) remote=$OPTARG ;;
    F) ssh_opts+=(-F "$OPTARG") ;;
    j) parallel=1 ;;
    n) dry=1 ;;
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
    "") echo "$0: an empty host name: name each host as ssh_config knows it" >&2; exit 2 ;;
    -*) echo "$0: host '$h' begins with '-', which ssh would take for an option: name hosts as ssh_config knows them" >&2; exit 2 ;;
    .*) echo "$0: host '$h' begins with '.': it would name a hidden result file; name hosts as ssh_config knows them" >&2; exit 2 ;;
    *[!A-Za-z0-9._@:%+-]*) echo "$0: host '$h' holds a character other than letters, digits and . _ - @ : % +: name hosts as ssh_config knows them" >&2; exit 2 ;;
  esac
done
local_primebench=${PRIMEBENCH:-primebench}

# shq quotes one word for a POSIX shell: in single quotes, each single quote
# in it written as '\''.
shq() {
  local rest=$1 quoted="'"
  while :; do
    case $rest in
      *"'"*) quoted="$quoted${rest%%"'"*}'\\''"; rest=${rest#*"'"} ;;
      *) quoted="$quoted$rest'"; break ;;
    esac
  done
  printf '%s' "$quoted"
}

# The remote shell sees one command line: quote every word of it.
quoted=""
for word in "$remote" run --format json ${1+"$@"}; do
  quoted="$quoted $(shq "$word")"
done

# ssh_cmd prints the ssh command line for a host, each word quoted.
ssh_cmd() {
  local word line="ssh"
  for word in ${ssh_opts[@]+"${ssh_opts[@]}"} -T -- "$1" "$quoted --label $(shq "$1")"; do
    line="$line $(shq "$word")"
  done
  printf '%s\n' "$line"
}

if [ $dry -eq 1 ]; then
  for h in "${hosts[@]}"; do
    ssh_cmd "$h"
  done
  exit 0
fi
mkdir -p "$out"

run_host() {
  local host=$1 tmp="$out/.$1.json.tmp" status=0
  ssh ${ssh_opts[@]+"${ssh_opts[@]}"} -T -- "$host" "$quoted --label $(shq "$host")" >"$tmp" || status=$?
  if [ $status -eq 0 ]; then
    mv "$tmp" "$out/$host.json"
  else
    echo "$0: $host failed (exit $status): no result from it" >&2
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
  if [ -f "$out/$h.json" ]; then files+=("$out/$h.json"); fi
done
echo "$0: result files in $out" >&2
if [ ${#files[@]} -ge 2 ]; then
  "$local_primebench" compare --view "$view" "${files[@]}"
elif [ ${#files[@]} -eq 1 ]; then
  "$local_primebench" report "${files[0]}"
fi
exit $failed
