# Helpers for host-side tests (tests/host/*.sh): the same PASS:/FAIL: lines as the dom0
# tests (tests/lib/testlib.sh), so tests/run-suite.py counts both alike.
failures=0

check() {
    # check NAME OBSERVED EXPECTED
    if [ "$2" = "$3" ]; then
        echo "PASS: $1"
    else
        echo "FAIL: $1: observed '$2', expected '$3'"
        failures=$((failures + 1))
    fi
}

check_grep() {
    # check_grep NAME PATTERN TEXT: TEXT has a line matching PATTERN
    if printf '%s\n' "$3" | grep -q -- "$2"; then
        echo "PASS: $1"
    else
        echo "FAIL: $1: no '$2' in: $3"
        failures=$((failures + 1))
    fi
}

finish() {
    exit "$((failures != 0))"
}
