#!/bin/sh
# Prove the series is bisectable: that after each patch the hypervisor and
# the tools build, or the one of them the patch can affect.
#
#   bisect-check.sh            apply patches/ one at a time with 'git am'
#                              to a fresh copy of the pristine base
#                              (build/bisect, apart from the developer's
#                              build/xen): a full build after the first
#                              patch, incremental ones after the others.
#   bisect-check.sh --in-tree  walk build/xen back from its tip, one commit
#                              at a time, reusing the build 'make xen
#                              tools' left (CI does this after 'make
#                              check'); build/xen is back at its tip after.
#                              With BISECT_UNTIL=<seconds since the epoch>,
#                              it stops at that time and names the patches
#                              it did not reach (CI's time is bounded; make
#                              bisect-check reaches them all).
#
# Either way each state is built incrementally from its neighbour, so a
# state costs what its patch changes plus the links; the hypervisor and
# the tools of one state build side by side.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
. config/base.conf
mkdir -p build/logs

die() {
    echo "bisect-check: $*" >&2
    exit 1
}

# Build what a change to the files on stdin can break: the hypervisor for
# xen/, the tools for tools/ and the public headers they include; both for
# build files at the top.  Docs and Xen's CI files alone need no build.
# $1 names the state in messages, $2 the source tree, $3 the hypervisor's
# output directory.
build_state() {
    files=$(cat)
    quiet='^docs/\|^automation/\|^[A-Z]*\.md$\|^MAINTAINERS$'
    jobs=
    if echo "$files" | grep -v "$quiet" | grep -qv '^tools/'; then
        scripts/step.sh "$1: hypervisor" bisect-xen \
            make -C "$2/xen" O="$3" -j"$(nproc)" \
                XEN_VENDORVERSION="$XEN_VENDORVERSION" &
        jobs="$jobs $!"
    fi
    if echo "$files" | grep -v "$quiet" | grep -qv '^xen/' ||
       echo "$files" | grep -q '^xen/include/public/'; then
        scripts/step.sh "$1: tools" bisect-tools \
            make -C "$2" -j"$(nproc)" CONFIG_TESTS=n build-tools &
        jobs="$jobs $!"
    fi
    status=0
    for job in $jobs; do
        wait "$job" || status=1
    done
    return $status
}

# Files patch commit $2 of tree $1 touches.
touched() {
    git -C "$1" show --format= --name-only "$2"
}

from_base() {
    tree=$top/build/bisect
    out=$top/build/bisect-out
    patches=$(grep -v -e '^#' -e '^$' patches/series || true)
    if [ -z "$patches" ]; then
        echo "  BISECT  patches/series is empty: nothing to build patch by patch"
        exit 0
    fi

    XEN_TREE=$tree scripts/series.sh base
    rm -rf "$out"
    mkdir -p "$out"
    cp config/xen-debug.config "$out/.config"
    make -C "$tree/xen" O="$out" olddefconfig > /dev/null
    (cd "$tree" && ./configure $(grep -v '^#' "$top/config/tools.flags")) \
        > build/logs/bisect-configure.log 2>&1

    n=0
    for p in $patches; do
        n=$((n + 1))
        git -C "$tree" am -q --committer-date-is-author-date \
            "$top/patches/$p" ||
            die "patches/$p does not apply on the patches before it"
        touched "$tree" HEAD | build_state "patch $n" "$tree" "$out" ||
            die "patches/$p does not build (logs: build/logs/bisect-*.log)"
        echo "  BISECT  $p builds"
    done
}

in_tree() {
    tree=$top/build/xen
    out=$top/build/out/xen-debug
    [ -f "$out/xen-syms" ] ||
        die "no hypervisor build in ${out#"$top"/}: run 'make xen tools' first"
    [ -f "$tree/config/Tools.mk" ] ||
        die "the tools of build/xen are not configured: run 'make tools' first"
    [ -z "$(git -C "$tree" status --porcelain --untracked-files=no)" ] ||
        die "build/xen has uncommitted changes: commit them first"
    tip=$(git -C "$tree" symbolic-ref -q --short HEAD ||
          git -C "$tree" rev-parse HEAD)
    commits=$(git -C "$tree" rev-list base..HEAD)
    total=$(echo "$commits" | grep -c . || true)
    # Back at the tip whatever happens, as the developer left it.
    trap 'git -C "$tree" checkout -q "$tip"' EXIT
    trap 'exit 1' INT TERM

    echo "  BISECT  patch $total: built by 'make xen tools'"
    n=$total
    later=
    for c in $commits; do
        if [ -n "$later" ] && [ -n "${BISECT_UNTIL:-}" ] &&
           [ "$(date +%s)" -ge "$BISECT_UNTIL" ]; then
            echo "  BISECT  out of time: patches 1 to $n are not checked" \
                 "here (make bisect-check checks them all)"
            return 0
        fi
        if [ -n "$later" ]; then
            # State n differs from state n + 1 by what commit n + 1 did.
            git -C "$tree" checkout -q "$c"
            touched "$tree" "$later" | build_state "patch $n" "$tree" "$out" ||
                die "build/xen's commit $n ($(git -C "$tree" log --format=%s -1 "$c")) does not build (logs: build/logs/bisect-*.log)"
            echo "  BISECT  patch $n builds: $(git -C "$tree" log --format=%s -1 "$c")"
        fi
        later=$c
        n=$((n - 1))
    done
}

case "${1:-}" in
"")        from_base ;;
--in-tree) in_tree ;;
*)         die "usage: bisect-check.sh [--in-tree]" ;;
esac
