# Tests of the runner's verdicts (scripts/xenboot.py, through qemu-run.py
# and tests/run-suite.py), with a stub in place of qemu-system-x86_64 that
# writes a canned serial console, so each case takes a second: a passing
# script, failing checks, a script that fails without a check, no end
# marker, dom0 init failure, Xen panic, assertion, dom0 kernel panic, an
# expected Xen panic (and one that never comes), fewer checks than
# declared, no power-off after the script, no DOM0-READY in time, a hang
# (timeout); then the suite: a test with no script, and dom0 failing to
# come up in basics, which skips the rest.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/hostlib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: > "$tmp/initrd"
: > "$tmp/script"

# The stub writes $STUB_CONSOLE to the -serial file, then sleeps
# $STUB_SLEEP seconds (a hang, unless the runner kills it).
cat > "$tmp/qemu" <<'STUB'
#!/bin/sh
for arg; do
    case $arg in file:*) log=${arg#file:} ;; esac
done
printf '%b' "$STUB_CONSOLE" > "$log"
sleep "${STUB_SLEEP:-0}"
STUB
chmod +x "$tmp/qemu"

# run_case NAME CONSOLE [SLEEP]: prints the runner's exit status and its
# RESULT line.
run_case() {
    out=$(QEMU="$tmp/qemu" STUB_CONSOLE="$2" STUB_SLEEP="${3:-0}" \
        "$top/scripts/qemu-run.py" --name "selftest-$1" --timeout 3 \
        --poweroff-grace 1 \
        --initrd "$tmp/initrd" --kernel "$tmp/k" --xen "$tmp" \
        --script "$tmp/script")
    echo "$? $(echo "$out" | sed -n 's/^RESULT [^ ]* //p')"
}

ok='DOM0-READY\nPASS: a\nPASS: b\nDOM0-SCRIPT-EXIT: 0\n'
check "two passing checks pass the boot" "$(run_case pass "$ok")" \
    "0 pass 2 0 ok"

check "a failed check fails the boot" \
    "$(run_case check-fails 'PASS: a\nFAIL: b: observed 1\nDOM0-SCRIPT-EXIT: 1\n')" \
    "1 fail 1 1 dom0 script exited 1 with 1 failed checks"

check "a script exiting 3 without a FAIL line fails and counts one" \
    "$(run_case script-fails 'PASS: a\nDOM0-SCRIPT-EXIT: 3\n')" \
    "1 fail 1 1 dom0 script exited 3 with 0 failed checks"

check "QEMU ending without the exit marker fails" \
    "$(run_case no-marker 'DOM0-READY\nPASS: a\n')" \
    "1 fail 1 1 QEMU exited without the DOM0-SCRIPT-EXIT marker"

check "dom0 init failure is named" \
    "$(run_case init-fails 'DOM0-INIT-FAILED: mount xenfs\n')" \
    "1 fail 0 1 dom0 init failed: mount xenfs"

check "a Xen panic fails the boot, even after the exit marker" \
    "$(run_case xen-panic "$ok(XEN) Panic on CPU 0:\n" 30)" \
    "1 fail 2 1 Xen panic: 'Panic on CPU 0'"

check "a Xen assertion fails the boot" \
    "$(run_case assert "(XEN) Assertion 'x == 0' failed at page_alloc.c:42\n" 30)" \
    "1 fail 0 1 Xen assertion failed: 'Assertion 'x == 0' failed'"

check "a dom0 kernel panic fails the boot" \
    "$(run_case kpanic 'Kernel panic - not syncing: VFS\n' 30)" \
    "1 fail 0 1 dom0 kernel panic: 'Kernel panic - not syncing'"

# A script that makes Xen panic on purpose (a damaged live update) says
# what the panic must say.
expect='PASS: a\nEXPECT-PANIC: fails its CRC\n'
box='(XEN) ****************************************\n'
check "an expected Xen panic passes the boot, as one more check" \
    "$(run_case expected-panic "$expect(XEN) Panic on CPU 0:\n(XEN) lu: breadcrumb fails its CRC\n$box" 30)" \
    "0 pass 2 0 ok"
check "another Xen panic than the expected one fails the boot" \
    "$(run_case other-panic "$expect(XEN) Panic on CPU 0:\n(XEN) lu: unknown flags\n$box" 30)" \
    "1 fail 1 1 Xen panic, not the one expected ('fails its CRC'): 'lu: unknown flags'"
check "an expected panic does not hide an earlier dom0 init failure" \
    "$(run_case init-then-panic "DOM0-INIT-FAILED: mount xenfs\n$expect(XEN) Panic on CPU 0:\n(XEN) lu: breadcrumb fails its CRC\n$box" 30)" \
    "1 fail 2 1 dom0 init failed: mount xenfs"
check "an expected panic that never comes fails the boot" \
    "$(run_case no-panic "$expect")" \
    "1 fail 1 1 the Xen panic the script announced ('fails its CRC') never came: QEMU exited without the DOM0-SCRIPT-EXIT marker"
check "... even when the script goes on and exits cleanly" \
    "$(run_case no-panic-exit "${expect}DOM0-SCRIPT-EXIT: 0\n")" \
    "1 fail 1 1 the Xen panic the script announced ('fails its CRC') never came: dom0 powered the machine off after its script"

# '# checks: N [CASE...]' declares the fewest checks a boot must report.
printf '# boot: one\n# boot: two\n# checks: 2\n# checks: 3 two\n' \
    > "$tmp/declares"
run_declared() {
    out=$(QEMU="$tmp/qemu" STUB_CONSOLE="$ok" "$top/scripts/qemu-run.py" \
        --name "selftest-$1" --initrd "$tmp/initrd" --kernel "$tmp/k" \
        --xen "$tmp" --script "$tmp/declares" --case "$1")
    echo "$? $(echo "$out" | sed -n 's/^RESULT [^ ]* //p')"
}
check "a boot with the checks its script declares passes" \
    "$(run_declared one)" "0 pass 2 0 ok"
check "a boot with fewer checks than its case declares fails" \
    "$(run_declared two)" \
    "1 fail 2 1 2 checks ran, the script declares at least 3"
printf '# boot: one\n# checks: 2 tow\n' > "$tmp/typo"
check_grep "'# checks:' naming no case is refused" \
    "names no '# boot:' case tow" \
    "$("$top/scripts/qemu-run.py" --name selftest-typo --case one \
        --script "$tmp/typo" 2>&1)"
check_grep "--case refuses a case the script does not declare" \
    "has no '# boot: three' line (its cases: one, two)" \
    "$("$top/scripts/qemu-run.py" --name selftest-three --case three \
        --script "$tmp/declares" 2>&1)"

# A script saying "# carry-initrd" gets the base initramfs in its archive.
printf '# carry-initrd\nexit 0\n' > "$tmp/carry"
echo base > "$tmp/initrd-carried"
QEMU="$tmp/qemu" STUB_CONSOLE="$ok" "$top/scripts/qemu-run.py" \
    --name selftest-carry --initrd "$tmp/initrd-carried" --kernel "$tmp/k" \
    --xen "$tmp" --script "$tmp/carry" > /dev/null
check "'# carry-initrd' puts the initramfs in the run archive" \
    "$(cd "$tmp" && cpio -i --quiet --to-stdout test/dom0.cpio.gz \
        < "$top/build/runs/selftest-carry/test.cpio")" base

check "a machine still running after the script's exit fails the boot" \
    "$(run_case no-poweroff "$ok" 30)" \
    "1 fail 2 1 no power-off within 1 s of the script's exit"

check "dom0 not ready by the ready deadline fails the boot early" \
    "$(QEMU_READY_TIMEOUT=1 run_case not-ready 'Xen is booting\n' 60)" \
    "1 fail 0 1 dom0 not ready (no DOM0-READY) within 1 s"

start=$(date +%s)
check "a hang ends in the timeout" "$(run_case hang 'DOM0-READY\n' 60)" \
    "1 fail 0 1 timeout after 3 s"
check "the hung QEMU is killed at the timeout" \
    "$(($(date +%s) - start < 20))" 1

check "the failure message names the serial log" \
    "$(QEMU="$tmp/qemu" STUB_CONSOLE='x\n' "$top/scripts/qemu-run.py" \
        --name selftest-log --initrd "$tmp/initrd" --kernel "$tmp/k" \
        --xen "$tmp" --script "$tmp/script" | grep -c 'log: .*build/runs/selftest-log/serial.log')" 1

# ${NAME} in a case's Xen arguments: a value an earlier case handed on.
printf '# boot: one\n# boot: two liveupdate=${NEED}M\n' > "$tmp/hands-on"
check_grep "a case's \${NAME} takes the value handed on" \
    "liveupdate=20M" \
    "$("$top/scripts/qemu-run.py" --name selftest-hands-on --print-command \
        --initrd "$tmp/initrd" --kernel "$tmp/k" --xen "$tmp" \
        --script "$tmp/hands-on" --case two --env NEED=20)"
check_grep "... and without it the case is refused, naming it" \
    "case two needs --env NEED=VALUE" \
    "$("$top/scripts/qemu-run.py" --name selftest-hands-on --print-command \
        --script "$tmp/hands-on" --case two 2>&1)"

# The suite, on the stub: it needs the image's kernel and initramfs.
suite() {
    QEMU="$tmp/qemu" STUB_CONSOLE="$1" QEMU_READY_TIMEOUT=2 BOOTS=bios \
        TESTS="$2" "$top/tests/run-suite.py" --no-host-tests > "$tmp/suite"
    echo "$? $(tail -n 1 "$tmp/suite")"
}
if [ -f "$top/build/image/dom0.cpio.gz" ]; then
    check "a test named in TESTS without a script fails the suite" \
        "$(suite "$ok" "no-such-test")" "1 0 passed, 1 failed"
    check "dom0 not coming up in basics skips the rest of the boot path" \
        "$(suite 'DOM0-INIT-FAILED: xenstored\n' "page-offline basics")" \
        "1 0 passed, 1 failed, 1 skipped"
    check_grep "... and says why" "SKIP.*dom0 never came up in basics-bios" \
        "$(cat "$tmp/suite")"
    check_grep "the suite prints each boot's seconds" \
        "^ *[0-9]*  basics-bios$" "$(cat "$tmp/suite")"
else
    # Not a check: nothing was tried.
    echo "SKIPPED: the suite checks need build/image ('make image' first)"
fi

# make bench: a benchmark whose boot fails is reported, the others still
# run, and the results are written.
QEMU="$tmp/qemu" STUB_CONSOLE='DOM0-INIT-FAILED: xenstored\n' \
    BENCH_RESULTS="$tmp/bench.json" "$top/tests/bench.py" boot region \
    > "$tmp/bench.out" 2>&1
check "a failing benchmark makes make bench fail" "$?" 1
check "... after running the others" \
    "$(grep -c 'FAILED  benchmark' "$tmp/bench.out")" 2
check_grep "... and the results name each failure with its log" \
    '"failed": "bench-boot-bios: dom0 init failed: xenstored (log: build/runs/bench-boot-bios/serial.log)"' \
    "$(cat "$tmp/bench.json")"

rm -rf "$top"/build/runs/selftest-* "$top"/build/runs/bench-boot-bios \
    "$top"/build/runs/bench-region-2g "$top"/build/runs/basics-bios \
    "$top"/build/runs/no-such-test-bios "$top"/build/runs/page-offline-bios
finish
