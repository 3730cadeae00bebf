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

seed fuzz_image
# a real save file's header line and the start of a sim image
printf 'XENITH-SAVE 1 {"driver":"sim","name":"web1","uuid":"5e1a0c3e-7b2d-4d1e-9f00-000000000001"}\nXNSIMIMG' \
    >"$work/fuzz_image/header"

fails=0
for t in fuzz_proto fuzz_xlcfg fuzz_xsd fuzz_image fuzz_memreport; do
    opts="-max_total_time=$secs -timeout=10 -rss_limit_mb=2048"
    opts="$opts -artifact_prefix=$work/$t-"
    leaks=1
    # libxlutil itself leaks on some syntax errors (the daemon parses in a
    # child for that reason): leaks are not this target's findings.
    [ $t = fuzz_xlcfg ] && leaks=0
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
