#!/bin/sh
# The balloon commands' own argument checks: each fails before asking the
# daemon (none runs here: asking would fail with "cannot connect", exit 1),
# with exit status 2 and one line quoting the bad value.  What the balloon
# service answers is tested with the service.
. "$(dirname "$0")/lib.sh"

outputs "balloon help" "Usage: xenith balloon status" xenith balloon -h
outputs "mem-reserve help" "Usage: xenith mem-reserve" xenith help mem-reserve
outputs "help lists balloon" "mem-reserve" xenith help

WANT_RC=2 fails "balloon without action" "xenith balloon: missing argument" \
    xenith balloon
WANT_RC=2 fails "balloon unknown action" 'unknown action "frob"' \
    xenith balloon frob
WANT_RC=2 fails "balloon status extra argument" 'unexpected argument "web1"' \
    xenith balloon status web1
WANT_RC=2 fails "balloon status takes no set option" \
    '\-\-weight is an option of balloon set' \
    xenith balloon status --weight 5
WANT_RC=2 fails "balloon unknown option" 'unknown option "--frob"' \
    xenith balloon status --frob
WANT_RC=2 fails "balloon set without domain" 'balloon set needs a DOMAIN' \
    xenith balloon set --min 512
WANT_RC=2 fails "balloon set without option" 'needs at least one of --min' \
    xenith balloon set web1
WANT_RC=2 fails "balloon set bad size" '\-\-min "12X" is not a memory size' \
    xenith balloon set web1 --min 12X
WANT_RC=2 fails "balloon set zero size" '\-\-max "0" is not a memory size' \
    xenith balloon set web1 --max 0
WANT_RC=2 fails "balloon set size not whole MiB" \
    '\-\-min "1536k" is not a whole number of MiB' \
    xenith balloon set web1 --min 1536k
WANT_RC=2 fails "balloon set bad need" '\-\-need "lots" is not a memory size' \
    xenith balloon set web1 --need lots
WANT_RC=2 fails "balloon set weight too low" \
    '\-\-weight "0" is not a whole number from 1 to 10000' \
    xenith balloon set web1 --weight 0
WANT_RC=2 fails "balloon set weight not a number" '\-\-weight "abc"' \
    xenith balloon set web1 --weight abc
WANT_RC=2 fails "balloon set weight too high" '\-\-weight "10001"' \
    xenith balloon set web1 --weight 10001
WANT_RC=2 fails "balloon set buffer too low" \
    '\-\-buffer "4" is not a whole number from 5 to 2000' \
    xenith balloon set web1 --buffer 4
WANT_RC=2 fails "balloon set buffer with %" '\-\-buffer "20%"' \
    xenith balloon set web1 --buffer 20%
WANT_RC=2 fails "balloon set managed and unmanaged" \
    '\-\-managed and --unmanaged exclude each other' \
    xenith balloon set web1 --managed --unmanaged
WANT_RC=2 fails "balloon set option without value" \
    'option "--weight" needs a value' xenith balloon set web1 --weight
WANT_RC=2 fails "balloon set two domains" 'unexpected argument "web2"' \
    xenith balloon set web1 web2 --weight 5

WANT_RC=2 fails "mem-reserve without size" \
    "xenith mem-reserve: missing argument" xenith mem-reserve
WANT_RC=2 fails "mem-reserve bad size" 'SIZE "12X" is not a memory size' \
    xenith mem-reserve 12X
WANT_RC=2 fails "mem-reserve two sizes" 'unexpected argument "2g"' \
    xenith mem-reserve 1g 2g
WANT_RC=2 fails "mem-reserve bad --for" '\-\-for "0" is not a whole number' \
    xenith mem-reserve 1g --for 0
WANT_RC=2 fails "mem-reserve --for not a number" '\-\-for "soon"' \
    xenith mem-reserve 1g --for soon
WANT_RC=2 fails "mem-reserve --release without id" \
    'option "--release" needs a value' xenith mem-reserve --release
WANT_RC=2 fails "mem-reserve --release bad id" 'reservation id "abc"' \
    xenith mem-reserve --release abc
WANT_RC=2 fails "mem-reserve --release with size" 'unexpected argument "1g"' \
    xenith mem-reserve --release 3 1g
WANT_RC=2 fails "mem-reserve --release with --for" \
    '\-\-for does not go with --release' xenith mem-reserve --release 3 --for 5

# Valid arguments do go to the daemon (none here): one line, exit 1.
fails "balloon set asks the daemon" "cannot connect to xenithd" \
    xenith balloon set web1 --need auto --weight 200
fails "mem-reserve asks the daemon" "cannot connect to xenithd" \
    xenith mem-reserve 512 --for 30

xenith completion bash >"$T/compl.bash"
if bash -n "$T/compl.bash" &&
    grep -q 'balloon) opts="--json --min' "$T/compl.bash" &&
    grep -q 'words="status set"' "$T/compl.bash"; then
    pass "balloon completion"
else
    fail "balloon completion" "no balloon entry in the completion script"
fi
finish
