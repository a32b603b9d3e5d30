#!/bin/sh
# Slurm's HealthCheckProgram (or one of LBNL NHC's checks): primebench
# check against a baseline; when this node falls short, it is drained with
# primebench's one line as the reason. In slurm.conf:
#
#   HealthCheckProgram=/usr/local/libexec/primebench-healthcheck
#   HealthCheckInterval=3600
#
# Slurm runs it as root with an empty environment, setting only
# SLURMD_NODENAME; it reads its settings from the file named by
# PRIMEBENCH_HEALTHCHECK_CONF (default /etc/primebench/healthcheck.conf),
# shell assignments of:
#
#   PRIMEBENCH_BASELINE   the baseline: a result file, or a fleet's directory
#                         (the median of this node's hardware); %n stands
#                         for the node's name (default /etc/primebench/baseline)
#   PRIMEBENCH            primebench's path (default: primebench on PATH)
#   PRIMEBENCH_CHECK_ARGS more flags for primebench check (--tolerance 15%)
#   SLURM_CONF            slurm.conf, for scontrol, where it is not the default
#
# Exit: 0 healthy; 1 short, and drained with the reason; 2 a bad baseline
# or setting, told on stderr and not drained (the node is not at fault).
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin${PATH:+:$PATH}
conf=${PRIMEBENCH_HEALTHCHECK_CONF:-/etc/primebench/healthcheck.conf}
# shellcheck disable=SC1090
[ -r "$conf" ] && . "$conf"
# A cluster whose slurm.conf is not /etc/slurm/slurm.conf names it here.
[ -n "${SLURM_CONF:-}" ] && export SLURM_CONF
node=${SLURMD_NODENAME:-$(hostname -s)}
baseline=$(printf '%s' "${PRIMEBENCH_BASELINE:-/etc/primebench/baseline}" | sed "s/%n/$node/g")
primebench=${PRIMEBENCH:-primebench}

# shellcheck disable=SC2086
line=$("$primebench" check --against "$baseline" --label "$node" ${PRIMEBENCH_CHECK_ARGS:-})
status=$?
[ -n "$line" ] && printf '%s\n' "$line"
if [ $status -eq 1 ]; then
  # The reason is primebench's line: what fell short, by how much, and
  # where the measurement was saved.
  scontrol update NodeName="$node" State=DRAIN Reason="${line:-ERROR: primebench: the check failed}" ||
    echo "healthcheck: could not drain $node" >&2
fi
exit $status
