# make bench, page offline at DIMM size (issue 17): xl page-offline of a
# 64 GiB range against a 1 GiB one in the same boot, in time and in xl's
# peak memory.  The VM declares more RAM than the host has; Xen runs with
# bootscrub=0, so that free memory stays untouched.
# Prints "BENCH NAME NS PAGES" and "RSS NAME KB" lines for tests/bench.py.
. /lib/testlib.sh

GIB=$((0x40000))    # pages

# The first 1 GiB aligned free range of $1 GiB from 4 GiB up (QEMU puts
# the RAM beyond 2 GiB there).
free_range() {
    start=$((4 * GIB))
    while [ $((start + $1 * GIB)) -le $(((VM_MEMORY_MB + 2048) * 256)) ]; do
        r="$(hex "$start")-$(hex $((start + $1 * GIB - 1)))"
        range_is_free "$r" && { echo "$r"; return; }
        start=$((start + GIB))
    done
}

big=$(free_range 64)
expect_ok "a free 64 GiB range ($big)" [ -n "$big" ]
small=$(free_range 1)
expect_ok "a free 1 GiB range ($small)" [ -n "$small" ]

timed xl-offline-1g $GIB xl page-offline "$small"
timed xl-online-1g $GIB xl page-online "$small"
timed xl-offline-64g $((64 * GIB)) xl page-offline "$big"
timed xl-online-64g $((64 * GIB)) xl page-online "$big"
expect_ok "nothing is left offline" nothing_offline
finish
