#!/bin/sh
# Prove the series is bisectable: apply patches/ one at a time with
# 'git am' to a fresh copy of the pristine base (build/bisect, apart from
# the developer's build/xen) and build the hypervisor and the tools after
# each patch, or the one of them the patch can affect.  The first build is
# full; each later one is incremental.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. config/base.conf
tree=$top/build/bisect
out=$top/build/bisect-out
patches=$(grep -v -e '^#' -e '^$' patches/series || true)

if [ -z "$patches" ]; then
    echo "  BISECT  patches/series is empty: nothing to build patch by patch"
    exit 0
fi

XEN_TREE=$tree scripts/series.sh base
rm -rf "$out"
mkdir -p build/logs
mkdir -p "$out"
cp config/xen-debug.config "$out/.config"
make -C "$tree/xen" O="$out" olddefconfig > /dev/null
(cd "$tree" && ./configure $(grep -v '^#' "$top/config/tools.flags")) \
    > build/logs/bisect-configure.log 2>&1

n=0
for p in $patches; do
    n=$((n + 1))
    git -C "$tree" am -q --committer-date-is-author-date "$top/patches/$p" || {
        echo "bisect-check: patches/$p does not apply on the patches" \
             "before it" >&2
        exit 1
    }
    # Build what the patch can break: the hypervisor for xen/, the tools
    # for tools/ and the public headers they include; both for build
    # files at the top.  Docs alone need no build.
    files=$(git -C "$tree" show --format= --name-only HEAD)
    if echo "$files" | grep -qv -e '^tools/' -e '^docs/' -e '^[A-Z]*\.md$' \
            -e '^MAINTAINERS$'; then
        scripts/step.sh "patch $n: hypervisor" bisect-xen \
            make -C "$tree/xen" O="$out" -j"$(nproc)" \
                XEN_VENDORVERSION="$XEN_VENDORVERSION"
    fi
    if echo "$files" | grep -qv -e '^xen/' -e '^docs/' -e '^[A-Z]*\.md$' \
            -e '^MAINTAINERS$' ||
       echo "$files" | grep -q '^xen/include/public/'; then
        scripts/step.sh "patch $n: tools" bisect-tools \
            make -C "$tree" -j"$(nproc)" CONFIG_TESTS=n build-tools
    fi
    echo "  BISECT  $p builds"
done
