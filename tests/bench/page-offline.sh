# make bench, page offline (issue 5): offline then online 1 GiB of free
# memory with one xl call, against the old sysctl over the same range
# (page-offline-raw old) and against 256 single-page xen-hptool runs.
# Prints "BENCH NAME NS PAGES" lines for tests/bench.py.
. /lib/testlib.sh

GIB=$((0x40000))    # pages

# The first 1 GiB aligned range of free pages.  QEMU puts RAM beyond
# 2 GiB above 4 GiB: look as far as twice the VM's size.
start=$GIB
last=$((VM_MEMORY_MB * 256 * 2))
while [ $((start + GIB)) -le "$last" ]; do
    range="$(hex "$start")-$(hex $((start + GIB - 1)))"
    range_is_free "$range" && break
    start=$((start + GIB))
done
expect_ok "a free 1 GiB range ($range)" range_is_free "$range"
end=$((start + GIB - 1))

timed xl-offline $GIB xl page-offline "$range"
timed xl-online $GIB xl page-online "$range"
timed old-offline $GIB page-offline-raw old offline "$start" "$end"
timed old-online $GIB page-offline-raw old online "$start" "$end"
timed new-offline $GIB page-offline-raw new offline "$start" $GIB
timed new-online $GIB page-offline-raw new online "$start" $GIB

cat > /tmp/hptool.sh <<SH
m=$start
while [ \$m -lt $((start + 256)) ]; do
    xen-hptool mem-\$1 \$(printf '%x' \$m) > /dev/null || exit 1
    m=\$((m + 1))
done
SH
timed hptool-offline 256 sh /tmp/hptool.sh offline
timed hptool-online 256 sh /tmp/hptool.sh online
expect_eq "nothing is left offline" "$(xl page-status)" \
    "no page is offline or pending"
finish
