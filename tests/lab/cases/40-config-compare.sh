# 40-config-compare.sh - what xenith's parser is held to, checked against
# xl itself:
#  - for every config in tests/lab/corpus, `xenith config-check --json FILE`
#    prints exactly what `xl -N create FILE` prints (and both accept or both
#    reject the file);
#  - with LAB_GOLDEN=1, every golden file of the parser's unit test
#    (tests/config/NAME.json, in /lab/golden) is still what
#    `xl -N create NAME.cfg` prints;
#  - files put in /lab/out/xl-in by tests/lab/xl-golden.sh get xl's output
#    recorded in /lab/out/xl-out (NAME.json, NAME.stderr, NAME.rc).
# Many real-world files in the corpus (tests/lab/corpus/SOURCES.md) set no
# uuid: xl then makes a random one, and so does xenith.  For a file that
# sets none, the "uuid" line of c_info (the first "uuid" of the document)
# is masked on both sides before comparing; everything else must match.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-boot: P
# lab-timeout: 300

# xl_run FILE OUTDIR: xl -N create FILE; stdout, stderr and exit status in
# OUTDIR/NAME.json, .stderr, .rc.
xl_run() {
    local c rc=0
    c=$(basename "$1" .cfg)
    timeout -s KILL 20 xl -N create "$1" > "$2/$c.json" 2> "$2/$c.stderr" </dev/null || rc=$?
    echo "$rc" > "$2/$c.rc"
}

# has_uuid FILE: FILE sets uuid (a line "uuid = ...").
has_uuid() {
    grep -qE '^[[:space:]]*uuid[[:space:]]*=' "$1"
}

# mask_uuid FILE: FILE's first "uuid" line (c_info's) made constant.
mask_uuid() {
    awk '!done && /^        "uuid": "/ {
             sub(/"uuid": "[^"]*"/, "\"uuid\": \"(random: the file sets no uuid)\"")
             done = 1
         }
         { print }' "$1" > "$1.m" && mv "$1.m" "$1"
}

compare() {
    local f=$1 c xrc=0 rc=0
    c=$(basename "$f" .cfg)
    timeout -s KILL 20 xl -N create "$f" > "$WORK/xl.out" 2> "$WORK/xl.err" </dev/null || xrc=$?
    timeout -s KILL 20 $X config-check --json "$f" > "$WORK/x.out" 2> "$WORK/x.err" </dev/null || rc=$?
    echo "\$ xl -N create $f    [exit $xrc]"; sed 's/^/    ! /' "$WORK/xl.err"
    echo "\$ $X config-check --json $f    [exit $rc]"; sed 's/^/    ! /' "$WORK/x.err"
    if [ "$xrc" = 0 ] && [ "$rc" != 0 ]; then
        fail "$c" "xl accepts it, $X config-check exits $rc: $(_first "$WORK/x.err")"; return
    fi
    if [ "$xrc" != 0 ] && [ "$rc" = 0 ]; then
        fail "$c" "xl rejects it ($(_first "$WORK/xl.err")), $X config-check accepts it"; return
    fi
    if ! has_uuid "$f"; then mask_uuid "$WORK/xl.out"; mask_uuid "$WORK/x.out"; fi
    if cmp -s "$WORK/xl.out" "$WORK/x.out"; then pass "$c"; return; fi
    diff -u "$WORK/xl.out" "$WORK/x.out" | sed 's/^/    /'
    fail "$c" "output differs from xl -N create: $(diff "$WORK/xl.out" "$WORK/x.out" | grep -m2 '^[-+<>]' | tr '\n' ' ' | cut -c1-200)"
}

# golden FILE.cfg: xl still prints FILE.json for it (c_info's uuid masked
# on both sides when FILE.cfg sets none).
golden() {
    local c
    c=$(basename "$1" .cfg)
    mkdir -p "$WORK/golden"
    xl_run "$1" "$WORK/golden"
    cp "${1%.cfg}.json" "$WORK/golden/$c.want"
    if ! has_uuid "$1"; then mask_uuid "$WORK/golden/$c.json"; mask_uuid "$WORK/golden/$c.want"; fi
    if [ "$(cat "$WORK/golden/$c.rc")" != 0 ]; then
        fail "golden/$c" "xl rejects tests/config/$c.cfg: $(_first "$WORK/golden/$c.stderr")"
    elif cmp -s "$WORK/golden/$c.json" "$WORK/golden/$c.want"; then
        pass "golden/$c"
    else
        diff -u "$WORK/golden/$c.want" "$WORK/golden/$c.json" | sed 's/^/    /'
        fail "golden/$c" "tests/config/$c.json is not what xl -N create prints"
    fi
}

if [ -d "$LAB_OUT/xl-in" ]; then
    mkdir -p "$LAB_OUT/xl-out"
    cd "$LAB_OUT/xl-in" || exit 1
    note "recording xl -N create for $(ls ./*.cfg | wc -l) files"
    for f in ./*.cfg; do xl_run "$f" "$LAB_OUT/xl-out"; done
    pass xl-golden
fi

set -- /lab/corpus/*.cfg
if [ ! -e "$1" ]; then
    skip corpus "tests/lab/corpus has no .cfg files"
elif xenith_only corpus; then
    cd /lab/corpus || exit 1
    note "$# configs"
    for f in "$@"; do compare "$f"; done
fi

# The golden files were each printed by this xl; checking them all again
# takes two minutes, so it is asked for (LAB_GOLDEN=1 on the host), not
# done on every run.
set -- /lab/golden/*.cfg
if [ "${LAB_GOLDEN:-0}" = 1 ] && [ -e "$1" ]; then
    cd /lab/golden || exit 1
    note "$# golden files"
    for f in "$@"; do golden "$f"; done
fi
