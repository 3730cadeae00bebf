#!/bin/sh
# run.sh OUTDIR BENCH... - make bench: run every bench program given (each
# prints its table and writes its figures as a JSON list), merge the lists
# into OUTDIR/bench.json and print its path, last.  A bench program is
# any tests/bench/bench_*.c; see docs/bench.md.
set -u
out=$1
shift
mkdir -p "$out/bench"
lists=
for b in "$@"; do
    name=$(basename "$b")
    rm -f "$out/bench/$name.json"
    echo "=== $name"
    if ! "$b" --json "$out/bench/$name.json"; then
        echo "bench: $name failed" >&2
        exit 1
    fi
    echo
    lists="$lists $out/bench/$name.json"
done
# shellcheck disable=SC2086
python3 - "$out/bench.json" $lists <<'PY' || exit 1
import json, sys

merged = []
for path in sys.argv[2:]:
    with open(path) as f:
        figures = json.load(f)
    if not isinstance(figures, list):
        sys.exit("bench: %s: not a JSON list" % path)
    merged.extend(figures)
with open(sys.argv[1], "w") as f:
    json.dump(merged, f, indent=2)
    f.write("\n")
print("%d figures from %d bench programs" % (len(merged), len(sys.argv) - 2))
PY
echo "$out/bench.json"
