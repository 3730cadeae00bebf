#!/bin/sh
# demo.sh - the simulated host at work, driven through xenith and xenithd.
# Run by `make demo`.  Starts xenithd --sim on a private socket, walks
# through the everyday jobs of a Xen admin, and stops the daemon.
set -eu
: "${XENITH_BIN:?}"
T=$(mktemp -d /tmp/xenith-demo.XXXXXX)
export XENITH_SOCKET="$T/xenithd.sock"
x() {
    printf '\n$ xenith %s\n' "$*"
    "$XENITH_BIN/xenith" "$@"
}
cleanup() {
    [ -n "${PID:-}" ] && kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
    rm -rf "$T"
}
# start_sim NAME [xenithd args...]: a daemon on a simulated host, its state
# and log under $T/NAME; waits until it answers.
start_sim() {
    name=$1; shift
    "$XENITH_BIN/xenithd" --socket "$XENITH_SOCKET" --state-dir "$T/$name" \
        "$@" 2>"$T/$name.log" &
    PID=$!
    i=0
    while ! "$XENITH_BIN/xenith" info >/dev/null 2>&1; do
        i=$((i + 1)); [ $i -lt 100 ] || { cat "$T/$name.log"; exit 1; }
        sleep 0.05
    done
}
trap cleanup EXIT

echo "== starting xenithd on a simulated host (sim:///default)"
start_sim state --sim

x info
x list
cat >"$T/app1.cfg" <<CFG
# an ordinary xl.cfg file
name    = "app1"
type    = "pvh"
kernel  = "/boot/vmlinuz"
memory  = 512
maxmem  = 2048
vcpus   = 2
cpus    = "2-5"
cpu_weight = 512
disk    = [ "phy:/dev/vg0/app1,xvda,w" ]
vif     = [ "mac=00:16:3e:00:00:01,bridge=xenbr0" ]
CFG
echo; echo "== an xl.cfg file, checked without a daemon, then created"
cat "$T/app1.cfg"
x config-check "$T/app1.cfg"
"$XENITH_BIN/xenith" events >"$T/events.txt" 2>&1 &
EV=$!
sleep 0.2
x create "$T/app1.cfg"
x list
x pause app1
x list app1
x unpause app1
echo; echo "== memory: balloon app1 down, then raise its ceiling"
x mem-set app1 384m
x mem-max app1 3g
x list -l app1
x vcpu-pin app1 0 2
x vcpu-list app1
x sched-credit2 -d app1 -w 768 -c 150
x sched-credit2
echo; echo "== the host's xenstore, laid out as Xen does (the sim serves its own)"
x store ls /local/domain/3/memory
x store read /local/domain/3/name /vm/$("$XENITH_BIN/xenith" list --json app1 | sed -n 's/.*"uuid": "\(.*\)".*/\1/p')/name
echo; echo "== the daemon's services, and the per-domain policy they own"
x services
x policy app1 sched.class=high balloon.min=256 migration.mode=never
x policy app1
echo; echo "== the daemon's figures (also served to Prometheus with --metrics)"
x metrics | grep -E "^NAME|xenith_domains|xenith_starts_total|xenith_sched_policy_domains|app1"
echo; echo "== save to a file (the domain goes, its memory returns), restore"
x save app1 "$T/app1.img"
x info | grep free_memory
head -1 "$T/app1.img"
ls -l "$T/app1.img"
x restore "$T/app1.img"
x list
echo; echo "== errors are one line and name what is wrong"
x create "$T/app1.cfg" || true
x mem-set app1 lots || true
x destroy ghost || true
echo; echo "== shut down with a wait, destroy the rest"
x shutdown -w app1
x destroy db1
x list
x info | grep free_memory
sleep 0.2
kill "$EV" 2>/dev/null || true
echo; echo "== what 'xenith events' saw meanwhile"
cat "$T/events.txt"
kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
PID=

echo; echo "== memory ballooning, on a second simulated host (scripts/demo-balloon.xml):"
echo "   'hungry' wants 1800 MiB but has 1 GiB; 'idle' holds 2.5 GiB and uses"
echo "   about 350 MiB; both run xenith-guest-agent's reports; 896 MiB free"
start_sim state2 --sim="$(dirname "$0")/demo-balloon.xml"
"$XENITH_BIN/xenith" events >"$T/events2.txt" 2>&1 &
EV=$!
x balloon status
sleep 4
echo; echo "== 4 s later: the idle guest gave, the hungry one took"
x balloon status
sleep 4
echo; echo "== 8 s: settled; the host keeps its 128 MiB reserve"
x balloon status
cat >"$T/big.cfg" <<CFG
name   = "big"
type   = "pvh"
kernel = "/boot/vmlinuz"
memory = 1536
CFG
echo; echo "== a 1.5 GiB domain that does not fit in free memory: room is made"
x info | grep free_memory
x create "$T/big.cfg"
x balloon status
echo; echo "== one that can never fit fails at once, naming the shortfall"
sed 's/1536/8192/; s/"big"/"huge"/' "$T/big.cfg" >"$T/huge.cfg"
x create "$T/huge.cfg" || true
sleep 0.2
kill "$EV" 2>/dev/null || true
echo; echo "== the balloon service's events"
grep -E "balloon|created" "$T/events2.txt" | grep -v "target" || true
echo "   ... and $(grep -c target "$T/events2.txt") target changes"
kill "$PID" 2>/dev/null && wait "$PID" 2>/dev/null
PID=

echo; echo "== credit-scheduler tuning, on a third simulated host (scripts/demo-sched.xml):"
echo "   8 CPUs; three batch guests always want 4 CPUs each; the database is"
echo "   quiet, then from 4 s to 16 s wants 3.5 CPUs: the pool is overloaded"
start_sim state3 --sim="$(dirname "$0")/demo-sched.xml" \
    -o sched.leave-after=3
"$XENITH_BIN/xenith" events >"$T/events3.txt" 2>&1 &
EV=$!
x sched set db --class critical
for b in batch1 batch2 batch3; do
    "$XENITH_BIN/xenith" sched set $b --class low >/dev/null
done
echo "   (batch1-3 set to class low the same way; batch3 has the admin's cap 300)"
sleep 2
x sched status
sleep 8
echo; echo "== 10 s: the database is busy; batch guests capped, the database protected"
x sched status
# The database is quiet from 16 s; the release follows leave-after (3 s).
i=0
until "$XENITH_BIN/xenith" sched status | grep -q "^Pool-0 .* normal "; do
    i=$((i + 1)); [ $i -lt 300 ] || break
    sleep 0.1
done
echo; echo "== the database is quiet again: released, every weight and cap is back"
x sched status
x sched-credit2
sleep 0.2
kill "$EV" 2>/dev/null || true
echo; echo "== the tuning service's events"
grep -E "sched" "$T/events3.txt" || true

echo; echo "== live migration: two simulated hosts, hosta and hostb, over TLS 1.3"
kill "$PID" 2>/dev/null; wait "$PID" 2>/dev/null || true; PID=
x cert init-ca "$T/ca"
x cert issue hosta --ca "$T/ca" --out "$T/cert-a"
x cert issue hostb --ca "$T/ca" --out "$T/cert-b"
port() { python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
PA=$(port); PB=$(port)
# host NAME PORT CERTS PEER PEERPORT [args...]: a daemon with its own socket
host() {
    n=$1 p=$2 c=$3 o=$4 op=$5; shift 5
    mkdir -p "$T/$n"
    "$XENITH_BIN/xenithd" --uri "sim:///$n" --socket "$T/$n/sock" \
        --state-dir "$T/$n/state" --listen "127.0.0.1:$p" --cert-dir "$c" \
        -o migration.peers="$o=127.0.0.1:$op" "$@" >"$T/$n.log" 2>&1 &
    echo $!
    i=0
    until XENITH_SOCKET="$T/$n/sock" "$XENITH_BIN/xenith" info >/dev/null \
            2>&1; do
        i=$((i + 1)); [ $i -lt 200 ] || { cat "$T/$n.log" >&2; exit 1; }
        sleep 0.05
    done
}
HA=$(host hosta "$PA" "$T/cert-a" hostb "$PB")
HB=$(host hostb "$PB" "$T/cert-b" hosta "$PA" \
    --sim="$(dirname "$0")/demo-hostb.xml")
xa() { printf '\n$ xenith %s   # on hosta\n' "$*"
       XENITH_SOCKET="$T/hosta/sock" "$XENITH_BIN/xenith" "$@"; }
xb() { printf '\n$ xenith %s   # on hostb\n' "$*"
       XENITH_SOCKET="$T/hostb/sock" "$XENITH_BIN/xenith" "$@"; }
xa list
xa migrate web1 hostb --compress
xb list
xa migrations
xb migrations
echo; echo "== evacuating hosta: everything that may move goes to hostb"
xa policy db1 migration.mode=never
xa host-evacuate --to hostb --parallel 2 || true
xa list
xb list
kill "$HA" "$HB" 2>/dev/null; wait "$HA" "$HB" 2>/dev/null || true
echo; echo "demo finished"
