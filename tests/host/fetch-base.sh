# Tests of scripts/fetch-base.sh, in a scratch copy so the real cache is
# never touched: a tarball with the wrong sha256 or a missing XEN_TARBALL
# is refused with a message and nothing is cached; the right tarball given
# by XEN_TARBALL is accepted; a clone whose tag is not the pinned commit is
# refused.  Then the base of build/xen is checked to be upstream's
# RELEASE-4.17.7 tree, whichever way it came.
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

# The clone path, against a local repository whose tag names another
# commit (the pinned one cannot be made here): refused, nothing cached.
repo=$tmp/upstream
mkdir -p "$repo"
git -C "$repo" init -q
echo "not xen" > "$repo/README"
git -C "$repo" add README
git -C "$repo" -c user.name=t -c user.email=t@t commit -q -m moved
git -C "$repo" tag "$XEN_BASE_TAG"
rm -f "$cached"
out=$(XEN_BASE_GIT="$repo" XEN_BASE_DIR="$tmp/none" \
      "$tmp/scripts/fetch-base.sh" 2>&1)
check "a clone whose tag moved is refused" "$?" 1
check_grep "the refusal names the pinned commit" "not $XEN_BASE_COMMIT" "$out"
check "nothing is cached after the refusal" "$(ls "$tmp/build/base")" ""

# The base commit of build/xen: the pinned tree, and with .gitarchive-info
# put back as upstream's commit holds it, upstream's own tree id.
base=$top/build/xen
check "build/xen's base is the pinned tree" \
    "$(git -C "$base" rev-parse 'base^{tree}')" "$XEN_BASE_TREE"
export GIT_INDEX_FILE="$tmp/index"
git -C "$base" read-tree base
blob=$(printf 'Changeset: $Format:%%H$\nCommit date: $Format:%%cD$\n' |
       git -C "$base" hash-object -w --stdin)
git -C "$base" update-index --cacheinfo "100644,$blob,.gitarchive-info"
check "... which is upstream's $XEN_BASE_TAG ($XEN_BASE_COMMIT)" \
    "$(git -C "$base" write-tree)" "$XEN_BASE_UPSTREAM_TREE"
unset GIT_INDEX_FILE

finish
