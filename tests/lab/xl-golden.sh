#!/bin/bash
# xl-golden.sh - record what real Xen 4.17's `xl -N create` prints for
# xl.cfg files, to make golden files for the parser's tests.
#
#   bash tests/lab/xl-golden.sh FILE.cfg...
#
# Boots the lab once (boot P, only 40-config-compare; about a minute) with the
# files in /lab/out/xl-in.  For each FILE.cfg that xl accepts, writes
# FILE.json beside it (xl's stdout, byte for byte); for each it rejects,
# prints xl's exit status and stderr and writes nothing.  xl's stderr for
# accepted files (its warnings) goes to FILE.xl-stderr when it is not empty.
# Exits 1 if the lab run failed before recording.  LAB_WORK (see run.sh)
# may name a shared work directory: runs then queue on its lock.
set -uo pipefail
LAB=$(cd "$(dirname "$0")" && pwd)
[ $# -gt 0 ] || { echo "usage: xl-golden.sh FILE.cfg..." >&2; exit 2; }
IN=$(mktemp -d)
trap 'rm -rf "$IN"' EXIT
for f in "$@"; do
    case $f in *.cfg) ;; *) echo "xl-golden: $f: not a .cfg file" >&2; exit 2 ;; esac
    [ -f "$f" ] || { echo "xl-golden: $f: no such file" >&2; exit 2; }
    [ ! -e "$IN/$(basename "$f")" ] || { echo "xl-golden: two files named $(basename "$f")" >&2; exit 2; }
    cp "$f" "$IN/"
done
LAB_XL_IN=$IN bash "$LAB/run.sh" -b P -c 40-config-compare > "$IN/run.log" 2>&1
# The run's own directory (run.sh's summary names it; "last" may already
# point at another run's).
OUT=$(sed -n 's/^logs: //p' "$IN/run.log" | tail -n1)/P/xl-out
[ -d "$OUT" ] || { tail -n 20 "$IN/run.log"; echo "xl-golden: the lab recorded nothing" >&2; exit 1; }
for f in "$@"; do
    c=$(basename "$f" .cfg)
    rc=$(cat "$OUT/$c.rc" 2>/dev/null || echo missing)
    if [ "$rc" = 0 ]; then
        cp "$OUT/$c.json" "${f%.cfg}.json"
        if [ -s "$OUT/$c.stderr" ]; then cp "$OUT/$c.stderr" "${f%.cfg}.xl-stderr"
        else rm -f "${f%.cfg}.xl-stderr"; fi
        echo "$f: recorded ${f%.cfg}.json"
    else
        echo "$f: xl exits $rc:"; sed 's/^/    /' "$OUT/$c.stderr" 2>/dev/null
    fi
done
