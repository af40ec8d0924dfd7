#!/bin/sh
# Fetch the pinned upstream Xen source (Debian's orig tarball) into
# build/base and verify its sha256.  XEN_TARBALL=path brings the same
# tarball from elsewhere; it is verified all the same.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/config/base.conf"
dir=$top/build/base
out=$dir/$XEN_ORIG

verify() {
    echo "$XEN_ORIG_SHA256  $1" | sha256sum --check --status
}

mkdir -p "$dir"
if [ -f "$out" ] && verify "$out"; then
    exit 0
fi

if [ -n "${XEN_TARBALL:-}" ]; then
    [ -f "$XEN_TARBALL" ] || {
        echo "fetch-base: XEN_TARBALL=$XEN_TARBALL: no such file" >&2
        exit 1
    }
    cp "$XEN_TARBALL" "$out.part"
    from=$XEN_TARBALL
else
    echo "  FETCH   $XEN_SRC_PACKAGE $XEN_DEB_VERSION (Debian source package)"
    (cd "$dir" &&
     "$top/scripts/apt-local.sh" apt-get source --download-only \
         "$XEN_SRC_PACKAGE=$XEN_DEB_VERSION" > "$dir/fetch.log" 2>&1) || {
        cat "$dir/fetch.log" >&2
        echo "fetch-base: could not download source package" \
             "$XEN_SRC_PACKAGE=$XEN_DEB_VERSION from the Debian mirror;" \
             "check the network, or pass XEN_TARBALL=/path/to/$XEN_ORIG" >&2
        exit 1
    }
    echo "$XEN_DSC_SHA256  $dir/${XEN_SRC_PACKAGE}_$XEN_DEB_VERSION.dsc" |
        sha256sum --check --status || {
        echo "fetch-base: the .dsc of $XEN_DEB_VERSION does not match" \
             "config/base.conf; the mirror serves a different package" >&2
        exit 1
    }
    mv "$out" "$out.part"
    from="the Debian mirror"
fi

if ! verify "$out.part"; then
    echo "fetch-base: sha256 mismatch for $XEN_ORIG from $from:" >&2
    echo "  expected $XEN_ORIG_SHA256" >&2
    echo "  got      $(sha256sum < "$out.part" | cut -d' ' -f1)" >&2
    echo "The base must be exactly $XEN_DEB_VERSION; nothing was unpacked." >&2
    rm -f "$out.part"
    exit 1
fi
mv "$out.part" "$out"
echo "  VERIFY  $XEN_ORIG sha256 ok"
