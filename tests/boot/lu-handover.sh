# Live update handover (issue 4): kexec --load-live-update and
# --exec-live-update, with Debian's kexec-tools, from the debug Xen to the
# same Xen built with another version string (/boot/xen-next).  Each stage
# is one dom0 boot; the script boots the next stage with this same script
# and STAGE set.  (A chain of three Xens is the next step: loading the
# third one fails with ENOMEM under the second so far.)
#
# boot: update liveupdate=256M [bios]
# carry-initrd
. /lib/testlib.sh

STAGE=${STAGE:-1}
SEED=0x5eed
PAGES=256

# Boot the next Xen by live update, with dom0 running this script again
# at stage $1, with the extra environment lines given after it.
live_update() {
    next=$1
    shift
    mkdir -p /tmp/next/test
    cp /test/run /test/dom0.cpio.gz /tmp/next/test/
    grep -v '^STAGE=' /test/env > /tmp/next/test/env
    for line in "STAGE=$next" "$@"; do
        echo "$line" >> /tmp/next/test/env
    done
    (cd /tmp/next && find test | cpio -o -H newc -R 0:0 2>/dev/null) \
        > /tmp/next.cpio
    # Linux finds each archive of an initramfs at a 4-byte boundary.
    size=$(wc -c < /test/dom0.cpio.gz)
    { cat /test/dom0.cpio.gz; head -c $(((4 - size % 4) % 4)) /dev/zero
      cat /tmp/next.cpio; } > /tmp/initrd-next
    rm -rf /tmp/next /tmp/next.cpio

    expect_ok "stage $STAGE: kexec --load-live-update /boot/xen-next" \
        kexec --load-live-update /boot/xen-next \
        --command-line="$XEN_CMDLINE_NEXT" \
        --module="/boot/vmlinuz $DOM0_CMDLINE" --module=/tmp/initrd-next
    echo "LU-EXEC: stage $STAGE -> $next"
    kexec --exec-live-update
    echo "FAIL: stage $STAGE: kexec --exec-live-update returned $?"
}

case $STAGE in
1)
    XEN_CMDLINE_NEXT=$(xl_info xen_commandline)
    echo "XEN_CMDLINE_NEXT=$(printf '%s' "$XEN_CMDLINE_NEXT" |
        sed 's/ liveupdate=[^ ]*//')" >> /test/env
    . /test/env
    # It holds the pages until the update, as a preserved buffer's owner must.
    lu-preserve fill $SEED $PAGES > /tmp/fill.out &
    wait_for 60 grep -q PRESERVED /tmp/fill.out
    out=$(cat /tmp/fill.out)
    expect_eq "stage 1: lu-preserve fills and preserves $PAGES pages" \
        "$out" "PRESERVED $PAGES"
    # A free page, offlined: it must stay offlined in the next Xens.
    bad=
    for mfn in 0x30000 0x31000 0x32000 0x33000 0x34000 0x35000; do
        range_is_free "$mfn-$mfn" && { bad=$mfn; break; }
    done
    expect_ok "stage 1: xl page-offline $bad" xl page-offline "$bad"
    live_update 2 "BAD_PAGE=$bad"
    ;;
2)
    expect_eq "stage $STAGE: xl info shows the next Xen's version" \
        "$(xl_info xen_extra)" "$XEN_EXTRA-next"
    out=$(lu-preserve check $SEED)
    expect_eq "stage $STAGE: the preserved pages hold the same bytes" \
        "$out" "CHECKED $PAGES pages, 0 bad"
    expect_ok "stage $STAGE: the offlined page $BAD_PAGE stays offlined" \
        sh -c "xl page-status | grep -q '^$BAD_PAGE .*offlined'"
    expect_ok "stage $STAGE: xl dmesg has the previous Xen's last lines" \
        sh -c "xl dmesg | grep -q 'previous Xen.s last console output'"
    expect_ok "stage $STAGE: ... ending with its handover" \
        sh -c "xl dmesg | grep -q 'liveupdate: handing over to the loaded image'"
    ;;
esac

finish
