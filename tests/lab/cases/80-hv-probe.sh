# 80-hv-probe.sh - hv-probe (tests/lab/hv-probe/): every op of the xen:///
# driver called directly through the hypervisor interface, not through
# the CLI.  A PV guest through its whole life (the common checks' refusals
# and their wording, need_memory, save, the two-step restore, a refused
# duplicate restore, damaged images, lookup by UUID, checkpoint, shutdown),
# a guest made by xl, and a PVH guest saved live and restored under another
# name.  The probe's "PASS step", "FAIL step: why" and "SKIP step: why"
# lines become this area's; its "EMULATOR: what" (a guest's first boot the
# emulator killed, which the probe destroyed and created once more) an
# EMULATOR line.  Not run: the probe's HVM step (the image has no device
# model, hvmloader or SeaBIOS).
# xenithd is stopped meanwhile: the probe's guests carry xenith's mark, so
# xenithd would take them for its own and act on their shutdowns.
# shellcheck shell=dash
# lab-boot: B
# lab-timeout: 200
# lab-daemon: stopped

xenith_only hv-probe || exit 0
if ! command -v hv-probe >/dev/null; then
    fail binary "hv-probe is not in the image (make lab-check builds it)"
    exit 0
fi
# The probe's own limit, inside the file's, so that a hang is reported here.
LIMIT=180
STATUS=$WORK/probe.status

# probe_lines: the probe's output, logged, each result line reported.
probe_lines() {
    local line rest
    while IFS= read -r line; do
        echo "    | $line"
        case $line in
        "PASS "*) rest=${line#PASS }; pass "${rest% (*}" ;;
        "FAIL "*) rest=${line#FAIL }; fail "${rest%%: *}" "${rest#*: }" ;;
        "SKIP "*) rest=${line#SKIP }; skip "${rest%%: *}" "${rest#*: }" ;;
        "EMULATOR: "*) emulator "${line#EMULATOR: }" ;;
        esac
    done
}

ARGS="-d $SAVE_DIR/hv-probe --pvh"
echo "\$ hv-probe $ARGS    [limit ${LIMIT}s]"
{
    # shellcheck disable=SC2086
    timeout -s KILL $LIMIT hv-probe $ARGS 2>&1 < /dev/null
    echo $? > "$STATUS"
} | probe_lines
rc=$(cat "$STATUS" 2>/dev/null)
echo "    [exit ${rc:-?}]"
rm -rf "$SAVE_DIR/hv-probe"
case $rc in
0) ;;
137) fail finished "hv-probe did not finish within ${LIMIT}s (see its log)" ;;
*) grep -q "^FAIL $AREA/" "$LAB_RESULTS" ||
       fail finished "hv-probe exited ${rc:-?} without a FAIL line" ;;
esac
