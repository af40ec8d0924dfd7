# Live update under a running dom0 (issue 18): kexec --load-live-update and
# --exec-live-update, with Debian's kexec-tools, carry dom0 over to the next
# Xen (/boot/xen-next), which resumes it instead of building a fresh one.
# One dom0 boot throughout: the same kernel, the same processes, through
# three Xens.  First, what must be refused: an update while a domU exists.
# dom0 drives three disks throughout, whose interrupts Xen delivers as
# MSI-X, MSI and a level triggered GSI: the next Xen maps them again.
#
# boot: carry liveupdate=256M
# checks: 60
# disks: virtio-msix ahci-msi virtio-intx
. /lib/testlib.sh

DISKS="virtio-msix:msi-x ahci-msi:msi virtio-intx:ioapic-level"

# write_block DEV FILE / block_is DEV FILE: the first 4 KiB of disk DEV,
# from the disk itself, not from the page cache.
write_block() {
    dd if="$2" of="/dev/$1" bs=4096 count=1 conv=fsync 2> /dev/null
}
block_is() {
    echo 3 > /proc/sys/vm/drop_caches
    dd if="/dev/$1" bs=4096 count=1 2> /dev/null | cmp -s - "$2"
}
write_reads_back() {
    write_block "$1" "$2" && block_is "$1" "$2"
}
disk_found() {
    [ -n "$(disk_by_serial "$1")" ]
}

# io_loop KIND DEV: write a fresh 4 KiB block at 8 KiB into disk DEV and
# read it back, past the page cache, over and over; count the rounds in
# /tmp/KIND.rounds and say what went wrong in /tmp/KIND.errors.
io_loop() {
    : > "/tmp/$1.errors"
    n=0
    while :; do
        head -c 4096 /dev/urandom > "/tmp/$1.block"
        if ! dd if="/tmp/$1.block" of="/dev/$2" bs=4096 seek=2 count=1 \
                oflag=direct 2> /dev/null; then
            echo "round $n: the write failed" >> "/tmp/$1.errors"
        elif ! dd if="/dev/$2" bs=4096 skip=2 count=1 iflag=direct \
                2> /dev/null | cmp -s - "/tmp/$1.block"; then
            echo "round $n: the block read back differs" >> "/tmp/$1.errors"
        fi
        n=$((n + 1))
        echo "$n" > "/tmp/$1.rounds"
    done
}

# refused NAME MESSAGE: an update is refused, and xl dmesg says MESSAGE
# (a basic regular expression); everything runs on under this Xen.
refused() {
    carry_load "$1"
    taskset 1 kexec --exec-live-update > /tmp/exec.out 2>&1
    expect_ok "$1: kexec --exec-live-update fails" [ $? != 0 ]
    expect_ok "$1: Xen says why" sh -c "xl dmesg | grep -q '$2'"
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

expect_ok "the disk drivers load" load_disk_drivers
for disk in $DISKS; do
    kind=${disk%%:*}
    wait_for 10 disk_found "$kind"
    dev=$(disk_by_serial "$kind")
    expect_eq "$kind: its interrupts are ${disk#*:}" \
        "$(disk_irq_kind "$dev")" "${disk#*:}"
    head -c 4096 /dev/urandom > "/tmp/$kind.before"
    expect_ok "$kind: $dev is written before" write_block "$dev" \
        "/tmp/$kind.before"
    disk_irqs "$dev" > "/tmp/$kind.irqs"
done

# Refused while a vCPU has an I/O port bitmap (a process that used
# ioperm() runs on vCPU 1).
taskset 2 ioperm-spin 60 > /tmp/ioperm.out &
spin=$!
wait_for 30 grep -q running /tmp/ioperm.out
refused "with an I/O port bitmap" \
    'd0 cannot be carried over: a vCPU has an I/O port bitmap'
kill "$spin"

# Refused while dom0 maps trace buffers, pages of Xen's own (xentrace
# runs): the next Xen could not validate the page tables mapping them.
xentrace -e all -T 60 /tmp/trace.bin > /dev/null 2>&1 &
tracer=$!
wait_for 30 grep -q privcmd "/proc/$tracer/maps"
refused "while xentrace runs" \
    'd0 cannot be carried over: it maps a page Xen shares with it'
kill "$tracer"
wait "$tracer"

# What survived a live update before dom0 did: preserved memory (here
# held by a process that goes on), and an offlined page.
lu-preserve fill 0x5eed 16 > /tmp/fill.out &
wait_for 30 grep -q PRESERVED /tmp/fill.out
expect_eq "lu-preserve fills and preserves 16 pages" "$(cat /tmp/fill.out)" \
    "PRESERVED 16"
offline=$(free_page)
expect_ok "page $offline is offlined" xl page-offline "$offline"

# Refused while a domU exists: everything runs on under this Xen.
expect_ok "a domU starts" domu_start lu-domu 128
refused "with a domU" \
    'd[1-9][0-9]* cannot be carried over: only the hardware domain'
expect_ok "with a domU: the domU runs on" xl domid lu-domu
xl destroy lu-domu
expect_eq "with a domU: still Xen#1" "$(xl_info xen_extra)" ".7-lupo"

# Each disk busy throughout the updates: its requests in flight at the
# jump complete under the next Xen, and nothing else drives it meanwhile.
loops=
for disk in $DISKS; do
    kind=${disk%%:*}
    io_loop "$kind" "$(disk_by_serial "$kind")" &
    loops="$loops $!"
done
for n in 2 3; do
    carry_load "Xen#$n"
    carry_exec "Xen#$n"
    expect_eq "Xen#$n: xl info shows the next Xen" "$(xl_info xen_extra)" \
        ".7-lupo-next"
    expect_ok "Xen#$n: xl dmesg shows dom0 carried over" \
        sh -c "xl dmesg | grep -q 'dom0 carried over'"
    # The firmware's disk drivers would program dom0's disks behind its
    # back: the next Xen asks the BIOS nothing, not even the memory map.
    expect_ok "Xen#$n: made no BIOS calls (the memory map is kexec-tools')" \
        sh -c "xl dmesg | grep -q 'Multiboot-e820 RAM map'"
done

for disk in $DISKS; do
    kind=${disk%%:*}
    rounds=$(cat "/tmp/$kind.rounds")
    expect_ok "$kind: I/O goes on after the updates (round $rounds)" \
        wait_for 10 sh -c "[ \$(cat /tmp/$kind.rounds) -gt $rounds ]"
done
kill $loops
wait $loops 2> /dev/null
for disk in $DISKS; do
    kind=${disk%%:*}
    expect_eq "$kind: I/O through the updates, without an error" \
        "$(cat "/tmp/$kind.errors")" ""
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
# The disks: what was written reads back, from the disk, and a new write
# does too; each took interrupts under the last Xen.
for disk in $DISKS; do
    kind=${disk%%:*}
    dev=$(disk_by_serial "$kind")
    expect_ok "$kind: what was written before reads back" \
        block_is "$dev" "/tmp/$kind.before"
    head -c 4096 /dev/urandom > "/tmp/$kind.after"
    expect_ok "$kind: a write after reads back" \
        write_reads_back "$dev" "/tmp/$kind.after"
    before=$(cat "/tmp/$kind.irqs")
    expect_range "$kind: its interrupts go on ($before before)" \
        "$(disk_irqs "$dev")" $((before + 1)) 100000000
done

expect_eq "the preserved pages read back, through two updates" \
    "$(lu-preserve check 0x5eed)" "CHECKED 16 pages, 0 bad"
expect_ok "page $offline is still offline" \
    sh -c "xl page-status | grep -q '^$offline .*offlined'"
expect_ok "... and goes back online" xl page-online "$offline"
page=$(free_page)
expect_ok "page offline works after the updates" xl page-offline "$page"
expect_ok "... and page online" xl page-online "$page"
finish
