#!/bin/sh
# run-e2e.sh - run every tests/e2e/[0-9]*.sh against the built binaries
# ($XENITH_BIN/xenithd --sim on a private socket, and $XENITH_BIN/xenith).
# Each script prints PASS/FAIL lines; this sums them up.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${XENITH_BIN:?set XENITH_BIN to the build directory}"
export XENITH_BIN XENITH_SRCDIR="${XENITH_SRCDIR:-$(dirname "$here")}"
# Leaks inside Xen's libraries that xenith cannot free (lsan.supp).
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$here/lsan.supp"
export LSAN_OPTIONS
pass=0
fail=0
for t in "$here"/e2e/[0-9]*.sh; do
    out=$(sh "$t" 2>&1)
    rc=$?
    printf '%s\n' "$out"
    p=$(printf '%s\n' "$out" | grep -c '^PASS ')
    f=$(printf '%s\n' "$out" | grep -c '^FAIL ')
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        echo "FAIL $(basename "$t"): exited $rc"
        f=1
    fi
    pass=$((pass + p))
    fail=$((fail + f))
done
echo "e2e: $pass passed, $fail failed"
[ $fail -eq 0 ]
