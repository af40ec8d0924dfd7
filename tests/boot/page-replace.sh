# Page offline under running PVH domUs (issue 6): Xen moves a translated
# guest off its pending pages by replacing the frames behind its p2m
# (XEN_DOMCTL_page_replace), under HAP and under shadow paging, while
# the guest checks a buffer (tests/domU/memcheck) or rewrites it.
#
# The firmware has no part in moving a guest's pages, and under TCG a
# boot through OVMF runs this 2.5 times slower: legacy BIOS only.
# boot: pvh [bios]
# checks: 52
. /lib/testlib.sh

# all_offlined RUN...: xl page-status says each run is offlined whole.
all_offlined() {
    for r in "$@"; do
        xl page-status "$r" | grep -q "^$r *offlined *$(run_pages "$r") page" ||
            return 1
    done
}

# replace_buffer WHAT NAME: offline the pages under domU NAME's buffer
# with xl and check that the guest moved off them whole, and runs on.
replace_buffer() {
    domid=$(xl domid "$2")
    runs=$(memcheck_runs "$2")
    expect_ok "$1: the machine pages under the buffer are found" \
        [ -n "$runs" ]
    # shellcheck disable=SC2086 # one word per run
    n=$(run_pages $runs)
    # shellcheck disable=SC2086
    expect_offline "$1: xl page-offline --verbose of $n pages: exit 0" 0 \
        --verbose $runs
    expect_ok "$1: all $n pages were replaced" \
        grep -q "^domain $domid (PVH): $n pages replaced by fresh ones" /tmp/out
    expect_ok "$1: --verbose says how long the guest was paused" \
        grep -q "^domain $domid (PVH): paused [0-9.]* ms in all, .* at most" \
        /tmp/out
    # shellcheck disable=SC2086
    expect_ok "$1: xl page-status: every page is offlined" all_offlined $runs
    memcheck_runs "$2" > /tmp/after
    # shellcheck disable=SC2086
    expect_ok "$1: the buffer is on other machine pages now" \
        runs_avoid $runs < /tmp/after
    expect_ok "$1: the guest keeps running: its checks go on" \
        memcheck_goes_on "$2"
    expect_ok "$1: and its buffer still holds what it wrote" \
        memcheck_clean "$2"
    # shellcheck disable=SC2086
    expect_exit "$1: online the old pages" 0 xl page-online $runs
}

# -- The paging Xen picks, and shadow paging: the same guest, the same
# checks.  Xen picks HAP where the CPU has nested paging; QEMU's TCG has
# it (-cpu ...,+npt), but a PVH guest rewriting its memory there
# triple-faults on its own, before any page moves: under TCG both cases
# run on shadow paging, and "default" tests HAP only on hardware.
domu_start pr-hap 256 memcheck=32 pvh
expect_ok "default: a PVH domU checking a 32 MiB buffer runs" [ $? = 0 ]
wait_for 60 grep -q '^MEMCHECK-READY' "$(domu_console pr-hap)"
replace_buffer default pr-hap

domu_start pr-shadow 256 memcheck=32 pvh "hap = 0"
expect_ok "shadow: a PVH domU on shadow paging runs" [ $? = 0 ]
wait_for 60 grep -q '^MEMCHECK-READY' "$(domu_console pr-shadow)"
replace_buffer shadow pr-shadow
xl destroy pr-shadow

# -- Refusals: the page stays pending, the guest on it, nothing else moves.
domid=$(xl domid pr-hap)

# refused WHAT GFN REASON: offline the machine page behind guest frame GFN
# of pr-hap; Xen must leave it where it is, for REASON.
refused() {
    page=$(domu-p2m "$domid" "$2" "$2")
    page=${page%-*}
    expect_offline "$1 ($page): xl page-offline exits 3 (pending)" 3 "$page"
    expect_ok "$1: xl says why it stays pending" \
        grep -q "^domain $domid: $page stays pending: $3" /tmp/out
    expect_ok "$1: xl page-status says pending" \
        sh -c "xl page-status $page | grep -q pending"
    expect_eq "$1: the guest frame is still on the same machine page" \
        "$(domu-p2m "$domid" "$2" "$2")" "$page-$page"
    expect_exit "$1: online it" 0 xl page-online "$page"
}
# xenconsoled maps the console ring, xenstored the store ring.
refused "console ring (foreign mapping)" \
    "$(xenstore-read "/local/domain/$domid/console/ring-ref")" \
    "mapped by another domain or by Xen"
refused "store ring (grant mapping)" \
    "$(xenstore-read "/local/domain/$domid/store/ring-ref")" \
    "mapped by another domain or by Xen"

# The shared info page is Xen's, mapped into the guest: never pending.
si=$(domu-p2m "$domid" shared-info)
expect_ok "the guest's shared info page is found" [ -n "$si" ]
expect_offline "shared info page ($si): xl page-offline fails" 1 "$si"
expect_ok "shared info page: refused as Xen's" \
    grep -q "^$si .*refused: .*Xen" /tmp/out
expect_ok "the guest keeps running after the refusals" memcheck_goes_on pr-hap
expect_ok "and its buffer is intact" memcheck_clean pr-hap
expect_ok "nothing is offline or pending after the refusals" nothing_offline

# -- Below xl: what the hypercall refuses outright.
raw() {
    expect_raw "replace $1" "$5" replace "$2" "$3" "$4"
}
raw "of dom0, the caller" 0 0x10000 16 'Invalid argument'
raw "of an empty range" "$domid" 0x10000 0 'Invalid argument'
raw "where start + nr wraps" "$domid" 0xffffffffffffff00 0x200 \
    'Invalid argument'
raw "past the last MFN" "$domid" 0x1000000 16 'Numerical result out of range'
domu_start pr-pv 128
expect_ok "a PV domU runs" [ $? = 0 ]
raw "of a PV domain" "$(xl domid pr-pv)" 0x10000 16 'Operation not supported'
xl destroy pr-pv
out=$(page-offline-raw replace "$domid" 0x100 0x10000)
echo "$out"
expect_ok "replace over online pages moves nothing" \
    sh -c "echo '$out' | grep -q '^rc 0 errno 0 replaced 0 refused 0 '"
xl destroy pr-hap

# -- Stress: move a buffer the guest rewrites all the time, again and again.
domu_start pr-stress 128 memwrite=16 pvh
expect_ok "a PVH domU rewriting a 16 MiB buffer runs" [ $? = 0 ]
wait_for 60 grep -q '^MEMCHECK-READY' "$(domu_console pr-stress)"
domid=$(xl domid pr-stress)
for round in 1 2 3 4 5; do
    runs=$(memcheck_runs pr-stress)
    # shellcheck disable=SC2086 # one word per run
    expect_offline "stress round $round: offline the buffer's pages: exit 0" \
        0 $runs
    # shellcheck disable=SC2086
    xl page-online $runs > /dev/null
done
expect_ok "stress: the guest goes on rewriting its buffer" \
    memcheck_goes_on pr-stress
expect_ok "stress: no write was lost" memcheck_clean pr-stress
xl destroy pr-stress
expect_ok "nothing is offline at the end" nothing_offline
finish
