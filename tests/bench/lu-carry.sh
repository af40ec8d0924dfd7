# Benchmark dom0 script (tests/bench.py): one live update to /boot/xen-next
# that carries this dom0 over.  What bench.py measures: the next Xen's
# figure for dom0's blackout and its phases, on the console, and the
# largest gap dom0's own ticker saw between two 10 ms wake-ups, printed
# here as BENCH-TICKER-GAP-US.
. /lib/testlib.sh

mkdir -p /tmp/du && (cd /tmp/du && zcat /boot/domU.cpio.gz |
                     cpio -id bin/ticker 2> /dev/null)
/tmp/du/bin/ticker 10 > /tmp/tick.log &
sleep 1
cmdline=$(xl_info xen_commandline | sed 's/ liveupdate=[^ ]*//')
expect_ok "kexec --load-live-update /boot/xen-next" \
    kexec --load-live-update /boot/xen-next --command-line="$cmdline"
taskset 1 kexec --exec-live-update
expect_eq "kexec --exec-live-update returns 0" "$?" 0
sleep 1
gap=$(sed -n 's/^TICK-GAP us=//p' /tmp/tick.log | sort -n | tail -n 1)
echo "BENCH-TICKER-GAP-US ${gap:-0}"
finish
