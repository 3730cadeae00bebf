#!/bin/sh
# Migration faults: for each side (send, receive), phase and kind (cut,
# corrupt, stall) injected through migration.fault, a migration from
# hosta to hostb fails (or ends unconfirmed) and the rules hold:
#   - the domain runs exactly once (none running only when the source's
#     record is unconfirmed, its copy NAME--migratedaway paused there);
#   - no NAME--incoming stays on hostb; a failure before go leaves it
#     running on hosta under its own name;
#   - both daemons keep a record of what happened (failed with an error,
#     done, or unconfirmed with a recovery hint) and log it;
#   - an unconfirmed one is recovered (--destroy when it runs on hostb,
#     --resume otherwise) and then runs exactly once;
#   - both daemons still answer and stop cleanly.
# Then the receiver killed -9 mid-stream, and a receiver that stops
# answering (SIGSTOP) mid-stream.  KEEP=1 keeps $T (the logs of each case
# are in $T/logs).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/miglib.sh"
trap 'kill -CONT "$(pid_of hostb)" 2>/dev/null; mig_cleanup
if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi' EXIT

# migration.timeout on both hosts (TMO), the domain's memory (MEM, MiB:
# small, to keep each case short) and how long anything may take (LONG,
# generous).  Under valgrind the receiver restores so slowly that the
# source would time out waiting while the image still drains from the
# buffers on the way: less memory, a longer timeout.
if [ "${VALGRIND:-0}" = 1 ]; then
    TMO=${TMO:-10} MEM=${MEM:-8} LONG=240
else
    TMO=${TMO:-3} MEM=${MEM:-32} LONG=60
fi
BIG=2048                        # MiB: a stream that lasts
mkdir -p "$T/logs"

ok "certificates" mig_certs

# The last record of `migrations --json` on xa or xb as shell variables
# PREFIX{n,id,phase,error,recovery,running,direction,domain}: n is the
# number of records.  records xa|xb PREFIX
records() {
    "$1" migrations --json >"$T/rec.json" 2>&1
    eval "$(python3 - "$T/rec.json" "$2" <<'PY'
import json, shlex, sys
try:
    a = json.load(open(sys.argv[1]))
except ValueError:
    a = []
p = sys.argv[2]
r = a[-1] if a else {}
print("%sn=%d" % (p, len(a)))
for k in ("id", "phase", "error", "recovery", "running", "direction",
          "domain"):
    v = r.get(k)
    v = "" if v is None else str(v).lower() if isinstance(v, bool) else str(v)
    print("%s%s=%s" % (p, k, shlex.quote(v)))
PY
)"
}

# Start both hosts: hosts TAG [hosta args] -- [hostb args]
hosts() {
    tag=$1; shift
    aargs=
    while [ $# -gt 0 ] && [ "$1" != -- ]; do aargs="$aargs $1"; shift; done
    [ $# -gt 0 ] && shift
    : >"$T/hosta.log"
    : >"$T/hostb.log"
    # shellcheck disable=SC2086
    start_host hosta -o migration.timeout=$TMO $aargs
    start_host hostb -o migration.timeout=$TMO "$@"
}

# Stop both, check they stop cleanly, and keep their logs.
stop_hosts() { # TAG
    f0=$FAILS
    stop_host hosta
    stop_host hostb
    [ "$FAILS" -eq "$f0" ] && pass "$1: both stop cleanly"
    for h in hosta hostb; do
        mv "$T/$h.log" "$T/logs/$1.$h.log"
        [ -f "$T/valgrind-$h.log" ] &&
            mv "$T/valgrind-$h.log" "$T/logs/$1.valgrind-$h.log"
    done
}

# Migrate DOM from hosta to hostb in the background: MIG_PID.
migrate_bg() {
    xa migrate "$1" hostb >"$T/mig.out" 2>&1 &
    MIG_PID=$!
}
migrate_done() { ! kill -0 "$MIG_PID" 2>/dev/null; }
# Wait for it to return: its status in MIG_RC (-1: it did not).
migrate_wait() { # TAG
    if wait_for "$1: migrate returns" "$LONG" migrate_done; then
        wait "$MIG_PID"
        MIG_RC=$?
    else
        kill "$MIG_PID" 2>/dev/null
        wait "$MIG_PID"
        MIG_RC=-1
    fi
}

running_copies() { copies "$1" | awk '$3 ~ /^r/' | wc -l; }
has_copy() { # HOST NAME STATE-REGEX
    copies "$dom" "x${1#host}" | awk -v h="$1" -v n="$2" -v s="$3" \
        '$1 == h && $2 == n && $3 ~ s {f = 1} END {exit !f}'
}
# Where the copies are, for the failure messages.
where() { copies "$dom" | tr '\n' ';'; }

# The record of xa (A_*) or xb (B_*) says what happened, and its log
# names it: check_record TAG HOST PREFIX DIR PEER
check_record() {
    tag=$1; h=$2; p=$3; dir=$4; peer=$5
    eval "n=\$${p}n id=\$${p}id ph=\$${p}phase err=\$${p}error \
hint=\$${p}recovery run=\$${p}running d=\$${p}direction dn=\$${p}domain"
    if [ "$n" -ne 1 ]; then
        fail "$tag: $h has its record" "$n records: $(${p%_}_dump)"
    elif [ "$run" != false ] || [ "$d" != "$dir" ]; then
        fail "$tag: $h has its record" "running $run, direction $d"
    elif { [ "$ph" = failed ] && [ -n "$err" ]; } || [ "$ph" = done ] ||
        { [ "$ph" = unconfirmed ] && [ "$dir" = out ] && [ -n "$err" ] &&
          [ -n "$hint" ]; }; then
        pass "$tag: $h has its record ($ph)"
    else
        fail "$tag: $h has its record" "phase $ph, error \"$err\", \
recovery \"$hint\""
    fi
    [ "$n" -eq 1 ] || return
    # the error says what failed (not a fragment)
    case $err in
    [\;:,\ ]*) fail "$tag: $h's error is whole" "\"$err\"" ;;
    *) [ "$ph" = done ] || pass "$tag: $h's error is whole" ;;
    esac
    to=$([ "$dir" = out ] && echo to || echo from)
    if [ "$ph" = done ]; then
        line="migration $id of $dn $to $peer: done"
    else
        line="migration $id of $dn $to $peer: $ph: $err"
    fi
    if grep -qF -- "$line" "$T/$h.log"; then
        pass "$tag: $h log names it"
    else
        fail "$tag: $h log names it" "no \"$line\" in $h.log: \
$(grep 'migration [0-9]* of' "$T/$h.log")"
    fi
}
A_dump() { xa migrations; }
B_dump() { xb migrations; }

# The rules, once neither side runs the migration: check_rules TAG DOM
check_rules() {
    tag=$1; dom=$2
    records xa A_
    records xb B_
    src=$A_phase
    dst=$B_phase
    if [ "$src" = failed ] || [ "$src" = unconfirmed ]; then
        pass "$tag: it fails ($src, migrate status $MIG_RC)"
    else
        fail "$tag: it fails" "the source's record is \"$src\", migrate \
said: $(cat "$T/mig.out")"
    fi
    nr=$(running_copies "$dom")
    if [ "$nr" -eq 1 ]; then
        pass "$tag: runs once"
    elif [ "$nr" -eq 0 ] && [ "$src" = unconfirmed ] &&
        has_copy hosta "$dom--migratedaway" '[ps]'; then
        pass "$tag: runs once (none running, unconfirmed, source paused)"
    else
        fail "$tag: runs once" "$nr running; copies: $(where); source \
$src, destination $dst"
    fi
    if copies "$dom" | grep -q -- "--incoming"; then
        fail "$tag: no --incoming left" "copies: $(where)"
    else
        pass "$tag: no --incoming left"
    fi
    case $src in
    failed)
        if has_copy hosta "$dom" '^r' && [ "$(copies "$dom" | wc -l)" -eq 1 ]
        then pass "$tag: runs on hosta under its name"
        else fail "$tag: runs on hosta under its name" "copies: $(where)"
        fi
        if [ "$dst" = failed ]; then pass "$tag: both say failed"
        else fail "$tag: both say failed" "the source failed, the \
destination says \"$dst\""
        fi
        ;;
    done)
        if has_copy hostb "$dom" '^r' && [ "$(copies "$dom" | wc -l)" -eq 1 ]
        then pass "$tag: runs on hostb under its name"
        else fail "$tag: runs on hostb under its name" "copies: $(where)"
        fi
        ;;
    unconfirmed)
        if has_copy hosta "$dom--migratedaway" '[ps]' &&
            ! has_copy hosta "$dom" .; then
            pass "$tag: the source copy waits paused"
        else
            fail "$tag: the source copy waits paused" "copies: $(where)"
        fi
        ;;
    esac
    # hostb's record says done exactly when the domain is there
    if has_copy hostb "$dom" .; then want=done; else want=failed; fi
    if [ "$dst" = "$want" ]; then
        pass "$tag: hostb's record matches ($dst)"
    else
        fail "$tag: hostb's record matches" "hostb says \"$dst\" but \
$([ $want = done ] && echo "the domain is there" ||
  echo "it has no $dom"); copies: $(where)"
    fi
    check_record "$tag" hosta A_ out hostb
    check_record "$tag" hostb B_ in hosta
    [ "$src" = unconfirmed ] && recover "$tag" "$dom"
    if xa info >/dev/null 2>&1 && xb info >/dev/null 2>&1; then
        pass "$tag: both answer"
    else
        fail "$tag: both answer" "hosta or hostb does not answer"
    fi
}

# An unconfirmed migration, recovered as its hint says.
recover() { # TAG DOM
    tag=$1; dom=$2
    id=$A_id
    if has_copy hostb "$dom" '^r'; then
        action=destroy
    else
        action=resume
    fi
    if out=$(xa migrations --recover "$id" --$action 2>&1); then
        pass "$tag: --recover --$action"
    else
        fail "$tag: --recover --$action" "$out"
    fi
    records xa R_
    if [ "$R_phase" = recovered ]; then
        pass "$tag: recorded as recovered"
    else
        fail "$tag: recorded as recovered" "$(xa migrations)"
    fi
    if [ "$(running_copies "$dom")" -eq 1 ] &&
        [ "$(copies "$dom" | wc -l)" -eq 1 ] &&
        { [ $action = destroy ] || has_copy hosta "$dom" '^r'; }; then
        pass "$tag: runs once after recovery"
    else
        fail "$tag: runs once after recovery" "copies: $(where)"
    fi
}

both_idle() { mig_idle xa && mig_idle xb; }

# One fault: fault_case SIDE PHASE KIND
fault_case() {
    tag=$1:$2:$3
    if [ "$1" = send ]; then
        hosts "$tag" -o migration.fault="$tag"
        faulty=hosta
    else
        hosts "$tag" -- -o migration.fault="$tag"
        faulty=hostb
    fi
    dom=mf
    if ! out=$(xa create "$(mkcfg $dom $MEM)" 2>&1); then
        fail "$tag: create" "$out"
        stop_hosts "$tag"
        return
    fi
    migrate_bg $dom
    migrate_wait "$tag"
    wait_for "$tag: the migration ends on both" "$LONG" both_idle
    if grep -qF "injecting a fault: $3 while $2" "$T/$faulty.log"; then
        pass "$tag: fault injected"
    else
        fail "$tag: fault injected" "$faulty never logged it"
    fi
    check_rules "$tag" $dom
    stop_hosts "$tag"
}

# A failed record on one host, logged: failed_record TAG HOST PREFIX DIR
failed_record() {
    tag=$1; h=$2; p=$3; dir=$4
    eval "ph=\$${p}phase err=\$${p}error id=\$${p}id dn=\$${p}domain"
    if [ "$ph" = failed ] && [ -n "$err" ]; then
        pass "$tag: $h's record failed ($err)"
    else
        fail "$tag: $h's record failed" "$(${p%_}_dump)"
    fi
    case $err in
    [\;:,\ ]*) fail "$tag: $h's error is whole" "\"$err\"" ;;
    *) pass "$tag: $h's error is whole" ;;
    esac
    if [ "$dir" = out ]; then line="migration $id of $dn to hostb"
    else line="migration $id of $dn from hosta"
    fi
    line="$line: failed: $err"
    if grep -qF -- "$line" "$T/$h.log"; then pass "$tag: $h log names it"
    else fail "$tag: $h log names it" "no \"$line\" in $h.log"
    fi
}

# The receiver killed -9 mid-stream: the source fails and runs on; the
# restarted receiver has no copy.
kill_receiver() {
    tag=kill-receiver
    dom=big
    hosts $tag
    ok "$tag: create $dom" xa create "$(mkcfg $dom $BIG)"
    migrate_bg $dom
    wait_for "$tag: streaming" "$LONG" mig_in_phase xa streaming
    kill_host hostb
    migrate_wait $tag
    wait_for "$tag: hosta's migration ends" "$LONG" mig_idle xa
    records xa A_
    failed_record $tag hosta A_ out
    if has_copy hosta $dom '^r' && [ "$(copies $dom xa | wc -l)" -eq 1 ]
    then pass "$tag: runs on hosta under its name"
    else fail "$tag: runs on hosta under its name" "copies: $(where)"
    fi
    start_host hostb -o migration.timeout=$TMO
    if copies $dom xb | grep -q .; then
        fail "$tag: restarted hostb has no copy" "copies: $(where)"
    else
        pass "$tag: restarted hostb has no copy"
    fi
    stop_hosts $tag
}

# A receiver that stops answering (SIGSTOP) mid-stream: the source gives
# up within the timeout (the stream moves nothing for TMO s, once the
# buffers on the way are full) and the domain runs on.
stopped_receiver() {
    tag=stopped-receiver
    dom=big
    hosts $tag
    ok "$tag: create $dom" xa create "$(mkcfg $dom $BIG)"
    migrate_bg $dom
    wait_for "$tag: streaming" "$LONG" mig_in_phase xa streaming
    kill -STOP "$(pid_of hostb)"
    t0=$(date +%s)
    # the timeout, and as long again for the buffers on the way to fill
    lim=$((TMO * 2 + 2))
    [ "${VALGRIND:-0}" = 1 ] && lim=$((TMO * 4))
    wait_for "$tag: hosta gives up within ${lim} s" "$lim" mig_idle xa
    echo "    (hosta gave up after $(($(date +%s) - t0)) s)"
    migrate_wait $tag
    records xa A_
    failed_record $tag hosta A_ out
    # hostb does not answer: only hosta's list
    if has_copy hosta $dom '^r' && [ "$(copies $dom xa | wc -l)" -eq 1 ]
    then pass "$tag: runs on hosta under its name"
    else fail "$tag: runs on hosta under its name" \
        "copies: $(copies $dom xa | tr '\n' ';')"
    fi
    kill -CONT "$(pid_of hostb)"
    wait_for "$tag: hostb's migration ends" "$LONG" mig_idle xb
    records xb B_
    failed_record $tag hostb B_ in
    if [ "$(running_copies $dom)" -eq 1 ] &&
        [ "$(copies $dom | wc -l)" -eq 1 ]
    then pass "$tag: runs once"
    else fail "$tag: runs once" "copies: $(where)"
    fi
    stop_hosts $tag
}

# ONLY=PATTERN (a shell pattern) runs only the cases it matches.
want() { case $1 in ${ONLY:-*}) return 0 ;; esac; return 1; }

# Under valgrind the stalls (each waits out the peers' timeouts) are left
# to the plain and sanitizer runs, which cover every case.
KINDS="cut corrupt stall"
[ "${VALGRIND:-0}" = 1 ] && KINDS="cut corrupt"

START=$(date +%s)
for side in send receive; do
    for phase in connecting preparing streaming restoring switching; do
        for kind in $KINDS; do
            want $side:$phase:$kind && fault_case $side $phase $kind
        done
    done
done
want kill-receiver && kill_receiver
want stopped-receiver && stopped_receiver

echo "    ($(($(date +%s) - START)) s)"
[ "$FAILS" -eq 0 ]
