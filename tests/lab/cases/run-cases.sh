#!/bin/sh
# run-cases.sh - run lab cases inside dom0 (called by /init; also usable by
# hand from the lab shell):   sh /lab/cases/run-cases.sh [CASE...]
#                             sh /lab/cases/run-cases.sh --daemon-only
#
# CASE is a file name in /lab/cases with or without ".sh" (e.g. 10-pv-lifecycle).
# Starts xenithd first (unless LAB_CLI=xl or it is already running); with
# --daemon-only, that is all.  No CASE: every case file.  Each case
# file runs in its own session with a time limit (default 120 s, or a
# "# lab-timeout: SECS" line in the file); its log is /lab/out/cases/AREA.log
# where AREA is the file name without the number and ".sh".  After each file
# the leftover guests and cpupools are destroyed (their pCPUs back in Pool-0),
# and xenithd must still be alive.  A
# file with a "# lab-daemon: stopped" line runs with xenithd stopped (the
# case sees LAB_DAEMON=stopped); xenithd is started again after it.
# shellcheck shell=dash

CASES_DIR=/lab/cases
LAB_OUT=${LAB_OUT:-/lab/out}
export LAB_OUT LAB_RESULTS="$LAB_OUT/results"
export XENITH_SOCKET=${XENITH_SOCKET:-/run/xenith/xenithd.sock}
XENITHD_LOG=/var/log/xenith/xenithd.log
mkdir -p "$LAB_OUT/cases" "$LAB_OUT/console" /var/log/xenith "$(dirname "$XENITH_SOCKET")"

AREA=boot-${LAB_BOOT:-X}${LAB_ROLE:+@$LAB_ROLE}
# shellcheck source=lib.sh
. "$CASES_DIR/lib.sh"

save_logs() {
    cp /var/log/xen/console/*.log "$LAB_OUT/console/" 2>/dev/null
    [ -f "$XENITHD_LOG" ] && cp "$XENITHD_LOG" "$LAB_OUT/xenithd.log"
    xl dmesg > "$LAB_OUT/xen-dmesg.log" 2>&1
    dmesg > "$LAB_OUT/dom0-dmesg.log" 2>&1
}

# What is known about xenithd's end: a segfault line from the kernel, or
# the last line of its log.
xenithd_segfaults() { dmesg | grep -E 'xenithd\[[0-9]+\]: segfault' | sed 's/^\[[ 0-9.]*\] //'; }
xenithd_death() {
    local seg
    seg=$(xenithd_segfaults | tail -n +$((SEGFAULTS_BEFORE + 1)) | tail -n1)
    if [ -n "$seg" ]; then echo "$seg; its last log line: $(tail -n1 "$XENITHD_LOG")"
    else tail -n1 "$XENITHD_LOG"; fi
}

# dom0_segfaults: the kernel's segfault lines so far.  One from a process
# other than xenith's is most likely the emulator's doing (README.md, "Facts
# the lab relies on"); it is reported, not retried.
dom0_segfaults() { dmesg | grep -E '\]: segfault at ' | sed 's/^\[[ 0-9.]*\] //'; }

xenithd_pid() { pidof xenithd 2>/dev/null | awk '{ print $1 }'; }

# start_xenithd [NAME]: start xenithd and wait until it answers; reports
# NAME (default xenithd.start).
start_xenithd() {
    local t0 name=${1:-xenithd.start}
    if ! command -v xenithd >/dev/null; then
        fail "$name" "xenithd is not in the image"; return 1
    fi
    echo "=== starting xenithd $(date)" >> "$XENITHD_LOG"
    SEGFAULTS_BEFORE=$(xenithd_segfaults | wc -l)
    # shellcheck disable=SC2086
    setsid xenithd -v --socket "$XENITH_SOCKET" ${LAB_XENITHD_ARGS:-} \
        >> "$XENITHD_LOG" 2>&1 < /dev/null &
    t0=$(date +%s)
    while [ $(($(date +%s) - t0)) -lt 30 ]; do
        if [ -S "$XENITH_SOCKET" ] && T=5 quiet xenith list; then
            pass "$name"; return 0
        fi
        if [ -z "$(xenithd_pid)" ] && [ $(($(date +%s) - t0)) -ge 2 ]; then
            save_logs
            fail "$name" "xenithd exited at start: $(tail -n1 "$XENITHD_LOG")"
            return 1
        fi
        sleep 0.5
    done
    save_logs
    fail "$name" "xenithd did not answer \`xenith list\` on $XENITH_SOCKET within 30s"
}

# stop_xenithd: stop xenithd (TERM; KILL after 10 s) for a case that wants
# the host to itself.
stop_xenithd() {
    local pid t0
    pid=$(xenithd_pid)
    [ -n "$pid" ] || return 0
    echo "=== stopping xenithd $(date) for the next case" >> "$XENITHD_LOG"
    kill -TERM "$pid"
    t0=$(date +%s)
    while kill -0 "$pid" 2>/dev/null; do
        if [ $(($(date +%s) - t0)) -ge 10 ]; then
            kill -KILL "$pid"; sleep 0.5; break
        fi
        sleep 0.2
    done
}

# daemon_of FILE: "stopped" when the file wants xenithd stopped.
daemon_of() { sed -n 's/^# lab-daemon: *\([a-z]*\).*/\1/p' "$1" | head -n1; }

# timeout_of FILE: the case file's time limit.
timeout_of() {
    local t
    t=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$1" | head -n1)
    echo "${t:-120}"
}

# run_case FILE: run one case file with its time limit.
run_case() {
    local file=$1 area limit pid t0 rc timed_out=0 segs line daemon
    area=$(basename "$file" .sh); area=${area#[0-9][0-9]-}
    # The two hosts run the same file: their checks are told apart.
    [ -n "${LAB_ROLE:-}" ] && area=$area@$LAB_ROLE
    limit=$(timeout_of "$file")
    daemon=$(daemon_of "$file")
    [ "$daemon" = stopped ] && [ "$X" = xenith ] && stop_xenithd
    echo "AREA-START $area" >> "$LAB_RESULTS"
    t0=$(date +%s)
    segs=$(dom0_segfaults | wc -l)
    # The case's own session, so a timeout can kill everything it started.
    # shellcheck disable=SC2016
    AREA=$area LAB_IN_CASE=1 LAB_DAEMON=$daemon setsid sh -c '. /lab/cases/lib.sh; . "$1"; echo "AREA-COMPLETE" >> "$LAB_RESULTS"' \
        sh "$file" > "$LAB_OUT/cases/$area.log" 2>&1 < /dev/null &
    pid=$!
    while kill -0 "$pid" 2>/dev/null; do
        if [ $(($(date +%s) - t0)) -ge "$limit" ]; then
            kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
            _emit "FAIL $area/timeout: the case did not finish within ${limit}s (see cases/$area.log)"
            timed_out=1
            break
        fi
        sleep 1
    done
    wait "$pid"; rc=$?
    # A case ends at its end (AREA-COMPLETE), with `exit 0`, or with status 3
    # after a failed `need`.
    if [ "$(tail -n1 "$LAB_RESULTS" | cut -d' ' -f1)" = AREA-COMPLETE ]; then
        :
    elif [ "$rc" != 0 ] && [ "$rc" != 3 ] && [ "$timed_out" = 0 ]; then
        _emit "FAIL $area/script: the case script stopped with status $rc (see cases/$area.log)"
    fi
    dom0_segfaults | tail -n +$((segs + 1)) | grep -v -E '^(xenithd?|hv-probe)\[' |
        while read -r line; do
            _emit "EMULATOR: $area: a dom0 process crashed (not retried; see dom0-dmesg.log): $line"
        done
    destroy_all >> "$LAB_OUT/cases/$area.log" 2>&1
    destroy_pools >> "$LAB_OUT/cases/$area.log" 2>&1
    save_logs
    echo "AREA-END $area $(($(date +%s) - t0))s" >> "$LAB_RESULTS"
    if [ "$X" != xenith ]; then
        :
    elif [ "$daemon" = stopped ]; then
        start_xenithd "xenithd.start-after-$area"
    elif [ -z "$(xenithd_pid)" ]; then
        fail "xenithd.alive-after-$area" "xenithd is no longer running: $(xenithd_death)"
        start_xenithd
    fi
}

if [ "$X" = xenith ] && [ -z "$(xenithd_pid)" ]; then
    start_xenithd
fi
[ "${1:-}" = --daemon-only ] && exit 0

# shellcheck disable=SC2046
[ $# -gt 0 ] || set -- $(cd "$CASES_DIR" && ls [0-9]*.sh)
for c in "$@"; do
    f=$CASES_DIR/${c%.sh}.sh
    if [ -f "$f" ]; then
        run_case "$f"
    else
        fail "no-such-case" "$c is not in $CASES_DIR"
    fi
done
save_logs
