# 05-host.sh - what xenith says about the host before any guest exists.
# shellcheck shell=dash disable=SC2086,SC1087
# ($X is one word, and "$G[[:space:]]" is a regular expression.)
# lab-timeout: 60

expect_out info.scheduler '^xen_scheduler[[:space:]]*:[[:space:]]*credit2$' $X info
expect_out info.total-memory '^total_memory[[:space:]]*:[[:space:]]*[0-9]+$' $X info
expect_out info.free-memory '^free_memory[[:space:]]*:[[:space:]]*[0-9]+$' $X info
if xenith_only info.json; then
    expect_out info.json '"xen_scheduler"[[:space:]]*:[[:space:]]*"credit2"' $X info --json
fi

# Domain-0 with id 0, 1 vcpu (dom0_max_vcpus=1), running or blocked.
expect_out list.dom0 '^Domain-0[[:space:]]+0[[:space:]]+[0-9]+[[:space:]]+1[[:space:]]+[-r][-b]----[[:space:]]' $X list
expect_out list.header '^Name[[:space:]]+ID[[:space:]]+Mem[[:space:]]+VCPUs[[:space:]]+State[[:space:]]+Time' $X list
expect_out domid.dom0 '^0$' $X domid Domain-0
if xenith_only list.json; then
    expect_out list.json '"name"[[:space:]]*:[[:space:]]*"Domain-0"' $X list --json
fi

# dom0's only vcpu is pinned to pCPU 0 (dom0_vcpus_pin).
expect_out vcpu-list.dom0 '^Domain-0[[:space:]]+0[[:space:]]+0[[:space:]]+0[[:space:]]' $X vcpu-list Domain-0
expect_out cpupool-list '^Pool-0[[:space:]]+2[[:space:]]+credit2[[:space:]]' $X cpupool-list
