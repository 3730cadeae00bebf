#!/bin/sh
# run.sh - run each fuzz target for a while on its seed corpus.
#   FUZZ_SECONDS  time per target (default 20)
# Seeds come from the tests' own inputs; new finds go to a scratch corpus.
set -eu
: "${XENITH_BIN:?}"
src=${XENITH_SRCDIR:-.}
secs=${FUZZ_SECONDS:-20}
work=$(mktemp -d /tmp/xenith-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT

seed() { # target, then seed files
    t=$1; shift
    mkdir -p "$work/$t"
    for f in "$@"; do [ -f "$f" ] && cp "$f" "$work/$t/"; done
    return 0
}
seed fuzz_xlcfg "$src"/tests/config/*.cfg
seed fuzz_libvirt_xml "$src"/tests/libvirt/xlconfigdata/*.xml
seed fuzz_proto
printf '{"xenith":1,"id":1,"op":"domain.pause","args":{"dom":"web1"}}' \
    >"$work/fuzz_proto/req"
printf '{"xenith":1,"id":2,"ok":false,"error":{"code":"ENOENT"}}' \
    >"$work/fuzz_proto/reply"
seed fuzz_xsd
# READ of /local/domain/0/name: type 2, req 1, tx 0, len 22
printf '\002\000\000\000\001\000\000\000\000\000\000\000\026\000\000\000/local/domain/0/name\000' \
    >"$work/fuzz_xsd/read" 2>/dev/null || true

seed fuzz_memreport
printf 'v=1 seq=4 every=2 total=1015808 avail=612340 swapin=0 swapout=0 refault=12 some10=0.35 full10=0.00 some=123456 full=789' \
    >"$work/fuzz_memreport/report"

seed fuzz_pci_addr
printf '0000:03:00.0' >"$work/fuzz_pci_addr/full"
printf '81:1f.7' >"$work/fuzz_pci_addr/short"

seed fuzz_image
# a real save file's header line and the start of a sim image
printf 'XENITH-SAVE 1 {"driver":"sim","name":"web1","uuid":"5e1a0c3e-7b2d-4d1e-9f00-000000000001"}\nXNSIMIMG' \
    >"$work/fuzz_image/header"

seed fuzz_migframe
# a PREPARE header; DATA of 5 bytes; DATA_Z of 60 raw bytes (zstd -3)
printf 'XM\001\002\000\000\000\002{}' >"$work/fuzz_migframe/prepare"
printf 'XM\001\005\000\000\000\005hello' >"$work/fuzz_migframe/data"
printf 'XM\001\006\000\000\000\050\000\000\000\074\050\265\057\375\040\074\335\000\000\250\130\105\116\111\124\110\040\163\164\162\145\141\155\040\142\171\164\145\163\040\012\001\000\134\071\231' \
    >"$work/fuzz_migframe/dataz"

seed fuzz_migmsg
# the first byte is the frame type
printf '\001{"versions":[1,1],"host":"b.example","caps":["zstd"]}' \
    >"$work/fuzz_migmsg/hello"
printf '\002{"name":"web1","uuid":"5e1a0c3e-7b2d-4d1e-9f00-000000000001","memory_kb":1048576,"config":{"c_info":{"name":"web1"},"b_info":{"max_vcpus":2}},"policy":{"sched.class":"high"},"live":true,"paused":false,"stream":"xen"}' \
    >"$work/fuzz_migmsg/prepare"
printf '\003{"domname":"web1--incoming"}' >"$work/fuzz_migmsg/ready"
printf '\004{"code":"ENOMEM","reason":"not enough memory"}' \
    >"$work/fuzz_migmsg/refuse"
printf '\007{"bytes":123456}' >"$work/fuzz_migmsg/end"
printf '\010{"domid":7}' >"$work/fuzz_migmsg/restored"
printf '\011{"suspended_for_ms":2150}' >"$work/fuzz_migmsg/go"
printf '\012{"running":true,"domid":7,"downtime_ms":42}' \
    >"$work/fuzz_migmsg/confirm"
printf '\013{"code":"ECANCELED","reason":""}' >"$work/fuzz_migmsg/abort"
printf '\014{"bytes":1,"iteration":2,"remaining":3,"rate":4}' \
    >"$work/fuzz_migmsg/progress"

fails=0
for t in fuzz_proto fuzz_xlcfg fuzz_libvirt_xml fuzz_xsd fuzz_image fuzz_memreport \
    fuzz_migframe fuzz_migmsg fuzz_pci_addr; do
    opts="-max_total_time=$secs -timeout=10 -rss_limit_mb=2048"
    opts="$opts -artifact_prefix=$work/$t-"
    leaks=1
    # libxlutil itself leaks on some syntax errors (the daemon parses in a
    # child for that reason): leaks are not this target's findings.
    [ $t = fuzz_xlcfg ] || [ $t = fuzz_libvirt_xml ] && leaks=0
    # shellcheck disable=SC2086
    if ASAN_OPTIONS=detect_leaks=$leaks "$XENITH_BIN/fuzz/$t" $opts \
        "$work/$t" >"$work/$t.log" 2>&1; then
        echo "PASS $t: $(grep -o 'Done [0-9]* runs' "$work/$t.log" | tail -1)"
    else
        echo "FAIL $t:"
        tail -40 "$work/$t.log"
        for a in "$work/$t"-*; do
            [ -f "$a" ] && echo "input: $(od -An -c "$a" | head -20)"
        done
        fails=$((fails + 1))
    fi
done
[ $fails -eq 0 ]
