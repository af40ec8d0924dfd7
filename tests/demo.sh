# The demo 'make run' shows in dom0: what Xen we run and what it hosts.
# Later issues add their demos here.
. /lib/testlib.sh       # domu_start, wait_for, memcheck_range
echo "== xl info"
xl info
echo "== xl list"
xl list
echo "== kexec (Debian's kexec-tools) against this Xen"
kexec --version

echo "== live update region (Xen's console)"
xl dmesg | grep 'liveupdate: '
echo "== kexec --load-live-update /boot/xen"
if kexec --load-live-update /boot/xen --command-line=console=com1; then
    kexec --load-live-update -S
    echo "status: $? (1: a live update image is loaded)"
    kexec --load-live-update -u && echo "unloaded"
fi

echo "== page offline: 16 MiB at MFN 0x60000 (1.5 GiB), checked, taken out, back"
xl page-offline --dry-run 0x60000-0x60fff &&
    xl page-offline 0x60000-0x60fff && xl page-status && xl info | grep free_memory
xl page-online 0x60000-0x60fff > /dev/null && xl page-status
echo "== page offline of dom0's memory is refused, and changes nothing"
xl page-offline 0x1000-0x1fff
xl page-status

echo "== page offline under a running PV guest: xl exchanges its pages"
if domu_start demo 128 memcheck=32 &&
   wait_for 60 grep -q '^MEMCHECK-READY' /var/log/xen/console/guest-demo.log; then
    range=$(memcheck_range demo 16)
    xl page-offline "$range"
    sleep 3
    echo "-- the guest's console: its checksum over the buffer still holds"
    tail -n 3 /var/log/xen/console/guest-demo.log
    xl destroy demo
    xl page-online "$range" > /dev/null
fi
