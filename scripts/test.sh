#!/usr/bin/env bash
# primebench's test command. It installs what the tests need beyond Go's
# own modules (OpenSSH's server and client for the remote-worker and fleet
# tests, python3 for the CPython lanes and gevent, eventlet and uvloop for
# Debian's /usr/bin/python3 (the cpython-gevent and cpython-eventlet lanes,
# the uvloop rows), gcc for the native is_prime of the
# cpython-native lanes, jq, taskset, Chromium and the
# Liberation fonts for the HTML pages' browser test, Slurm and munge for the
# fleet and health check tests, mmdebstrap for Debian's CPython 3.14 and 3.15
# (scripts/pythons.sh), on which the CPython lanes, subinterpreters
# included, are tested beside python3), then runs the Go tests with those
# tests required rather than skipped:
#
#   scripts/test.sh [go test flags...]     e.g. scripts/test.sh -race -count=1
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
[ -x /usr/sbin/sshd ] || missing+=(openssh-server)
command -v ssh >/dev/null && command -v ssh-keygen >/dev/null || missing+=(openssh-client)
command -v python3 >/dev/null || missing+=(python3)
# The tests use the first of python3 and /usr/bin/python3 that imports
# gevent; Debian packages it for its own interpreter.
if ! python3 -c "import gevent" 2>/dev/null && ! /usr/bin/python3 -c "import gevent" 2>/dev/null; then
  missing+=(python3-gevent)
fi
# eventlet and uvloop for the cpython-eventlet lane and the asyncio lanes'
# uvloop rows, on the same interpreter.
/usr/bin/python3 -c "import eventlet" 2>/dev/null || missing+=(python3-eventlet)
/usr/bin/python3 -c "import uvloop" 2>/dev/null || missing+=(python3-uvloop)
command -v jq >/dev/null || missing+=(jq)
# A C compiler builds the native is_prime the cpython-native lanes call.
command -v cc >/dev/null || command -v gcc >/dev/null || missing+=(gcc libc6-dev)
# A Slurm cluster on this host (scripts/slurm/local-cluster.sh) for the
# fleet job and the health check as slurmd's HealthCheckProgram.
for pkg in slurmctld:slurmctld slurmd:slurmd sbatch:slurm-client munged:munge; do
  command -v "${pkg%%:*}" >/dev/null || missing+=("${pkg#*:}")
done
command -v taskset >/dev/null || missing+=(util-linux)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v chromium >/dev/null || missing+=(chromium)
# The charts are laid out with the Liberation fonts' metrics.
fc-list 2>/dev/null | grep -qi "Liberation Serif" || missing+=(fonts-liberation)
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "scripts/test.sh: missing ${missing[*]}: install them with your package manager and rerun" >&2
    exit 1
  fi
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  echo "scripts/test.sh: installing ${missing[*]} (apt-get)" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Debian unstable's CPython 3.14 and 3.15 in a root of their own, kept
# between runs; their /proc and /dev are mounted for the tests only.
pythons=${PRIMEBENCH_PYTHONS_DIR:-/var/cache/primebench}
scripts/pythons.sh install "$pythons"
scripts/pythons.sh mount "$pythons"
trap 'scripts/pythons.sh umount "$pythons"' EXIT
export PRIMEBENCH_PYTHONS="$pythons/bin/python3.14,$pythons/bin/python3.15"

export PRIMEBENCH_REQUIRE_TOOLS=1
# Above go test's 10-minute default: cmd/primebench alone runs every fault
# on every strategy with real interpreters (7.5 minutes here, longer
# under -race); a hang still fails.
go test -timeout 30m "$@" ./...
