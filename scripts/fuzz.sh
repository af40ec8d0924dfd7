#!/bin/sh
# Fuzz the live update state parser (xen/common/lu-stream.c of build/xen)
# with libFuzzer for SECONDS (default 300), from seeds the unit tests
# write.  Prints libFuzzer's final counts; exits non-zero on a crash,
# leaving the input that caused it in build/fuzz/.
#
# Usage: fuzz.sh [SECONDS]
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-300}
out=$top/build/fuzz
src=$top/build/xen/xen/common/lu-stream.c
[ -f "$src" ] || { echo "fuzz: no $src: run 'make tree' first" >&2; exit 2; }
mkdir -p "$out/corpus"

cflags="-O1 -g -Wall -Werror -I$top/tests/unit/shim -I$top/build/xen/xen/include"
gcc $cflags -o "$out/lu-stream-test" "$top/tests/unit/lu-stream-test.c" "$src"
"$out/lu-stream-test" "$out/corpus"
clang $cflags -fsanitize=fuzzer,address,undefined \
    -fno-sanitize-recover=undefined \
    -DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION \
    -o "$out/lu-stream-fuzz" "$top/tests/unit/lu-stream-fuzz.c" "$src"

echo "  FUZZ    lu-stream for $seconds s (log: build/fuzz/fuzz.log)"
cd "$out"
if ./lu-stream-fuzz -max_total_time="$seconds" -max_len=65536 \
       -print_final_stats=1 corpus > fuzz.log 2>&1; then
    sed -n 's/^stat::number_of_executed_units: */  FUZZ    executions: /p' fuzz.log
    echo "  FUZZ    crashes: 0"
else
    grep -E 'ERROR|SUMMARY|Test unit written' fuzz.log >&2 || tail -20 fuzz.log >&2
    echo "fuzz: the parser failed on an input: see build/fuzz/fuzz.log" >&2
    exit 1
fi
