# Tests of the dom0 test helpers (tests/lib/testlib.sh) that decide a
# check from what they read, run here in a plain shell: a helper given
# nothing to read must not say yes.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/hostlib.sh"
host_failures=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# testlib.sh has its own finish and failure count: keep ours.
(
    . "$top/tests/lib/testlib.sh"
    domu_console() { echo "$tmp/guest-$1.log"; }

    printf '0x100-0x1ff\n0x400-0x4ff\n' > "$tmp/runs"
    check "runs_avoid: runs clear of the range" \
        "$(runs_avoid 0x200-0x3ff < "$tmp/runs"; echo $?)" 0
    check "runs_avoid: a run overlapping the range" \
        "$(runs_avoid 0x1f0-0x20f < "$tmp/runs"; echo $?)" 1
    check "runs_avoid: no runs at all is no answer" \
        "$(runs_avoid 0x200-0x3ff < /dev/null; echo $?)" 1

    printf 'MEMCHECK-READY sum=0 pfns=0x1-0x2\nMEMCHECK-OK pass=1\n' \
        > "$tmp/guest-good.log"
    printf 'MEMCHECK-READY sum=0 pfns=0x1-0x2\nMEMCHECK-BAD pass=1 pages=1\n' \
        > "$tmp/guest-bad.log"
    check "memcheck_clean: a checksum that held" \
        "$(memcheck_clean good > /dev/null; echo $?)" 0
    check "memcheck_clean: a checksum that broke" \
        "$(memcheck_clean bad > /dev/null; echo $?)" 1
    check "memcheck_clean: no console log is no answer" \
        "$(memcheck_clean missing 2> /dev/null || echo no)" no
    out=$(expect_line "expect_line: a line that starts so" 'rc 0 ' \
        printf 'x\nrc 0 ok\n')
    check "expect_line: a line that starts so passes" \
        "$(echo "$out" | grep -c '^PASS: ')" 1
    out=$(expect_line "expect_line: none starts so" 'rc 0 ' \
        printf 'x rc 0 ok\n')
    check "expect_line: a match inside a line is no answer" \
        "$(echo "$out" | grep -c '^FAIL: ')" 1
    [ "$failures" = 0 ]
) || host_failures=1
failures=$host_failures
finish
