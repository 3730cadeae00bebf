#!/bin/sh
# config-check: no daemon, and the same checks create applies (the parser,
# the name rule, the size limit, the vCPU default).
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

# create says the same about the same files.
start_daemon
fails "create refuses the digits too" 'domain name "123" is a number' \
    xenith create "$T/123.cfg"
fails "create refuses the size too" "is larger than 512 KiB" \
    xenith create "$T/big.cfg"
ok "create takes the UTF-8 name" xenith create "$T/cafe.cfg"
outputs "and lists it" "^café " xenith list
finish
