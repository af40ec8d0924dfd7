# Live update with a damaged handover (issue 4).  Each case preserves a
# few pages, then live updates to /boot/xen-next with liveupdate-test=CASE
# (debug builds only), which damages in one way what the next Xen reads.
# The next Xen must stop with a panic naming the damage, before its heap
# has any memory the handover could describe; the runner checks the panic
# message against the EXPECT-PANIC line printed here.  Without a
# breadcrumb, the next Xen cannot tell an update from a cold boot: it boots
# as one, and dom0 comes up again.  The other kinds of damage to the state
# stream (truncated, wrong magic, unsupported version) are the parser's
# alone: tests/unit/lu-stream-test.c and the fuzzer try them; record-crc
# shows a refusal of the parser ending an update as it should.
# The domain-* cases carry dom0 over (liveupdate-dom0=carry, the default)
# and damage one of its records, which passes the parser: the next Xen
# finds the damage as it reads the state, or as it rebuilds dom0.
#
# boot: no-breadcrumb liveupdate=256M liveupdate-dom0=rebuild [bios]
# boot: breadcrumb-crc liveupdate=256M liveupdate-dom0=rebuild [bios]
# boot: state-in-region liveupdate=256M liveupdate-dom0=rebuild [bios]
# boot: state-outside-ram liveupdate=256M liveupdate-dom0=rebuild [bios]
# boot: record-crc liveupdate=256M liveupdate-dom0=rebuild [bios]
# boot: refuse-region liveupdate=256M liveupdate-dom0=rebuild [bios]
# boot: domain-vcpus liveupdate=256M [bios]
# boot: domain-page-twice liveupdate=256M [bios]
# boot: domain-pinned-level liveupdate=256M [bios]
# boot: domain-vcpu-id liveupdate=256M [bios]
# boot: domain-evtchn-port liveupdate=256M [bios]
# boot: domain-pirq-device liveupdate=256M [bios]
# boot: domain-pci-twice liveupdate=256M [bios]
# boot: domain-tsc-back liveupdate=256M [bios]
# checks: 3
# checks: 5 no-breadcrumb
# checks: 2 domain-vcpus domain-page-twice domain-pinned-level domain-vcpu-id
# checks: 2 domain-evtchn-port domain-pirq-device domain-pci-twice
# checks: 2 domain-tsc-back
# carry-initrd
. /lib/testlib.sh

STAGE=${STAGE:-1}

breadcrumb="liveupdate: the handover breadcrumb"
state="liveupdate: unusable state:"
case $CASE in
no-breadcrumb)     expect= ;;
breadcrumb-crc)    expect="$breadcrumb fails its CRC" ;;
state-in-region)   expect="$breadcrumb points into the live update region" ;;
state-outside-ram) expect="$breadcrumb points outside RAM this Xen maps" ;;
record-crc)        expect="$state record checksum mismatch" ;;
# The next Xen refuses the region it was handed over through: booting on
# without it would give preserved memory to the heap.
refuse-region)     expect="liveupdate: the previous Xen handed over through"
                   expect="$expect a region this Xen refuses" ;;
domain-vcpus)      expect="liveupdate: the handover's domain has more vCPUs"
                   expect="$expect than a PV domain can have" ;;
domain-page-twice) expect="liveupdate: the handover's domain lists a page twice" ;;
domain-vcpu-id)    expect="liveupdate: the handover's domain vCPU record names"
                   expect="$expect a vCPU twice or beyond the domain's" ;;
# Two event channels on one port: the second finds it taken (-EBUSY).
domain-evtchn-port)
                   expect="liveupdate: cannot rebuild dom0: its event"
                   expect="$expect channels (-16)" ;;
domain-pci-twice)  expect="liveupdate: cannot rebuild dom0: a PCI device (-17)" ;;
# The previous Xen's time stamp counter reads as ahead of the next one's.
domain-tsc-back)   expect="liveupdate: the time stamp counter went back across"
                   expect="$expect the jump: dom0's clock cannot go on" ;;
domain-pinned-level)
                   expect="liveupdate: cannot rebuild dom0: a pinned page"
                   expect="$expect table does not validate" ;;
# An MSI of a device the next Xen does not have (AHCI's, once dom0 drives it).
domain-pirq-device)
                   expect="liveupdate: cannot rebuild dom0: a physical IRQ" ;;
*)                 fail "case $CASE" "unknown"; finish ;;
esac

case $CASE:$STAGE in
domain-*:1)
    [ "$CASE" = domain-pirq-device ] && load_disk_drivers
    carry_load "stage 1" "liveupdate-test=$CASE"
    echo "EXPECT-PANIC: $expect"
    taskset 1 kexec --exec-live-update
    fail "kexec --exec-live-update" "returned $?"
    ;;
*:1)
    lu-preserve fill 0x5eed 16 > /tmp/fill.out &
    wait_for 60 grep -q PRESERVED /tmp/fill.out
    expect_eq "16 pages preserved" "$(cat /tmp/fill.out)" "PRESERVED 16"
    [ -z "$expect" ] || echo "EXPECT-PANIC: $expect"
    live_update 2 "liveupdate-test=$CASE"
    ;;
*:2)
    expect_eq "the next Xen boots cold: its version" \
        "$(xl_info xen_extra)" "$XEN_EXTRA-next"
    expect_ok "... it says it found no handover" \
        sh -c "xl dmesg | grep -q 'no handover in the region: a cold boot'"
    expect_eq "... and keeps no preserved range" \
        "$(lu-preserve check 0x5eed)" "CHECKED 0 pages, 0 bad"
    ;;
esac

finish
