# lib.sh - the lab's assertion library (busybox sh), sourced by every case.
# shellcheck shell=dash
#
# A case file is a sequence of named checks against the real `xenith` CLI.
# Each check reports one line to $LAB_RESULTS (and the console):
#   PASS area/name
#   FAIL area/name: why
#   SKIP area/name: why
#   EMULATOR: what            (the emulator misbehaved; the step was retried)
# Every command runs under a timeout (T seconds, default 30) and its command
# line, exit status, stdout and stderr go to the case's log (stdout of the
# case, which run-cases.sh sends to /lab/out/cases/AREA.log).
#
# Checks:
#   check NAME CMD...                    CMD exits 0
#   expect_out NAME PATTERN CMD...       CMD exits 0, stdout matches the ERE
#   expect_no_out NAME PATTERN CMD...    CMD exits 0, stdout does not match
#   expect_error NAME PATTERN CMD...     CMD exits non-zero with exactly one
#                                        line on stderr, matching the ERE
#   expect_eq NAME WHAT GOT WANT         two values are equal
#   wait_until NAME SECS CMD...          CMD succeeds within SECS (polled)
#   wait_console NAME GUEST PATTERN SECS [FROM]
#                                        the guest's console shows PATTERN
#   need CHECK...                        the check must pass, or the rest of
#                                        the area is skipped
# Harness facts (domain ids, states, xenstore) come from xl and xenstore-*,
# the reference tools; the assertions are about what xenith does and prints.

LAB_OUT=${LAB_OUT:-/lab/out}
LAB_RESULTS=${LAB_RESULTS:-$LAB_OUT/results}
AREA=${AREA:-adhoc}
# The CLI under test.  LAB_CLI=xl runs the cases against xl, to check the
# harness itself; xenith-only checks (JSON, config-check) are then skipped.
X=${LAB_CLI:-xenith}
T=${T:-30}
CONSOLE_DIR=/var/log/xen/console
CFG_DIR=/tmp/lab-cfg
SAVE_DIR=/tmp/lab-save
WORK=/tmp/lab-work.$$
mkdir -p "$WORK" "$CFG_DIR" "$SAVE_DIR"
LAB_FAILS=0

# --- reporting -----------------------------------------------------------------

_emit() {
    echo "$*" >> "$LAB_RESULTS"
    echo "lab: $*" > /dev/console 2>/dev/null
    # In a case, stdout is its log; there the line marks the end of a check.
    [ "${LAB_IN_CASE:-0}" = 1 ] && echo ">>> $*"
    return 0
}
note() { echo "--- $*"; }
pass() { _emit "PASS $AREA/$1"; }
fail() {
    LAB_FAILS=$((LAB_FAILS + 1))
    _emit "FAIL $AREA/$1: $2"
    # Without xenithd every later check would fail the same way (unless
    # the case runs with xenithd stopped on purpose).
    if [ "${LAB_IN_CASE:-0}" = 1 ] && [ "$X" = xenith ] &&
        [ "${LAB_DAEMON:-}" != stopped ] && [ -z "$(pidof xenithd)" ]; then
        skip rest "the rest of $AREA is not run: xenithd is not running (after $1)"
        exit 3
    fi
    return 1
}
skip() { _emit "SKIP $AREA/$1: $2"; }
emulator() { _emit "EMULATOR: $AREA: $*"; }

# The first line of a file, shortened, for a FAIL line.
_first() { sed -n '/./{p;q;}' "$1" | cut -c1-160; }

# Why the last `run` failed: its exit status and first line of output.
_why() {
    local w e
    w="\`$RUN_CMD\` exited $RC"
    [ "$RC" = 137 ] && w="\`$RUN_CMD\` timed out after ${T}s"
    e=$(_first "$ERR"); [ -z "$e" ] && e=$(_first "$OUT")
    [ -n "$e" ] && w="$w: $e"
    echo "$w"
}

# --- running commands ------------------------------------------------------------

# run CMD...: run a program under the timeout, output in $OUT and $ERR, exit
# status in $RC, everything logged.  Shell functions run directly (they keep
# their own time limits).
OUT=$WORK/out
ERR=$WORK/err
run() {
    RUN_CMD=$*
    RC=0
    case $(type "$1" 2>/dev/null) in
    *function*) "$@" >"$OUT" 2>"$ERR" || RC=$? ;;
    *) timeout -s KILL "$T" "$@" >"$OUT" 2>"$ERR" </dev/null || RC=$? ;;
    esac
    echo "\$ $RUN_CMD    [exit $RC]"
    sed 's/^/    | /' "$OUT"
    sed 's/^/    ! /' "$ERR"
    return "$RC"
}

# quiet CMD...: run a program under the timeout; nothing logged.
quiet() { timeout -s KILL "$T" "$@" >/dev/null 2>&1 </dev/null; }

check() {
    local name=$1; shift
    if run "$@"; then pass "$name"; else fail "$name" "$(_why)"; fi
}

expect_out() {
    local name=$1 pat=$2; shift 2
    run "$@" || { fail "$name" "$(_why)"; return 1; }
    if grep -Eq -- "$pat" "$OUT"; then pass "$name"; return 0; fi
    fail "$name" "\`$RUN_CMD\` printed no line matching /$pat/; first line: $(_first "$OUT")"
}

expect_no_out() {
    local name=$1 pat=$2; shift 2
    run "$@" || { fail "$name" "$(_why)"; return 1; }
    if ! grep -Eq -- "$pat" "$OUT"; then pass "$name"; return 0; fi
    fail "$name" "\`$RUN_CMD\` printed: $(grep -E -- "$pat" "$OUT" | head -n1 | cut -c1-160)"
}

expect_error() {
    local name=$1 pat=$2 n; shift 2
    run "$@"
    if [ "$RC" = 0 ]; then
        fail "$name" "\`$RUN_CMD\` succeeded; an error was expected"; return 1
    fi
    [ "$RC" = 137 ] && { fail "$name" "$(_why)"; return 1; }
    n=$(grep -c . "$ERR")
    if [ "$n" != 1 ]; then
        fail "$name" "\`$RUN_CMD\` exited $RC with $n lines on stderr (want exactly one): $(_first "$ERR")"
        return 1
    fi
    if ! grep -Eqi -- "$pat" "$ERR"; then
        fail "$name" "error does not match /$pat/: $(_first "$ERR")"; return 1
    fi
    pass "$name"
}

expect_eq() {
    note "$2: \"$3\" (want \"$4\")"
    if [ "$3" = "$4" ]; then pass "$1"; return 0; fi
    fail "$1" "$2: got \"$3\", want \"$4\""
}

wait_until() {
    local name=$1 secs=$2 end; shift 2
    end=$(($(date +%s) + secs))
    while :; do
        if run "$@" >/dev/null; then
            run "$@"          # log the passing attempt
            pass "$name"; return 0
        fi
        [ "$(date +%s)" -ge "$end" ] && break
        sleep 1
    done
    run "$@"
    fail "$name" "not true within ${secs}s: $(_why)"
}

# need CHECK...: a step the rest of the area depends on.
need() {
    "$@" && return 0
    skip "$2.rest" "the rest of $AREA is not run: $2 failed"
    exit 3
}

# xenith_only NAME: true when the CLI under test is xenith; otherwise the
# check is reported as skipped.
xenith_only() {
    [ "$X" = xenith ] && return 0
    skip "$1" "xenith-only check (running against $X)"
    return 1
}

# --- reading outputs ---------------------------------------------------------------

# jget KEY FILE: the first value of "KEY" in pretty-printed JSON (quotes and
# trailing comma removed).
jget() {
    sed -n "s/^[[:space:]]*\"$1\"[[:space:]]*:[[:space:]]*//p" "$2" |
        head -n1 | sed 's/,[[:space:]]*$//; s/^"//; s/"$//'
}

# field FILE KEY COL: column COL of the first line whose first column is KEY.
field() { awk -v k="$2" -v c="$3" '$1 == k { print $c; exit }' "$1"; }

# Domain facts from xl (the reference toolstack).
xl_domid() { xl domid "$1" 2>/dev/null; }
xl_state() { xl list "$1" 2>/dev/null | awk 'NR == 2 { print $5 }'; }
xl_has() { xl list "$1" >/dev/null 2>&1; }
xl_gone() { ! xl_has "$1"; }
xs_is() { [ "$(xenstore-read "$1" 2>/dev/null)" = "$2" ]; }

# Is the domain's xl-style state string (column 5 of a list) paused?
state_paused() { case $1 in ??p*) return 0 ;; esac; return 1; }

# --- guests ------------------------------------------------------------------------

GUEST_KERNEL=/lab/guest/vmlinux
GUEST_RAMDISK=/lab/guest/initrd.cpio.gz

# guest_cfg NAME TYPE [LINE...]: write an xl.cfg for a lab guest; prints its
# path.  Guests run on pCPU 1 (dom0 owns pCPU 0: README.md, "Facts the lab
# relies on", on dom0 and PVH guests sharing a pCPU under TCG).
# A reboot or crash is preserved so an emulator fault stays visible.
guest_cfg() {
    local f=$CFG_DIR/$1.cfg l
    {
        echo "name = \"$1\""
        echo "type = \"$2\""
        echo "kernel = \"$GUEST_KERNEL\""
        echo "ramdisk = \"$GUEST_RAMDISK\""
        echo 'extra = "console=hvc0 quiet"'
        echo 'memory = 128'
        echo 'vcpus = 1'
        echo 'cpus = "1"'
        echo 'on_reboot = "preserve"'
        echo 'on_crash = "preserve"'
        # PVH under TCG hangs on RDTSCP emulation unless the TSC is native.
        [ "$2" = pvh ] && echo 'tsc_mode = "native"'
        shift 2
        for l in "$@"; do echo "$l"; done
    } > "$f"
    echo "$f"
}

con_file() { echo "$CONSOLE_DIR/guest-$1.log"; }
# con_lines NAME: lines in the guest's console log so far (a mark for "since").
con_lines() { local f; f=$(con_file "$1"); if [ -f "$f" ]; then wc -l < "$f"; else echo 0; fi; }
# con_since NAME FROM: the console lines after line FROM.
con_since() { local f; f=$(con_file "$1"); [ -f "$f" ] && tail -n +$(($2 + 1)) "$f"; }
# last_beat NAME: the number of the guest's last heartbeat (0 if none).
last_beat() {
    local f b
    f=$(con_file "$1")
    b=$([ -f "$f" ] && grep -a '^GUEST-HEARTBEAT ' "$f" | tail -n1 | awk '{ print $2 }')
    echo "${b:-0}"
}
con_tail() { local f; f=$(con_file "$1"); [ -f "$f" ] && tail -n "${2:-3}" "$f" | tr '\r\n' '  ' | cut -c1-200; }

wait_console() {
    local name=$1 g=$2 pat=$3 secs=$4 from=${5:-0} end
    end=$(($(date +%s) + secs))
    while :; do
        if con_since "$g" "$from" | grep -Eq -- "$pat"; then
            note "$g's console: $(con_since "$g" "$from" | grep -E -- "$pat" | head -n1)"
            pass "$name"; return 0
        fi
        [ "$(date +%s)" -ge "$end" ] && break
        sleep 1
    done
    fail "$name" "no /$pat/ on $g's console within ${secs}s; last: $(con_tail "$g")"
}

# beats_stopped NAME GUEST: no heartbeat for 4 s (after 2 s for output in flight).
beats_stopped() {
    local b0 b1
    sleep 2
    b0=$(last_beat "$2"); sleep 4; b1=$(last_beat "$2")
    note "heartbeats of $2: $b0 -> $b1"
    expect_eq "$1" "heartbeats while paused" "$b1" "$b0"
}

# beats_resume NAME GUEST FROM [SECS]: a heartbeat after number FROM appears.
beats_resume() {
    local end
    end=$(($(date +%s) + ${4:-30}))
    while [ "$(last_beat "$2")" -le "$3" ]; do
        if [ "$(date +%s)" -ge "$end" ]; then
            fail "$1" "no heartbeat after #$3 within ${4:-30}s; last: $(con_tail "$2")"
            return 1
        fi
        sleep 1
    done
    note "heartbeats of $2 went on: $3 -> $(last_beat "$2")"
    pass "$1"
}

# _wait_up GUEST FROM SECS: wait for GUEST-UP after console line FROM.
# Returns 0 when up, 2 when the emulator killed the first boot (Xen logged a
# triple fault or crash, or the domain stopped before printing anything),
# 1 otherwise; $WHY says what happened.
_wait_up() {
    local g=$1 from=$2 end id='' cur
    end=$(($(date +%s) + $3))
    while :; do
        con_since "$g" "$from" | grep -q '^GUEST-UP' && return 0
        cur=$(xl_domid "$g")
        [ -n "$cur" ] && id=$cur
        if [ -n "$id" ] && xl dmesg 2>/dev/null |
            grep -Eq "d${id}v[0-9]+ Triple fault|Domain ${id} \(vcpu#[0-9]+\) crashed"; then
            WHY="Xen logged a triple fault/crash of domain $id before its first console output"
            return 2
        fi
        if [ -n "$cur" ]; then
            case $(xl_state "$cur") in
            *c*) WHY="domain $cur crashed before its first console output"; return 2 ;;
            *s*) WHY="domain $cur shut down before its first console output"; return 2 ;;
            esac
        elif [ -n "$id" ]; then
            WHY="domain $id vanished before its first console output"; return 1
        fi
        if [ "$(date +%s)" -ge "$end" ]; then
            WHY="no GUEST-UP on the console within ${3}s (domain ${id:-none}); last: $(con_tail "$g")"
            return 1
        fi
        sleep 1
    done
}

# boot_guest NAME GUEST CMD...: create a guest with CMD and wait until it
# prints GUEST-UP.  Reports NAME.create and NAME.boot; CMD's stdout is kept
# in $WORK/create.out.  A first boot the
# emulator kills is reported as EMULATOR, destroyed and created once more.
boot_guest() {
    local name=$1 g=$2 from r; shift 2
    from=$(con_lines "$g")
    check "$name.create" "$@" || return 1
    cp "$OUT" "$WORK/create.out"
    r=0; _wait_up "$g" "$from" 90 || r=$?
    if [ "$r" = 2 ]; then
        emulator "guest $g: $WHY; destroying it and creating it again"
        quiet xl destroy "$g"
        from=$(con_lines "$g")
        run "$@" || { fail "$name.boot" "re-creating after an emulator fault: $(_why)"; return 1; }
        cp "$OUT" "$WORK/create.out"
        r=0; _wait_up "$g" "$from" 90 || r=$?
        [ "$r" = 2 ] && WHY="$WHY (second boot too)"
    fi
    [ "$r" = 0 ] || { fail "$name.boot" "$WHY"; return 1; }
    note "$g is up as domain $(xl_domid "$g")"
    pass "$name.boot"
}

# destroy_all: remove every guest (cleanup between areas), with xl.
destroy_all() {
    xl list 2>/dev/null | awk 'NR > 1 && $2 != 0 { print $2 }' | while read -r d; do
        note "cleanup: destroying leftover domain $d"
        quiet xl destroy "$d"
    done
}

# restart_xenithd [ARG...]: kill xenithd with -9 (nothing of its orderly
# close runs) and start it again with these arguments, as the lab starts it
# otherwise; the caller waits until it answers (wait_until NAME 30 $X list).
# shellcheck disable=SC2086
restart_xenithd() {
    local pid
    pid=$(pidof xenithd)
    [ -n "$pid" ] && kill -9 $pid
    while [ -n "$pid" ] && kill -0 $pid 2>/dev/null; do sleep 0.2; done
    echo "=== xenithd started again by $AREA: $*" >> /var/log/xenith/xenithd.log
    # shellcheck disable=SC2086
    setsid xenithd -v --socket "$XENITH_SOCKET" ${LAB_XENITHD_ARGS:-} "$@" \
        >> /var/log/xenith/xenithd.log 2>&1 < /dev/null &
}

# destroy_pools: every cpupool but Pool-0 destroyed and its pCPUs given back
# to Pool-0 (cleanup between areas, after destroy_all), with xl.  A pool
# whose destroyed domains are still dying keeps its last pCPU a moment.
destroy_pools() {
    local p cpus n
    xl cpupool-list -c 2>/dev/null | awk 'NR > 1 && $1 != "Pool-0" { print $1, $2 }' |
        while read -r p cpus; do
            note "cleanup: destroying leftover cpupool $p (CPUs ${cpus:-none})"
            n=0
            while [ -n "$cpus" ] && ! quiet xl cpupool-cpu-remove "$p" "$cpus" &&
                [ $n -lt 20 ]; do
                n=$((n + 1)); sleep 0.5
            done
            quiet xl cpupool-destroy "$p" || note "cleanup: xl cpupool-destroy $p failed"
            [ -n "$cpus" ] && { quiet xl cpupool-cpu-add Pool-0 "$cpus" ||
                note "cleanup: xl cpupool-cpu-add Pool-0 $cpus failed"; }
        done
}

# slow SECS CHECK...: run a check with a longer command time limit.
slow() {
    local r=0
    T=$1; shift
    "$@" || r=$?
    T=30
    return $r
}

# cli_lists DOM: `$X list` has a row for DOM.  A destroyed domain can linger
# for a moment while Xen frees it ("dying"), so callers wait for its absence.
cli_lists() {
    timeout -s KILL "$T" "$X" list 2>/dev/null </dev/null | awk -v d="$1" '$1 == d { f = 1 } END { exit !f }'
}
cli_lacks() { ! cli_lists "$1"; }

# cli_col DOM COL: column COL of DOM's row in `$X list DOM`.
cli_col() {
    timeout -s KILL "$T" "$X" list "$1" 2>/dev/null </dev/null |
        awk -v d="$1" -v c="$2" '$1 == d { print $c; exit }'
}
