#!/bin/sh
# libvirt domain XML: config-convert writes what libvirt writes for one of
# libvirt's own pairs, create takes XML on the simulated host, and a
# malformed file gets one line naming its line.
. "$(dirname "$0")/lib.sh"

pairs="$(dirname "$0")/../libvirt/xlconfigdata"
xenith config-convert --to libvirt "$pairs/test-paravirt-cmdline.cfg" \
    >"$T/conv.xml" 2>"$T/conv.err"
if cmp -s "$T/conv.xml" "$pairs/test-paravirt-cmdline.xml"; then
    pass "config-convert writes libvirt's own XML for its pair"
else
    fail "config-convert writes libvirt's own XML for its pair" \
        "$(diff "$pairs/test-paravirt-cmdline.xml" "$T/conv.xml")"
fi
outputs "XML in, XML out" "<name>XenGuest2</name>" \
    xenith config-convert --to libvirt "$pairs/test-paravirt-cmdline.xml"
WANT_RC=2 fails "--to needs a known format" "the formats are: libvirt" \
    xenith config-convert --to yaml "$pairs/test-paravirt-cmdline.xml"

cat >"$T/lv1.xml" <<'XML'
<domain type='xen'>
  <name>lv1</name>
  <uuid>6d3c1b7e-2f4a-4b8e-9a1c-3e5f7a9b0c11</uuid>
  <memory unit='MiB'>256</memory>
  <vcpu>2</vcpu>
  <os>
    <type machine='xenpvh'>xenpvh</type>
    <kernel>/boot/vmlinuz</kernel>
  </os>
  <devices>
    <interface type='bridge'>
      <mac address='00:16:3e:00:00:01'/>
      <source bridge='xenbr0'/>
    </interface>
    <watchdog model='i6300esb'/>
  </devices>
</domain>
XML
printf '<domain type="xen">\n  <name>bad</name>\n  <memory>1</memory>\n</domian>\n' \
    >"$T/bad.xml"
fails "config-convert: malformed XML in one line with its line" \
    "bad.xml:4: malformed XML" \
    xenith config-convert --to libvirt "$T/bad.xml"

start_daemon
xenith create "$T/lv1.xml" >"$T/out" 2>"$T/err"
if [ $? -eq 0 ] && grep -q "Created domain lv1" "$T/out" &&
    grep -q "lv1.xml:15: watchdog: <watchdog> is not mapped" "$T/err"; then
    pass "create takes libvirt XML, warning of what it does not map"
else
    fail "create takes libvirt XML, warning of what it does not map" \
        "$(cat "$T/out" "$T/err")"
fi
outputs "the XML domain is listed with its memory" "^lv1 .* 256" xenith list
fails "create: malformed XML in one line with its line" \
    "bad.xml:4: malformed XML" xenith create "$T/bad.xml"
finish
