# The demo 'make run' shows in dom0: what Xen we run and what it hosts,
# page offline (also under running PV and PVH guests), and last a live
# update that keeps memory dom0 filled.
# carry-initrd
. /lib/testlib.sh       # domu_start, wait_for, memcheck_range, live_update

if [ "${STAGE:-1}" = 2 ]; then
    echo "== after the live update: the new Xen (/boot/xen-next)"
    xl info | grep -E '^(xen_version|xen_extra|free_memory)'
    echo "== the preserved pages, read back through the new Xen"
    lu-preserve check 0x5eed
    echo "== the new Xen's console: what it took over, how long dom0 waited"
    xl dmesg | sed '/(liveupdate) ---- the previous/,/(liveupdate) ---- end/d' |
        grep -E '\(XEN\) (liveupdate: |Starting dom0)'
    echo "== xl dmesg also holds the previous Xen's last lines; the end:"
    xl dmesg | sed -n '/end of the previous Xen/q; p' | tail -n 4
    exit 0
fi

echo "== xl info"
xl info
echo "== xl list"
xl list
echo "== kexec (Debian's kexec-tools) against this Xen"
kexec --version

echo "== live update region (Xen's console)"
xl dmesg | grep 'liveupdate: '

echo "== page offline: 16 MiB at MFN 0x60000 (1.5 GiB), checked, taken out, back"
xl page-offline --dry-run 0x60000-0x60fff &&
    xl page-offline 0x60000-0x60fff && xl page-status && xl info | grep free_memory
xl page-online 0x60000-0x60fff > /dev/null && xl page-status
echo "== page offline of dom0's memory is refused, and changes nothing"
xl page-offline 0x1000-0x1fff
xl page-status

# offline_under_guest TYPE MEMORY_MB: start a TYPE domU that checksums a
# 32 MiB buffer in a loop, take 16 pages under the buffer offline while it
# runs, show that its checksum still holds, and put everything back.
offline_under_guest() {
    domu_start "demo-$1" "$2" memcheck=32 "$1" &&
        wait_for 60 grep -q '^MEMCHECK-READY' "$(domu_console "demo-$1")" ||
        return
    range=$(memcheck_range "demo-$1" 16)
    xl page-offline --verbose "$range"
    sleep 3
    echo "-- the guest's console: its checksum over the buffer still holds"
    tail -n 3 "$(domu_console "demo-$1")"
    xl destroy "demo-$1"
    xl page-online "$range" > /dev/null
}

echo "== page offline under a running PV guest: xl exchanges its pages"
offline_under_guest pv 128
echo "== page offline under a running PVH guest: Xen copies its pages to"
echo "   fresh frames and switches the guest's p2m, pausing it briefly"
offline_under_guest pvh 256

echo "== live update: fill 64 pages of dom0 with a pattern, ask Xen to"
echo "   preserve them, then kexec into /boot/xen-next with Debian's kexec"
lu-preserve fill 0x5eed 64 > /tmp/fill.out &
wait_for 60 grep -q PRESERVED /tmp/fill.out
cat /tmp/fill.out
live_update 2
