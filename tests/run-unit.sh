#!/bin/sh
# run-unit.sh - run each Check suite binary given; summarise; fail if any fails.
# Under valgrind when VALGRIND=1 (leaks are errors).
set -u
# Leaks inside Xen's libraries that xenith cannot free (lsan.supp).
LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$(cd "$(dirname "$0")" && pwd)/lsan.supp"
export LSAN_OPTIONS
pass=0
fail=0
failed=
for t in "$@"; do
    name=$(basename "$t")
    if [ "${VALGRIND:-0}" = 1 ]; then
        CK_FORK=no valgrind -q --error-exitcode=99 --leak-check=full \
            --show-possibly-lost=no \
            --suppressions="$(dirname "$0")/valgrind.supp" \
            --errors-for-leak-kinds=definite,indirect "$t"
    else
        "$t"
    fi
    rc=$?
    if [ $rc -eq 0 ]; then
        pass=$((pass + 1))
    else
        fail=$((fail + 1))
        failed="$failed $name"
    fi
done
echo "unit suites: $pass passed, $fail failed"
[ $fail -eq 0 ] || { echo "failed suites:$failed"; exit 1; }
