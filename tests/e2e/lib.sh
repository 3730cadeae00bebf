# lib.sh - helpers for the end-to-end tests (sourced).
#
# Each test script starts its own xenithd --sim on a private socket in a
# fresh directory, drives the real xenith binary, and prints one PASS or
# FAIL line per check.  Nothing assumes timing beyond generous timeouts.
set -u
: "${XENITH_BIN:?}"
SRC=${XENITH_SRCDIR:-.}
T=$(mktemp -d /tmp/xenith-e2e.XXXXXX)
export XENITH_SOCKET=$T/xenithd.sock
DAEMON_PID=
FAILS=0

# Run the daemon under valgrind when asked (make check VALGRIND=1).
daemon_cmd() {
    if [ "${VALGRIND:-0}" = 1 ]; then
        echo "valgrind -q --error-exitcode=99 --leak-check=full \
--suppressions=$(cd "$(dirname "$0")/.." && pwd)/valgrind.supp \
--errors-for-leak-kinds=definite --log-file=$T/valgrind.log"
    fi
}

start_daemon() { # [xenithd args...] (default --sim)
    [ $# -eq 0 ] && set -- --sim
    # shellcheck disable=SC2046
    $(daemon_cmd) "$XENITH_BIN/xenithd" --socket "$XENITH_SOCKET" \
        --state-dir "$T/state" "$@" \
        >"$T/xenithd.log" 2>&1 &
    DAEMON_PID=$!
    i=0
    # The socket file may be left from a killed daemon: wait until one
    # answers.
    while ! "$XENITH_BIN/xenith" info >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 200 ] || ! kill -0 "$DAEMON_PID" 2>/dev/null; then
            echo "FAIL start_daemon: xenithd did not come up"
            cat "$T/xenithd.log"
            exit 1
        fi
        sleep 0.05
    done
}

stop_daemon() {
    [ -n "$DAEMON_PID" ] || return 0
    kill "$DAEMON_PID" 2>/dev/null
    wait "$DAEMON_PID"
    rc=$?
    DAEMON_PID=
    if [ $rc -ne 0 ]; then
        fail "daemon exit" "xenithd exited with status $rc"
        sed 's/^/    /' "$T/xenithd.log" | tail -20
        [ -f "$T/valgrind.log" ] && sed 's/^/    /' "$T/valgrind.log"
    fi
}

cleanup() {
    stop_daemon
    rm -rf "$T"
}
trap cleanup EXIT

pass() { echo "PASS $1"; }
fail() {
    echo "FAIL $1: $2"
    FAILS=$((FAILS + 1))
}

xenith() { "$XENITH_BIN/xenith" "$@"; }

# ok NAME CMD...: the command succeeds.
ok() {
    name=$1; shift
    if out=$("$@" 2>&1); then pass "$name"; else
        fail "$name" "\"$*\" failed: $out"; fi
}

# fails NAME PATTERN CMD...: the command fails with exit status 1 (or the
# status in $WANT_RC), prints exactly one line on stderr matching PATTERN,
# and nothing on stdout.
fails() {
    name=$1; pattern=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"
    rc=$?
    lines=$(wc -l <"$T/err")
    if [ $rc -ne "${WANT_RC:-1}" ]; then
        fail "$name" "\"$*\" exited $rc, wanted ${WANT_RC:-1}: $(cat "$T/err")"
    elif [ "$lines" -ne 1 ]; then
        fail "$name" "\"$*\" printed $lines error lines: $(cat "$T/err")"
    elif [ -s "$T/out" ]; then
        fail "$name" "\"$*\" printed on stdout: $(cat "$T/out")"
    elif ! grep -q -- "$pattern" "$T/err"; then
        fail "$name" "error \"$(cat "$T/err")\" does not match \"$pattern\""
    else
        pass "$name"
    fi
}

# outputs NAME PATTERN CMD...: the command succeeds and its output matches.
outputs() {
    name=$1; pattern=$2; shift 2
    if ! out=$("$@" 2>&1); then
        fail "$name" "\"$*\" failed: $out"
    elif printf '%s\n' "$out" | grep -q -- "$pattern"; then
        pass "$name"
    else
        fail "$name" "output of \"$*\" does not match \"$pattern\": $out"
    fi
}

# A field of a domain's JSON record: field DOMAIN KEY
field() {
    xenith list --json "$1" | sed -n "s/^ *\"$2\": \"*\([^\",]*\)\"*,*$/\1/p" |
        head -1
}

# Host free memory in MiB.
free_mib() { xenith info | awk -F': ' '/^free_memory/ {print $2}'; }

# wait_for NAME TIMEOUT_S CMD...: retry CMD until it succeeds.
wait_for() {
    name=$1; tmo=$2; shift 2
    i=0
    while ! "$@" >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt $((tmo * 20)) ]; then
            fail "$name" "timed out after ${tmo}s waiting for: $*"
            return 1
        fi
        sleep 0.05
    done
    pass "$name"
}

# A minimal xl.cfg: mkcfg NAME MEM_MIB [extra lines...]
mkcfg() {
    n=$1; m=$2; shift 2
    {
        echo "name = \"$n\""
        echo 'type = "pvh"'
        echo 'kernel = "/boot/vmlinuz"'
        echo "memory = $m"
        echo 'vcpus = 2'
        for l in "$@"; do echo "$l"; done
    } >"$T/$n.cfg"
    echo "$T/$n.cfg"
}

finish() {
    stop_daemon
    [ "$FAILS" -eq 0 ]
}
