# Tests of the series workflow (scripts/series.sh) in a scratch copy of
# the harness, so build/xen is never touched: 'tree' builds base + series,
# 'export' is deterministic, 'check' and 'tree' notice work that patches/
# does not hold, and a re-created tree gives the same commit ids.
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/lib/hostlib.sh"
. "$top/config/base.conf"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/build/base"
cp -r "$top/scripts" "$top/config" "$top/patches" "$tmp/"
ln -s "$top/build/base/$XEN_ORIG" "$tmp/build/base/$XEN_ORIG"
series=$tmp/scripts/series.sh
xen=$tmp/build/xen

"$series" tree > /dev/null
check "tree: base is the pristine tarball, tagged" \
    "$(git -C "$xen" describe --tags --exact-match base 2>&1)" base
check "tree: the series is applied on base" \
    "$(git -C "$xen" rev-list --count base..HEAD)" \
    "$(grep -vc -e '^#' -e '^$' "$tmp/patches/series")"
check "check: a fresh tree agrees with patches/" \
    "$("$series" check 2>&1; echo $?)" 0

# Work in progress: tree leaves it alone (it builds as it is), check
# refuses until it is exported.
echo "/* scratch */" >> "$xen/xen/common/page_alloc.c"
out=$("$series" tree 2>&1)
check_grep "tree: names uncommitted changes" "uncommitted changes" "$out"
check "tree: keeps uncommitted changes" \
    "$(tail -n 1 "$xen/xen/common/page_alloc.c")" "/* scratch */"
git -C "$xen" commit -q -a -m "xen: scratch commit for the series test"
head=$(git -C "$xen" rev-parse HEAD)
out=$("$series" check 2>&1)
check_grep "check: names a commit patches/ lacks" "does not hold" "$out"
out=$("$series" tree 2>&1)
check_grep "tree: names an unexported commit" "does not hold" "$out"
check "tree: the commit is still there" "$(git -C "$xen" rev-parse HEAD)" "$head"

"$series" export > /dev/null
sums=$(cd "$tmp/patches" && md5sum * | md5sum)
check_grep "export: the patch is listed in patches/series" \
    "xen-scratch-commit-for-the-series-test.patch" "$(cat "$tmp/patches/series")"
check_grep "export: no commit hash in the patch" "^From 0000000000000000000000000000000000000000" \
    "$(cat "$tmp"/patches/*scratch*.patch)"
"$series" export > /dev/null
check "export: a second export changes no file" \
    "$(cd "$tmp/patches" && md5sum * | md5sum)" "$sums"
check "check: agrees after export" "$("$series" check 2>&1; echo $?)" 0

# Start over from patches/, twice: the same commit ids (fixed dates), and
# the same patch files.
mv "$xen" "$tmp/old-xen"
"$series" tree > /dev/null
check "tree: re-created from patches/ with the same subject" \
    "$(git -C "$xen" log -1 --format=%s)" \
    "xen: scratch commit for the series test"
head=$(git -C "$xen" rev-parse HEAD)
mv "$xen" "$tmp/old-xen-2"
"$series" tree > /dev/null
check "tree: the same patches give the same commit id" \
    "$(git -C "$xen" rev-parse HEAD)" "$head"
"$series" export > /dev/null
check "export: the re-created tree exports the same files" \
    "$(cd "$tmp/patches" && md5sum * | md5sum)" "$sums"

finish
