#!/bin/sh
# The test suite: host-side tests (tests/host/*.sh), then every dom0 test
# script (tests/boot/*.sh) booted under QEMU on both boot paths.  Each test
# prints PASS:/FAIL: lines; the closing line counts them all:
#     N passed, N failed
# and the exit status is non-zero when anything failed.
#
# BOOTS="bios uefi" picks the boot paths; TESTS="basics" picks boot tests.
set -u

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. config/base.conf
results=build/logs/suite-results
mkdir -p build/logs
: > "$results"

# What the dom0 tests expect of this build.
changeset=$(git -C build/xen rev-parse --verify --short HEAD)
kexec_md5=$(dpkg-deb --ctrl-tarfile build/vm/debs/kexec-tools_*.deb |
    tar -xO ./md5sums | sed -n 's|^\([0-9a-f]*\)  sbin/kexec$|\1|p')

echo "== test VM: $(tr '\n' ' ' < build/vm/versions.txt)"
echo "== host tests"
for t in tests/host/*.sh; do
    echo "  HOST    $t"
    sh "$t" > "build/logs/$(basename "$t" .sh).log" 2>&1
    status=$?
    grep -E '^(PASS|FAIL): ' "build/logs/$(basename "$t" .sh).log" |
        sed 's/^/          /'
    passed=$(grep -c '^PASS: ' "build/logs/$(basename "$t" .sh).log")
    failed=$(grep -c '^FAIL: ' "build/logs/$(basename "$t" .sh).log")
    if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then
        echo "          FAIL: $t exited $status (log:" \
             "build/logs/$(basename "$t" .sh).log)"
        failed=1
    fi
    echo "RESULT $t x $passed $failed" >> "$results"
done

echo "== boot tests"
for boot in ${BOOTS:-bios uefi}; do
    for t in ${TESTS:-$(ls tests/boot/*.sh | xargs -n1 basename | sed 's/\.sh$//')}; do
        scripts/qemu-run.py --name "$t-$boot" --boot "$boot" \
            --script "tests/boot/$t.sh" \
            --env "XEN_EXTRA=.5$XEN_VENDORVERSION" \
            --env "XEN_CHANGESET=$changeset" \
            --env "BOOT_PATH=$boot" \
            --env "KEXEC_MD5=$kexec_md5" | tee -a "$results" | grep -v '^RESULT '
    done
done

awk '$1 == "RESULT" { p += $4; f += $5 }
     END { printf "%d passed, %d failed\n", p, f; exit f != 0 }' "$results"
