# Live update under a running dom0 (issue 18): kexec --load-live-update and
# --exec-live-update, with Debian's kexec-tools, carry dom0 over to the next
# Xen (/boot/xen-next), which resumes it instead of building a fresh one.
# One dom0 boot throughout: the same kernel, the same processes, through
# three Xens.  First, what must be refused: an update while a domU exists.
#
# boot: carry liveupdate=256M
# checks: 25
. /lib/testlib.sh

# The next Xen still wants a boot module, unused when dom0 is carried.
load_next() {
    cmdline=$(xl_info xen_commandline | sed 's/ liveupdate=[^ ]*//')
    expect_ok "$1: kexec --load-live-update /boot/xen-next" \
        kexec --load-live-update /boot/xen-next --command-line="$cmdline" \
        --module=/boot/vmlinuz
}

# A live update from dom0's vCPU 0; kexec returns once the next Xen runs it.
update() {
    echo "LU-EXEC: $1"
    taskset 1 kexec --exec-live-update > /tmp/exec.out 2>&1
    expect_eq "$1: kexec --exec-live-update returns 0" "$?" 0
}

# The largest gap the ticker saw between two of its 10 ms wake-ups, in us.
largest_gap() {
    sed -n 's/^TICK-GAP us=//p' /tmp/tick.log | sort -n | tail -n 1
}

# A static ticker from the domU image: it reports each pause of dom0.
mkdir -p /tmp/du && (cd /tmp/du && zcat /boot/domU.cpio.gz |
                     cpio -id bin/ticker 2> /dev/null)
/tmp/du/bin/ticker 10 > /tmp/tick.log &
ticker=$!
xenstored=$(pidof xenstored)
expect_ok "xenstored runs" [ -n "$xenstored" ]
expect_ok "xenstore-write /lu-dom0 before" xenstore-write /lu-dom0 before
uptime0=$(cut -d. -f1 /proc/uptime)
date0=$(date +%s)

# Refused while a domU exists: everything runs on under this Xen.
expect_ok "a domU starts" domu_start lu-domu 128
load_next "with a domU"
taskset 1 kexec --exec-live-update > /tmp/exec.out 2>&1
expect_ok "with a domU: kexec --exec-live-update fails" [ $? != 0 ]
expect_ok "with a domU: Xen names the domain and the reason" \
    sh -c "xl dmesg | grep -q 'd[1-9][0-9]* cannot be carried over: only the hardware domain'"
expect_ok "with a domU: the domU runs on" xl domid lu-domu
xl destroy lu-domu
expect_eq "with a domU: still Xen#1" "$(xl_info xen_extra)" ".7-lupo"

for n in 2 3; do
    load_next "Xen#$n"
    update "Xen#$n"
    expect_eq "Xen#$n: xl info shows the next Xen" "$(xl_info xen_extra)" \
        ".7-lupo-next"
    expect_ok "Xen#$n: xl dmesg shows dom0 carried over" \
        sh -c "xl dmesg | grep -q 'dom0 carried over'"
done

expect_ok "the ticker keeps its PID" kill -0 "$ticker"
expect_eq "xenstored keeps its PID" "$(pidof xenstored)" "$xenstored"
expect_eq "xenstore-read /lu-dom0 reads back" "$(xenstore-read /lu-dom0)" \
    before
gap=$(largest_gap)
echo "LARGEST-GAP-US ${gap:-0}"
# The pause shows, and no more: a clock that jumped back would show a
# huge gap, one that jumped forward a gap beyond the pause.
expect_range "the ticker saw the pause, not a jump (us)" "${gap:-0}" \
    10000 120000000
sleep 1
expect_ok "the ticker still ticks" kill -0 "$ticker"
expect_ok "uptime goes on" [ "$(cut -d. -f1 /proc/uptime)" -ge "$uptime0" ]
now=$(date +%s)
expect_range "date goes on, by no more than the test took (s)" \
    $((now - date0)) 0 600
page=$(free_page)
expect_ok "page offline works after the updates" xl page-offline "$page"
expect_ok "... and page online" xl page-online "$page"
finish
