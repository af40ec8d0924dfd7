# make bench, PV page exchange (issue 5): how long xl page-offline pauses
# a running PV domU to move it off 1 and 64 of its pages, against saving
# and restoring the same domU, which is what frees its pages without an
# exchange.  Prints "BENCH NAME NS PAGES" lines for tests/bench.py.
. /lib/testlib.sh

domu_start bench-pv 128 memcheck=32
expect_ok "a PV domU checking a 32 MiB buffer runs" [ $? = 0 ]
wait_for 60 grep -q '^MEMCHECK-READY' /var/log/xen/console/guest-bench-pv.log
range=$(memcheck_range bench-pv 65)
expect_ok "65 machine pages in a row under its buffer" [ -n "$range" ]
first=$((${range%-*}))

timed exchange-1 1 xl page-offline "$(printf '%#x' "$first")"
timed exchange-64 64 xl page-offline \
    "$(printf '%#x-%#x' $((first + 1)) $((first + 64)))"
timed save-restore 0 sh -c \
    'xl save bench-pv /tmp/pv.save > /dev/null &&
     xl restore /tmp/pv.save > /dev/null && rm /tmp/pv.save'
expect_ok "the guest's checksum still matches" \
    sh -c "! grep '^MEMCHECK-BAD' /var/log/xen/console/guest-bench-pv.log"
xl destroy bench-pv
xl page-online "$range" > /dev/null
expect_eq "nothing is left offline" "$(xl page-status)" \
    "no page is offline or pending"
finish
