# Live update of a dom0 that uses AVX (issue 18): each vCPU's XSAVE state
# beyond x87 and SSE, and its XCR0, go over with it.  QEMU gives the VM a
# Haswell; Xen hides AVX from dom0 while virtualised (its mitigation of
# GDS) unless given spec-ctrl=gds-mit=0.  A process holds a pattern in ymm
# registers on vCPU 1 through two updates asked for from vCPU 0: Xen#1
# saved it with XSAVE as it paused that vCPU, and Xen#3 must give it back.
# domain-xsave: the next Xen finds a carried XSAVE area it cannot load
# (liveupdate-test= sets a reserved header field), and must say so.
#
# cpu: Haswell-noTSX
# boot: carry liveupdate=256M spec-ctrl=gds-mit=0 [bios]
# boot: domain-xsave liveupdate=256M spec-ctrl=gds-mit=0 [bios]
# checks: 13 carry
# checks: 5 domain-xsave
. /lib/testlib.sh

expect_ok "dom0 has AVX" grep -qw avx /proc/cpuinfo
expect_ok "dom0's kernel keeps AVX state with XSAVE" \
    sh -c "dmesg | grep -q \"XSAVE feature 0x004: 'AVX registers'\""

taskset 2 ymm-hold > /tmp/ymm.out &
holder=$!
expect_ok "ymm-hold holds a pattern in ymm registers on vCPU 1" \
    wait_for 30 grep -q holding /tmp/ymm.out

if [ "$CASE" = domain-xsave ]; then
    carry_load "stage 1" "liveupdate-test=$CASE"
    echo "EXPECT-PANIC: liveupdate: cannot rebuild dom0: a vCPU's XSAVE" \
        "state, which this Xen cannot load"
    taskset 1 kexec --exec-live-update
    fail "kexec --exec-live-update" "returned $?"
    finish
fi

for n in 2 3; do
    carry_load "Xen#$n"
    carry_exec "Xen#$n"
    expect_ok "Xen#$n: xl dmesg shows dom0 carried over" \
        sh -c "xl dmesg | grep -q 'dom0 carried over'"
done

expect_ok "ymm-hold still runs" kill -0 "$holder"
kill -USR1 "$holder"
wait "$holder"
expect_eq "ymm-hold exits 0" "$?" 0
expect_ok "its pattern held in the ymm registers through both updates" \
    grep -q '^YMM-HOLD ok' /tmp/ymm.out
# Processes started now get AVX state of their own, which dom0's kernel
# switches between them with XSAVE: that needs the XCR0 it set under Xen#1.
taskset 2 ymm-hold 0x11 > /tmp/ymm2.out &
second=$!
taskset 2 ymm-hold 0x22 > /tmp/ymm3.out &
third=$!
sleep 2
kill -USR1 "$second" "$third"
wait "$second" "$third"
expect_ok "two new ymm-holds on one vCPU keep their own patterns" \
    sh -c "grep -q '^YMM-HOLD ok' /tmp/ymm2.out &&
           grep -q '^YMM-HOLD ok' /tmp/ymm3.out"
finish
