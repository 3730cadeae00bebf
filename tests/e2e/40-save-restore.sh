#!/bin/sh
# Save and restore on the simulated host: real streams, nothing lost.
. "$(dirname "$0")/lib.sh"
start_daemon

xenith create "$(mkcfg s1 128)" >/dev/null || fail "create s1" "failed"
free0=$(free_mib)
ok "save" xenith save s1 "$T/s1.img"
fails "saved domain is gone" 'no domain named "s1"' xenith list s1
[ "$(free_mib)" -eq $((free0 + 128)) ] && pass "its memory is free" ||
    fail "its memory is free" "free was $free0, now $(free_mib)"
outputs "save file names itself" '^XENITH-SAVE 1 .*"name":"s1"' \
    head -1 "$T/s1.img"
[ ! -e "$T/s1.img.partial" ] && pass "no partial file left" ||
    fail "no partial file left" "$T/s1.img.partial exists"
size=$(wc -c <"$T/s1.img")
[ "$size" -gt $((128 * 1024 * 1024)) ] && pass "image holds the memory" ||
    fail "image holds the memory" "only $size bytes"

cp "$T/s1.img" "$T/s1.copy"
outputs "restore" "Restored domain s1 (id [0-9]*)" xenith restore "$T/s1.img"
[ "$(field s1 state)" = running ] && pass "restored and running" ||
    fail "restored and running" "state $(field s1 state)"
[ "$(field s1 mem_kb)" -eq $((128 * 1024)) ] && pass "memory restored" ||
    fail "memory restored" "mem_kb $(field s1 mem_kb)"
fails "restore onto a live name" 'a domain named "s1" already exists' \
    xenith restore "$T/s1.copy"
# Another name is not enough: the copy has s1's UUID, and two domains with
# one UUID would share their policy and their /vm tree.
fails "restore a second copy of a live domain" \
    "domain s1 (id [0-9]*) already has UUID" \
    xenith restore -p --name s1b "$T/s1.copy"
fails "nothing made of it" 'no domain named "s1b"' xenith list s1b
xenith save s1 "$T/s1.img" >/dev/null
outputs "restore under another name, paused" "s1b.*paused" \
    xenith restore -p --name s1b "$T/s1.copy"
[ "$(field s1b state)" = paused ] && pass "restored paused" ||
    fail "restored paused" "state $(field s1b state)"
xenith destroy s1b
ok "and the first again" xenith restore "$T/s1.img"

ok "checkpoint save" xenith save -c s1 "$T/s1.ckpt"
[ "$(field s1 state)" = running ] && pass "checkpoint keeps it running" ||
    fail "checkpoint keeps it running" "state $(field s1 state)"

# A damaged image is refused and creates nothing.
count() { xenith list | wc -l; }
n0=$(count)
cp "$T/s1.ckpt" "$T/bad.img"
printf 'XX' | dd of="$T/bad.img" bs=1 seek=$((size / 2)) conv=notrunc \
    2>/dev/null
xenith destroy s1
fails "corrupt image" "s1" xenith restore "$T/bad.img"
head -c $((size / 3)) "$T/s1.ckpt" >"$T/short.img"
fails "truncated image" "s1" xenith restore "$T/short.img"
echo "hello" >"$T/junk.img"
fails "not a save file" "is not a xenith save file" \
    xenith restore "$T/junk.img"
fails "missing file" "cannot open save file" xenith restore "$T/none.img"
[ "$(count)" -eq $((n0 - 1)) ] && pass "no domain left behind" ||
    fail "no domain left behind" "$(xenith list)"
[ "$(free_mib)" -eq $((free0 + 128)) ] && pass "no memory leaked" ||
    fail "no memory leaked" "free $(free_mib), expected $((free0 + 128))"

# A save that cannot be written leaves the domain running.
xenith create "$(mkcfg s2 64)" >/dev/null
fails "save into a missing directory" "cannot use $T/nodir" \
    xenith save s2 "$T/nodir/s2.img"
chmod 500 "$T" 2>/dev/null
mkdir -p "$T/ro" && chmod 500 "$T/ro"
if [ "$(id -u)" != 0 ]; then
    fails "save into a read-only dir" "cannot create" \
        xenith save s2 "$T/ro/s2.img"
fi
chmod 700 "$T"
[ "$(field s2 state)" = running ] && pass "s2 still running" ||
    fail "s2 still running" "state $(field s2 state)"
finish
