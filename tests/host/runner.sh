# Tests of the QEMU runner's verdicts (scripts/qemu-run.py), with a stub in
# place of qemu-system-x86_64 that writes a canned serial console, so each
# case takes a second: a passing script, failing checks, a script that
# fails without a check, no end marker, dom0 init failure, Xen panic,
# assertion, dom0 kernel panic, an expected Xen panic, no power-off after
# the script, and a hang (timeout).
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
    "1 fail 1 1 QEMU exited without the DOM0-SCRIPT-EXIT marker"

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

start=$(date +%s)
check "a hang ends in the timeout" "$(run_case hang 'DOM0-READY\n' 60)" \
    "1 fail 0 1 timeout after 3 s"
check "the hung QEMU is killed at the timeout" \
    "$(($(date +%s) - start < 20))" 1

check "the failure message names the serial log" \
    "$(QEMU="$tmp/qemu" STUB_CONSOLE='x\n' "$top/scripts/qemu-run.py" \
        --name selftest-log --initrd "$tmp/initrd" --kernel "$tmp/k" \
        --xen "$tmp" --script "$tmp/script" | grep -c 'log: .*build/runs/selftest-log/serial.log')" 1

rm -rf "$top"/build/runs/selftest-*
finish
