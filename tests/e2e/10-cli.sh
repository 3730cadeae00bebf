#!/bin/sh
# The command line itself: help, usage errors, a daemon that is not there.
. "$(dirname "$0")/lib.sh"

outputs "help lists commands" "sched-credit2" xenith help
outputs "help of one command" "Usage: xenith create \[-p\] CONFIG" \
    xenith help create
outputs "-h of a command" "Usage: xenith mem-set DOMAIN SIZE" \
    xenith mem-set -h
WANT_RC=2 fails "unknown command" 'unknown command "frobnicate"' \
    xenith frobnicate
WANT_RC=2 fails "unknown option" 'xenith list: unknown option "--bogus"' \
    xenith list --bogus
WANT_RC=2 fails "missing argument" 'xenith pause: missing argument' \
    xenith pause
WANT_RC=2 fails "extra argument" 'unexpected argument "b"' \
    xenith pause a b
WANT_RC=2 fails "bad size" 'SIZE "12X" is not a memory size' \
    xenith mem-set web1 12X
WANT_RC=2 fails "bad vcpu count" 'vCPU count "0" is not a whole number' \
    xenith vcpu-set web1 0
WANT_RC=2 fails "bad weight" 'weight "abc" is not a whole number' \
    xenith sched-credit2 -d web1 -w abc
WANT_RC=2 fails "force without wait" '\-\-force needs -w' \
    xenith shutdown --force web1

# No daemon on the socket: one clear line, exit 1.
fails "no daemon" "cannot connect to xenithd at $XENITH_SOCKET: .*is \
xenithd running" xenith list
fails "no daemon (--socket)" "cannot connect to xenithd at $T/nope.sock" \
    xenith --socket "$T/nope.sock" info

# Completion script is valid bash and knows the commands.
xenith completion bash >"$T/compl.bash"
if bash -n "$T/compl.bash" && grep -q 'vcpu-pin' "$T/compl.bash"; then
    pass "bash completion"
else
    fail "bash completion" "script is not valid bash"
fi

# The daemon refuses what it cannot use.
WANT_RC=2 fails "daemon bad option" 'unknown option "--frob"' \
    "$XENITH_BIN/xenithd" --frob
fails "daemon bad uri" 'hypervisor URI "bogus:///" is not supported' \
    "$XENITH_BIN/xenithd" --uri bogus:/// --socket "$T/x.sock"
start_daemon
fails "second daemon on one socket" "another xenithd is already listening" \
    "$XENITH_BIN/xenithd" --sim --socket "$XENITH_SOCKET"
outputs "socket is 0600" "srw-------" ls -l "$XENITH_SOCKET"
finish
