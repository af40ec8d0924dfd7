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

# The boots of a test: one per "# boot: CASE [XEN-ARG...] [[bios]|[uefi]]"
# line in it, or a single one without a case.
boot_cases() {
    grep '^# boot: ' "$1" | sed 's/^# boot: //' | grep -v -e "\[$2\]" |
        sed 's/ *\[[a-z]*\]$//'
    grep -q '^# boot: ' "$1" || echo "-"
}

# A case's dom0 output may hand values to the later cases of its test:
# "SUITE-ENV: NAME=VALUE" lines become --env arguments.
run_case() {
    t=$1 boot=$2 case=$3
    shift 3
    name=$t-$boot
    [ "$case" = - ] || name=$t-$case-$boot
    scripts/qemu-run.py --name "$name" --boot "$boot" \
        --script "tests/boot/$t.sh" \
        --env "XEN_EXTRA=.${XEN_BASE_VERSION##*.}$XEN_VENDORVERSION" \
        --env "XEN_CHANGESET=$changeset" \
        --env "BOOT_PATH=$boot" \
        --env "KEXEC_MD5=$kexec_md5" \
        --env "CASE=$case" $suite_env \
        $(for a in "$@"; do printf -- '--xen-arg %s ' "$a"; done) |
        tee -a "$results" | grep -v '^RESULT '
    suite_env="$suite_env $(sed -n 's/^SUITE-ENV: \([A-Za-z_]*=[^ ]*\).*/--env \1/p' \
        "build/runs/$name/serial.log" | tr -d '\r' | tr '\n' ' ')"
}

echo "== boot tests"
for boot in ${BOOTS:-bios uefi}; do
    other=uefi
    [ "$boot" = uefi ] && other=bios
    for t in ${TESTS:-$(ls tests/boot/*.sh | xargs -n1 basename | sed 's/\.sh$//')}; do
        suite_env=
        boot_cases "tests/boot/$t.sh" "$other" > "build/logs/$t.cases"
        while read -r case args; do
            # shellcheck disable=SC2086 # the Xen arguments are words
            run_case "$t" "$boot" "$case" $args < /dev/null
        done < "build/logs/$t.cases"
    done
done

awk '$1 == "RESULT" { p += $4; f += $5 }
     END { printf "%d passed, %d failed\n", p, f; exit f != 0 }' "$results"
