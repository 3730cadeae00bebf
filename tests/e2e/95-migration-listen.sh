#!/bin/sh
# xenithd --listen: the relay authenticates peers with TLS 1.3 both ways
# before anything else happens.  Certificates come from `xenith cert`; the
# peers are tests/e2e/tlspeer.py (python's ssl), good and bad.  Every bad
# peer is refused at the handshake or the hello and logged once with its
# address; the daemon keeps running.
. "$(dirname "$0")/lib.sh"
PEER="python3 $SRC/tests/e2e/tlspeer.py"

ok "init-ca" xenith cert init-ca "$T/ca"
ok "issue hosta" xenith cert issue hosta --ca "$T/ca" --out "$T/hosta"
ok "issue hostb" xenith cert issue hostb --ca "$T/ca" --out "$T/hostb"
ok "issue hostr" xenith cert issue hostr --ca "$T/ca" --out "$T/hostr"
ok "another CA" xenith cert init-ca "$T/ca2"
ok "issue hostb from it" xenith cert issue hostb --ca "$T/ca2" \
    --out "$T/evil"
# hostr is revoked before the daemon reads its CA's list.
ok "revoke hostr" xenith cert revoke --ca "$T/ca" "$T/hostr/host.crt"
cp "$T/ca/crl.pem" "$T/hosta/crl.pem"

PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')

# Without certificates, --listen is refused at start, in one sentence.
WANT_RC=1 fails "listen without certificates" \
    "migration.listen needs this host's certificate" \
    "$XENITH_BIN/xenithd" --sim --socket "$T/none.sock" \
    --state-dir "$T/none" --listen "127.0.0.1:$PORT" \
    --cert-dir "$T/nothing-here"
WANT_RC=1 fails "listen on a bad address" \
    'migration address "127.0.0.1:99999": the port "99999"' \
    "$XENITH_BIN/xenithd" --sim --socket "$T/none.sock" \
    --state-dir "$T/none" --listen "127.0.0.1:99999" --cert-dir "$T/hosta"

start_daemon --sim --listen "127.0.0.1:$PORT" --cert-dir "$T/hosta"

status() {
    xenith services --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["name"] == "migration":
        st = s["status"]
        r = st.get("relay") or {}
        print("host=%s listening=%s relay=%s refused=%s" % (st.get("host"),
              st.get("listening"), r.get("running"), r.get("refused")))'
}
relay_listening() { status | grep -q "listening=127.0.0.1:$PORT relay=True"; }
wait_for "relay listens" 30 relay_listening
outputs "status names the host" "^host=hosta " status

# peer NAME WANT MODE [CERTDIR [HELLO]]: the peer's outcome matches WANT.
peer() {
    name=$1 want=$2
    shift 2
    out=$($PEER "$PORT" "$@" 2>&1)
    if printf '%s\n' "$out" | grep -Eq "$want"; then
        pass "$name"
    else
        fail "$name" "peer saw: $out (wanted /$want/)"
    fi
}

peer "good peer gets the hello" '^hello: .*"host": *"hosta"' \
    cert "$T/hostb" hostb
wait_for "good peer reaches the daemon" 30 \
    grep -q "hostb (127.0.0.1:[0-9]*) connected" "$T/xenithd.log"

peer "plaintext refused" '^closed' plain
peer "TLS 1.2 refused" '^handshake failed' tls12
peer "no client certificate refused" '^(handshake failed|closed)' nocert
peer "another CA refused" '^(handshake failed|closed)' cert "$T/evil" hostb
peer "revoked refused" '^(handshake failed|closed)' cert "$T/hostr" hostr
peer "hello naming another host refused" '^(closed|refuse|handshake)' \
    cert "$T/hostb" hosta

# Each refusal is logged once, with the peer's address.
refusals() { grep -c "refused a connection from 127.0.0.1:[0-9]*: " \
    "$T/xenithd.log"; }
six_refused() { [ "$(refusals)" -ge 6 ]; }
wait_for "refusals logged" 30 six_refused
expect_n() {
    n=$(refusals)
    if [ "$n" -eq 6 ]; then pass "each refusal logged once"
    else fail "each refusal logged once" "$n lines"; fi
}
expect_n
outputs "status counts the refusals" "refused=6" status
logged() { # NAME ERE: a refusal in the log matches ERE
    if grep -Eq "refused a connection from 127\.0\.0\.1:[0-9]+: .*$2" \
        "$T/xenithd.log"; then pass "$1"
    else fail "$1" "no refusal matching /$2/ in the log"; fi
}
logged "TLS 1.2 named in the log" "(version|protocol)"
logged "revoked named in the log" "revoked"
logged "another CA named in the log" "(unknown ca|verify|issuer)"

# A killed relay comes back and listens again.
relay_pid=$(xenith services --json | python3 -c '
import json, sys
for s in json.load(sys.stdin)["services"]:
    if s["name"] == "migration":
        print(s["status"]["relay"]["pid"])')
kill -9 "$relay_pid" 2>/dev/null
restarted() { xenith services --json | grep -q '"restarts": *[1-9]' &&
    relay_listening; }
wait_for "relay restarted" 30 restarted
peer "restarted relay serves" '^hello: ' cert "$T/hostb" hostb
ok "daemon still answers" xenith list

finish
