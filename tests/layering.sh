#!/bin/sh
# layering.sh - the include rules of docs/architecture.md, checked on the
# preprocessor's own list of headers (gcc -MM):
#   - no cli/ file includes libxl's headers, even indirectly;
#   - no xenstore-client/ or common/ file includes a header from toolstack/;
#   - no service includes another service's headers;
#   - migration/wire, cert and relay (the relay faces the network) see only
#     common/.
set -u
cd "${XENITH_SRCDIR:-$(dirname "$0")/..}"
CC=${CC:-cc}
flags="-D_GNU_SOURCE -I. -Icommon -Ixenstore-client -Itoolstack
       $(pkg-config --cflags json-c libevent 2>/dev/null)"
pass=0
fail=0

deps() {
    # shellcheck disable=SC2086
    $CC -MM $flags "$1" 2>/dev/null | tr ' \\' '\n\n' | grep -v '^$' |
        grep -v ':$'
}

rule() {    # rule NAME PATTERN FILES...: no file's headers match PATTERN
    name=$1 pattern=$2
    shift 2
    bad=
    for f in "$@"; do
        [ -f "$f" ] || continue
        if deps "$f" | grep -Eq "$pattern"; then
            bad="$bad $f"
        fi
    done
    if [ -z "$bad" ]; then
        echo "PASS layering: $name"
        pass=$((pass + 1))
    else
        echo "FAIL layering: $name:$bad"
        fail=$((fail + 1))
    fi
}

rule "cli/ does not include libxl" '(^|/)libxl[^/]*\.h$|libxlutil\.h$' \
    cli/*.c cli/*.h
rule "xenstore-client/ uses only common/" '^toolstack/' \
    xenstore-client/*.c xenstore-client/*.h
rule "common/ is a leaf" '^(toolstack|xenstore-client)/' common/*.c common/*.h
rule "migration's wire, certificates and relay use only common/" \
    '^(toolstack|xenstore-client|balloon|schedtune)/|(^|/)libxl[^/]*\.h$' \
    migration/wire/*.c migration/wire/*.h migration/cert/*.c \
    migration/cert/*.h migration/relay/*.c migration/relay/*.h
for svc in balloon migration schedtune; do
    [ -d "$svc" ] || continue
    others=$(for o in balloon migration schedtune; do
                 [ "$o" = "$svc" ] || printf '%s|' "^$o/"; done)
    rule "$svc/ includes no other service" "${others%|}" "$svc"/*.c \
        "$svc"/*.h
done
echo "layering: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
