# Live update handover (issue 4): kexec --load-live-update and
# --exec-live-update, with Debian's kexec-tools, from the debug Xen to the
# same Xen built with another version string (/boot/xen-next).  Each stage
# is one dom0 boot; the script boots the next stage with this same script
# and STAGE set: Xen#1 -> Xen#2 -> Xen#3, each later one preserving more.
# Both boot paths: from xen.efi, the next Xens are entered through plain
# multiboot2 (see liveupdate in docs/misc/xen-command-line.pandoc).
#
# boot: update liveupdate=256M liveupdate-dom0=rebuild
# checks: 37
# carry-initrd
. /lib/testlib.sh

STAGE=${STAGE:-1}
SEED=0x5eed
PAGES=256
RANGES=4200

# Fill $PAGES more pages of dom0 with the pattern and preserve them.  The
# process holds the pages until the update, as a preserved buffer's owner
# must.
preserve_more() {
    lu-preserve fill $SEED $PAGES > /tmp/fill.out &
    wait_for 60 grep -q PRESERVED /tmp/fill.out
    expect_eq "stage $STAGE: lu-preserve fills and preserves $PAGES pages" \
        "$(cat /tmp/fill.out)" "PRESERVED $PAGES"
}

# What every Xen after the first one must show: the pages preserved by
# all the Xens before it hold the same bytes, the bad pages stay offlined,
# and xl dmesg shows the previous Xen's last lines.
check_carried() {
    kept=$1
    expect_eq "stage $STAGE: xl info shows the next Xen's version" \
        "$(xl_info xen_extra)" "$XEN_EXTRA-next"
    expect_eq "stage $STAGE: xl info shows all $NR_CPUS CPUs" \
        "$(xl_info nr_cpus)" "$NR_CPUS"
    expect_ok "stage $STAGE: dom0 finds the ACPI tables" \
        test -e /sys/firmware/acpi/tables/DSDT
    expect_eq "stage $STAGE: the preserved pages hold the same bytes" \
        "$(lu-preserve check $SEED)" "CHECKED $kept pages, 0 bad"
    expect_ok "stage $STAGE: the offlined page $BAD_PAGE stays offlined" \
        sh -c "xl page-status | grep -q '^$BAD_PAGE .*offlined'"
    expect_ok "stage $STAGE: $PENDING_PAGE, pending under Xen#1, is offlined" \
        sh -c "xl page-status | grep -q '^$PENDING_PAGE .*offlined'"
    expect_ok "stage $STAGE: xl dmesg has the previous Xen's last lines" \
        sh -c "xl dmesg | grep -q 'previous Xen.s last console output'"
    expect_ok "stage $STAGE: ... ending with its handover" \
        sh -c "xl dmesg | grep -q 'liveupdate: handing over to the loaded image'"
}

# With the image loaded: a bad page in the region, from which the next
# Xen boots, must make Xen refuse the exec before the point of no return,
# with everything running on; put back in use, the exec goes ahead.
lu_before_exec() {
    rpage=$(kexec-raw region-free-page)
    expect_ok "stage $STAGE: xl page-offline $rpage, a free page of the region" \
        xl page-offline "$rpage"
    before=$(lu-preserve check $SEED)
    taskset 1 kexec --exec-live-update > /tmp/exec.out 2>&1
    expect_ok "stage $STAGE: kexec --exec-live-update fails" [ $? != 0 ]
    expect_ok "stage $STAGE: Xen names the page and why" \
        sh -c "xl dmesg | grep -q 'refusing the update: page $rpage of the region is offlined'"
    expect_eq "stage $STAGE: the preserved pages read as before" \
        "$(lu-preserve check $SEED)" "$before"
    expect_ok "stage $STAGE: xl page-online $rpage" xl page-online "$rpage"
}

case $STAGE in
1)
    preserve_more
    # A free page, offlined: it must stay offlined in the next Xens.
    bad=$(free_page)
    expect_ok "stage 1: xl page-offline $bad" xl page-offline "$bad"
    echo "BAD_PAGE=$bad" >> /test/env
    # A page of a running domU, left pending offline: the domU does not
    # survive the update, and the page must be offlined in the next Xens.
    domu_start lu-pending 128 memcheck=4 &&
        wait_for 60 grep -q '^MEMCHECK-READY' "$(domu_console lu-pending)"
    pending=$(memcheck_range lu-pending 1 | cut -d- -f1)
    expect_exit "stage 1: xl page-offline --no-exchange $pending: exit 3" \
        3 xl page-offline --no-exchange "$pending"
    expect_ok "stage 1: xl page-status shows $pending pending" \
        sh -c "xl page-status | grep -q '^$pending .*pending'"
    echo "PENDING_PAGE=$pending" >> /test/env
    # Only the hardware domain's own memory can be preserved: a domU
    # holding a preserved page could never be destroyed, and shared info
    # is a Xen page that Xen frees and rebuilds.
    expect_line "stage 1: a domU's frame cannot be preserved" \
        'rc -1 errno Operation not permitted' \
        lu-preserve try "$(xl domid lu-pending)" 0
    expect_line "stage 1: dom0's shared info page cannot be preserved" \
        'rc -1 errno Operation not permitted' lu-preserve try 0 shared-info
    echo "NR_CPUS=$(xl_info nr_cpus)" >> /test/env
    live_update 2
    ;;
2)
    check_carried $PAGES
    preserve_more
    # More separate ranges than Xen lists in one step (4096): the list
    # is copied out in steps, and the next Xen takes them all.
    lu-preserve scatter $SEED $RANGES > /tmp/scatter.out &
    wait_for 120 grep -q PRESERVED /tmp/scatter.out
    expect_eq "stage 2: lu-preserve preserves $RANGES separate pages" \
        "$(cat /tmp/scatter.out)" "PRESERVED $RANGES"
    # Every domctl holds a lock that pausing dom0 for the handover needs:
    # with domctls back to back on dom0's other vCPU, the exec must wait
    # for one to end, neither crash the host nor fail.
    domctl-busy 1 600 > /tmp/busy.out 2>&1 &
    sleep 2
    expect_ok "stage 2: domctls run back to back on dom0's vCPU 1" \
        kill -0 $!
    live_update 3
    ;;
3)
    check_carried $((2 * PAGES + RANGES))
    ;;
esac

finish
