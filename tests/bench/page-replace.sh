# make bench, HVM/PVH page replacement (issue 6): how long Xen pauses a
# running PVH domU for each page it moves the guest off, and how many
# pages a second it moves, over 64 MiB of the guest's memory; against
# what an operator has without it, migrating the guest (here to the same
# host): its downtime, the longest the guest's own clock saw it stopped
# (tests/domU/ticker), and its total time.  Prints "BENCH NAME NS PAGES"
# lines for tests/bench.py.
. /lib/testlib.sh

CHUNK=16384                     # 64 MiB

# What the guest said on its console so far.  Once a migration receives
# it, xenconsoled logs it under the name it had then.
console_log() {
    cat "$(domu_console bench-pvh)" "$(domu_console bench-pvh--incoming)" \
        2>/dev/null
}

# The ticker's gaps so far, oldest first, in us.
gaps() {
    console_log | sed -n 's/^TICK-GAP us=//p'
}

# longest_gap_since N: the longest of the gaps after the first N, in ns
# (0 if none).
longest_gap_since() {
    gaps | tail -n +$(($1 + 1)) | sort -n | tail -n 1 |
        awk '{ g = $1 * 1000 } END { printf "%d", g }'
}

# pause WHAT: Xen's measure of the pauses in xl page-offline --verbose's
# "paused T ms in all, A ms per page on average, M ms at most", in ns.
pause() {
    sed -n "s/^domain $domid (PVH): paused .*, \\([0-9.]*\\) ms $1.*/\\1/p" \
        /tmp/replace.out | awk '{ printf "%d", $1 * 1000000 }'
}

# The ticker reports stops of 10 ms or more.
domu_start bench-pvh 256 "memcheck=32 ticker=2" pvh
expect_ok "a PVH domU with a ticker runs" [ $? = 0 ]
wait_for 60 grep -q '^TICK-READY' "$(domu_console bench-pvh)"
domid=$(xl domid bench-pvh)
start=$(find_chunk range_held_by "$domid")
expect_ok "the domU alone holds a 64 MiB range" [ -n "$start" ]
range=$(chunk_range "${start:-0}")

# The range may hold free pages (offlined at once) and pages mapped by
# another domain (left pending: exit 3); the rate counts those replaced.
n0=$(gaps | wc -l)
timed replace-64m "$CHUNK" sh -c \
    "xl page-offline --verbose $range > /tmp/replace.out 2>&1; [ \$? != 1 ]"
cat /tmp/replace.out
replaced=$(sed -n "s/^domain $domid (PVH): \([0-9]*\) pages replaced.*/\1/p" \
    /tmp/replace.out)
expect_range "most of the guest's pages of the range were replaced" \
    "${replaced:-0}" 1024 "$CHUNK"
echo "BENCH replace-pages 0 ${replaced:-0}"
echo "BENCH replace-pause-avg $(pause 'per page') 1"
echo "BENCH replace-pause-max $(pause 'at most') 1"
echo "BENCH replace-guest-gap $(longest_gap_since "$n0") 0"
expect_exit "online the range" 0 xl page-online "$range"

migration_seen() {
    [ "$(longest_gap_since "$n0")" -gt 0 ]
}
buffer_intact() {
    ! console_log | grep -q '^MEMCHECK-BAD'
}
checks_beyond() {
    [ "$(console_log | grep -c '^MEMCHECK-OK')" -gt "$1" ]
}
n0=$(gaps | wc -l)
timed migrate 0 xl migrate -s "" bench-pvh "xl migrate-receive -e"
expect_ok "the guest's clock saw the migration stop it" \
    wait_for 30 migration_seen
echo "BENCH migrate-downtime $(longest_gap_since "$n0") 0"
expect_ok "the guest runs on after the migration" \
    wait_for 60 checks_beyond "$(console_log | grep -c '^MEMCHECK-OK')"
expect_ok "and its buffer is intact" buffer_intact
xl destroy bench-pvh
finish
