#!/usr/bin/env bash
# The CPython interpreters people run now, for primebench's tests: Debian
# unstable's python3.14 and python3.15 in a private root (mmdebstrap),
# run through small wrappers (chroot, with /proc and /dev mounted), so the
# CPython lanes are tested on 3.14 and 3.15 beside the machine's own 3.11.
#
#   scripts/pythons.sh install DIR   make DIR/root (once) and DIR/bin/python3.1x
#   scripts/pythons.sh mount DIR     mount /proc, /dev and primebench's cache
#                                    (read-only: the native is_prime the
#                                    cpython-native lanes load) into DIR/root
#   scripts/pythons.sh umount DIR    unmount them (what mount did, and no more)
#
# mmdebstrap needs root. Debian's unstable Release files on the mirror here
# are past their Valid-Until date, hence Acquire::Check-Valid-Until false.
set -euo pipefail
cmd=${1:?usage: pythons.sh install|mount|umount DIR}
dir=${2:?usage: pythons.sh install|mount|umount DIR}
root=$dir/root
versions="3.14 3.15"
# primebench's cache (package workerbin's CacheDir), at the same path inside.
cache=${XDG_CACHE_HOME:-$HOME/.cache}/primebench
if [ "$(id -u)" -ne 0 ]; then
  echo "pythons.sh: needs root (mmdebstrap, mount and chroot): run it, or scripts/test.sh, as root or with sudo" >&2
  exit 1
fi

case "$cmd" in
install)
  if [ ! -x "$root/usr/bin/python3.15" ]; then
    command -v mmdebstrap >/dev/null || { echo "pythons.sh: mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }
    rm -rf "$root.tmp"
    mkdir -p "$dir"
    pkgs=$(for v in $versions; do printf 'python%s,' "$v"; done)
    mmdebstrap --quiet --variant=apt --aptopt='Acquire::Check-Valid-Until "false"' --include="${pkgs%,}" sid "$root.tmp"
    rm -rf "$root"
    mv "$root.tmp" "$root"
  fi
  mkdir -p "$dir/bin"
  for v in $versions; do
    # exec: the interpreter is the process primebench started, so its pid
    # is the one it greets with, and its CPU time is reaped as a child's.
    printf '#!/bin/sh\nexec chroot %s /usr/bin/python%s "$@"\n' "$root" "$v" >"$dir/bin/python$v"
    chmod 755 "$dir/bin/python$v"
  done
  ;;
mount)
  mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
  if ! mountpoint -q "$root/dev"; then
    mount --rbind /dev "$root/dev"
    mount --make-rslave "$root/dev"
  fi
  if ! mountpoint -q "$root$cache"; then
    mkdir -p "$cache" "$root$cache"
    chmod 700 "$cache"
    mount --bind "$cache" "$root$cache"
    mount -o remount,bind,ro "$root$cache"
  fi
  ;;
umount)
  if mountpoint -q "$root$cache"; then umount "$root$cache"; fi
  if mountpoint -q "$root/dev"; then umount -R "$root/dev"; fi
  if mountpoint -q "$root/proc"; then umount "$root/proc"; fi
  ;;
*)
  echo "pythons.sh: unknown command $cmd: install, mount or umount" >&2
  exit 2
  ;;
esac
