#!/bin/sh
# debian-tools.sh - Debian's unmodified xenstore-* tools (package
# xenstore-utils) against the simulated host's xenstore (toolstack/sim/xsd).
#
# Builds tests/xsd/xsd-serve.c with the store's sources, serves a store on a
# private socket, points the tools at it with XENSTORED_PATH and checks what
# they print.  One "PASS name" or "FAIL name: why" line per check; exits 1
# if any failed.  Without the tools it prints one SKIP line and exits 0.
#
# Environment:
#   XENITH_SRCDIR  the source tree (default: this script's ../..)
#   CC, XSD_CFLAGS compiler and extra flags for xsd-serve (e.g. sanitizers)
#   XSD_SERVE      a ready xsd-serve binary: no build
#   VALGRIND=1     run the server under valgrind; leaks or errors fail
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=${XENITH_SRCDIR:-$(cd "$here/../.." && pwd)}
work=$(mktemp -d "${TMPDIR:-/tmp}/xsd-tools.XXXXXX")
sock=$work/socket
pid=
fails=0

cleanup() {
    [ -n "$pid" ] && kill "$pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

pass() { echo "PASS $1"; }
fail() { echo "FAIL $1: $2"; fails=$((fails + 1)); }

# expect NAME WANT CMD...: CMD must succeed and print exactly WANT.
expect() {
    name=$1
    want=$2
    shift 2
    got=$("$@" 2>"$work/err")
    rc=$?
    if [ $rc -ne 0 ]; then
        fail "$name" "'$*' exited $rc: $(head -c 300 "$work/err")"
    elif [ "$got" != "$want" ]; then
        fail "$name" "'$*' printed '$got', wanted '$want'"
    else
        pass "$name"
    fi
}

# refuse NAME CMD...: CMD must fail.
refuse() {
    name=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        fail "$name" "'$*' succeeded: $(head -c 300 "$work/out")"
    else
        pass "$name"
    fi
}

# ok NAME CMD...: CMD must succeed (its output is not checked).
ok() {
    name=$1
    shift
    if "$@" >"$work/out" 2>&1; then
        pass "$name"
    else
        fail "$name" "'$*' failed: $(head -c 300 "$work/out")"
    fi
}

if ! command -v xenstore-read >/dev/null 2>&1; then
    echo "SKIP debian-tools: xenstore-utils is not installed"
    exit 0
fi

# --- the server ---
serve=${XSD_SERVE:-}
if [ -z "$serve" ]; then
    serve=$work/xsd-serve
    # shellcheck disable=SC2046,SC2086
    if ! ${CC:-cc} -std=gnu11 -O1 -g -Wall -Wextra -Werror -Wshadow \
            -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter \
            -D_GNU_SOURCE ${XSD_CFLAGS:-} -I"$src/toolstack" -I"$src/common" \
            "$src/tests/xsd/xsd-serve.c" "$src"/toolstack/sim/xsd/*.c \
            "$src/common/err.c" "$src/common/log.c" \
            $(pkg-config --cflags --libs libevent) -o "$serve" \
            >"$work/cc.log" 2>&1; then
        echo "FAIL debian-tools: cannot build xsd-serve: $(head -c 600 "$work/cc.log")"
        exit 1
    fi
fi
if [ "${VALGRIND:-0}" = 1 ]; then
    valgrind -q --error-exitcode=99 --leak-check=full \
        --errors-for-leak-kinds=definite,indirect \
        "$serve" -d -v 3000 "$sock" >"$work/ready" 2>"$work/serve.log" &
else
    "$serve" -d -v 3000 "$sock" >"$work/ready" 2>"$work/serve.log" &
fi
pid=$!
i=0
while ! grep -q ready "$work/ready" 2>/dev/null; do
    i=$((i + 1))
    if [ $i -gt 300 ] || ! kill -0 "$pid" 2>/dev/null; then
        echo "FAIL debian-tools: xsd-serve did not start: $(head -c 600 "$work/serve.log")"
        exit 1
    fi
    sleep 0.05
done
XENSTORED_PATH=$sock
export XENSTORED_PATH
unset XENSTORED_RUNDIR

# libxenstore also finds "$XENSTORED_RUNDIR/socket".
expect rundir Domain-0 env -u XENSTORED_PATH XENSTORED_RUNDIR="$work" \
    xenstore-read /local/domain/0/name

# --- the initial tree and a domain laid out as libxl does (xsd-serve -d) ---
expect initial-tree 'xenstored = ""' xenstore-ls /tool
expect dom0-name Domain-0 xenstore-read /local/domain/0/name
expect domain-list '0
1' xenstore-list /local/domain
perms_of() { xenstore-ls -p "$1" | grep "^$2 " | sed 's/.*  //'; }
expect domain-perms '(n0,r1)' perms_of /local/domain 1
expect domain-name-perms '(n0,r1)' perms_of /local/domain/1 name
expect domain-data-perms '(n1)' perms_of /local/domain/1 data
expect domain-control 'shutdown
feature-poweroff
feature-reboot
feature-suspend
sysrq
platform-feature-multiprocessor-suspend
platform-feature-xs_reset_watches' xenstore-list /local/domain/1/control
expect domain-memory 'static-max = "524288"
target = "524288"
videoram = "0"' xenstore-ls /local/domain/1/memory
vm_name() { xenstore-read "$(xenstore-read "$1/vm")/name"; }
expect domain-vm guest1 vm_name /local/domain/1

# --- write, read, exists ---
ok write xenstore-write /t/a hello /t/b "two words"
expect read 'hello
two words' xenstore-read /t/a /t/b
expect read-prefix '/t/a: hello' xenstore-read -p /t/a
refuse read-missing xenstore-read /t/none
refuse write-bad-path xenstore-write /bad//path x
refuse write-trailing-slash xenstore-write /bad/ x
ok exists xenstore-exists /t/a
refuse exists-missing xenstore-exists /t/none
ok write-relative xenstore-write rel/x 1
expect read-relative 1 xenstore-read /local/domain/0/rel/x

big=$(head -c 3000 /dev/zero | tr '\0' v)
ok value-at-limit xenstore-write /t/big "$big"
refuse value-over-limit xenstore-write /t/big "${big}v"
expect value-kept 3000 sh -c 'xenstore-read /t/big | tr -d "\n" | wc -c'
ok rm-big xenstore-rm /t/big

# --- list, ls ---
expect list 'a
b' xenstore-list /t
expect list-prefix '/t/a
/t/b' xenstore-list -p /t
refuse list-missing xenstore-list /t/none
expect ls 'a = "hello"
b = "two words"' xenstore-ls /t
expect ls-full '/t/a = "hello"
/t/b = "two words"' xenstore-ls -f /t
ok write-tab xenstore-write /t/tab "$(printf 'a\tb')"
expect ls-escapes 'tab = "a\tb"' sh -c 'xenstore-ls /t | grep "^tab"'
expect ls-perms 'a = "hello"  . . . . . . . . . . . . . . . . . . . . . . . .  (n0)' \
    sh -c 'xenstore-ls -p /t | grep "^a "'
expect ls-nested 'a = ""
 b = ""
  c = "deep"' sh -c 'xenstore-write /n/a/b/c deep && xenstore-ls /n'

# --- chmod ---
ok chmod xenstore-chmod /t/a r0 b5
expect chmod-shown '(r0,b5)' sh -c 'xenstore-ls -p /t | grep "^a " | sed "s/.*  //"'
ok chmod-recursive xenstore-chmod -r /n b0 r7
expect chmod-recursive-shown '(b0,r7)
(b0,r7)
(b0,r7)' sh -c 'xenstore-ls -p /n | sed "s/.*  //"'
refuse chmod-missing xenstore-chmod /t/none r0
ok chmod-inherit xenstore-write /n/a/new v
expect chmod-inherited '(b0,r7)' sh -c \
    'xenstore-ls -p /n/a | grep "^new " | sed "s/.*  //"'

# --- rm ---
ok rm xenstore-rm /t/b
expect rm-gone 'a
tab' xenstore-list /t
ok rm-missing-child xenstore-rm /t/none
refuse rm-missing-parent xenstore-rm /none/x
ok rm-subtree xenstore-rm /n/a
expect rm-subtree-gone '' xenstore-list /n
ok rm-tidy sh -c 'xenstore-write /tidy/x/y 1 && xenstore-rm -t /tidy/x/y'
refuse rm-tidy-gone xenstore-exists /tidy

# --- a directory longer than one message (DIRECTORY_PART) ---
i=0
args=
while [ $i -lt 150 ]; do
    args="$args /big/a-child-with-a-fairly-long-name-$i x"
    i=$((i + 1))
done
# shellcheck disable=SC2086
ok big-write xenstore-write $args
expect big-list 150 sh -c 'xenstore-list /big | wc -l'
first_last() { xenstore-list "$1" | sed -n '1p;$p'; }
expect big-list-order 'a-child-with-a-fairly-long-name-0
a-child-with-a-fairly-long-name-149' first_last /big

# --- watch ---
: >"$work/watch"
timeout 20 xenstore-watch -n 4 /t >>"$work/watch" 2>&1 &
wpid=$!
i=0
while [ "$(wc -l <"$work/watch")" -lt 1 ] && [ $i -lt 200 ]; do
    sleep 0.05
    i=$((i + 1))
done
xenstore-write /t/w 1 /other 2
xenstore-rm /t/w
xenstore-chmod /t r0
wait $wpid
rc=$?
if [ $rc -ne 0 ]; then
    fail watch "xenstore-watch exited $rc after: $(cat "$work/watch")"
else
    expect watch '/t
/t/w
/t/w
/t' cat "$work/watch"
fi

# --- xenstore-control and Xen's own store test (not wrapped: the
#     /usr/bin wrapper needs a hypervisor) ---
bindir=
for d in /usr/lib/xen-*/bin; do
    [ -x "$d/xenstore-control" ] && bindir=$d
done
if [ -n "$bindir" ] && [ -x "$bindir/xenstore-control" ]; then
    expect control-check OK "$bindir/xenstore-control" check
    expect control-help check sh -c \
        "'$bindir/xenstore-control' help | cut -f1 | head -n 1"
    refuse control-unknown "$bindir/xenstore-control" live-update -a
fi
if [ -n "$bindir" ] && [ -x "$bindir/test-xenstore" ]; then
    ok test-xenstore "$bindir/test-xenstore"
    ok test-xenstore-repeat "$bindir/test-xenstore" -i 20
fi

# --- still serving, and a clean exit ---
expect still-serving hello xenstore-read /t/a
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
if [ $rc -ne 0 ]; then
    fail server-exit "xsd-serve exited $rc: $(head -c 600 "$work/serve.log")"
elif [ -e "$sock" ]; then
    fail server-exit "the socket $sock was left behind"
else
    pass server-exit
fi

[ $fails -eq 0 ]
