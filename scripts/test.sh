#!/usr/bin/env bash
# primebench's test command. It installs what the tests need beyond Go's
# own modules (OpenSSH's server and client for the remote-worker and fleet
# tests, python3 for the CPython lanes and gevent, eventlet and uvloop for
# Debian's /usr/bin/python3 (the cpython-gevent and cpython-eventlet lanes,
# the uvloop rows), gcc for the native is_prime of the
# cpython-native lanes, jq, taskset, Chromium and the
# Liberation fonts for the HTML pages' browser test, Slurm and munge for the
# fleet and health check tests, ansible-core for the ssh fleet's playbook,
# bash for LBNL NHC's check (scripts/nhc), mmdebstrap for Debian's CPython 3.14 and 3.15
# (scripts/pythons.sh), on which the CPython lanes, subinterpreters
# included, are tested beside python3), then runs the Go tests with those
# tests required rather than skipped:
#
#   scripts/test.sh [go test flags...]     e.g. scripts/test.sh -race -count=1
#
# That is root's path (or sudo's: sudo scripts/test.sh). Run by another user
# it installs nothing it cannot (apt-get through sudo only where sudo asks
# for no password) and lets the tests that need root or a missing tool skip,
# each saying why: Debian's CPython 3.14 and 3.15 (mmdebstrap, chroot), the
# Slurm cluster, the cgroup quota test. Even as root two kinds skip unless
# their tool is there: the free-threaded CPython lanes (no Debian package
# has python3.13t or 3.14t) and a cgroup controller the kernel lacks.
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
# Ansible runs the ssh fleet (scripts/ansible/fleet.yml) against the test
# sshd.
command -v ansible-playbook >/dev/null || missing+=(ansible-core)
command -v taskset >/dev/null || missing+=(util-linux)
command -v mmdebstrap >/dev/null || missing+=(mmdebstrap)
command -v chromium >/dev/null || missing+=(chromium)
# The charts are laid out with the Liberation fonts' metrics.
fc-list 2>/dev/null | grep -qi "Liberation Serif" || missing+=(fonts-liberation)
root=0
[ "$(id -u)" -eq 0 ] && root=1
sudo=""
if [ $root -eq 0 ] && command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  sudo="sudo"
fi
if [ ${#missing[@]} -gt 0 ]; then
  if ! command -v apt-get >/dev/null; then
    echo "scripts/test.sh: missing ${missing[*]}: install them with your package manager and rerun" >&2
    exit 1
  fi
  if [ $root -eq 1 ] || [ -n "$sudo" ]; then
    echo "scripts/test.sh: installing ${missing[*]} (apt-get)" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "scripts/test.sh: not root: cannot install ${missing[*]}; the tests that need them are skipped (run it as root, or sudo scripts/test.sh, for the whole matrix)" >&2
  fi
fi

if [ $root -eq 1 ]; then
  # Debian unstable's CPython 3.14 and 3.15 in a root of their own, kept
  # between runs; their /proc and /dev are mounted for the tests only.
  pythons=${PRIMEBENCH_PYTHONS_DIR:-/var/cache/primebench}
  scripts/pythons.sh install "$pythons"
  scripts/pythons.sh mount "$pythons"
  trap 'scripts/pythons.sh umount "$pythons"' EXIT
  export PRIMEBENCH_PYTHONS="$pythons/bin/python3.14,$pythons/bin/python3.15"
  export PRIMEBENCH_REQUIRE_TOOLS=1
else
  echo "scripts/test.sh: not root: Debian's CPython 3.14 and 3.15, the Slurm cluster and the cgroup tests need root and are skipped, each saying why (go test -v shows it)" >&2
fi
# A test that compares machines needs them measured alike: the Slurm
# fleet's nodes share this host, run in turn, and beside the other
# packages' tests their healthy nodes differed by up to 50% (pb1 +31%,
# pb3 -22% from their median), a spread no node can be told from. It runs
# after the rest, alone, as a real fleet's nodes would run on machines of
# their own.
alone='^TestSlurmNamesTheBusyNode$'
# Above go test's 10-minute default: cmd/primebench alone runs every fault
# on every strategy with real interpreters (7.5 minutes here, longer
# under -race); a hang still fails.
go test -timeout 30m "$@" -skip "$alone" ./...
go test -timeout 10m "$@" -run "$alone" ./cmd/primebench
