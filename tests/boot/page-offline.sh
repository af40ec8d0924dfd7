# Page offline: xl page-offline / page-online / page-status over
# XEN_SYSCTL_page_offline_range (issue 5), and the old xen-hptool path.
#
# checks: 97
. /lib/testlib.sh

CHUNK=4096                      # pages per test range: 16 MiB
last_ram=$(($(xl_info total_memory) * 256))

# The first MFN of the first run that an offline of all RAM refuses for
# reason $1 (a libxl_page_refusal name), read from the --json document.
first_refused() {
    xl page-offline --dry-run --json "0x100-$(hex $((last_ram - 1)))" \
        > /tmp/refused.json 2>/dev/null
    i=$(json-get 'ranges.0.runs.*.refusal' < /tmp/refused.json |
        awk -v why="$1" '$2 == why { split($1, p, "."); print p[4]; exit }')
    [ -z "$i" ] || json-get "ranges.0.runs.$i.start" < /tmp/refused.json
}

# json_values PATH...: the values at the PATHs (json-get) of the document
# in /tmp/json, on one line.
json_values() {
    json-get "$@" < /tmp/json | tr '\n' ' ' | sed 's/ $//'
}

# -- A free range: offlined at once, listed, counted, and back again.
free0=$(xl_info free_memory)
a=$(find_chunk range_is_free)
expect_ok "a free 16 MiB range exists" [ -n "$a" ]
ra=$(chunk_range "${a:-0}")

expect_exit "offline a free range: exit 0" 0 xl page-offline "$ra"
expect_eq "page-status lists the range, offlined" \
    "$(xl page-status | sed 's/  */ /g')" "$ra offlined $CHUNK pages"
expect_eq "free_memory drops by exactly the range (MiB)" \
    "$(xl_info free_memory)" $((free0 - CHUNK / 256))
xl page-status --json "$ra" > /tmp/json
expect_eq "page-status --json: one document, the range offlined" \
    "$(json_values ranges.0.runs.0.state ranges.0.runs.0.nr)" "offlined $CHUNK"
expect_exit "offline it again: nothing to do, exit 0" 0 xl page-offline "$ra"
expect_exit "online the range: exit 0" 0 xl page-online "$ra"
expect_eq "free_memory is back" "$(xl_info free_memory)" "$free0"
expect_ok "no page is offline or pending after online" nothing_offline

# -- --json: one document from libxl's types, read by a JSON parser.
xl page-offline --json "$ra" > /tmp/json
expect_eq "page-offline --json: one document, the range offlined, 0 pending" \
    "$(json_values ranges.0.runs.0.state ranges.0.runs.0.nr dry_run pending)" \
    "offlined $CHUNK false 0"
xl page-online --json "$ra" > /tmp/json
expect_eq "page-online --json: one document, one run back online" \
    "$(json_values 'ranges.0.runs.*.state' ranges.0.runs.0.nr)" "$CHUNK"
xl page-offline --dry-run --json "$ra" > /tmp/json
expect_eq "page-offline --dry-run --json says so" "$(json_values dry_run)" \
    true
xl page-status --json > /tmp/json
expect_eq "page-status --json without a range: one document, no run" \
    "$(json_values 'ranges.0.runs.*')" ""
expect_ok "... and that document parses" json-get < /tmp/json

# -- xl conventions: the global -N, usage errors.
expect_exit "xl -N page-offline: exit 0" 0 xl -N page-offline "$ra"
expect_ok "xl -N page-offline changed nothing" nothing_offline
expect_exit "page-offline --wait=soon is a usage error: exit 2" 2 \
    xl page-offline --wait=soon "$ra"
expect_ok "... and changed nothing" nothing_offline

# -- Address form: the same range by machine address.
expect_exit "offline by machine address (@)" 0 \
    xl page-offline "@$(hex $((a * 4096)))-$(hex $(((a + CHUNK) * 4096 - 1)))"
expect_eq "the address form names the same pages" \
    "$(xl page-status | sed 's/  */ /g')" "$ra offlined $CHUNK pages"
xl page-online "$ra" > /dev/null

# -- Ranges that touch dom0's or Xen's pages: refused, nothing changed.
for who in hardware_domain xen; do
    p=$(first_refused "$who")
    expect_ok "$who: a page is found" [ -n "$p" ]
    [ -n "$p" ] || continue
    # From the refused page to the end of the free range: both kinds.
    if [ "$p" -lt "$a" ]; then
        r="$(hex "$p")-$(hex $((a + CHUNK - 1)))"
    else
        r="$(hex "$a")-$(hex "$p")"
    fi
    expect_offline "$who: offline $r fails" 1 "$r"
    expect_ok "$who: the message names the page and why" \
        grep -q "^$(hex "$p")[- ].*refused: " /tmp/out
    expect_ok "$who: no page of the range changed state" nothing_offline
    xl page-offline --json "$r" > /tmp/json 2>/dev/null
    expect_ok "$who: --json: one document, the page among the refused runs" \
        sh -c "json-get 'ranges.0.runs.*.start' < /tmp/json | grep -q ' $p\$'"
done

# -- Bad input: a clear message, exit 1, no state change.
bad() {
    expect_offline "bad input $1: exit 1" 1 "$2"
    expect_ok "bad input $1: says '$3'" grep -q "$3" /tmp/out
}
bad reversed 0x20000-0x10000 'ends before it starts'
# MFN 2^24, 64 GiB: beyond the last MFN of any VM these tests boot.
bad beyond-last 0x1000000 'beyond the last MFN'
bad overflow 0x10000000000000000 'does not fit in 64 bits'
bad above-4g-mfn 0x100000000 'beyond the last MFN'
bad mmio-hole 0xa0-0xbf 'not RAM'
bad empty '' 'not a number'
bad garbage lots 'not a number'
bad dangling-dash 0x20000- 'not a number'
bad trailing-text 0x20000-0x2000g 'unexpected text'
expect_ok "bad input changed nothing" nothing_offline

# Below xl, the hypervisor checks the same (page-offline-raw).
raw() {
    expect_raw "hypercall $1" "$5" new "$2" "$3" "$4"
}
raw "empty range" offline 0x20000 0 'Invalid argument'
raw "start + nr wraps" offline 0xffffffffffffff00 0x200 'Invalid argument'
raw "past the last MFN" offline 0x1000000 16 'Numerical result out of range'
raw "a dom0 page" offline "$(first_refused hardware_domain)" 1 \
    'Device or resource busy'
expect_ok "the hypervisor's refusals changed nothing" nothing_offline

# -- Forged progress: Xen keeps an offline's phase and progress itself.
# A call that claims to be in the undo pass, with status bytes saying
# every page was changed, must not put offlined pages back into use; one
# that claims the mark pass must not skip the check.
expect_exit "offline the free range again" 0 xl page-offline "$ra"
expect_raw "an offline claiming to undo $ra" 'Invalid argument' \
    forge 2 $CHUNK "$(hex "$a")" $CHUNK
expect_eq "... leaves the range offlined" \
    "$(xl page-status | sed 's/  */ /g')" "$ra offlined $CHUNK pages"
xl page-online "$ra" > /dev/null
expect_raw "an offline claiming to mark $ra" 'Invalid argument' \
    forge 1 0 "$(hex "$a")" $CHUNK
expect_ok "... offlines nothing" nothing_offline

# -- Pages under a running PV domU's memory: exchanged while it runs.
# The guest writes a buffer over and over and checks every word it reads
# back (tests/domU/memcheck write), and says which guest frames hold it;
# domu-p2m names the machine pages.  An exchanged page must stay
# writable, with nothing lost.
log=$(domu_console po-pv)
domu_start po-pv 256 memwrite=64
expect_ok "a PV domU writing a 64 MiB buffer runs" [ $? = 0 ]
wait_for 60 grep -q '^MEMCHECK-READY' "$log"
rp=$(memcheck_range po-pv 64)
expect_ok "64 machine pages in a row hold the guest's buffer" [ -n "$rp" ]
expect_offline "offline them: exit 0" 0 "$rp"
expect_ok "all 64 pages were exchanged" \
    grep -q "domain $(xl domid po-pv) (PV): 64 pages exchanged" /tmp/out
expect_ok "every page of the range is offlined" \
    sh -c "xl page-status $rp | grep -q '^$rp *offlined *64 pages'"
memcheck_runs po-pv > /tmp/p2m
expect_ok "the guest's buffer is on other machine pages now" \
    runs_avoid "$rp" < /tmp/p2m
expect_ok "the guest keeps running: its checks go on" \
    memcheck_goes_on po-pv
expect_ok "and its checksum still matches" memcheck_clean po-pv
# A page table that maps itself (a direct-map L1 in the 2 MiB it maps):
# copied with that entry cleared, the entry then rewritten in the copy.
l1=$(domu-p2m "$(xl domid po-pv)" self-mapped-l1)
expect_ok "the PV domU has an L1 page table that maps itself" [ -n "$l1" ]
expect_offline "offline that page table: exit 0" 0 "${l1:-none}"
expect_ok "it was exchanged" \
    grep -q "domain $(xl domid po-pv) (PV): 1 page exchanged" /tmp/out
expect_ok "the guest keeps running on the moved page table" \
    memcheck_goes_on po-pv
expect_ok "and finds every word it wrote" memcheck_clean po-pv
# Its console ring is mapped by xenconsoled: it cannot be exchanged.
ring=$(xenstore-read "/local/domain/$(xl domid po-pv)/console/ring-ref")
expect_offline "offline the guest's console ring: exit 3 (pending)" 3 "$ring"
expect_ok "xl says it stays pending" grep -q 'the others stay pending' /tmp/out
xl page-offline --json "$ring" > /tmp/json 2>/dev/null
expect_eq "--json: one document: the PV domain, none exchanged, 1 pending" \
    "$(json_values domains.0.type domains.0.exchanged domains.0.complete \
                   pending)" "pv 0 false 1"
expect_ok "the guest keeps running after a failed exchange" \
    memcheck_goes_on po-pv
xl destroy po-pv
ring_offlined() {
    xl page-status "$ring" | grep -q offlined
}
expect_ok "the ring page is offlined once the guest is gone" \
    wait_for 30 ring_offlined
expect_exit "online the exchanged pages and the ring" 0 \
    xl page-online "$rp" "$ring" ${l1:+"$l1"}

# -- A range a PV domU holds, left pending: offlined when it is freed.
domu_start po-domu 128
expect_ok "a PV domU runs" [ $? = 0 ]
domid=$(xl domid po-domu)
b=$(find_chunk range_held_by "$domid")
expect_ok "a range the domU holds exists" [ -n "$b" ]
rb=$(chunk_range "${b:-0}")
expect_offline "offline a domU's range, --no-exchange: exit 3 (pending)" 3 \
    --no-exchange "$rb"
expect_ok "the pages are pending" grep -q 'pending' /tmp/out
expect_ok "the domU is named as holding them" \
    grep -q "held by domain(s) $domid:" /tmp/out
expect_ok "the domU keeps running" xl domid po-domu
xl page-offline --no-exchange --wait=60 "$rb" > /tmp/wait 2>&1 &
waiter=$!
sleep 2
xl destroy po-domu
wait "$waiter"
expect_eq "page-offline --wait returns 0 once the domU is gone" "$?" 0
expect_ok "every page of the range is offlined" \
    sh -c "xl page-status $rb | grep -q '^$rb *offlined *$CHUNK pages'"

# -- Offlined pages are never handed out again.
free1=$(xl_info free_memory)
big=$((free1 - 64))
domu_start po-big "$big"
expect_ok "a domU with all but 64 MiB of free memory starts" [ $? = 0 ]
expect_range "free memory is nearly all taken" "$(xl_info free_memory)" 0 80
expect_ok "the offlined range is still offlined" \
    sh -c "xl page-status $rb | grep -q '^$rb *offlined *$CHUNK pages'"
xl destroy po-big
expect_ok "and still after the domU is destroyed" \
    sh -c "xl page-status $rb | grep -q '^$rb *offlined *$CHUNK pages'"
expect_exit "online the domU's old range" 0 xl page-online "$rb"
expect_ok "nothing offline at the end" nothing_offline

# -- xen-hptool (MFNs in hex) still works over the old operation.
m=$(printf '%x' "$a")
expect_ok "xen-hptool mem-offline" xen-hptool mem-offline "$m"
expect_eq "xl page-status sees it" \
    "$(xl page-status | sed 's/  */ /g')" "0x$m offlined 1 page"
expect_ok "xen-hptool mem-status" xen-hptool mem-status "$m"
expect_ok "xen-hptool mem-online" xen-hptool mem-online "$m"
expect_ok "nothing offline after xen-hptool mem-online" nothing_offline
finish
