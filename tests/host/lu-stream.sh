# The live update state stream (xen/common/lu-stream.c of build/xen), built
# in userspace: its unit tests (tests/unit/lu-stream-test.c) under
# AddressSanitizer and UBSan, then a short libFuzzer run of the parser
# (scripts/fuzz.sh; 'make fuzz' runs a longer one).
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/hostlib.sh"

out=$top/build/unit
mkdir -p "$out"
if gcc -O1 -g -Wall -Werror -fsanitize=address,undefined \
       -fno-sanitize-recover=undefined \
       -I"$top/tests/unit/shim" -I"$top/build/xen/xen/include" \
       -o "$out/lu-stream-test" "$top/tests/unit/lu-stream-test.c" \
       "$top/build/xen/xen/common/lu-stream.c"; then
    "$out/lu-stream-test"
    check "unit tests exit 0 (no sanitizer report)" "$?" 0
else
    check "unit tests build" failed built
fi

fuzz=$("$top/scripts/fuzz.sh" "${FUZZ_SECONDS:-20}" 2>&1)
check "fuzz the parser ${FUZZ_SECONDS:-20} s: no crash" "$?" 0
echo "$fuzz"
finish
