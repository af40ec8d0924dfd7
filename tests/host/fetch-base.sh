# Tests of scripts/fetch-base.sh's refusals, in a scratch copy so the real
# cache is never touched: a tarball with the wrong sha256 or a missing
# XEN_TARBALL is refused with a message and nothing is cached; the right
# tarball given by XEN_TARBALL is accepted.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/hostlib.sh"
. "$top/config/base.conf"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp -r "$top/scripts" "$top/config" "$tmp/"
cached=$tmp/build/base/$XEN_ORIG

echo "not xen" > "$tmp/bad.tar.xz"
out=$(XEN_TARBALL="$tmp/bad.tar.xz" "$tmp/scripts/fetch-base.sh" 2>&1)
check "a wrong tarball is refused" "$?" 1
check_grep "the refusal names the mismatch" "sha256 mismatch" "$out"
check "nothing is cached after a refusal" "$(ls "$tmp/build/base")" ""

out=$(XEN_TARBALL="$tmp/missing.tar.xz" "$tmp/scripts/fetch-base.sh" 2>&1)
check_grep "a missing XEN_TARBALL is named" "no such file" "$out"

XEN_TARBALL="$top/build/base/$XEN_ORIG" "$tmp/scripts/fetch-base.sh" > /dev/null
check "the right tarball is accepted and cached" \
    "$(sha256sum < "$cached" | cut -d' ' -f1)" "$XEN_ORIG_SHA256"

finish
