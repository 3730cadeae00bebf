# 40-config-compare.sh - for every config in tests/lab/corpus,
# `xenith config-check --json FILE` prints exactly what `xl -N create FILE`
# prints (and both accept or both reject the file).
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 120

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
    if cmp -s "$WORK/xl.out" "$WORK/x.out"; then pass "$c"; return; fi
    diff -u "$WORK/xl.out" "$WORK/x.out" | sed 's/^/    /'
    fail "$c" "output differs from xl -N create: $(diff "$WORK/xl.out" "$WORK/x.out" | grep -m2 '^[-+<>]' | tr '\n' ' ' | cut -c1-200)"
}

set -- /lab/corpus/*.cfg
if [ ! -e "$1" ]; then
    skip corpus "tests/lab/corpus has no .cfg files"
elif xenith_only corpus; then
    cd /lab/corpus || exit 1
    note "$# configs"
    for f in "$@"; do compare "$f"; done
fi
