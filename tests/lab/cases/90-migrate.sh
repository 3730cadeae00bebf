# 90-migrate.sh - live migration between two Xen hosts (boot M): a PVH
# guest goes A -> B -> A with `xenith migrate` over TLS between the two
# xenithds while its console heartbeat goes on, then A -> B with `xl
# migrate` over ssh, timed in the same run; B's refused peers (plaintext,
# another CA) are refused by A.  Last, B sends it to A once more and A's
# xenithd is killed with -9 mid-stream: the guest runs on at B, and A's
# restarted xenithd destroys the partial copy.  Both hosts run this file; LAB_ROLE says
# which one this is.  They keep in step through each other's state log
# (labnet serve, port 8001: one state a line, appended).
# shellcheck shell=dash disable=SC2086
# lab-boot: M
# lab-timeout: 480

G=mig
ROLE=${LAB_ROLE:?the two-host boot sets LAB_ROLE}
PEER=${LAB_PEER:?}
ST=/run/lab-state
FIG=$LAB_OUT/figures
TICK_PORT=8003
: > $ST
labnet serve 8001 $ST &
labnet tickserve $TICK_PORT $CONSOLE_DIR &

setstate() { echo "$1" >> $ST; note "state: $1"; }
# A host that stops early (a failed `need`, a time-out) says so: the other
# one stops waiting for it.
trap 'setstate STOPPED' EXIT
peer_said() { labnet get $PEER 8001 2>/dev/null | grep -Eqx "$1|STOPPED"; }
# waitpeer NAME STATE SECS: the other host reaches STATE (the ERE).
waitpeer() {
    wait_until "$1" "$3" peer_said "$2" || return 1
    if labnet get $PEER 8001 | grep -qx STOPPED; then
        skip "$1.rest" "the rest of $AREA is not run: the other host stopped"
        exit 3
    fi
}
figure() { echo "LAB-FIGURE $*" >> $FIG; note "figure: $*"; }

# The guest's console on this host: under its name, or, for a guest that
# arrived by migration, under the name it had when xenconsoled first saw it.
beat_max() {
    cat $CONSOLE_DIR/guest-$G.log $CONSOLE_DIR/guest-$G--incoming.log 2>/dev/null |
        awk '$1 == "GUEST-HEARTBEAT" && $2 > m { m = $2 } END { print m + 0 }'
}
ups_here() {
    cat $CONSOLE_DIR/guest-$G.log $CONSOLE_DIR/guest-$G--incoming.log 2>/dev/null |
        grep -c '^GUEST-UP'
}
beats_past() { [ "$(beat_max)" -gt "$1" ]; }
runs_here() { xl_has $G && ! state_paused "$(xl_state $G)"; }

# timed_migrate NAME CMD...: run a migration under the downtime watch;
# sets SECS (wall time, this host's clock) and GAP (the ticks' longest
# silence, ms) and leaves the command's output in $OUT.
timed_migrate() {
    local name=$1 t0 t1 gw; shift
    labnet gapwatch $PEER $TICK_PORT $CONSOLE_DIR > $WORK/gap 2>&1 &
    gw=$!
    sleep 1
    t0=$(labnet now)
    slow 300 check "$name" "$@"
    t1=$(labnet now)
    sleep 2                 # the first ticks on the new host
    kill $gw; wait $gw
    SECS=$(awk -v a=$t0 -v b=$t1 'BEGIN { printf "%.1f", b - a }')
    GAP=$(sed -n 's/^gap_ms=\([0-9]*\).*/\1/p' $WORK/gap)
    note "$name: ${SECS}s, ticks' longest silence ${GAP:-?} ms ($(cat $WORK/gap))"
}

# arrived NAME FROM_BEATS: the guest runs here, carried on (its heartbeat
# count went on past FROM_BEATS, and it did not boot again), and xenith
# lists it.
arrived() {
    wait_until "$1.running" 30 runs_here
    wait_until "$1.heartbeat" 30 beats_past "$2"
    expect_eq "$1.no-reboot" "GUEST-UP lines on this host" "$(ups_here)" "$3"
    wait_until "$1.listed" 20 $X list $G
}

setstate READY
waitpeer peer.up READY 180

if [ "$ROLE" = A ]; then
    expect_out services.listening "migration.*listening|listening.*169\.254\.0\.1" $X services
    cfg=$(guest_cfg $G pvh)
    sed -i 's/^extra = .*/extra = "console=hvc0 quiet tick_ms=100"/' "$cfg"
    need boot_guest guest $G $X create "$cfg"
    wait_until guest.heartbeat 30 beats_past 1

    # B's refused peers, tried while the guest booted.
    waitpeer refused.tried REFUSED-TRIED 120
    refusals() { grep -c "refused a connection from $PEER:" /var/log/xenith/xenithd.log; }
    two_refused() { [ "$(refusals)" -ge 2 ]; }
    wait_until refused.logged 20 two_refused
    expect_no_out refused.nothing-started "^[0-9]+ +in " $X migrations
    wait_until refused.guest-runs 5 runs_here

    # 1. xenith: A -> B over TLS.
    b=$(beat_max)
    timed_migrate xenith.a-to-b $X migrate $G $PEER
    x_secs=$SECS x_gap=$GAP
    x_down=$(sed -n 's/.*downtime \([0-9]*\) ms.*/\1/p' $OUT)
    wait_until xenith.a-to-b.gone 20 xl_gone $G
    figure "xenith migrate A->B: ${x_secs}s, downtime ${x_down:-?} ms by xenith, ticks' longest silence ${x_gap:-?} ms"
    setstate XENITH-A-TO-B:$b
    # 2. B sends it back.
    waitpeer xenith.b-to-a.done XENITH-B-TO-A 420
    arrived xenith.b-to-a "$b" 1
    # 3. xl over ssh, A -> B, the same guest, the same path.
    b=$(beat_max)
    timed_migrate xl.a-to-b xl migrate $G $PEER
    l_secs=$SECS l_gap=$GAP
    wait_until xl.a-to-b.gone 20 xl_gone $G
    figure "xl migrate (ssh) A->B: ${l_secs}s, ticks' longest silence ${l_gap:-?} ms"
    if [ -n "$x_secs" ] && [ -n "$l_secs" ] && [ -n "$x_gap" ] && [ -n "$l_gap" ]; then
        figure "xenith / xl, A->B: time $(awk -v a=$x_secs -v b=$l_secs 'BEGIN { printf "%.2f", a / b }')x," \
            "downtime (ticks) $(awk -v a=$x_gap -v b=$l_gap 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')x"
    fi
    setstate XL-A-TO-B:$b
    # 4. the receiver killed mid-stream.
    incoming() { xl_has $G--incoming; }
    wait_until killed.incoming 180 incoming
    sleep 3
    restart_xenithd
    wait_until killed.restarted 30 $X list
    wait_until killed.partial-gone 30 xl_gone $G--incoming
    expect_out killed.logged "partial copy $G--incoming .* is destroyed" \
        grep "partial copy" /var/log/xenith/xenithd.log
    expect_out killed.recorded "^[0-9]+ +in +$G .* failed" $X migrations
    setstate KILLED
    waitpeer peer.done DONE 300
else
    # Refused peers: plaintext, and a client whose certificate another CA
    # signed (a second xenithd, on a simulated host, with the rogue CA).
    run sh -c "echo 'GET / HTTP/1.0' | nc -w 5 $PEER 8002"
    mkdir -p /tmp/rogue
    setsid xenithd --sim --socket /run/xenith/rogue.sock --state-dir /tmp/rogue \
        --cert-dir /lab/out/rogue > /tmp/rogue/log 2>&1 < /dev/null &
    rogue=$!
    main_socket=$XENITH_SOCKET
    export XENITH_SOCKET=/run/xenith/rogue.sock
    wait_until rogue.up 20 $X list
    cfg=$(guest_cfg rogue pvh)
    check rogue.create $X create "$cfg"
    slow 60 expect_error rogue.refused \
        "handshake|certificate|TLS|verify|refused" $X migrate rogue $PEER
    XENITH_SOCKET=$main_socket
    kill $rogue
    setstate REFUSED-TRIED

    # 1. the guest arrives from A.
    waitpeer xenith.a-to-b.done 'XENITH-A-TO-B:[0-9]*' 420
    b=$(labnet get $PEER 8001 | sed -n 's/^XENITH-A-TO-B://p')
    arrived xenith.a-to-b "${b:-0}" 0
    expect_out xenith.a-to-b.recorded "^[0-9]+ +in +$G .* done" $X migrations
    # 2. back to A.
    b=$(beat_max)
    # With zstd: most of an idle guest's pages are zeros.
    timed_migrate xenith.b-to-a $X migrate --compress=1 $G $PEER
    down=$(sed -n 's/.*downtime \([0-9]*\) ms.*/\1/p' $OUT)
    wait_until xenith.b-to-a.gone 20 xl_gone $G
    figure "xenith migrate --compress=1 B->A: ${SECS}s, downtime ${down:-?} ms by xenith, ticks' longest silence ${GAP:-?} ms"
    setstate XENITH-B-TO-A
    # 3. xl brings it here once more: xenith adopts xl's domain.
    waitpeer xl.a-to-b.done 'XL-A-TO-B:[0-9]*' 420
    b=$(labnet get $PEER 8001 | sed -n 's/^XL-A-TO-B://p')
    arrived xl.a-to-b "${b:-0}" 0
    # 4. to A once more; A's xenithd is killed with -9 mid-stream.
    b=$(beat_max)
    slow 240 run $X migrate --compress=1 $G $PEER
    expect_eq killed.failed "the migration's exit status" "$RC" 1
    note "xenith migrate said: $(_first "$ERR")"
    wait_until killed.runs-on 30 runs_here
    wait_until killed.heartbeat 30 beats_past "$b"
    expect_out killed.listed "^$G[[:space:]]" $X list
    waitpeer killed.peer-clean KILLED 120
    check cleanup.destroy $X destroy $G
    setstate DONE
    # A's state log must stay up until A has read this.
    sleep 3
fi
