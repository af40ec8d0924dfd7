# Live update boot memory: liveupdate= on Xen's command line (issue 3).
# One boot per case below; the runner passes CASE and, from the "plain"
# boot, PLAIN_TOTAL and PLAIN_FREE (xl info, MiB) to the later cases, and
# from "sizeonly" LU_NEED, what Xen says early boot needs (MiB): "exact"
# boots with a region of just that size.
# A value refused by the command line's rules alone (no memory map plays
# a part) is tried on one boot path only.
#
# boot: plain
# boot: fixed liveupdate=128M@0x10000000
# boot: sizeonly liveupdate=64M
# boot: exact liveupdate=${LU_NEED}M
# boot: empty liveupdate= [bios]
# boot: garbage liveupdate=lots [bios]
# boot: zero liveupdate=0 [bios]
# boot: unaligned-size liveupdate=3M@0x10000000 [bios]
# boot: unaligned-start liveupdate=64M@0x10100000 [bios]
# boot: overflow liveupdate=0xffffffffffe00000@0x200000 [bios]
# boot: wrap liveupdate=64M@0xfffffffffc000000 [bios]
# boot: bigger-than-ram liveupdate=4G [bios]
# boot: hole liveupdate=64M@0x80000000
# boot: above-4g liveupdate=64M@0x100000000 [bios]
# boot: too-small liveupdate=8M [bios]
# boot: over-xen liveupdate=64M@0x200000 [bios]
# boot: over-module liveupdate=64M@0x1000000 [bios]
# checks: 6
# checks: 3 plain
# checks: 18 fixed
# checks: 20 sizeonly
# checks: 19 exact
. /lib/testlib.sh

total=$(xl_info total_memory)
free=$(xl_info free_memory)
region=$(xl dmesg | sed -n 's/.*liveupdate: region \([^ ]*\) (.*/\1/p')

# The message each refused value must get on the console.
case $CASE in
empty|garbage)   refusal='is not <size>\[@<start>\]' ;;
zero)            refusal='the region size is zero' ;;
unaligned-size)  refusal='is not a multiple of 2 MiB' ;;
unaligned-start) refusal='is not 2 MiB aligned' ;;
overflow)        refusal='does not fit in 64 bits' ;;
# start + size is 2^64: each fits, the end does not.
wrap)            refusal='overflows' ;;
bigger-than-ram) refusal='MiB of RAM' ;;
hole)            refusal='not wholly inside one usable RAM range' ;;
above-4g)        refusal='ends above 4 GiB' ;;
too-small)       refusal='less than the [0-9]* MiB early boot needs' ;;
over-xen)        refusal='overlaps the Xen image' ;;
over-module)     refusal='overlaps boot module' ;;
*)               refusal= ;;
esac

if [ "$CASE" = plain ]; then
    echo "SUITE-ENV: PLAIN_TOTAL=$total"
    echo "SUITE-ENV: PLAIN_FREE=$free"
    expect_eq "plain: no live update region" "$region" ""
else
    expect_eq "$CASE: total_memory as without liveupdate= (MiB)" \
        "$total" "$PLAIN_TOTAL"
    # free_memory counts what domains can get.  The region's unused part
    # is Xen's alone, and Xen's own allocations move into it: expect
    # plain - (region - early use), within 2 MiB below and 4 MiB above.
    kept=0
    if [ -n "$region" ]; then
        size=$(xl dmesg | sed -n 's/.*liveupdate: region .* (\([0-9]*\) MiB).*/\1/p')
        used=$(xl dmesg | sed -n 's/.*early boot used \([0-9]*\)\.[0-9]* MiB.*/\1/p')
        # .init stays out of the heap too: the next Xen goes there.
        init=$(xl dmesg | sed -n 's/.*Kept \([0-9]*\)kB init memory.*/\1/p')
        kept=$((size - used + ${init:-0} / 1024))
    fi
    expect_range "$CASE: free_memory is a plain boot's minus the unused region" \
        "$free" $((PLAIN_FREE - kept - 2)) $((PLAIN_FREE - kept + 4))
fi

if [ -n "$refusal" ]; then
    expect_ok "$CASE: the console names the rule ($refusal)" \
        sh -c "xl dmesg | grep 'liveupdate: ' | grep -q '$refusal'"
    expect_eq "$CASE: no region after a refusal" "$region" ""
fi

if [ -z "$region" ]; then
    # Without a region, kexec-tools cannot place the next Xen.
    kexec --load-live-update /boot/xen > /tmp/kexec.out 2>&1
    expect_eq "$CASE: kexec --load-live-update fails without a region" \
        "$?" 255
    expect_ok "$CASE: kexec says range 7 is missing" \
        grep -q 'failed to get range=7' /tmp/kexec.out
    finish
fi

expect_ok "$CASE: the console names the region and its need" \
    sh -c "xl dmesg | grep -q 'early boot needs [0-9]* MiB'"
expect_ok "$CASE: the console says how much of the region early boot used" \
    sh -c "xl dmesg | grep -q 'early boot used [0-9.]* MiB of the region'"
[ "$CASE" = fixed ] &&
    expect_eq "fixed: the region is where it was asked for" \
        "$region" "0x10000000-0x18000000"
need=$(xl dmesg | sed -n 's/.*early boot needs \([0-9]*\) MiB.*/\1/p')
[ "$CASE" = sizeonly ] && echo "SUITE-ENV: LU_NEED=$need"
if [ "$CASE" = exact ]; then
    # A region of exactly the need must boot (it once ran out in early
    # boot and hit a BUG()), and early boot must have used no more.
    expect_eq "exact: the region is what early boot needs (MiB)" \
        "$size" "$need"
    expect_range "exact: early boot used no more of it (MiB)" \
        "$used" 0 $((need - 1))
fi

expect_ok "$CASE: dom0's memory lies outside the region" lu-region-check 0

# Claims (xl's claim_mode) count what domains can get: free_memory, never
# the region's unused part, which is Xen's alone.  When they counted it, a
# claim that could not be met was granted.
free_pages=$(($(xl_info free_memory) * 256))
expect_line "$CASE: a claim 2 MiB beyond free_memory is refused" \
    'rc -1 errno Cannot allocate memory outstanding 0' \
    claim $((free_pages + 768))
expect_line "$CASE: a claim 16 MiB within free_memory is granted" \
    "rc 0 errno 0 outstanding $((free_pages - 4096))" \
    claim $((free_pages - 4096))

# Per NUMA node too (xl info -n, as libxl's placement reads it).
node_free=$(xl info -n | awk '/^node:/ { n = 1; next } n && $1 == "0:" { print $3; exit }')
expect_range "$CASE: node 0's free memory is free_memory (MiB)" \
    "$node_free" $((free_pages / 256 - 2)) $((free_pages / 256 + 2))

domu_start lu-domu 128
domid=$(xl domid lu-domu)
expect_ok "$CASE: a domU's memory lies outside the region" \
    lu-region-check "$domid"
xl destroy lu-domu

# Where Xen itself lets a live update image go, whatever kexec does: not
# the region's first page (the breadcrumb, written before the image is
# copied), and over Xen's image only with nothing of the heap there.
rstart=$(kexec-raw region | cut -d' ' -f1)
expect_line "$CASE: an image on the region's first page is refused" \
    'rc -1 errno Cannot assign requested address' kexec-raw load-lu "$rstart"
expect_line "$CASE: an image on its second page is taken" \
    'rc 0 ' kexec-raw load-lu "$(hex $((rstart + 4096)))"
expect_ok "$CASE: no heap page lies in Xen's image, .init included" \
    kexec-raw heap-in-xen

# A region without room for what is loaded into it plus early boot's need
# (22 MiB here): the exec is refused before the point of no return.
if [ "$CASE" = sizeonly ]; then
    dd if=/dev/zero of=/tmp/big bs=1M count=47 2> /dev/null
    expect_ok "$CASE: kexec loads a 47 MiB module into the 64 MiB region" \
        kexec --load-live-update /boot/xen --module=/tmp/big
    taskset 1 kexec --exec-live-update > /tmp/exec.out 2>&1
    expect_ok "$CASE: kexec --exec-live-update fails" [ $? != 0 ]
    expect_ok "$CASE: Xen says the next one would not fit" \
        sh -c "xl dmesg | grep -q 'refusing the update: the next Xen needs'"
    kexec --load-live-update -u
    rm -f /tmp/big
fi

# Debian's kexec-tools, unmodified, against range 7 and type 2.
expect_ok "$CASE: kexec --load-live-update /boot/xen" \
    kexec --load-live-update /boot/xen --command-line="console=com1"
kexec --load-live-update -S
expect_eq "$CASE: kexec status: a live update image is loaded" "$?" 1
kexec -S -l
expect_eq "$CASE: kexec status: no default image is loaded" "$?" 0
expect_ok "$CASE: kexec --load-live-update -u unloads it" \
    kexec --load-live-update -u
kexec --load-live-update -S
expect_eq "$CASE: kexec status: nothing loaded after unload" "$?" 0
finish
