#!/bin/sh
# install-deps.sh - install xenith's build and test dependencies on Debian 12.
# Called by `make demo`, `make check` and .ci/run; does nothing when all are
# present.  Extra groups: "lab" (the real-Xen lab), "fuzz" (clang and
# libFuzzer).
set -eu

BUILD="gcc make pkg-config libxen-dev libxml2-dev libssl-dev libevent-dev
check libjson-c-dev libyajl-dev libzstd-dev xenstore-utils valgrind python3 perl util-linux"
LAB="qemu-system-x86 xen-hypervisor-4.17-amd64 xen-utils-4.17 busybox-static
cpio kmod python3 file bc openssh-client openssh-server"

FUZZ="clang libclang-rt-14-dev"

want=$BUILD
for group in "$@"; do
    case $group in
    lab) want="$want $LAB" ;;
    fuzz) want="$want $FUZZ" ;;
    *) echo "install-deps: unknown group \"$group\" (lab, fuzz)" >&2
       exit 2 ;;
    esac
done

missing=
for p in $want; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    case $st in
    *"install ok installed"*) ;;
    *) missing="$missing $p" ;;
    esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing packages:$missing" >&2
    echo "install-deps: run as root, or: sudo apt-get install$missing" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
