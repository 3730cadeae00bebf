#!/bin/sh
# xenithd takes over its socket path only when a socket nobody listens on
# is there (left by a daemon that died).  Anything else at the path is left
# as it is, and the daemon stops with one error naming it.
. "$(dirname "$0")/lib.sh"

xenithd_at() { # PATH
    # A daemon that took the path would serve on: stop it after a while.
    # shellcheck disable=SC2046
    timeout 30 $(daemon_cmd) "$XENITH_BIN/xenithd" --sim --socket "$1" \
        --state-dir "$T/state"
}

looks() { # PATH: what it is, with its contents when a file
    ls -ld --full-time "$1"
    [ -f "$1" ] && [ ! -L "$1" ] && cksum <"$1"
}

# refuses WHAT PATTERN PATH: xenithd --socket PATH fails with one error
# matching PATTERN, and PATH is as it was.
refuses() {
    before=$(looks "$3")
    fails "refuses $1" "$2" xenithd_at "$3"
    after=$(looks "$3" 2>&1)
    [ "$before" = "$after" ] && pass "leaves $1 alone" ||
        fail "leaves $1 alone" "before: $before; after: $after"
}

mkdir "$T/p"
printf 'precious\n' >"$T/p/file"
refuses "a regular file" \
    "socket path $T/p/file is a regular file, not a socket; leaving it alone" \
    "$T/p/file"
mkdir "$T/p/dir"
refuses "a directory" "socket path $T/p/dir is a directory" "$T/p/dir"
ln -s file "$T/p/link"
refuses "a symbolic link" "socket path $T/p/link is a symbolic link" \
    "$T/p/link"
mkfifo "$T/p/fifo"
refuses "a FIFO" "socket path $T/p/fifo is a FIFO" "$T/p/fifo"

# A live daemon's socket is not taken over; a dead one's is.
start_daemon
fails "refuses a socket in use" \
    "another xenithd is already listening on $XENITH_SOCKET" \
    xenithd_at "$XENITH_SOCKET"
ok "the daemon in use still answers" xenith info
kill -9 "$DAEMON_PID"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
[ -S "$XENITH_SOCKET" ] && pass "a dead daemon leaves its socket" ||
    fail "a dead daemon leaves its socket" "no socket at $XENITH_SOCKET"
start_daemon
ok "a new daemon takes over a stale socket" xenith info
finish
