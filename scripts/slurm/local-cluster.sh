#!/usr/bin/env bash
# A Slurm cluster on this one host, for primebench's tests: Debian's munged,
# slurmctld and one slurmd per node name (-N, each on its own port), all on
# 127.0.0.1, all under DIR, none of the system's own configuration touched.
#
#   scripts/slurm/local-cluster.sh start DIR [NODES] [HEALTHCHECK]
#       writes DIR/slurm.conf for NODES node names (default 3: pb1..pb3)
#       and starts the daemons; HEALTHCHECK, when given, is slurmd's
#       HealthCheckProgram (run every 10 s). Prints the SLURM_CONF to use.
#   scripts/slurm/local-cluster.sh stop DIR
#       cancels every job and stops every daemon it started.
#
# It needs root (slurmd runs jobs as their users) and the packages
# slurmctld, slurmd, slurm-client and munge (scripts/test.sh installs them).
set -euo pipefail

cmd=${1:?usage: local-cluster.sh start|stop DIR [NODES] [HEALTHCHECK]}
dir=${2:?usage: local-cluster.sh start|stop DIR [NODES] [HEALTHCHECK]}
nodes=${3:-3}
healthcheck=${4:-}
export SLURM_CONF="$dir/slurm.conf"

stop() {
  if [ -f "$SLURM_CONF" ]; then
    scancel --quiet --full --partition=pb 2>/dev/null || true
  fi
  for pidfile in "$dir"/slurmd-*.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && kill -TERM "$pid" 2>/dev/null || true
  done
  # Give each a moment, then make sure.
  for _ in $(seq 50); do
    alive=0
    for pidfile in "$dir"/slurmd-*.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
      [ -f "$pidfile" ] || continue
      pid=$(cat "$pidfile" 2>/dev/null || true)
      if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then alive=1; fi
    done
    [ $alive = 0 ] && break
    sleep 0.1
  done
  for pidfile in "$dir"/slurmd-*.pid "$dir"/slurmctld.pid "$dir"/munged.pid; do
    [ -f "$pidfile" ] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    [ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null || true
    rm -f "$pidfile"
  done
  # slurmstepd processes of the cluster's jobs, if any outlived their daemons.
  pkill -KILL -f "slurmstepd.*$dir" 2>/dev/null || true
}

case "$cmd" in
stop)
  stop
  exit 0
  ;;
start) ;;
*)
  echo "local-cluster.sh: unknown command $cmd: start or stop" >&2
  exit 2
  ;;
esac

[ "$(id -u)" -eq 0 ] || { echo "local-cluster.sh: needs root (slurmd runs jobs as their users)" >&2; exit 1; }
for prog in munged slurmctld slurmd sbatch srun scontrol; do
  command -v "$prog" >/dev/null || { echo "local-cluster.sh: $prog is missing: apt-get install slurmctld slurmd slurm-client munge" >&2; exit 1; }
done
mkdir -p "$dir/state" "$dir/spool"
chmod 755 "$dir"
# munge: a key of our own, a socket of our own.
head -c 1024 /dev/urandom >"$dir/munge.key"
chmod 400 "$dir/munge.key"
munged --force --key-file="$dir/munge.key" --socket="$dir/munge.socket" \
  --pid-file="$dir/munged.pid" --log-file="$dir/munged.log" --seed-file="$dir/munge.seed"

cpus=$(nproc)
{
  cat <<CONF
ClusterName=pbtest
SlurmctldHost=localhost
SlurmctldPort=16817
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
AuthInfo=socket=$dir/munge.socket
CredType=cred/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool/%n
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd-%n.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd-%n.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
SwitchType=switch/none
ReturnToService=2
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
CONF
  if [ -n "$healthcheck" ]; then
    echo "HealthCheckProgram=$healthcheck"
    echo "HealthCheckInterval=10"
    echo "HealthCheckNodeState=ANY"
  fi
  for i in $(seq "$nodes"); do
    echo "NodeName=pb$i NodeHostname=localhost NodeAddr=127.0.0.1 Port=$((17000 + i)) CPUs=$cpus State=UNKNOWN"
  done
  echo "PartitionName=pb Nodes=pb[1-$nodes] Default=YES MaxTime=INFINITE State=UP OverSubscribe=FORCE:$nodes"
} >"$SLURM_CONF"

slurmctld -f "$SLURM_CONF"
for i in $(seq "$nodes"); do
  slurmd -f "$SLURM_CONF" -N "pb$i"
done
echo "SLURM_CONF=$SLURM_CONF"
