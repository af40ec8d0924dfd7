# Helpers for dom0 test scripts; sourced as /lib/testlib.sh in the test
# dom0.  Every check prints what it checks, then PASS or FAIL with the
# observed and expected values.  The QEMU runner counts these lines, so a
# script keeps going after a failed check and several checks share a boot.
#
# /test/env (written by the runner) carries what the build expects, e.g.
# XEN_EXTRA (the version marker) and VM_MEMORY_MB.

[ -f /test/env ] && . /test/env
failures=0

pass() {
    echo "PASS: $1"
}

fail() {
    echo "FAIL: $1: $2"
    failures=$((failures + 1))
}

# expect_eq NAME OBSERVED EXPECTED
expect_eq() {
    echo "CHECK: $1"
    if [ "$2" = "$3" ]; then
        pass "$1"
    else
        fail "$1" "observed '$2', expected '$3'"
    fi
}

# expect_range NAME OBSERVED MIN MAX (integers)
expect_range() {
    echo "CHECK: $1"
    if [ "$2" -ge "$3" ] 2>/dev/null && [ "$2" -le "$4" ]; then
        pass "$1"
    else
        fail "$1" "observed '$2', expected $3..$4"
    fi
}

# expect_ok NAME COMMAND...: the command exits 0.  Its output goes to the
# console either way, so a failure can be read in the log.
expect_ok() {
    name=$1
    shift
    echo "CHECK: $name"
    if "$@"; then
        pass "$name"
    else
        fail "$name" "'$*' exited $?, expected 0"
    fi
}

# expect_exit NAME STATUS COMMAND...: the command exits with STATUS.
expect_exit() {
    name=$1
    want=$2
    shift 2
    echo "CHECK: $name"
    "$@"
    got=$?
    if [ "$got" = "$want" ]; then
        pass "$name"
    else
        fail "$name" "'$*' exited $got, expected $want"
    fi
}

# range_is_free RANGE: is every page of the MFN range free?  An offline
# dry run passes, with no owner and no page offline or pending already
# (libxl's JSON leaves out what is at its default: online, no owner).
range_is_free() {
    out=$(xl page-offline --dry-run --json "$1") || return 1
    found=$(echo "$out" |
            json-get 'ranges.*.pending_owners' 'ranges.*.runs.*.state') &&
        [ -z "$found" ]
}

# free_page: a free machine page between 256 MiB and 2 GiB, every 16 MiB
# tried, or nothing.
free_page() {
    for mfn in $(seq $((0x10000)) $((0x1000)) $((0x7f000))); do
        mfn=$(printf '%#x' "$mfn")
        range_is_free "$mfn-$mfn" && { echo "$mfn"; return; }
    done
}

hex() {
    printf '%#x' "$1"
}

nothing_offline() {
    [ "$(xl page-status)" = "no page is offline or pending" ]
}

# range_held_by DOMID RANGE: does domain DOMID alone hold pages of RANGE,
# and could RANGE be offlined?
range_held_by() {
    found=$(xl page-offline --dry-run --json "$2" 2>/dev/null |
            json-get 'ranges.0.pending_owners.*') &&
        [ "$found" = "ranges.0.pending_owners.0 $1" ]
}

# chunk_range START: the CHUNK pages from MFN START, as "0xFIRST-0xLAST".
# CHUNK is the script's chunk size, in pages.
chunk_range() {
    echo "$(hex "$1")-$(hex $(($1 + CHUNK - 1)))"
}

# find_chunk PREDICATE...: the first CHUNK-aligned MFN, from 256 MiB up,
# whose chunk satisfies PREDICATE (a command taking the range); empty if
# none.  RAM ends a little below the VM's size: stay within what Xen
# counts.
find_chunk() {
    start=$((0x10000))
    last_ram=$(($(xl_info total_memory) * 256))
    while [ $((start + CHUNK)) -le "$last_ram" ]; do
        "$@" "$(chunk_range "$start")" && { echo "$start"; return; }
        start=$((start + CHUNK))
    done
}

# run_pages RUN...: how many pages the MFN runs FIRST-LAST hold.
run_pages() {
    n=0
    for r in "$@"; do
        n=$((n + ${r#*-} - ${r%-*} + 1))
    done
    echo "$n"
}

# runs_avoid RUN... < RUNS: stdin holds at least one run FIRST-LAST, and
# none of them overlaps any of the RUNs.  No runs at all means the
# question could not be asked (the lookup failed): that is no answer.
runs_avoid() {
    seen=0
    while IFS=- read -r first last; do
        seen=1
        for r in "$@"; do
            [ $((last)) -lt $((${r%-*})) ] ||
                [ $((first)) -gt $((${r#*-})) ] || return 1
        done
    done
    [ "$seen" = 1 ]
}

# expect_offline NAME STATUS ARG...: xl page-offline ARG... exits with
# STATUS.  Its output is shown, and left in /tmp/out for further checks.
expect_offline() {
    name=$1
    want=$2
    shift 2
    xl page-offline "$@" > /tmp/out 2>&1
    expect_eq "$name" "$?" "$want"
    cat /tmp/out
}

# expect_line NAME START COMMAND...: a line of COMMAND's output starts
# with START.  The output is shown either way.
expect_line() {
    name=$1
    start=$2
    shift 2
    out=$("$@")
    echo "$out"
    echo "CHECK: $name"
    if printf '%s\n' "$out" | grep -q "^$start"; then
        pass "$name"
    else
        fail "$name" "no line starting '$start' from '$*'"
    fi
}

# expect_raw NAME ERRNO-TEXT ARG...: page-offline-raw ARG... reports that
# the hypercall failed with ERRNO-TEXT.
expect_raw() {
    label="$1: fails with $2"
    want="rc -1 errno $2"
    shift 2
    expect_line "$label" "$want" page-offline-raw "$@"
}

# xl_info FIELD: one field of 'xl info'.
xl_info() {
    xl info | sed -n "s/^$1 *: //p"
}

# domu_start NAME MEMORY_MB [KERNEL_ARGS [TYPE [CFG_LINE]]]: start a domU
# (the Debian kernel with the tiny initramfs of image/domU-init), PV
# unless TYPE says pvh, with CFG_LINE added to its xl config, and wait up
# to 60 s for it to report on its console.  Returns non-zero if it never
# does.
domu_start() {
    cat > "/tmp/$1.cfg" <<CFG
name = "$1"
type = "${4:-pv}"
kernel = "/boot/vmlinuz"
ramdisk = "/boot/domU.cpio.gz"
extra = "console=hvc0 ${3:-}"
memory = $2
vcpus = 1
# A guest that crashes or resets stays down: restarted, its checks would
# pass on a fresh instance.
on_reboot = "destroy"
on_crash = "destroy"
${5:-}
CFG
    xl create -q "/tmp/$1.cfg" || return 1
    wait_for 60 grep -q '^DOMU-UP' "$(domu_console "$1")"
}

# memcheck_pfns NAME: "FIRST LAST", the guest frames of the buffer that
# domU NAME, started with memcheck=MIB, checks (tests/domU/memcheck).
memcheck_pfns() {
    sed -n 's/^MEMCHECK-READY .* pfns=\(0x[0-9a-f]*\)-\(0x[0-9a-f]*\).*/\1 \2/p' \
        "$(domu_console "$1")"
}

# domu_console NAME: the console log of domU NAME, in dom0.
domu_console() {
    echo "/var/log/xen/console/guest-$1.log"
}

# memcheck_goes_on NAME: domU NAME's memcheck reports another good pass
# within a minute.  If not, the end of its console and whether it still
# exists go to the log, for the one reading the failure.
memcheck_goes_on() {
    n=$(grep -c '^MEMCHECK-OK' "$(domu_console "$1")")
    wait_for 60 sh -c \
        "[ \$(grep -c '^MEMCHECK-OK' $(domu_console "$1")) -gt $n ]" &&
        return 0
    echo "domU $1 made no progress; the end of its console:"
    tail -n 30 "$(domu_console "$1")"
    xl list "$1" || echo "domU $1 no longer exists"
    return 1
}

# memcheck_clean NAME: domU NAME's memcheck ran (its console says so) and
# never found its buffer wrong.
memcheck_clean() {
    grep -q '^MEMCHECK-READY' "$(domu_console "$1")" &&
        ! grep '^MEMCHECK-BAD' "$(domu_console "$1")"
}

# memcheck_runs NAME: the machine page runs under domU NAME's memcheck
# buffer (its longest run of guest frames), one "0xFIRST-0xLAST" a line.
memcheck_runs() {
    # shellcheck disable=SC2046 # two words: the first and last PFN
    domu-p2m "$(xl domid "$1")" $(memcheck_pfns "$1")
}

# memcheck_range NAME PAGES: the first MFN range of PAGES machine pages in
# a row under domU NAME's memcheck buffer, as "0xFIRST-0xLAST"; nothing
# if there is none.
memcheck_range() {
    memcheck_runs "$1" | while IFS=- read -r first last; do
        if [ $((last - first + 1)) -ge "$2" ]; then
            printf '%#x-%#x\n' "$first" $((first + $2 - 1))
            break
        fi
    done
}

# wait_for SECONDS COMMAND...: run COMMAND every second until it succeeds,
# for at most SECONDS.  Returns non-zero if it never does.
wait_for() {
    tries=$1
    shift
    until "$@" 2>/dev/null; do
        tries=$((tries - 1))
        [ "$tries" -gt 0 ] || return 1
        sleep 1
    done
}

# load_disk_drivers: the drivers of the disks a test declares ('# disks:'
# in scripts/xenboot.py), in /etc/modules.disks, dependencies first.
load_disk_drivers() {
    while read -r module; do
        insmod "/lib/modules/$(uname -r)/$module" || return 1
    done < /etc/modules.disks
}

# disk_by_serial KIND: the block device (vda, sda...) QEMU gave the
# serial KIND, once its driver has found it.
disk_by_serial() {
    grep -l "$1" /sys/block/*/serial /sys/block/*/device/vpd_pg80 \
        2> /dev/null | head -n 1 | cut -d/ -f4
}

# The /proc/interrupts name of disk DEV's interrupts: virtioN for
# virtio-blk, ahci[PCI address] for a disk on an AHCI controller.
disk_irq_name() {
    path=$(readlink -f "/sys/block/$1/device")
    case $1 in
    vd*) basename "$path" ;;
    *)   echo "ahci[$(echo "$path" |
                       sed -n 's|.*/\([0-9a-f:]*\.[0-9a-f]\)/ata.*|\1|p')]" ;;
    esac
}

# disk_irqs DEV: how many interrupts dom0 took for disk DEV, on every CPU
# and vector.
disk_irqs() {
    awk -v name="$(disk_irq_name "$1")" '
        NR == 1 { cpus = NF; next }
        { for (i = cpus + 2; i <= NF; i++) {
              n = $i; sub(/,$/, "", n); sub(/-.*/, "", n)
              if (n == name) { for (c = 2; c <= cpus + 1; c++) sum += $c
                               break } } }
        END { print sum + 0 }' /proc/interrupts
}

# disk_irq_kind DEV: how Xen delivers disk DEV's interrupts to dom0, as
# /proc/interrupts says: msi-x, msi, ioapic-level or ioapic-edge.
disk_irq_kind() {
    name=$(disk_irq_name "$1")
    grep -F " $name" /proc/interrupts | head -n 1 |
        sed -n 's/.*xen-pirq *-\([a-z-]*\) .*/\1/p'
}

# timed NAME PAGES COMMAND...: run COMMAND, check it succeeds, and print
# "BENCH NAME NS PAGES" with its wall-clock time, for tests/bench.py.
timed() {
    name=$1
    pages=$2
    shift 2
    out=$(page-offline-raw time "$@" 2>&1)
    rc=$?
    expect_eq "$name succeeds" "$rc" 0
    [ "$rc" = 0 ] || echo "$out"
    # The last two lines are page-offline-raw time's own.
    echo "BENCH $name $(echo "$out" | tail -n 1 | sed -n 's/^ns //p') $pages"
    echo "RSS $name $(echo "$out" | tail -n 2 | sed -n 's/^maxrss_kb //p')"
}

# live_update STAGE [XEN-ARG...]: live update to /boot/xen-next, with
# Debian's kexec-tools, and boot dom0 again with this same script and its
# /test/env, but for STAGE.  The next Xen gets the running one's command
# line (kexec-tools adds its own liveupdate=) and the XEN-ARGs.  Needs the
# base initramfs, from a test that says "# carry-initrd".  Runs the
# script's lu_before_exec, if it has one, between load and exec.  Returns
# only when the update failed.
# The ACPI RSDP Xen uses, as dom0's acpi_rsdp= option: a PV dom0 of a Xen
# entered by kexec from one booted through EFI has no other way to find it.
acpi_rsdp_option() {
    xl dmesg | sed -n 's/.*ACPI: RSDP \([0-9A-Fa-f]*\),.*/acpi_rsdp=0x\1/p' |
        head -n 1
}

# next_cmdline [XEN-ARG...]: the next Xen's command line: this one's, but
# for the liveupdate= option (kexec-tools adds its own), and the XEN-ARGs.
next_cmdline() {
    cmdline=$(xl_info xen_commandline | sed 's/ liveupdate=[^ ]*//')
    echo "$cmdline${*:+ $*}"
}

# carry_load NAME [XEN-ARG...]: load /boot/xen-next for a live update that
# carries dom0 over; no boot module, since the next Xen builds no dom0.
carry_load() {
    name=$1
    shift
    expect_ok "$name: kexec --load-live-update /boot/xen-next" \
        kexec --load-live-update /boot/xen-next \
        --command-line="$(next_cmdline "$@")"
}

# carry_exec NAME: that live update, from dom0's vCPU 0; kexec returns 0
# once the next Xen runs dom0 again.
carry_exec() {
    echo "LU-EXEC: $1"
    taskset 1 kexec --exec-live-update > /tmp/exec.out 2>&1
    expect_eq "$1: kexec --exec-live-update returns 0" "$?" 0
}

live_update() {
    next=$1
    shift
    dom0_cmdline="$DOM0_CMDLINE $(acpi_rsdp_option)"
    mkdir -p /tmp/next/test
    cp /test/run /test/dom0.cpio.gz /tmp/next/test/
    grep -v '^STAGE=' /test/env > /tmp/next/test/env
    echo "STAGE=$next" >> /tmp/next/test/env
    (cd /tmp/next && find test | cpio -o -H newc -R 0:0 2>/dev/null) \
        > /tmp/next.cpio
    # Linux finds each archive of an initramfs at a 4-byte boundary.
    size=$(wc -c < /test/dom0.cpio.gz)
    { cat /test/dom0.cpio.gz; head -c $(((4 - size % 4) % 4)) /dev/zero
      cat /tmp/next.cpio; } > /tmp/initrd-next
    rm -rf /tmp/next /tmp/next.cpio

    expect_ok "stage ${STAGE:-1}: kexec --load-live-update /boot/xen-next" \
        kexec --load-live-update /boot/xen-next \
        --command-line="$(next_cmdline "$@")" \
        --module="/boot/vmlinuz $dom0_cmdline" --module=/tmp/initrd-next
    # A test may try what must be refused first (lu_before_exec).
    if type lu_before_exec > /dev/null 2>&1; then
        lu_before_exec
    fi
    echo "LU-EXEC: stage ${STAGE:-1} -> $next"
    # From dom0's vCPU 0: a test may keep its other vCPUs busy meanwhile.
    taskset 1 kexec --exec-live-update
    fail "stage ${STAGE:-1}: kexec --exec-live-update" "returned $?"
}

# The script's exit status: non-zero when any check failed.
finish() {
    exit "$((failures != 0))"
}
