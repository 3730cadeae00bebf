#!/bin/sh
# xenithd --metrics serves over HTTP the figures `xenith metrics` shows, in
# Prometheus' text format, and they follow the domains.
. "$(dirname "$0")/lib.sh"

# A loopback port the kernel says is free.
PORT=$(python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])')
start_daemon --sim --metrics "127.0.0.1:$PORT"

# scrape PATH [METHOD]: the body on stdout; the status and Content-Type in
# $T/scrape.meta, one a line.  Fails when there is no answer.
scrape() {
    python3 - "$PORT" "$T/scrape.meta" "$@" <<'EOF'
import http.client, sys
port, meta, path = int(sys.argv[1]), sys.argv[2], sys.argv[3]
method = sys.argv[4] if len(sys.argv) > 4 else "GET"
c = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
c.request(method, path)
r = c.getresponse()
body = r.read()
with open(meta, "w") as f:
    f.write("%d\n%s\n" % (r.status, r.getheader("Content-Type", "")))
sys.stdout.buffer.write(body)
EOF
}

# The figures with the CPU seconds' values dropped: they move between two
# reads while the guests run.
# The figures that move on their own between two reads (CPU time, the
# services' passes and what they measure) lose their values.
steady() {
    sed -E 's/^((xenith_domain_cpu_seconds_total|xenith_sched_(use|demand)_cpus|xenith_sched_pool_util_max|xenith_(sched|balloon)_passes_total)(\{[^}]*\})?) .*/\1/' "$1"
}

# The value of a series: value FILE SERIES
value() {
    awk -v s="$2" '$1 == s {print $2}' "$1"
}

scrape /metrics >"$T/scrape.txt"
if [ "$(sed -n 1p "$T/scrape.meta")" = 200 ] &&
   [ "$(sed -n 2p "$T/scrape.meta")" = \
     "text/plain; version=0.0.4; charset=utf-8" ]; then
    pass "GET /metrics: 200, text format 0.0.4"
else
    fail "GET /metrics: 200, text format 0.0.4" "$(cat "$T/scrape.meta")"
fi

# The CLI first, then the scrape: the scrape is no request, so even
# xenith_requests_total agrees.
xenith metrics --prometheus >"$T/cli.txt"
scrape /metrics >"$T/scrape.txt"
if steady "$T/cli.txt" >"$T/cli.steady" &&
   steady "$T/scrape.txt" >"$T/scrape.steady" &&
   diff "$T/cli.steady" "$T/scrape.steady" >"$T/diff"; then
    pass "xenith metrics --prometheus = the scrape"
else
    fail "xenith metrics --prometheus = the scrape" "$(cat "$T/diff")"
fi
for f in xenith_domains xenith_host_memory_free_bytes \
         xenith_host_memory_total_bytes xenith_requests_total \
         xenith_domain_memory_bytes xenith_domain_vcpus_online \
         xenith_domain_cpu_seconds_total; do
    if grep -q "^# TYPE $f \(counter\|gauge\)$" "$T/scrape.txt" &&
       grep -q "^$f[{ ]" "$T/scrape.txt"; then
        pass "published: $f"
    else
        fail "published: $f" "$(cat "$T/scrape.txt")"
    fi
done

doms=$(xenith list | tail -n +2 | wc -l)
scrape /metrics >"$T/scrape.txt"
n=$(value "$T/scrape.txt" xenith_domains)
[ "$n" = "$doms" ] && pass "xenith_domains = xenith list ($doms)" ||
    fail "xenith_domains = xenith list" "$n, xenith list shows $doms"
total=$(value "$T/scrape.txt" xenith_host_memory_total_bytes)
want=$(($(xenith info | awk -F': ' '/^total_memory/ {print $2}') * 1048576))
[ "$total" = "$want" ] && pass "host memory total" ||
    fail "host memory total" "$total, xenith info says $want bytes"

# The table and the JSON show the same series.
xenith metrics >"$T/table.txt"
outputs "table header" "^NAME  *LABELS  *VALUE$" head -1 "$T/table.txt"
outputs "table row" "^xenith_domain_memory_bytes  *domid=1,name=web1,uuid=" \
    cat "$T/table.txt"
outputs "JSON" '"name": "xenith_domain_vcpus_online"' xenith metrics --json
WANT_RC=2 fails "--json with --prometheus" "do not go together" \
    xenith metrics --json --prometheus

# A domain comes, is renamed, and goes.
xenith create "$(mkcfg met1 128)" >/dev/null
id=$(xenith domid met1)
scrape /metrics >"$T/scrape.txt"
series="xenith_domain_memory_bytes{domid=\"$id\",name=\"met1\",uuid=\""
if grep -q "^$series[-0-9a-f]*\"} 134217728$" "$T/scrape.txt"; then
    pass "a new domain appears, with its name and memory"
else
    fail "a new domain appears" "$(grep domain_memory "$T/scrape.txt")"
fi
[ "$(value "$T/scrape.txt" xenith_domains)" = $((doms + 1)) ] &&
    pass "xenith_domains counts it" ||
    fail "xenith_domains counts it" "$(value "$T/scrape.txt" xenith_domains)"
xenith rename met1 met2
scrape /metrics >"$T/scrape.txt"
if grep -q "name=\"met2\"" "$T/scrape.txt" &&
   ! grep -q "name=\"met1\"" "$T/scrape.txt"; then
    pass "a rename relabels its series"
else
    fail "a rename relabels its series" "$(grep 'name="met' "$T/scrape.txt")"
fi
xenith destroy met2
scrape /metrics >"$T/scrape.txt"
if ! grep -q "name=\"met" "$T/scrape.txt" &&
   [ "$(value "$T/scrape.txt" xenith_domains)" = "$doms" ]; then
    pass "a destroyed domain disappears"
else
    fail "a destroyed domain disappears" "$(grep 'name="met' "$T/scrape.txt")"
fi

# The core's seams: starts (and a start refused by the start path's checks
# before anything began is no start), jobs, events; the services' policy.
scrape /metrics >"$T/before.txt"
xenith create "$(mkcfg met3 64)" >/dev/null
xenith create "$(mkcfg met4 64 "uuid = \"$(field met3 uuid)\"")" \
    >/dev/null 2>&1
scrape /metrics >"$T/after.txt"
s0=$(value "$T/before.txt" xenith_starts_total)
s1=$(value "$T/after.txt" xenith_starts_total)
[ "$s1" = $((s0 + 1)) ] && pass "xenith_starts_total counts a create" ||
    fail "xenith_starts_total counts a create" "$s0 -> $s1"
e0=$(value "$T/before.txt" xenith_events_total)
e1=$(value "$T/after.txt" xenith_events_total)
[ "$e1" -gt "$e0" ] && pass "xenith_events_total counts the bus" ||
    fail "xenith_events_total counts the bus" "$e0 -> $e1"
[ "$(value "$T/after.txt" xenith_jobs_running)" = 0 ] &&
    pass "no job left running" ||
    fail "no job left running" "$(value "$T/after.txt" xenith_jobs_running)"
xenith policy met3 sched.class=low >/dev/null
scrape /metrics >"$T/scrape.txt"
p=$(value "$T/scrape.txt" xenith_sched_policy_domains)
[ "$p" = 1 ] && pass "a service's figure: domains with its policy" ||
    fail "a service's figure: domains with its policy" "$p"
xenith destroy met3

scrape /nope >/dev/null
[ "$(sed -n 1p "$T/scrape.meta")" = 404 ] && pass "404 elsewhere" ||
    fail "404 elsewhere" "$(cat "$T/scrape.meta")"
scrape /metrics POST >/dev/null
[ "$(sed -n 1p "$T/scrape.meta")" = 405 ] && pass "405 for POST" ||
    fail "405 for POST" "$(cat "$T/scrape.meta")"

# Start-up fails, with one line naming the problem, on a bad address and on
# one in use (by the daemon above).
other() {
    "$XENITH_BIN/xenithd" --sim --socket "$T/other.sock" \
        --state-dir "$T/other-state" --metrics "$1"
}
fails "bad --metrics" 'metrics address "127.0.0.1:http": the port "http"' \
    other 127.0.0.1:http
fails "bad --metrics address" '"localhost" is not a numeric IPv4 address' \
    other localhost:9100
fails "--metrics port in use" \
    "cannot listen for metrics on 127.0.0.1:$PORT: Address already in use" \
    other "$PORT"
finish
