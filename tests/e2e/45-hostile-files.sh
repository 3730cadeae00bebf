#!/bin/sh
# What a client names as a file: a save replaces only regular files and
# follows no link, nothing a client names blocks the daemon, a full disk
# fails like a failed write (the domain runs on), and images with forged
# names or UUIDs are refused before anything is made.
. "$(dirname "$0")/lib.sh"
start_daemon

xenith create "$(mkcfg h1 64)" >/dev/null || fail "create h1" "failed"
running() { [ "$(field h1 state)" = running ] || [ "$(field h1 state)" = blocked ]; }
# The daemon answers within a few seconds: it is not stuck on a file.
responsive() { timeout 10 "$XENITH_BIN/xenith" list >/dev/null; }

# --- save targets: only a regular file (or a new one) ---
mkfifo "$T/fifo"
fails "save onto a FIFO" "it is a FIFO; a save replaces only a regular file" \
    timeout 10 "$XENITH_BIN/xenith" save h1 "$T/fifo"
[ -p "$T/fifo" ] && pass "the FIFO is still there" ||
    fail "the FIFO is still there" "$(ls -l "$T/fifo")"
fails "save onto the daemon's own socket" "it is a socket" \
    xenith save h1 "$XENITH_SOCKET"
[ -S "$XENITH_SOCKET" ] && responsive && pass "the socket still serves" ||
    fail "the socket still serves" "$(ls -l "$XENITH_SOCKET")"
fails "save onto a character device" "it is a character device" \
    xenith save h1 /dev/null
[ -c /dev/null ] && pass "/dev/null is still a device" ||
    fail "/dev/null is still a device" "$(ls -l /dev/null)"
mkdir "$T/dir"
fails "save onto a directory" "it is a directory" xenith save h1 "$T/dir"
echo precious >"$T/victim"
ln -s "$T/victim" "$T/link"
fails "save onto a symbolic link" "it is a symbolic link" \
    xenith save h1 "$T/link"
# A link planted where the partial file goes is not followed.
ln -s "$T/victim" "$T/img.partial"
fails "a link planted at PATH.partial" "img.partial exists already" \
    xenith save h1 "$T/img"
[ "$(cat "$T/victim")" = precious ] && pass "the link's target untouched" ||
    fail "the link's target untouched" "it holds $(head -c 40 "$T/victim")"
# A FIFO planted there would have blocked the daemon on open.
mkfifo "$T/img2.partial"
fails "a FIFO planted at PATH.partial" "img2.partial exists already" \
    timeout 10 "$XENITH_BIN/xenith" save h1 "$T/img2"
responsive && pass "responsive after the planted FIFO" ||
    fail "responsive after the planted FIFO" "no answer"
running && pass "h1 runs on through all of it" ||
    fail "h1 runs on through all of it" "state $(field h1 state)"

# --- restore reads only regular files ---
mkfifo "$T/rfifo"
fails "restore from a FIFO with no writer" "it is a FIFO, not a save file" \
    timeout 10 "$XENITH_BIN/xenith" restore "$T/rfifo"
responsive && pass "responsive after the FIFO" ||
    fail "responsive after the FIFO" "no answer"
fails "restore from a device" "it is a character device" \
    timeout 10 "$XENITH_BIN/xenith" restore /dev/zero
fails "restore from a directory" "is a directory\|it is a directory" \
    xenith restore "$T/dir"

# --- a full disk: the write fails, nothing is left, the domain runs ---
if command -v prlimit >/dev/null 2>&1; then
    prlimit --pid "$DAEMON_PID" --fsize=1048576:unlimited
    fails "save onto a full disk" "File too large\|No space left" \
        xenith save h1 "$T/full.img"
    prlimit --pid "$DAEMON_PID" --fsize=unlimited:unlimited
    running && pass "h1 runs on after the full disk" ||
        fail "h1 runs on after the full disk" "state $(field h1 state)"
    [ ! -e "$T/full.img" ] && [ ! -e "$T/full.img.partial" ] &&
        pass "no image and no partial file left" ||
        fail "no image and no partial file left" "$(ls "$T")"
fi

# --- UUIDs: one domain each ---
u1=$(field h1 uuid)
fails "create with another domain's UUID" \
    "domain h1 (id [0-9]*) already has UUID $u1" \
    xenith create "$(mkcfg h2 64 "uuid = \"$u1\"")"
fails "nothing made of it" 'no domain named "h2"' xenith list h2

# --- names and UUIDs from images ---
ok "save h1" xenith save h1 "$T/h1.img"
# forge the header line (the image after it is untouched)
forge() {   # forge OUT PERL-SUBSTITUTION: a copy of h1.img, header changed
    out=$1
    perl -e '
        my ($in, $out, $subst) = @ARGV;
        open(my $i, "<:raw", $in) or die;
        my $line = <$i>;
        eval "\$line =~ $subst" ; die $@ if $@;
        local $/;
        my $rest = <$i>;
        open(my $o, ">:raw", $out) or die;
        print $o $line, $rest;
    ' "$T/h1.img" "$out" "$2"
}
forge "$T/dom0.img" 's/"name":"h1"/"name":"Domain-0"/'
fails "a header that names another domain" \
    'header names domain "Domain-0" but its image is of domain "h1"' \
    xenith restore "$T/dom0.img"
forge "$T/nl.img" 's/"name":"h1"/"name":"h1\\nDomain-0"/'
fails "a header name with a newline" "contains a control character" \
    xenith restore "$T/nl.img"
forge "$T/slash.img" 's/"name":"h1"/"name":"a\/b"/'
fails "a header name with a slash" "contains '/'" \
    xenith restore "$T/slash.img"
forge "$T/digits.img" 's/"name":"h1"/"name":"123"/'
fails "a header name of digits" "is a number" xenith restore "$T/digits.img"
forge "$T/utf8.img" 's/"name":"h1"/"name":"h\xff1"/'
fails "a header name that is not UTF-8" "damaged header line\|not valid UTF-8" \
    xenith restore "$T/utf8.img"
forge "$T/uuid.img" 's/"uuid":"[0-9a-f-]*"/"uuid":"00000000-0000-0000-0000-000000000042"/'
fails "a header UUID that is not the image's" \
    "header gives UUID 00000000-0000-0000-0000-000000000042 but its image" \
    xenith restore "$T/uuid.img"
# the configuration inside the image names the domain badly
perl -0777 -e '
    open(my $i, "<:raw", $ARGV[0]) or die; local $/; my $d = <$i>;
    my $h = index($d, "\n") + 1;
    my $body = substr($d, $h);
    $body =~ s/"name": ?"h1"/"name": "h\/"/ or die "no name in the image";
    open(my $o, ">:raw", $ARGV[1]) or die; print $o substr($d, 0, $h), $body;
' "$T/h1.img" "$T/cfgname.img"
fails "an image whose configuration names no valid domain" \
    "the image's configuration: domain name \"h/\" contains '/'" \
    xenith restore "$T/cfgname.img"
fails "none of them made a domain" 'no domain named "h1"' xenith list h1
ok "the real image restores" xenith restore "$T/h1.img"
fails "the same image again: the UUID is taken" "already has UUID" \
    xenith restore --name h1b "$T/h1.img"
responsive && pass "responsive at the end" || fail "responsive at the end" ""
finish
