#!/bin/sh
# The series workflow: build/xen is a git repo whose first commit (tag
# 'base') is the pristine upstream tree and whose later commits are
# patches/, applied in the order patches/series gives.
#
#   series.sh tree     create build/xen, or bring it up to patches/
#   series.sh export   write base..HEAD back to patches/
#   series.sh check    fail when build/xen and patches/ disagree
#   series.sh base     create the tree at base only (XEN_TREE=dir for a
#                      tree elsewhere, as scripts/bisect-check.sh does)
#
# Nothing here destroys work: when build/xen holds changes or commits that
# patches/ does not, 'tree' leaves it as it is (so that work in progress
# builds) and says so; 'export' and 'check' are what notice it.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/config/base.conf"
tree=${XEN_TREE:-$top/build/xen}
patches=$top/patches

# Commits made here name the project, never an invented person, and get
# fixed dates, so the same series gives the same commit ids everywhere.
export GIT_AUTHOR_NAME="Xen live update series"
export GIT_AUTHOR_EMAIL="xen-lu@invalid"
export GIT_COMMITTER_NAME="$GIT_AUTHOR_NAME"
export GIT_COMMITTER_EMAIL="$GIT_AUTHOR_EMAIL"

die() {
    echo "series: $*" >&2
    exit 1
}

git_tree() {
    git -C "$tree" "$@"
}

series_files() {
    grep -v -e '^#' -e '^$' "$patches/series" 2>/dev/null || true
}

# Write base..HEAD as patch files into directory $1.  Deterministic: no
# commit hashes (--zero-commit), no git version (--no-signature), no
# "n/m" in subjects (appending a patch must not touch the others).
format_series() {
    git_tree format-patch -q --zero-commit --no-signature -N \
        --full-index -o "$1" base..HEAD > /dev/null
    (cd "$1" && ls | grep '\.patch$' || true) > "$1/series"
}

require_clean() {
    if [ -n "$(git_tree status --porcelain --untracked-files=no)" ]; then
        git_tree status --short --untracked-files=no | head -20 >&2
        die "build/xen has uncommitted changes: commit them there," \
            "then 'make export'"
    fi
}

# Number of leading patches shared by the export in $1 and patches/, or
# "differ" when the tree holds a commit that patches/ does not.
shared_prefix() {
    n=0
    for f in $(cat "$1/series"); do
        n=$((n + 1))
        want=$(series_files | sed -n "${n}p")
        [ "$f" = "$want" ] && cmp -s "$1/$f" "$patches/$f" || {
            echo differ
            return
        }
    done
    echo "$n"
}

create_base() {
    echo "  UNPACK  $XEN_ORIG -> ${tree#"$top"/}"
    mkdir -p "$tree.new"
    tar -xf "$top/build/base/$XEN_ORIG" -C "$tree.new" --strip-components=1
    git -C "$tree.new" init -q
    git -C "$tree.new" add -A -f
    got=$(git -C "$tree.new" write-tree)
    [ "$got" = "$XEN_BASE_TREE" ] || {
        rm -rf "$tree.new"
        die "$XEN_ORIG unpacks to tree $got, not $XEN_BASE_TREE" \
            "($XEN_BASE_TAG as config/base.conf pins it)"
    }
    GIT_AUTHOR_DATE="2025-01-01T00:00:00Z" \
    GIT_COMMITTER_DATE="2025-01-01T00:00:00Z" \
        git -C "$tree.new" commit -q \
            -m "Xen $XEN_BASE_VERSION ($XEN_BASE_TAG, $XEN_BASE_COMMIT)"
    git -C "$tree.new" tag base
    mv "$tree.new" "$tree"
}

apply_from() {
    skip=$1
    series_files | tail -n "+$((skip + 1))" | while read -r f; do
        echo "  AM      $f"
        git_tree am -q --committer-date-is-author-date "$patches/$f" || {
            git_tree am --abort
            die "patches/$f does not apply; build/xen stays at the" \
                "patch before it"
        }
    done
}

# Work in progress in build/xen: build it as it is, and say how to keep it.
keep_work() {
    echo "  TREE    build/xen has $1: building it as it is;" \
         "commit there and 'make export' to keep it" >&2
}

cmd_tree() {
    "$top/scripts/fetch-base.sh"
    rm -rf "$tree.new"
    if [ ! -d "$tree/.git" ]; then
        [ -e "$tree" ] && die "build/xen exists but is not a git repo;" \
                              "move it away"
        create_base
        apply_from 0
        return
    fi
    if [ -n "$(git_tree status --porcelain --untracked-files=no)" ]; then
        keep_work "uncommitted changes"
        return
    fi
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    format_series "$tmp"
    n=$(shared_prefix "$tmp")
    if [ "$n" = differ ]; then
        keep_work "commits that patches/ does not hold"
        return
    fi
    apply_from "$n"
    echo "  TREE    build/xen: $(git_tree rev-list --count base..HEAD)" \
         "patches on base"
}

cmd_export() {
    [ -d "$tree/.git" ] || die "no build/xen: run 'make tree' first"
    require_clean
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    format_series "$tmp"
    for f in $(series_files); do
        rm -f "$patches/$f"
    done
    for f in $(cat "$tmp/series"); do
        cp "$tmp/$f" "$patches/$f"
    done
    {
        echo "# The series, in the order 'git am' applies it to the base."
        echo "# Written by 'make export'; 0000-cover-letter.patch is kept by hand."
        cat "$tmp/series"
    } > "$patches/series"
    echo "  EXPORT  $(wc -l < "$tmp/series") patches -> patches/"
}

cmd_check() {
    [ -d "$tree/.git" ] || exit 0
    require_clean
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    format_series "$tmp"
    n=$(shared_prefix "$tmp")
    total=$(series_files | wc -l)
    if [ "$n" = differ ]; then
        die "build/xen has commits that patches/ does not hold: 'make export'"
    elif [ "$n" != "$total" ]; then
        die "patches/ has $((total - n)) patches that build/xen lacks:" \
            "'make tree'"
    fi
}

cmd_base() {
    "$top/scripts/fetch-base.sh"
    rm -rf "$tree" "$tree.new"
    create_base
}

case "${1:-}" in
tree|export|check|base) "cmd_$1" ;;
*) die "usage: series.sh tree|export|check|base" ;;
esac
