# Live update handover (issue 4): kexec --load-live-update and
# --exec-live-update, with Debian's kexec-tools, from the debug Xen to the
# same Xen built with another version string (/boot/xen-next).  Each stage
# is one dom0 boot; the script boots the next stage with this same script
# and STAGE set: Xen#1 -> Xen#2 -> Xen#3, each later one preserving more.
# Both boot paths: from xen.efi, the next Xens are entered through plain
# multiboot2 (see liveupdate in docs/misc/xen-command-line.pandoc).
#
# boot: update liveupdate=256M
# carry-initrd
. /lib/testlib.sh

STAGE=${STAGE:-1}
SEED=0x5eed
PAGES=256

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
# all the Xens before it hold the same bytes, the bad page stays offlined,
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
    expect_ok "stage $STAGE: xl dmesg has the previous Xen's last lines" \
        sh -c "xl dmesg | grep -q 'previous Xen.s last console output'"
    expect_ok "stage $STAGE: ... ending with its handover" \
        sh -c "xl dmesg | grep -q 'liveupdate: handing over to the loaded image'"
}

case $STAGE in
1)
    preserve_more
    # A free page, offlined: it must stay offlined in the next Xens.
    bad=
    for mfn in $(seq $((0x10000)) $((0x1000)) $((0x7f000))); do
        mfn=$(printf '%#x' "$mfn")
        range_is_free "$mfn-$mfn" && { bad=$mfn; break; }
    done
    expect_ok "stage 1: xl page-offline $bad" xl page-offline "$bad"
    echo "BAD_PAGE=$bad" >> /test/env
    echo "NR_CPUS=$(xl_info nr_cpus)" >> /test/env
    live_update 2
    ;;
2)
    check_carried $PAGES
    preserve_more
    live_update 3
    ;;
3)
    check_carried $((2 * PAGES))
    ;;
esac

finish
