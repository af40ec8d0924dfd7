#!/bin/sh
# Fetch the pinned upstream Xen (config/base.conf: the RELEASE-4.17.7 tag)
# into build/base/$XEN_ORIG, a 'git archive' tarball of the tag.
#
# Where it comes from, first that applies:
#   XEN_TARBALL=path      that file; its sha256 must be XEN_ORIG_SHA256
#   ../shared/base/       the same file, for machines without a network
#                         (XEN_BASE_DIR=dir to look elsewhere)
#   the network           a shallow clone of the tag (XEN_BASE_GIT=url for
#                         another mirror), whose commit must be
#                         XEN_BASE_COMMIT, archived as upstream does
# scripts/series.sh then checks the unpacked tree against XEN_BASE_TREE,
# so every way gives the same base.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
url=${XEN_BASE_GIT:-}
. "$top/config/base.conf"
url=${url:-$XEN_BASE_GIT}
dir=$top/build/base
out=$dir/$XEN_ORIG
shared=${XEN_BASE_DIR:-$top/../shared/base}

verify() {
    echo "$XEN_ORIG_SHA256  $1" | sha256sum --check --status
}

die() {
    echo "fetch-base: $*" >&2
    exit 1
}

# A tarball made here from a verified clone has its own sha256 (xz's
# output is not pinned); the stamp beside it records that it was checked.
cached_ok() {
    [ -f "$out" ] || return 1
    verify "$out" && return 0
    [ -f "$out.from-clone" ] &&
        [ "$(cat "$out.from-clone")" = "$(sha256sum < "$out")" ]
}

take_file() {
    [ -f "$1" ] || die "XEN_TARBALL=$1: no such file"
    cp "$1" "$out.part"
    if ! verify "$out.part"; then
        echo "fetch-base: sha256 mismatch for $XEN_ORIG from $1:" >&2
        echo "  expected $XEN_ORIG_SHA256" >&2
        echo "  got      $(sha256sum < "$out.part" | cut -d' ' -f1)" >&2
        echo "The base must be exactly $XEN_BASE_TAG; nothing was unpacked." >&2
        rm -f "$out.part"
        exit 1
    fi
    mv "$out.part" "$out"
    echo "  VERIFY  $XEN_ORIG sha256 ok ($1)"
}

take_clone() {
    echo "  CLONE   $XEN_BASE_TAG from $url"
    rm -rf "$dir/clone"
    timeout 600 git clone -q --depth 1 --branch "$XEN_BASE_TAG" \
        "$url" "$dir/clone" > "$dir/fetch.log" 2>&1 || {
        cat "$dir/fetch.log" >&2
        rm -rf "$dir/clone" "$dir/fetch.log"
        die "could not clone $XEN_BASE_TAG: check the network, or pass" \
            "XEN_TARBALL=/path/to/$XEN_ORIG (see ../shared/base/README.md)"
    }
    rm -f "$dir/fetch.log"
    got=$(git -C "$dir/clone" rev-parse HEAD)
    if [ "$got" != "$XEN_BASE_COMMIT" ]; then
        rm -rf "$dir/clone"
        die "$XEN_BASE_TAG is commit $got, not $XEN_BASE_COMMIT as" \
            "config/base.conf pins: the tag moved; nothing was unpacked"
    fi
    git -C "$dir/clone" archive --format=tar \
        --prefix="xen-$XEN_BASE_VERSION/" HEAD | xz -T0 > "$out.part"
    rm -rf "$dir/clone"
    mv "$out.part" "$out"
    sha256sum < "$out" > "$out.from-clone"
    echo "  VERIFY  $XEN_BASE_TAG is commit $XEN_BASE_COMMIT"
}

mkdir -p "$dir"
if [ -n "${XEN_TARBALL:-}" ]; then
    take_file "$XEN_TARBALL"
elif cached_ok; then
    exit 0
elif [ -f "$shared/$XEN_ORIG" ]; then
    take_file "$shared/$XEN_ORIG"
else
    take_clone
fi
