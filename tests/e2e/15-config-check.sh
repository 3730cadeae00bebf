#!/bin/sh
# config-check: no daemon, and the same checks create applies (the parser,
# the name rule, the size limit, the vCPU default); the warnings for what xl
# ignores, from config-check and in create's reply; the host's NUMA layout,
# which create knows and config-check does not.
. "$(dirname "$0")/lib.sh"

cfg=$(mkcfg c1 256)
outputs "a good file" "c1.cfg: domain c1, pvh, 256 MiB, 2 vCPUs" \
    xenith config-check "$cfg"
printf 'name = "c2"\ntype = "pv"\nkernel = "/k"\nmemory = 64\n' >"$T/c2.cfg"
outputs "no vcpus: one, as created" "64 MiB, 1 vCPU, 0 disks" \
    xenith config-check "$T/c2.cfg"
fails "a name create refuses: digits" \
    'name: domain name "123" is a number' \
    xenith config-check "$(mkcfg 123 64)"
printf 'name = "a b"\ntype = "pv"\nkernel = "/k"\n' >"$T/sp.cfg"
fails "a name create refuses: a space" 'domain name "a b" contains a space' \
    xenith config-check "$T/sp.cfg"
printf 'name = "caf\303\251"\ntype = "pv"\nkernel = "/k"\n' >"$T/cafe.cfg"
outputs "a UTF-8 name is a name" "domain café" xenith config-check "$T/cafe.cfg"
{ cat "$cfg"; head -c 600000 /dev/zero | tr '\0' '#'; } >"$T/big.cfg"
fails "larger than create takes" "is larger than 512 KiB" \
    xenith config-check "$T/big.cfg"
printf 'name = "n1"\n\000\n' >"$T/nul.cfg"
fails "a NUL byte" "nul.cfg:2: syntax error: the file contains a NUL byte" \
    xenith config-check "$T/nul.cfg"

# warned_once NAME PATTERN CMD...: the command succeeds and prints exactly
# one warning line on stderr, matching PATTERN.
warned_once() {
    name=$1; pattern=$2; shift 2
    if ! "$@" >"$T/out" 2>"$T/err"; then
        fail "$name" "\"$*\" failed: $(cat "$T/err")"
    elif [ "$(wc -l <"$T/err")" -ne 1 ] ||
         ! grep -q -- "^xenith: warning: .*/$pattern" "$T/err"; then
        fail "$name" "wanted one warning /$pattern/, got: $(cat "$T/err")"
    else
        pass "$name"
    fi
}
printf 'name = "w1"\ntype = "pv"\nkernel = "/k"\nmemory = 64\n\ndevice_model = "qemu-dm"\n' >"$T/w1.cfg"
warned_once "xl ignores device_model: a warning with file and line" \
    'w1.cfg:6: device_model: "qemu-dm" is ignored, as xl ignores it' \
    xenith config-check "$T/w1.cfg"
printf 'name = "w2"\ntype = "pv"\nkernel = "/k"\nmemory = 64\ncmdline = "ro"\nextra = "quiet"\n' >"$T/w2.cfg"
warned_once "--json warns too, on stderr" 'w2.cfg:6: extra: "quiet" is ignored because cmdline is set' \
    xenith config-check --json "$T/w2.cfg"
if grep -q '"cmdline": "ro"' "$T/out"; then pass "and keeps cmdline, as xl"
else fail "and keeps cmdline, as xl" "$(cat "$T/out")"; fi
printf 'name = "n2"\ntype = "pv"\nkernel = "/k"\nmemory = 64\nvcpus = 1\ncpus = "nodes:0"\n' >"$T/n2.cfg"
fails "nodes: needs the host, which config-check does not know" \
    'n2.cfg:6: cpus: "nodes:0" names NUMA nodes' xenith config-check "$T/n2.cfg"
printf 'name = "v1"\ntype = "pvh"\nkernel = "/k"\nmemory = 256\nmaxvcpus = 2\nvcpus = 2\nvnuma = [ [ "pnode=1", "size=256", "vcpus=0-1" ] ]\n' >"$T/v1.cfg"
warned_once "vnuma pnode: config-check says it could not check it" \
    'v1.cfg:7: vnuma: not checked' xenith config-check "$T/v1.cfg"

# create says the same about the same files.
start_daemon
warned_once "create's reply carries the warning" \
    'w1.cfg:6: device_model: "qemu-dm" is ignored' xenith create "$T/w1.cfg"
if grep -q "Created domain w1" "$T/out"; then pass "and the domain is created"
else fail "and the domain is created" "$(cat "$T/out")"; fi
ok "create maps nodes:0 with the host's layout" xenith create "$T/n2.cfg"
fails "create checks a vnuma pnode against the host's one node" \
    'v1.cfg:7: vnuma: .*pnode' xenith create "$T/v1.cfg"
fails "create refuses the digits too" 'domain name "123" is a number' \
    xenith create "$T/123.cfg"
fails "create refuses the size too" "is larger than 512 KiB" \
    xenith create "$T/big.cfg"
ok "create takes the UTF-8 name" xenith create "$T/cafe.cfg"
outputs "and lists it" "^café " xenith list
finish
