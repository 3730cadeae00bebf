#!/bin/sh
# libvirt domain XML: config-convert writes what libvirt writes for one of
# libvirt's own pairs, and round trips every pair through the CLI (XML ->
# xl.cfg, xl.cfg -> XML -> xl.cfg, each format normalised) to the domain
# config-check --json gives for the pair's cfg, as does config-check of the
# XML itself; create takes XML on the simulated host, and a malformed file
# gets one line naming its line.
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
WANT_RC=2 fails "--to needs a known format" "the formats are: libvirt, xl" \
    xenith config-convert --to yaml "$pairs/test-paravirt-cmdline.xml"

# json FILE: what config-check --json says of an xl.cfg file ("" if refused).
json() { xenith config-check --json "$1" 2>/dev/null; }

# Every pair (C, X), through the CLI:
#   xml->xl    json(--to xl X) == json(C)   (not for libvirt's one-way pairs,
#              whose XML carries defaults of libvirt's: test_libvirt.c)
#   cfg->xml->xl  json(--to xl (--to libvirt C)) == json(C)
#   xl norm    json(--to xl C) == json(C)
#   xml norm   --to libvirt (--to libvirt X) == --to libvirt X, and its
#              --to xl gives json(C) as well
# A pair whose cfg xl refuses (vnuma-autocomplete: its vNUMA sizes exceed
# maxmem) must be refused from its XML too.
one_way="test-disk-positional-parms-full test-disk-positional-parms-partial
test-paravirt-cmdline-bogus-extra-root"
bad_x2l= bad_c2x2l= bad_norm= bad_xnorm= bad_refused= bad_check= n=0 nref=0
for x in "$pairs"/*.xml; do
    p=$(basename "$x" .xml)
    c="$pairs/$p.cfg"
    want=$(json "$c")
    if [ -z "$want" ]; then
        nref=$((nref + 1))
        xenith config-convert --to xl "$x" >/dev/null 2>&1 &&
            bad_refused="$bad_refused $p"
        continue
    fi
    n=$((n + 1))
    if ! printf '%s\n' $one_way | grep -qx "$p"; then
        xenith config-convert --to xl "$x" >"$T/x.cfg" 2>/dev/null
        [ "$(json "$T/x.cfg")" = "$want" ] || bad_x2l="$bad_x2l $p"
        [ "$(json "$x")" = "$want" ] || bad_check="$bad_check $p"
    fi
    xenith config-convert --to libvirt "$c" >"$T/c.xml" 2>/dev/null &&
        xenith config-convert --to xl "$T/c.xml" >"$T/c.cfg" 2>/dev/null
    [ "$(json "$T/c.cfg")" = "$want" ] || bad_c2x2l="$bad_c2x2l $p"
    xenith config-convert --to xl "$c" >"$T/n.cfg" 2>/dev/null
    [ "$(json "$T/n.cfg")" = "$want" ] || bad_norm="$bad_norm $p"
    xenith config-convert --to libvirt "$x" >"$T/n1.xml" 2>/dev/null
    xenith config-convert --to libvirt "$T/n1.xml" >"$T/n2.xml" 2>/dev/null
    xenith config-convert --to xl "$T/n1.xml" >"$T/n1.cfg" 2>/dev/null
    if ! cmp -s "$T/n1.xml" "$T/n2.xml"; then
        bad_xnorm="$bad_xnorm $p"
    elif ! printf '%s\n' $one_way | grep -qx "$p" &&
        [ "$(json "$T/n1.cfg")" != "$want" ]; then
        bad_xnorm="$bad_xnorm $p"
    fi
done
check_pairs() { # NAME BAD
    if [ "$n" -lt 40 ]; then
        fail "$1" "only $n pairs parse"
    elif [ -z "$2" ]; then
        pass "$1 ($n pairs)"
    else
        fail "$1" "differs for$2"
    fi
}
check_pairs "--to xl of libvirt's XML gives the cfg's domain" "$bad_x2l"
check_pairs "config-check --json of libvirt's XML gives the cfg's domain" \
    "$bad_check"
check_pairs "cfg --to libvirt, then --to xl, gives the cfg's domain" \
    "$bad_c2x2l"
check_pairs "--to xl normalises an xl.cfg to the same domain" "$bad_norm"
check_pairs "--to libvirt normalises XML (twice: the same text)" "$bad_xnorm"
if [ "$nref" -eq 1 ] && [ -z "$bad_refused" ]; then
    pass "the pair xl refuses is refused from its XML too"
else
    fail "the pair xl refuses is refused from its XML too" \
        "$nref refused; accepted from XML:$bad_refused"
fi

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
fails "config-convert --to xl: malformed XML in one line with its line" \
    "bad.xml:4: malformed XML" \
    xenith config-convert --to xl "$T/bad.xml"
fails "config-check: malformed XML in one line with its line" \
    "bad.xml:4: malformed XML" xenith config-check "$T/bad.xml"
outputs "config-check: an XML domain summarised, its unmapped element warned" \
    "lv1.xml: domain lv1, pvh, 256 MiB, 2 vCPUs, 0 disks, 1 network interface" \
    xenith config-check "$T/lv1.xml"
xenith config-check "$T/lv1.xml" >/dev/null 2>"$T/lv1.warn"
outputs "config-check: ... warned on stderr with the element's line" \
    "lv1.xml:15: watchdog" cat "$T/lv1.warn"
printf 'name = "bad"\nmemory = "lots"\n' >"$T/bad.cfg"
fails "config-convert --to xl: a bad xl.cfg gets the parser's sentence" \
    "bad.cfg:2: memory" xenith config-convert --to xl "$T/bad.cfg"

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
