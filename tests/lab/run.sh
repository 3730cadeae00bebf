#!/bin/bash
# run.sh - the lab: xenith's lifecycle tests against real Xen 4.17, booted
# under QEMU (TCG software emulation) from Debian's packages.
#
#   XENITH_BIN=/abs/build bash tests/lab/run.sh [OPTIONS]
#
#   -c, --case NAME   run only the case files whose name contains NAME
#                     (repeatable; e.g. -c pv-lifecycle -c 50)
#   -b, --boot A|B|M|P  run only boot A (credit2, most cases), B
#                     (sched=credit), M (two hosts wired together:
#                     migration) or P (an IOMMU and a PCI device: passthrough)
#       --cli xl      run the cases against xl instead of xenith: checks the
#                     harness itself (xenith-only checks are skipped)
#       --shell       boot once with dom0's console on this terminal and get a
#                     shell there after the selected cases (none by default);
#                     leave with `exit`, or Ctrl-a x to kill QEMU
#       --no-build    reuse the last image in tests/lab/work/image
#   LAB_GOLDEN=1 in the environment: 40-config-compare also checks that xl
#   still prints every tests/config golden file (about two minutes more)
#   -h, --help
#
# Prints PASS/FAIL/SKIP per check, EMULATOR for emulator faults that were
# retried, a summary, and exits non-zero if anything failed.  Each run's
# logs are in tests/lab/work/runs/<time>/ (tests/lab/work/last points there):
# per boot serial.log (Xen and dom0 console), results, cases/AREA.log,
# xenithd.log, console/guest-*.log, xen-dmesg.log, dom0-dmesg.log.
# See tests/lab/README.md.
set -uo pipefail
export LC_ALL=C

LAB=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$LAB/../.." && pwd)
WORK=${LAB_WORK:-$LAB/work}
XENITH_BIN=${XENITH_BIN:-$REPO/build}
IMG=$WORK/image

# Time limits, in seconds.  Normal: dom0 is up ~10 s after QEMU starts.
UP_TIMEOUT=${LAB_UP_TIMEOUT:-150}       # QEMU start to the DOM0-UP marker
HANG_TIMEOUT=${LAB_HANG_TIMEOUT:-90}    # dom0 silent (its 5 s tick stopped)
BOOT_TIMEOUT=${LAB_BOOT_TIMEOUT:-540}   # one whole boot, at most (see budget_of)
RUN_TIMEOUT=${LAB_RUN_TIMEOUT:-1500}    # the whole run, image build included
KEEP_RUNS=5

XEN_ARGS="dom0_mem=1024M,max:1024M dom0_max_vcpus=1 dom0_vcpus_pin console=com1 com1=115200,8n1 loglvl=all guest_loglvl=all"
DOM0_ARGS="console=hvc0 earlyprintk=xen"
# -smap: with SMAP, dom0 crashes at once under TCG.  -avx,-avx2: under QEMU
# 7.2's TCG, a PVH guest's user space sometimes takes #UD on an AVX
# instruction (busybox's glibc strchr) and its init dies: 2 of 46 PVH boots
# with AVX exposed.  Without AVX in CPUID nothing executes AVX code (0 of 44
# boots failed).  See README.md, "Facts the lab relies on".
QEMU_CPU=${LAB_QEMU_CPU:-max,-smap,-avx,-avx2}
QEMU_ARGS=(-accel tcg -smp 2 -m 3072 -no-reboot -net none)

say() { echo "lab: $*"; }
die() { echo "lab: error: $*" >&2; exit 2; }

# --- options ---------------------------------------------------------------------
CASE_FILTERS=()
ONLY_BOOT=
CLI=xenith
SHELL_MODE=0
BUILD=1
while [ $# -gt 0 ]; do
    case $1 in
    -c|--case) [ $# -ge 2 ] || die "$1 needs a name"; CASE_FILTERS+=("$2"); shift ;;
    -b|--boot) [ $# -ge 2 ] || die "$1 needs A or B"; ONLY_BOOT=$2; shift ;;
    --cli) [ $# -ge 2 ] || die "$1 needs xenith or xl"; CLI=$2; shift ;;
    --shell) SHELL_MODE=1 ;;
    --no-build) BUILD=0 ;;
    -h|--help) sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 0 ;;
    *) die "unknown option \"$1\" (see --help)" ;;
    esac
    shift
done
case $ONLY_BOOT in ''|A|B|M|P) ;; *) die "--boot: \"$ONLY_BOOT\" is not A, B, M or P" ;; esac
case $CLI in xenith|xl) ;; *) die "--cli: \"$CLI\" is not xenith or xl" ;; esac

# --- which cases run in which boot ------------------------------------------------
# A case file runs in boot A unless it has a "# lab-boot: B" line.
boot_of() { sed -n 's/^# lab-boot: *\([ABMP]\).*/\1/p' "$1" | head -n1 | grep . || echo A; }
selected() {
    local f=$1 pat
    [ ${#CASE_FILTERS[@]} -eq 0 ] && return 0
    for pat in "${CASE_FILTERS[@]}"; do
        [[ $(basename "$f") == *"$pat"* ]] && return 0
    done
    return 1
}
CASES_A=() CASES_B=() CASES_M=() CASES_P=()
for f in "$LAB"/cases/[0-9]*.sh; do
    [ -e "$f" ] || continue
    if [ $SHELL_MODE = 1 ] && [ ${#CASE_FILTERS[@]} -eq 0 ]; then continue; fi
    selected "$f" || continue
    case $(boot_of "$f") in
    B) CASES_B+=("$(basename "$f" .sh)") ;;
    P) CASES_P+=("$(basename "$f" .sh)") ;;
    M) [ $SHELL_MODE = 0 ] && CASES_M+=("$(basename "$f" .sh)") ;;
    *) CASES_A+=("$(basename "$f" .sh)") ;;
    esac
done
BOOTS=()
if [ $SHELL_MODE = 1 ]; then
    [ "$ONLY_BOOT" = M ] && die "--shell: the two-host boot M has no shell"
    # The boot of the cases named, unless -b says otherwise.
    if [ -z "$ONLY_BOOT" ] && [ ${#CASES_A[@]} -eq 0 ] && [ ${#CASES_B[@]} -gt 0 ]; then
        ONLY_BOOT=B
    fi
    if [ -z "$ONLY_BOOT" ] && [ ${#CASES_A[@]} -eq 0 ] && [ ${#CASES_P[@]} -gt 0 ]; then
        ONLY_BOOT=P
    fi
    BOOTS=("${ONLY_BOOT:-A}")
else
    [ ${#CASES_A[@]} -gt 0 ] && { [ -z "$ONLY_BOOT" ] || [ "$ONLY_BOOT" = A ]; } && BOOTS+=(A)
    [ ${#CASES_B[@]} -gt 0 ] && { [ -z "$ONLY_BOOT" ] || [ "$ONLY_BOOT" = B ]; } && BOOTS+=(B)
    [ ${#CASES_P[@]} -gt 0 ] && { [ -z "$ONLY_BOOT" ] || [ "$ONLY_BOOT" = P ]; } && BOOTS+=(P)
    [ ${#CASES_M[@]} -gt 0 ] && { [ -z "$ONLY_BOOT" ] || [ "$ONLY_BOOT" = M ]; } && BOOTS+=(M)
    [ ${#BOOTS[@]} -gt 0 ] || die "no case matches ${CASE_FILTERS[*]:-(none)}${ONLY_BOOT:+ in boot $ONLY_BOOT}"
fi

# --- preconditions ---------------------------------------------------------------------
for t in qemu-system-x86_64 busybox cpio depmod modprobe python3 flock; do
    command -v "$t" >/dev/null || die "$t is missing (run: sh scripts/install-deps.sh lab)"
done
case $WORK in *[,\ ]*) die "the work directory \"$WORK\" must not contain commas or spaces (QEMU options)" ;; esac
if [ "$CLI" = xenith ]; then
    for b in xenithd xenith; do
        [ -x "$XENITH_BIN/$b" ] || {
            echo "FAIL lab/binaries: $XENITH_BIN/$b does not exist (run make, or set XENITH_BIN)"
            exit 1
        }
    done
fi

mkdir -p "$WORK/runs"
exec 9>"$WORK/.lock"
if ! flock -n 9; then
    say "another lab run holds $WORK/.lock; waiting for it"
    flock -w 1800 9 || die "the other lab run did not finish within 30 minutes"
fi

# Never leave a QEMU behind, whatever ends this script.
QEMU_PID=
# shellcheck disable=SC2086
trap '[ -n "$QEMU_PID" ] && kill -9 $QEMU_PID 2>/dev/null' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

T_START=$SECONDS
RUN=$WORK/runs/$(date +%Y%m%d-%H%M%S)
mkdir -p "$RUN"
ln -sfn "runs/$(basename "$RUN")" "$WORK/last"
# Keep the last few runs.
# shellcheck disable=SC2012
ls -1d "$WORK"/runs/*/ 2>/dev/null | sort | head -n -"$KEEP_RUNS" | xargs -r rm -rf

# --no-build still builds when there is no image, or it lacks xenith.
if [ $BUILD = 0 ] && [ "$CLI" = xenith ] && [ ! -s "$IMG/xenith-bin" ]; then
    BUILD=1
fi
if [ $BUILD = 1 ] || [ ! -f "$IMG/dom0.cpio" ]; then
    t=$SECONDS
    if ! XENITH_BIN=$([ "$CLI" = xenith ] && echo "$XENITH_BIN") \
            bash "$LAB/image/build.sh" "$WORK" > "$RUN/build.log" 2>&1; then
        tail -n 20 "$RUN/build.log"
        echo "FAIL lab/image: building the image failed (log: $RUN/build.log)"
        exit 1
    fi
    grep -E 'warning|ready' "$RUN/build.log" | sed 's/^lab-image: /lab: image: /'
    say "image built in $((SECONDS - t))s"
fi

# --- counters -----------------------------------------------------------------------------
N_PASS=0 N_FAIL=0 N_SKIP=0 N_EMU=0
FAILS=()           # "FAIL ..." lines, for the summary
EMUS=()            # "EMULATOR: ..." lines, for the summary
BOOT_TIMES=()

record() {         # record LINE: count and print one result line
    local line=$1
    case $line in
    "PASS "*) N_PASS=$((N_PASS + 1)); echo "$line" ;;
    "FAIL "*) N_FAIL=$((N_FAIL + 1)); FAILS+=("$line"); echo "$line" ;;
    "SKIP "*) N_SKIP=$((N_SKIP + 1)); echo "$line" ;;
    "EMULATOR: "*) N_EMU=$((N_EMU + 1)); EMUS+=("$line"); echo "$line" ;;
    esac
}

# --- one boot -------------------------------------------------------------------------------

# consume DIR: handle the complete lines dom0 appended to DIR/results since
# the last call.  Sets UP, DONE, AREA, LAB_ERROR.
consume() {
    local res=$1/results data complete line
    [ -f "$res" ] || return 0
    data=$(tail -c +$((OFF + 1)) "$res"; echo x)
    data=${data%x}
    complete=${data%"${data##*$'\n'}"}        # up to the last newline
    [ -n "$complete" ] || return 0
    OFF=$((OFF + ${#complete}))
    while IFS= read -r line; do
        case $line in
        DOM0-UP*) UP=1; say "boot $BOOT: dom0 up after $((SECONDS - T_BOOT))s (${line#DOM0-UP })" ;;
        AREA-START*) AREA=${line#AREA-START } ;;
        AREA-END*) say "boot $BOOT: ${line#AREA-END } done"; AREA= ;;
        LAB-ERROR*) LAB_ERROR=${line#LAB-ERROR } ;;
        DONE*) DONE=1 ;;
        *) record "$line" ;;
        esac
    done <<< "$complete"
}

# serial_trouble DIR: the first sign of a crash on the serial console.
serial_trouble() {
    tr -d '\r' < "$1/serial.log" 2>/dev/null |
        grep -m1 -E 'Kernel panic|\(XEN\) Panic on CPU|\(XEN\) Hardware Dom0 crashed|BUG: unable to handle|general protection fault|LAB-ERROR'
}

# budget_of CASE...: the time a boot running these cases may take: their
# limits (run-cases.sh enforces each) and two minutes for boot and setup,
# capped by BOOT_TIMEOUT and by what is left of RUN_TIMEOUT, so a hung
# xenithd cannot hold CI for long.  Sets BUDGET_NOTE when the run's limit
# is what caps it.
budget_of() {
    local c t sum=120 left
    for c in "$@"; do
        t=$(sed -n 's/^# lab-timeout: *\([0-9][0-9]*\).*/\1/p' "$LAB/cases/$c.sh" | head -n1)
        sum=$((sum + ${t:-120}))
    done
    [ "$sum" -gt "$BOOT_TIMEOUT" ] && sum=$BOOT_TIMEOUT
    left=$((RUN_TIMEOUT - (SECONDS - T_START)))
    [ "$left" -lt 30 ] && left=30
    BUDGET_NOTE=
    if [ "$sum" -gt "$left" ]; then
        sum=$left
        BUDGET_NOTE=" (what was left of the run's ${RUN_TIMEOUT}s)"
    fi
    BUDGET=$sum
}

# boot_once BOOT DIR: one QEMU run.  Sets OUTCOME to finished (the cases ran to
# the end), early (it failed before dom0 was up: infrastructure, worth a
# retry) or broken (it failed while the cases ran), and WHY.
boot_once() {
    local dir=$2 xen_args=$XEN_ARGS qpid qrc cases alive_age kill_why='' budget
    BOOT=$1 UP=0 DONE=0 AREA='' LAB_ERROR='' OFF=0 WHY=''
    [ "$BOOT" = B ] && xen_args="$xen_args sched=credit"
    case $BOOT in
    B) cases="${CASES_B[*]}" ;;
    P) cases="${CASES_P[*]}" ;;
    *) cases="${CASES_A[*]}" ;;
    esac
    # shellcheck disable=SC2086
    budget_of $cases
    budget=$BUDGET
    mkdir -p "$dir"
    # xl-golden.sh: files for `xl -N create` (40-config-compare records them).
    if [ -n "${LAB_XL_IN:-}" ] && [ "$BOOT" = P ]; then
        mkdir -p "$dir/xl-in" && cp "$LAB_XL_IN"/*.cfg "$dir/xl-in/"
    fi
    cat > "$dir/control" <<EOF
LAB_BOOT=$BOOT
LAB_CASES="$cases"
LAB_CLI=$CLI
LAB_SHELL=$SHELL_MODE
LAB_GOLDEN=${LAB_GOLDEN:-0}
EOF
    # Boot P: a q35 machine with QEMU's emulated VT-d (Xen enables its
    # IOMMU and interrupt remapping there; it needs an Intel CPU) and a PCI
    # device for passthrough, QEMU's "edu" at 0000:00:05.0, which no dom0
    # driver claims.  README.md, "Boot P".
    local machine=(-cpu "$QEMU_CPU")
    [ "$BOOT" = P ] && machine=(-cpu "$QEMU_CPU,vendor=GenuineIntel"
                                -machine q35 -device intel-iommu,intremap=on
                                -device edu,addr=05.0)
    local q=(qemu-system-x86_64 "${QEMU_ARGS[@]}" "${machine[@]}"
             -kernel "$IMG/xen" -append "$xen_args"
             -initrd "$IMG/vmlinux $DOM0_ARGS,$IMG/dom0.cpio"
             -virtfs "local,path=$dir,mount_tag=labout,security_model=none,id=labout")
    T_BOOT=$SECONDS

    if [ $SHELL_MODE = 1 ]; then
        printf '%q ' "${q[@]}" -nographic -serial mon:stdio > "$dir/qemu.cmd"
        say "boot $BOOT: console follows; Ctrl-a x kills QEMU (serial log: $dir/serial.log)"
        "${q[@]}" -display none -chardev "stdio,id=con,mux=on,signal=off,logfile=$dir/serial.log" \
            -serial chardev:con -mon chardev=con,mode=readline
        consume "$dir"
        BOOT_SECS=$((SECONDS - T_BOOT))
        OUTCOME=finished
        return
    fi

    printf '%q ' "${q[@]}" -display none -monitor none -serial "file:$dir/serial.log" > "$dir/qemu.cmd"
    "${q[@]}" -display none -monitor none -serial "file:$dir/serial.log" \
        < /dev/null > "$dir/qemu.log" 2>&1 &
    qpid=$!
    QEMU_PID=$qpid
    while kill -0 "$qpid" 2>/dev/null; do
        consume "$dir"
        [ $DONE = 1 ] && break
        if [ $UP = 0 ] && [ $((SECONDS - T_BOOT)) -ge "$UP_TIMEOUT" ]; then
            kill_why="dom0 did not come up within ${UP_TIMEOUT}s"
        elif [ $UP = 1 ]; then
            alive_age=$(( $(date +%s) - $(stat -c %Y "$dir/alive" 2>/dev/null || echo 0) ))
            [ "$alive_age" -ge "$HANG_TIMEOUT" ] &&
                kill_why="dom0 stopped responding (no sign of life for ${alive_age}s)${AREA:+ during $AREA}"
        fi
        [ $((SECONDS - T_BOOT)) -ge "$budget" ] &&
            kill_why="the boot took longer than its ${budget}s budget$BUDGET_NOTE${AREA:+ (in $AREA)}"
        if [ -n "$kill_why" ]; then
            kill "$qpid" 2>/dev/null; sleep 2; kill -9 "$qpid" 2>/dev/null
            break
        fi
        sleep 1
    done
    # After DONE dom0 powers off by itself; give it a moment.
    for _ in $(seq 30); do kill -0 "$qpid" 2>/dev/null || break; sleep 1; done
    kill -9 "$qpid" 2>/dev/null
    wait "$qpid"; qrc=$?
    QEMU_PID=
    consume "$dir"
    BOOT_SECS=$((SECONDS - T_BOOT))

    if [ $DONE = 1 ]; then OUTCOME=finished; return; fi
    WHY=${kill_why:-${LAB_ERROR:-$(serial_trouble "$dir")}}
    [ -n "$WHY" ] || WHY="QEMU exited with status $qrc: $(grep -m1 . "$dir/qemu.log")"
    if [ $UP = 0 ]; then OUTCOME=early; else OUTCOME=broken; fi
}

# show_failures DIR [ROLE]: the log context of each failed check of the boot
# (with ROLE, of that host's checks only: their areas end in @ROLE).
show_failures() {
    local dir=$1 role=${2:-} line name area log n shown=0
    for line in "${FAILS[@]:$FAILS_BEFORE}"; do
        if [ -n "$role" ]; then
            case ${line%%/*} in *"@$role") ;; *) continue ;; esac
        fi
        shown=$((shown + 1))
        if [ $shown -gt 10 ]; then
            echo "---- (the other failures of this boot are in the summary below)"; break
        fi
        name=${line#FAIL }; name=${name%%: *}
        area=${name%%/*}
        log=$dir/cases/$area.log
        echo "---- $line"
        [ -f "$log" ] || continue
        # The log lines of this check: from the previous result to its FAIL.
        n=$(grep -nF ">>> FAIL $name:" "$log" | head -n1 | cut -d: -f1)
        if [ -n "$n" ]; then
            head -n "$((n - 1))" "$log" | awk '/^>>> / { n = 0; next } { l[n++] = $0 }
                END { for (i = (n > 30 ? n - 30 : 0); i < n; i++) print l[i] }' | cut -c1-240
        else
            tail -n 20 "$log" | cut -c1-240
        fi
    done
    [ -s "$dir/xenithd.log" ] || return 0
    # The end of each xenithd that died (the runner restarts it), then the end.
    grep -n '^=== starting xenithd' "$dir/xenithd.log" | tail -n +2 | cut -d: -f1 |
        while read -r n; do
            echo "---- xenithd.log: the last lines before xenithd was restarted (line $n)"
            sed -n "$(( n > 12 ? n - 12 : 1 )),$((n - 1))p" "$dir/xenithd.log" | cut -c1-240
        done
    echo "---- xenithd.log (last 12 lines)"
    tail -n 12 "$dir/xenithd.log" | cut -c1-240
}

# run_boot BOOT: a boot, retried once if it failed before dom0 came up.
run_boot() {
    local b=$1 dir=$RUN/$1 attempt=1
    FAILS_BEFORE=${#FAILS[@]}
    [ "$b" = B ] && say "boot B (sched=credit): ${CASES_B[*]}"
    [ "$b" = P ] && say "boot P (IOMMU, a PCI device): ${CASES_P[*]}"
    [ "$b" = A ] && [ $SHELL_MODE = 0 ] && say "boot A (credit2): ${CASES_A[*]}"
    while :; do
        boot_once "$b" "$dir"
        [ "$OUTCOME" != early ] && break
        if [ $attempt = 2 ]; then
            record "FAIL boot-$b/start: $WHY (also on the first attempt; see $dir/serial.log)"
            break
        fi
        record "EMULATOR: boot $b: $WHY; booting again"
        echo "---- $dir/serial.log (last 15 lines)"
        tr -d '\r' < "$dir/serial.log" | tail -n 15
        mv "$dir" "$dir-attempt1"
        attempt=2
    done
    BOOT_TIMES+=("boot $b ${BOOT_SECS:-0}s")
    if [ "$OUTCOME" = broken ]; then
        record "FAIL boot-$b/run: the boot ended before the cases did: $WHY${AREA:+ (while running $AREA)}"
        echo "---- $dir/serial.log (last 40 lines)"
        tr -d '\r' < "$dir/serial.log" | tail -n 40 | cut -c1-240
    fi
    [ ${#FAILS[@]} -gt "$FAILS_BEFORE" ] && show_failures "$dir"
}

# --- the two-host boot (M) -----------------------------------------------------------------
# Two QEMUs, A and B, each a Xen host like boot A's, their virtio NICs
# joined by a QEMU socket netdev (A listens on a free loopback port, B
# connects): a network of two dom0s, 169.254.0.1 and .2, inside the
# emulators.  Each boot has its own share ($RUN/M-A, $RUN/M-B) with its
# control file (role, addresses, xenithd's migration options) and its
# certificates, made here with xenith cert; both run the M case files,
# which tell the roles apart.
PAIR_IP_A=169.254.0.1
PAIR_IP_B=169.254.0.2

# pair_certs: the pool's CA and a certificate per host under its address;
# a rogue CA's certificate for B's address, for the refused peer.
pair_certs() {
    local x=$XENITH_BIN/xenith c=$RUN/M-certs
    mkdir -p "$c"
    {
        "$x" cert init-ca "$c/ca" --cn "lab pool" &&
        "$x" cert issue $PAIR_IP_A --ca "$c/ca" --out "$RUN/M-A/certs" &&
        "$x" cert issue $PAIR_IP_B --ca "$c/ca" --out "$RUN/M-B/certs" &&
        "$x" cert init-ca "$c/rogue" --cn "not the lab pool" &&
        "$x" cert issue $PAIR_IP_B --ca "$c/rogue" --out "$RUN/M-B/rogue"
    } > "$RUN/M-certs.log" 2>&1
}

# listening PORT: something listens on 127.0.0.1:PORT (from /proc: no
# connection is made, QEMU's socket netdev takes only one).
listening() {
    local hex
    hex=$(printf '%04X' "$1")
    awk -v p=":$hex" '$2 ~ p"$" && $4 == "0A" { f = 1 } END { exit !f }' /proc/net/tcp
}

# pair_consume H DIR: consume() for host H, whose state is kept apart.
pair_consume() {
    local h=$1
    eval "OFF=\$OFF_$h UP=\$UP_$h DONE=\$DONE_$h AREA=\$AREA_$h LAB_ERROR=\$ERR_$h"
    BOOT=M-$h
    consume "$2"
    eval "OFF_$h=\$OFF UP_$h=\$UP DONE_$h=\$DONE AREA_$h=\$AREA ERR_$h=\$LAB_ERROR"
}

# pair_once: one run of the two QEMUs; sets OUTCOME and WHY as boot_once.
pair_once() {
    local h dir ip peer port q qpid kill_why='' budget cases=${CASES_M[*]} age
    local -A pid
    OFF_A=0 OFF_B=0 UP_A=0 UP_B=0 DONE_A=0 DONE_B=0 AREA_A='' AREA_B='' ERR_A='' ERR_B=''
    WHY=''
    # shellcheck disable=SC2086
    budget_of $cases
    budget=$BUDGET
    for h in A B; do
        dir=$RUN/M-$h
        mkdir -p "$dir"
        if [ $h = A ]; then ip=$PAIR_IP_A peer=$PAIR_IP_B; else ip=$PAIR_IP_B peer=$PAIR_IP_A; fi
        cat > "$dir/control" <<EOF
LAB_BOOT=M
LAB_CASES="$cases"
LAB_CLI=$CLI
LAB_SHELL=0
LAB_ROLE=$h
LAB_IP=$ip
LAB_PEER=$peer
LAB_XENITHD_ARGS="--listen $ip:8002 --cert-dir /etc/xenith/certs"
EOF
    done
    if [ "$CLI" = xenith ] && ! pair_certs; then
        OUTCOME=broken WHY="xenith cert failed: $(tail -n1 "$RUN/M-certs.log")"
        return
    fi
    port=$((20000 + RANDOM % 20000))
    while listening $port; do port=$((port + 1)); done
    T_BOOT=$SECONDS
    for h in A B; do
        dir=$RUN/M-$h
        if [ $h = A ]; then
            net=listen=127.0.0.1:$port
        else
            net=connect=127.0.0.1:$port
            # B's connect= finds no NIC to join unless A's QEMU listens.
            for _ in $(seq 100); do listening $port && break; sleep 0.1; done
        fi
        q=(qemu-system-x86_64 -accel tcg -cpu "$QEMU_CPU" -smp 2 -m 2048 -no-reboot
           -netdev "socket,id=n0,$net"
           -device "virtio-net-pci,netdev=n0,mac=52:54:00:00:00:0$([ $h = A ] && echo 1 || echo 2)"
           -kernel "$IMG/xen" -append "$XEN_ARGS"
           -initrd "$IMG/vmlinux $DOM0_ARGS,$IMG/dom0.cpio"
           -virtfs "local,path=$dir,mount_tag=labout,security_model=none,id=labout"
           -display none -monitor none -serial "file:$dir/serial.log")
        printf '%q ' "${q[@]}" > "$dir/qemu.cmd"
        "${q[@]}" < /dev/null > "$dir/qemu.log" 2>&1 &
        pid[$h]=$!
    done
    QEMU_PID="${pid[A]} ${pid[B]}"
    while kill -0 "${pid[A]}" 2>/dev/null || kill -0 "${pid[B]}" 2>/dev/null; do
        pair_consume A "$RUN/M-A"
        pair_consume B "$RUN/M-B"
        [ "$DONE_A" = 1 ] && [ "$DONE_B" = 1 ] && break
        for h in A B; do
            eval "up=\$UP_$h done=\$DONE_$h area=\$AREA_$h"
            # shellcheck disable=SC2154
            [ "$done" = 1 ] && continue
            if [ "$up" = 0 ] && [ $((SECONDS - T_BOOT)) -ge "$UP_TIMEOUT" ]; then
                kill_why="host $h: dom0 did not come up within ${UP_TIMEOUT}s"
            elif [ "$up" = 1 ]; then
                age=$(( $(date +%s) - $(stat -c %Y "$RUN/M-$h/alive" 2>/dev/null || echo 0) ))
                [ "$age" -ge "$HANG_TIMEOUT" ] &&
                    kill_why="host $h: dom0 stopped responding (no sign of life for ${age}s)${area:+ during $area}"
            fi
            kill -0 "${pid[$h]}" 2>/dev/null || kill_why="host $h: QEMU exited before its cases were done"
        done
        [ $((SECONDS - T_BOOT)) -ge "$budget" ] &&
            kill_why="the boot took longer than its ${budget}s budget$BUDGET_NOTE"
        [ -n "$kill_why" ] && break
        sleep 1
    done
    for _ in $(seq 30); do
        kill -0 "${pid[A]}" 2>/dev/null || kill -0 "${pid[B]}" 2>/dev/null || break
        [ -n "$kill_why" ] && break
        sleep 1
    done
    for h in A B; do
        kill -9 "${pid[$h]}" 2>/dev/null
        wait "${pid[$h]}"
    done
    QEMU_PID=
    pair_consume A "$RUN/M-A"
    pair_consume B "$RUN/M-B"
    BOOT_SECS=$((SECONDS - T_BOOT))
    if [ "$DONE_A" = 1 ] && [ "$DONE_B" = 1 ]; then OUTCOME=finished; return; fi
    WHY=${kill_why:-${ERR_A:-${ERR_B:-$(serial_trouble "$RUN/M-A")$(serial_trouble "$RUN/M-B")}}}
    [ -n "$WHY" ] || WHY="a QEMU exited early"
    if [ "$UP_A" = 0 ] || [ "$UP_B" = 0 ]; then OUTCOME=early; else OUTCOME=broken; fi
}

# run_pair: the two-host boot, retried once if a dom0 did not come up.
run_pair() {
    local attempt=1 h
    FAILS_BEFORE=${#FAILS[@]}
    say "boot M (two hosts, credit2): ${CASES_M[*]}"
    while :; do
        pair_once
        [ "$OUTCOME" != early ] && break
        if [ $attempt = 2 ]; then
            record "FAIL boot-M/start: $WHY (also on the first attempt; see $RUN/M-A/serial.log, $RUN/M-B/serial.log)"
            break
        fi
        record "EMULATOR: boot M: $WHY; booting again"
        for h in A B; do
            echo "---- $RUN/M-$h/serial.log (last 10 lines)"
            tr -d '\r' < "$RUN/M-$h/serial.log" | tail -n 10
            rm -rf "$RUN/M-$h-attempt1"
            mv "$RUN/M-$h" "$RUN/M-$h-attempt1"
        done
        attempt=2
    done
    BOOT_TIMES+=("boot M ${BOOT_SECS:-0}s")
    if [ "$OUTCOME" = broken ]; then
        record "FAIL boot-M/run: the boot ended before the cases did: $WHY"
        for h in A B; do
            echo "---- $RUN/M-$h/serial.log (last 25 lines)"
            tr -d '\r' < "$RUN/M-$h/serial.log" | tail -n 25 | cut -c1-240
        done
    fi
    if [ ${#FAILS[@]} -gt "$FAILS_BEFORE" ]; then
        show_failures "$RUN/M-A" A
        show_failures "$RUN/M-B" B
    fi
    # The figures the case printed (LAB-FIGURE lines, from host A).
    grep -h '^LAB-FIGURE' "$RUN/M-A/figures" "$RUN/M-B/figures" 2>/dev/null | sed 's/^LAB-FIGURE /lab: figure: /'
}

for b in "${BOOTS[@]}"; do
    if [ "$b" = M ]; then run_pair; else run_boot "$b"; fi
done

# --- summary ---------------------------------------------------------------------------------
echo
echo "==== lab summary ($CLI against Xen 4.17 under QEMU TCG)"
echo "emulator faults: $N_EMU"
echo "checks: $N_PASS passed, $N_FAIL failed, $N_SKIP skipped"
echo "time: ${BOOT_TIMES[*]}, total $((SECONDS - T_START))s"
for line in "${EMUS[@]}" "${FAILS[@]}"; do echo "$line"; done
echo "logs: $RUN"
if [ "$N_FAIL" -gt 0 ] || { [ "$N_PASS" -eq 0 ] && [ $SHELL_MODE = 0 ]; }; then
    echo "lab: FAILED"
    exit 1
fi
echo "lab: OK"
