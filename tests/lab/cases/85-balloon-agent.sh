# 85-balloon-agent.sh - xenith-guest-agent in PV guests: its memory report
# appears in the guest's own xenstore (data/xenith-memory), is sane, goes
# on, and is owned by the guest; a guest running memhog reports less
# memory available than one that does not.
# shellcheck shell=dash disable=SC2086,SC2317
# ($X is one word; the functions are called through wait_until.)
# lab-timeout: 120

GA=lab-agent
GH=lab-agent-hog
MEM=192
HOG=64

cfga=$(guest_cfg $GA pv "memory = $MEM" \
       'extra = "console=hvc0 quiet xenith_agent=1"')
cfgh=$(guest_cfg $GH pv "memory = $MEM" \
       "extra = \"console=hvc0 quiet xenith_agent=1 memhog=$HOG\"")
need boot_guest agent $GA $X create "$cfga"
need boot_guest hog $GH $X create "$cfgh"
ida=$(xl_domid $GA)
idh=$(xl_domid $GH)

# report DOMID: the report's text (empty while there is none).
report() { xenstore-read /local/domain/$1/data/xenith-memory 2>/dev/null; }
# rep KEY TEXT: one field of a report.
rep() { echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"; }
has_report() { [ -n "$(report $1)" ]; }
seq_above() { [ "$(rep seq "$(report $1)")" -gt "$2" ] 2>/dev/null; }

# --- the report appears and is sane ---
wait_until report.appears 20 has_report $ida ||
    { run xenstore-ls -fp /local/domain/$ida; exit 0; }
r=$(report $ida)
note "report of $GA (domain $ida): $r"
expect_eq report.version "v" "$(rep v "$r")" 1
expect_eq report.every "every" "$(rep every "$r")" 2
mem_kb=$(($(xl list $GA | awk 'NR == 2 { print $3 }') * 1024))
total=$(rep total "$r")
avail=$(rep avail "$r")
# MemTotal is what the guest kernel manages: its memory less the kernel's
# own image and reservations (~50 MiB for Debian's kernel here: 145096 KiB
# of a 192 MiB guest), so below what xl says, by less than 64 MiB.
total_ok() { [ "$total" -le "$mem_kb" ] && [ "$total" -gt $((mem_kb - 65536)) ]; }
avail_ok() { [ "$avail" -gt 0 ] && [ "$avail" -le "$total" ]; }
note "total=$total avail=$avail (xl: ${mem_kb} KiB)"
expect_eq report.total "total within 64 MiB below xl's $mem_kb KiB" \
    "$(total_ok && echo yes)" yes
expect_eq report.avail "0 < avail <= total" "$(avail_ok && echo yes)" yes
for k in swapin swapout refault some full; do
    case $(rep $k "$r") in
    '' | *[!0-9]*) fail report.$k "field $k is \"$(rep $k "$r")\" in: $r" ;;
    *) pass report.$k ;;
    esac
done

# --- it goes on: seq grows ---
wait_until report.seq-grows 10 seq_above $ida "$(rep seq "$r")"

# --- the guest wrote it: the node is the guest's ---
expect_out report.owner "^ *xenith-memory = .*\\(n${ida}[,)]" \
    xenstore-ls -p /local/domain/$ida/data

# --- memhog: less available than the guest without it ---
wait_console hog.holding $GH "^MEMHOG-HOLDING mib=$HOG" 30
wait_until hog.report 20 has_report $idh ||
    { run xenstore-ls -fp /local/domain/$idh; exit 0; }
hog_lower() {
    local a h
    a=$(rep avail "$(report $ida)")
    h=$(rep avail "$(report $idh)")
    echo "avail: $GA $a KiB, $GH $h KiB"
    [ -n "$a" ] && [ -n "$h" ] && [ $((h + HOG * 1024 / 2)) -lt "$a" ]
}
wait_until hog.less-avail 15 hog_lower

quiet xl destroy $GA
quiet xl destroy $GH
exit 0
