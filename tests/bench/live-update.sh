# Benchmark dom0 script (tests/bench.py): one live update to /boot/xen-next
# with RANGES (from /test/env) preserved ranges, single pages none of which
# is next to another.  What bench.py measures is on the next Xen's console:
# how long its heap took to initialise, and how long dom0 waited.
# carry-initrd
. /lib/testlib.sh

case ${STAGE:-1} in
1)
    if [ "$RANGES" -gt 0 ]; then
        lu-preserve scatter 0x5eed "$RANGES" > /tmp/fill.out &
        wait_for 600 grep -q PRESERVED /tmp/fill.out
        expect_eq "$RANGES ranges preserved" "$(cat /tmp/fill.out)" \
            "PRESERVED $RANGES"
    fi
    live_update 2
    ;;
2)
    expect_eq "the preserved pages came through" \
        "$(lu-preserve check 0x5eed)" "CHECKED $RANGES pages, 0 bad"
    ;;
esac

finish
