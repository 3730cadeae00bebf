#!/bin/bash
# build.sh - build the lab's boot image from Debian packages.
#
#   XENITH_BIN=DIR bash tests/lab/image/build.sh WORKDIR
#
# Produces, in WORKDIR/image/:
#   xen          the hypervisor, uncompressed (QEMU's multiboot loader needs an ELF)
#   vmlinux      Debian's kernel, uncompressed (boots faster than the bzImage under TCG)
#   dom0.cpio    dom0's initramfs: busybox, Xen's tools, xenithd/xenith/
#                xenith-relay/hv-probe with their libraries, the guest payload,
#                the test cases, the config corpus and tests/config's golden files; for the two-host boot
#                labnet (built here), sshd and ssh with keys made here (xl
#                migrate's transport)
#   guest.cpio.gz  the guests' initramfs: busybox, guest-init, the static
#                xenith-guest-agent from XENITH_BIN and memhog (built here)
#
# Downloads are cached in WORKDIR/debs; the extracted kernel in WORKDIR/kernel-VERSION.
# Nothing is installed on the host: the kernel package is fetched with
# `apt-get download` and unpacked with `dpkg -x`.
set -euo pipefail

LAB=$(cd "$(dirname "$0")/.." && pwd)        # tests/lab
WORK=${1:?usage: build.sh WORKDIR}
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)
XENITH_BIN=${XENITH_BIN:-}
XENLIB=/usr/lib/xen-4.17/bin
OUT=$WORK/image
ROOT=$WORK/dom0-root
GROOT=$WORK/guest-root

say() { echo "lab-image: $*"; }
die() { echo "lab-image: error: $*" >&2; exit 1; }

mkdir -p "$WORK/debs" "$OUT"

# --- 1. the kernel (dom0 and guests use the same one) -------------------------

# The version linux-image-amd64 points at; falls back to the newest cached
# package when apt cannot answer (no package lists, no network).
kernel_version() {
    local v
    v=$(apt-cache depends linux-image-amd64 2>/dev/null |
        awk '/Depends: linux-image-[0-9]/ { sub("linux-image-", "", $2); print $2; exit }')
    if [ -z "$v" ] && [ "$(id -u)" = 0 ]; then
        apt-get update -q >/dev/null 2>&1 || true
        v=$(apt-cache depends linux-image-amd64 2>/dev/null |
            awk '/Depends: linux-image-[0-9]/ { sub("linux-image-", "", $2); print $2; exit }')
    fi
    if [ -z "$v" ]; then
        # shellcheck disable=SC2012
        v=$(ls "$WORK"/debs/linux-image-*-amd64_*.deb 2>/dev/null | sort -V | tail -n1 |
            sed -E 's|.*/linux-image-([^_]+)_.*|\1|')
    fi
    [ -n "$v" ] || die "cannot tell which kernel to use (apt-cache depends linux-image-amd64 failed)"
    echo "$v"
}

KVER=${LAB_KVER:-$(kernel_version)}
KROOT=$WORK/kernel-$KVER
if [ ! -f "$KROOT/.done" ]; then
    deb=$(find "$WORK/debs" -name "linux-image-${KVER}_*.deb" | head -n1)
    if [ -z "$deb" ]; then
        say "downloading linux-image-$KVER"
        # apt drops privileges to _apt, which cannot write here: that costs only a warning.
        (cd "$WORK/debs" && apt-get download -q "linux-image-$KVER") 2>&1 |
            grep -v 'Download is performed unsandboxed' || true
        deb=$(find "$WORK/debs" -name "linux-image-${KVER}_*.deb" | head -n1)
        [ -n "$deb" ] || die "apt-get download linux-image-$KVER failed"
    fi
    say "unpacking $(basename "$deb")"
    rm -rf "$KROOT"
    dpkg -x "$deb" "$KROOT"
    depmod -b "$KROOT" "$KVER"
    # The bzImage carries an XZ-compressed ELF; libxc (for PV guests) and dom0's
    # boot both load the plain ELF much faster under TCG.
    python3 - "$KROOT/boot/vmlinuz-$KVER" "$KROOT/vmlinux" <<'EOF'
import lzma, sys
data = open(sys.argv[1], "rb").read()
start = data.find(b"\xfd7zXZ\x00")
if start < 0:
    sys.exit("no XZ payload in " + sys.argv[1])
elf = lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data[start:])
if elf[:4] != b"\x7fELF":
    sys.exit("XZ payload of " + sys.argv[1] + " is not an ELF file")
open(sys.argv[2], "wb").write(elf)
EOF
    touch "$KROOT/.done"
fi
cp "$KROOT/vmlinux" "$OUT/vmlinux"

# --- 2. the hypervisor ----------------------------------------------------------
XENGZ=$(find /boot -maxdepth 1 -name 'xen-4.17*-amd64.gz' | sort -V | tail -n1)
[ -n "$XENGZ" ] || die "no /boot/xen-4.17*-amd64.gz (is xen-hypervisor-4.17-amd64 installed?)"
zcat "$XENGZ" > "$OUT/xen"

# --- helpers for the root file systems ---------------------------------------------
# Both root file systems are busybox alone: it must be the static build.
if ldd /bin/busybox >/dev/null 2>&1; then
    die "/bin/busybox is dynamically linked: install busybox-static"
fi

# skeleton DIR: an empty root with busybox as /bin/sh (the kernel needs /bin/sh
# or /init's interpreter to exist, or it finds no init).
skeleton() {
    local r=$1
    rm -rf "$r"
    mkdir -p "$r"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,run,tmp,etc,root,var}
    cp /bin/busybox "$r/bin/busybox"
    ln -s busybox "$r/bin/sh"
    ln -s ../run "$r/var/run"
    # nobody: xenith-relay's user; sshd: sshd's privilege separation user
    printf '%s\n' "root:x:0:0:root:/root:/bin/sh" \
        "sshd:x:100:65534::/run/sshd:/bin/false" \
        "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" > "$r/etc/passwd"
    printf '%s\n' "root:x:0:" "nogroup:x:65534:" > "$r/etc/group"
}

# copy_bin ROOT FILE [DEST]: copy an executable and every library ldd resolves
# for it (at the same paths, so the dynamic loader finds them).
copy_bin() {
    local r=$1 f=$2 dest=${3:-$2} lib
    [ -e "$f" ] || die "missing $f"
    mkdir -p "$r$(dirname "$dest")"
    cp -L "$f" "$r$dest"
    while read -r lib; do
        [ -e "$lib" ] || continue
        [ -e "$r$lib" ] && continue
        mkdir -p "$r$(dirname "$lib")"
        cp -L "$lib" "$r$lib"
    done < <(ldd "$f" 2>/dev/null |
             awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')
    if ldd "$f" 2>/dev/null | grep -q 'not found'; then
        die "$f: libraries not found: $(ldd "$f" | grep 'not found' | tr -s ' \t\n' ' ')"
    fi
}

# --- 3. the guest: busybox and an init that prints markers ------------------------
skeleton "$GROOT"
install -m 755 "$LAB/image/guest-init" "$GROOT/init"
# xenith's guest agent (static: the guest has no libraries), and the memory
# hog, built here; guest-init starts them when the kernel command line asks.
if [ -n "$XENITH_BIN" ] && [ -x "$XENITH_BIN/xenith-guest-agent" ]; then
    if ldd "$XENITH_BIN/xenith-guest-agent" >/dev/null 2>&1; then
        die "$XENITH_BIN/xenith-guest-agent is dynamically linked (the guests have no libraries)"
    fi
    install -m 755 "$XENITH_BIN/xenith-guest-agent" "$GROOT/sbin/xenith-guest-agent"
else
    say "warning: ${XENITH_BIN:-(XENITH_BIN unset)}/xenith-guest-agent does not exist; the guests have no agent"
fi
# xen-pcifront (and what it needs), in load order, for guest-init's
# pci_watch=1: the guest side of PCI passthrough (boot P).
mkdir -p "$GROOT/lib/pcifront"
modprobe -d "$KROOT" -S "$KVER" --show-depends xen-pcifront |
    awk '$1 == "insmod" { print $2 }' | while read -r ko; do
    cp "$ko" "$GROOT/lib/pcifront/"
    basename "$ko" >> "$GROOT/lib/pcifront/order"
done
${CC:-cc} -static -O2 -std=gnu11 -Wall -Wextra -Werror -o "$GROOT/sbin/memhog" \
    "$LAB/image/memhog.c" || die "cannot build $LAB/image/memhog.c"
(cd "$GROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet | gzip -6) > "$OUT/guest.cpio.gz"

# --- 4. dom0 ------------------------------------------------------------------------
skeleton "$ROOT"
install -m 755 "$LAB/image/init" "$ROOT/init"
mkdir -p "$ROOT"/var/{lib/xen,lib/xenstored,log/xen/console,lock} "$ROOT/etc/xen"

# Kernel modules dom0 needs (Xen's backends and devices; virtio and 9p for
# the share with the host), with their dependencies, and the files busybox
# modprobe reads.
MODS="xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xenfs xen-blkback xen-netback loop
      virtio_pci virtio_net 9p 9pnet_virtio xen-pciback"
for m in $MODS; do
    modprobe -d "$KROOT" -S "$KVER" --show-depends "$m" | awk '$1 == "insmod" { print $2 }'
done | sort -u | while read -r ko; do
    rel=${ko#"$KROOT"}
    mkdir -p "$ROOT$(dirname "$rel")"
    cp "$ko" "$ROOT$rel"
done
for f in modules.dep modules.alias modules.builtin modules.order modules.symbols; do
    [ -f "$KROOT/lib/modules/$KVER/$f" ] && cp "$KROOT/lib/modules/$KVER/$f" "$ROOT/lib/modules/$KVER/"
done

# Xen's tools.  The /usr/sbin names on the host are wrappers that need
# /sys/hypervisor; the real programs live in $XENLIB.
for b in xl xenstored xenconsoled xenconsole xen-init-dom0 libxl-save-helper xenstore-control; do
    copy_bin "$ROOT" "$XENLIB/$b"
done
copy_bin "$ROOT" /usr/bin/xenstore
for t in read write ls list rm exists chmod watch; do
    ln -sf xenstore "$ROOT/usr/bin/xenstore-$t"
done
# glibc loads libgcc_s at run time (thread cancellation, backtraces): ldd
# does not list it.
for l in /usr/lib/x86_64-linux-gnu/libgcc_s.so.1 /lib/x86_64-linux-gnu/libgcc_s.so.1; do
    [ -e "$l" ] && { mkdir -p "$ROOT$(dirname "$l")"; cp -L "$l" "$ROOT$l"; break; }
done
cp /etc/xen/xl.conf "$ROOT/etc/xen/"
cp -r /etc/xen/scripts "$ROOT/etc/xen/"

# The project's programs.  Absent binaries are not an error here: the runner
# reports the cases that need them as failed, and xl-only cases still run.
if [ -n "$XENITH_BIN" ]; then
    for b in sbin/xenithd sbin/xenith-relay bin/xenith bin/hv-probe; do
        if [ -x "$XENITH_BIN/${b#*/}" ]; then
            copy_bin "$ROOT" "$XENITH_BIN/${b#*/}" "/usr/$b"
        else
            say "warning: $XENITH_BIN/${b#*/} does not exist; the image has no /usr/$b"
        fi
    done
else
    say "warning: XENITH_BIN is not set; the image has no xenithd/xenith/hv-probe"
fi

# The two-host boot's helpers: labnet (state logs, ticks, the downtime
# watch), and sshd and ssh for `xl migrate`, whose transport is ssh.  One
# host key and one client key serve both hosts; they are made once, here.
${CC:-cc} -static -O2 -std=gnu11 -Wall -Wextra -Werror -o "$ROOT/usr/bin/labnet" \
    "$LAB/image/labnet.c" || die "cannot build $LAB/image/labnet.c"
ln -sf "$XENLIB/xl" "$ROOT/usr/bin/xl"      # on the PATH of an ssh session
if [ -x /usr/sbin/sshd ] && command -v ssh >/dev/null && command -v ssh-keygen >/dev/null; then
    copy_bin "$ROOT" /usr/sbin/sshd
    copy_bin "$ROOT" "$(command -v ssh)" /usr/bin/ssh
    mkdir -p "$WORK/ssh"
    for k in host client; do
        [ -f "$WORK/ssh/$k" ] || ssh-keygen -q -t ed25519 -N '' -C "lab-$k" -f "$WORK/ssh/$k"
    done
    mkdir -p "$ROOT/etc/ssh" "$ROOT/root/.ssh"
    install -m 600 "$WORK/ssh/host" "$ROOT/etc/ssh/ssh_host_ed25519_key"
    install -m 600 "$WORK/ssh/client" "$ROOT/root/.ssh/id_ed25519"
    install -m 600 "$WORK/ssh/client.pub" "$ROOT/root/.ssh/authorized_keys"
    chmod 700 "$ROOT/root/.ssh"
    cat > "$ROOT/etc/ssh/sshd_config" <<'EOF'
HostKey /etc/ssh/ssh_host_ed25519_key
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
UseDNS no
PidFile /run/sshd.pid
EOF
    printf '%s\n' "Host *" "    StrictHostKeyChecking no" \
        "    UserKnownHostsFile /dev/null" "    LogLevel ERROR" > "$ROOT/root/.ssh/config"
else
    say "warning: sshd, ssh or ssh-keygen is missing (openssh-server, openssh-client): the two-host boot cannot time xl migrate"
fi

# Extra programs for the lab shell (LAB_EXTRA_BIN="PROG..."), in /usr/local/bin.
for f in ${LAB_EXTRA_BIN:-}; do
    copy_bin "$ROOT" "$f" "/usr/local/bin/$(basename "$f")"
done

# The lab itself: the guest payload, the cases, the config corpus.
mkdir -p "$ROOT/lab/guest" "$ROOT/lab/cases" "$ROOT/lab/corpus"
cp "$OUT/vmlinux" "$ROOT/lab/guest/vmlinux"
cp "$OUT/guest.cpio.gz" "$ROOT/lab/guest/initrd.cpio.gz"
cp "$LAB"/cases/*.sh "$ROOT/lab/cases/"
if compgen -G "$LAB/corpus/*.cfg" >/dev/null; then
    cp "$LAB"/corpus/*.cfg "$ROOT/lab/corpus/"
fi
# libvirt's xl.cfg test files (tests/libvirt/xlconfigdata/NAME.cfg) join the
# corpus as libvirt-NAME.cfg, but those whose fate depends on the host
# (tests/libvirt/xl-golden/NAME.host: config-check has no host to ask).
for f in "$LAB"/../libvirt/xlconfigdata/*.cfg; do
    [ -e "$f" ] || continue
    [ ! -e "$LAB/../libvirt/xl-golden/$(basename "$f" .cfg).host" ] || continue
    cp "$f" "$ROOT/lab/corpus/libvirt-$(basename "$f")"
done
# The parser's golden files (tests/config/NAME.cfg + NAME.json): the lab
# checks that xl still prints each .json.
mkdir -p "$ROOT/lab/golden"
for f in "$LAB"/../config/*.json; do
    [ -e "$f" ] || continue
    cp "$f" "${f%.json}.cfg" "$ROOT/lab/golden/"
done

# An uncompressed archive: gunzip under TCG costs more than copying.
(cd "$ROOT" && find . | LC_ALL=C sort | cpio -o -H newc --quiet) > "$OUT/dom0.cpio"
echo "$KVER" > "$OUT/kernel-version"
# Where xenith came from (empty: not in the image), for run.sh --no-build.
if [ -x "$ROOT/usr/sbin/xenithd" ]; then echo "$XENITH_BIN"; fi > "$OUT/xenith-bin"
say "image ready in $OUT (kernel $KVER, dom0 root $(du -sh "$ROOT" | cut -f1))"
