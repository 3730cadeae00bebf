# miglib.sh - two simulated hosts, "hosta" and "hostb", that migrate to
# each other over TLS on loopback (sourced after lib.sh).
#
#   mig_certs              a pool CA and both hosts' certificates in $T
#   start_host NAME [ARGS] xenithd --sim for NAME (hosta or hostb), its
#                          socket in $T/NAME/, listening on its port, the
#                          other host in its migration.peers
#   xa ARGS / xb ARGS      xenith against hosta / hostb
#   stop_host NAME         stop it; a non-zero exit fails the test
#   kill_host NAME         kill -9 it
free_port() {
    python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}
PORT_hosta=$(free_port)
PORT_hostb=$(free_port)
PID_hosta=
PID_hostb=

mig_certs() {
    "$XENITH_BIN/xenith" cert init-ca "$T/ca" >/dev/null &&
        "$XENITH_BIN/xenith" cert issue hosta --ca "$T/ca" --out "$T/cert-a" \
            >/dev/null &&
        "$XENITH_BIN/xenith" cert issue hostb --ca "$T/ca" --out "$T/cert-b" \
            >/dev/null
}

port_of() { eval "echo \$PORT_$1"; }
other_of() { [ "$1" = hosta ] && echo hostb || echo hosta; }
certdir_of() { [ "$1" = hosta ] && echo "$T/cert-a" || echo "$T/cert-b"; }

start_host() { # NAME [xenithd args...]
    h=$1
    shift
    o=$(other_of "$h")
    mkdir -p "$T/$h"
    rm -f "$T/$h/xenithd.sock"
    # shellcheck disable=SC2046
    $(daemon_cmd | sed "s|$T/valgrind.log|$T/valgrind-$h.log|") \
        "$XENITH_BIN/xenithd" "$@" --uri "sim:///$h" \
        --socket "$T/$h/xenithd.sock" --state-dir "$T/$h/state" \
        --listen "127.0.0.1:$(port_of "$h")" --cert-dir "$(certdir_of "$h")" \
        -o migration.peers="$o=127.0.0.1:$(port_of "$o")" \
        >>"$T/$h.log" 2>&1 &
    eval "PID_$h=$!"
    i=0
    while ! XENITH_SOCKET="$T/$h/xenithd.sock" "$XENITH_BIN/xenith" info \
            >/dev/null 2>&1; do
        i=$((i + 1))
        if [ $i -gt 400 ] || ! kill -0 "$(eval "echo \$PID_$h")" 2>/dev/null
        then
            echo "FAIL start_host $h: xenithd did not come up"
            cat "$T/$h.log"
            exit 1
        fi
        sleep 0.05
    done
}

xa() { XENITH_SOCKET="$T/hosta/xenithd.sock" "$XENITH_BIN/xenith" "$@"; }
xb() { XENITH_SOCKET="$T/hostb/xenithd.sock" "$XENITH_BIN/xenith" "$@"; }

stop_host() {
    pid=$(eval "echo \$PID_$1")
    [ -n "$pid" ] || return 0
    kill "$pid" 2>/dev/null
    wait "$pid"
    rc=$?
    eval "PID_$1="
    if [ $rc -ne 0 ]; then
        fail "$1 exit" "xenithd of $1 exited with status $rc"
        tail -20 "$T/$1.log" | sed 's/^/    /'
        [ -f "$T/valgrind-$1.log" ] && sed 's/^/    /' "$T/valgrind-$1.log"
    fi
}

kill_host() {
    pid=$(eval "echo \$PID_$1")
    [ -n "$pid" ] && kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    eval "PID_$1="
}

# The domains of a host, names only, one a line.
names() { "$@" list | awk 'NR > 1 {print $1}'; }
# The state column of a domain (r, p, s...).
state_of() { "$1" list | awk -v d="$2" '$1 == d {print $5}'; }

mig_cleanup() {
    stop_host hosta
    stop_host hostb
    # the relays end with their daemons; nothing else is left
}

# --- for the fault tests ---
#   pid_of NAME            its xenithd's pid (empty when stopped)
#   mig_idle xa|xb         the daemon answers and runs no migration
#   mig_in_phase xa|xb PH  a running migration is in phase PH and has
#                          moved bytes
#   copies DOM [xa|xb]     "HOST NAME STATE" for each copy of DOM on both
#                          hosts (or the one given): DOM, DOM--migratedaway,
#                          DOM--incoming
pid_of() { eval "echo \$PID_$1"; }

mig_idle() {
    out=$("$1" migrations --json) || return 1
    case $out in *'"running": true'*) return 1 ;; esac
}

mig_in_phase() {
    "$1" migrations --json | awk -v p="\"$2\"" '
        /"phase":/ { ph = index($0, p) > 0 }
        /"running": true/ { run = 1 }
        /"bytes": [1-9]/ { moved = 1 }
        /^  }/ { if (ph && run && moved) found = 1; ph = run = moved = 0 }
        END { exit !found }'
}

copies() {
    d=$1
    shift
    [ $# -eq 0 ] && set -- xa xb
    for c in "$@"; do
        "$c" list 2>/dev/null | awk -v d="$d" -v h="host${c#x}" 'NR > 1 &&
            ($1 == d || $1 == d "--migratedaway" || $1 == d "--incoming") {
                print h, $1, $5 }'
    done
}
