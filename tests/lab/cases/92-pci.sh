# 92-pci.sh - PCI passthrough on real Xen: QEMU's "edu" device at
# 0000:00:05.0 made assignable, given to a PV guest (hot-plugged, and from
# pci= at create, and from a libvirt domain XML's <hostdev>), seen by the
# guest's pcifront, taken back, released when its domain dies, and given
# back to the host; each refusal in one sentence.
# Boot P runs it: a q35 machine with QEMU's VT-d, where Xen enables its IOMMU
# (README.md, "Boot P").
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-boot: P
# lab-timeout: 300

DEV=0000:00:05.0
EDU=1234:11e8                   # the guest sees the edu device's vendor:device
G=lab-pci
G2=lab-pci2

iommu_on() { xl dmesg | grep -q 'I/O virtualisation enabled'; }
xl_assignable() { xl pci-assignable-list 2>/dev/null | grep -q "^$DEV"; }
xl_pci_of() { xl pci-list "$1" 2>/dev/null | grep -q "$DEV"; }

need check platform.iommu iommu_on
need check platform.device test -e /sys/bus/pci/devices/$DEV
xenith_only pci || exit 0

# --- refusals before the device is assignable ---
expect_no_out assignable.none "$DEV" $X pci-assignable-list
cfg=$(guest_cfg $G pv 'extra = "console=hvc0 quiet pci_watch=1"' \
      'passthrough = "enabled"')
need boot_guest guest $G $X create "$cfg"
wait_console guest.pcifront $G "GUEST-PCI none" 30
expect_error attach.not-assignable "PCI device $DEV is not assignable.*pci-assignable-add $DEV" \
    $X pci-attach $G $DEV
expect_error attach.absent "this host has no PCI device 0000:07:00.0" \
    $X pci-attach $G 07:00.0
expect_error attach.bad-spec '"00:05" is not a PCI device spec' $X pci-attach $G 00:05
expect_error detach.bad-address '"00:05" is not a PCI address' $X pci-detach $G 00:05

# --- assignable: bound to xen-pciback ---
check assignable.add $X pci-assignable-add $DEV
wait_until assignable.xl 10 xl_assignable
expect_out assignable.list "$DEV" $X pci-assignable-list

# --- hot-plugged into the running guest, which sees it ---
from=$(con_lines $G)
check attach $X pci-attach $G $DEV
wait_until attach.xl 20 xl_pci_of $G
expect_out attach.pci-list "$DEV" $X pci-list $G
expect_out attach.info "$DEV" $X info $G
wait_console attach.guest $G "GUEST-PCI .*$EDU" 60 "$from"
expect_error attach.again "PCI device $DEV is already assigned to domain [0-9]+ \\($G\\)" \
    $X pci-attach $G $DEV
expect_error assignable.remove-busy "PCI device $DEV is assigned to domain [0-9]+ \\($G\\); detach it first" \
    $X pci-assignable-remove $DEV
expect_error migrate.refused "domain $G has PCI passthrough devices \($DEV\); detach them before migrating" \
    $X migrate $G 127.0.0.1

# --- taken back ---
from=$(con_lines $G)
check detach $X pci-detach $G $DEV
wait_until detach.xl 20 sh -c "! xl pci-list $G 2>/dev/null | grep -q $DEV"
wait_console detach.guest $G "GUEST-PCI none" 60 "$from"
check destroy $X destroy $G
wait_until destroy.gone 20 xl_gone $G

# --- from pci= at create; released when the domain dies ---
cfg=$(guest_cfg $G2 pv 'extra = "console=hvc0 quiet pci_watch=1"' "pci = [ \"$DEV\" ]")
need boot_guest create $G2 $X create "$cfg"
expect_out create.xl "$DEV" xl pci-list $G2
wait_console create.guest $G2 "GUEST-PCI .*$EDU" 60
cfg3=$(guest_cfg lab-pci3 pv "pci = [ \"$DEV\" ]")
expect_error create.busy "PCI device $DEV is already assigned to domain [0-9]+ \\($G2\\)" \
    $X create "$cfg3"
check died $X destroy $G2
wait_until died.gone 20 xl_gone $G2
wait_until died.released 20 xl_assignable
expect_out died.list "$DEV" $X pci-assignable-list

# --- the same from libvirt domain XML: <hostdev> written by xenith's
# config-convert, read back by create on real Xen ---
G4=lab-pci-xml
cfg4=$(guest_cfg $G4 pv 'extra = "console=hvc0 quiet pci_watch=1"' "pci = [ \"$DEV\" ]")
xml4=${cfg4%.cfg}.xml
check xml.convert sh -c "$X config-convert --to libvirt $cfg4 > $xml4"
expect_out xml.hostdev "<address domain='0x0000' bus='0x00' slot='0x05' function='0x0'/>" \
    cat $xml4
expect_out xml.check "$G4, pv, 128 MiB" $X config-check $xml4
need boot_guest xml $G4 $X create $xml4
expect_out xml.xl "$DEV" xl pci-list $G4
wait_console xml.guest $G4 "GUEST-PCI .*$EDU" 60
check xml.destroy $X destroy $G4
wait_until xml.gone 20 xl_gone $G4
wait_until xml.released 20 xl_assignable

# --- given back to the host ---
check assignable.remove $X pci-assignable-remove -r $DEV
wait_until assignable.gone 10 sh -c "! xl pci-assignable-list 2>/dev/null | grep -q $DEV"
expect_no_out assignable.list-empty "$DEV" $X pci-assignable-list
expect_error assignable.remove-again "PCI device $DEV is not assignable" \
    $X pci-assignable-remove $DEV
