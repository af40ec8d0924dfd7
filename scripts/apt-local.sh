#!/bin/sh
# Run apt-get or apt-cache with a project-local configuration: our own
# sources list and package lists under build/apt, so the machine's apt
# setup stays as it was.  The mirror comes from the machine's own sources.
#
#   scripts/apt-local.sh update
#   scripts/apt-local.sh apt-get|apt-cache <arguments...>
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/apt
mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"

options="-o Dir::Etc::SourceList=$dir/sources.list
         -o Dir::Etc::SourceParts=-
         -o Dir::State::Lists=$dir/lists
         -o Dir::Cache=$dir/cache
         -o Debug::NoLocking=1
         -o APT::Sandbox::User=root
         -q"

update() {
    echo "  APT     reading the package index (build/apt)"
    python3 "$top/scripts/apt-sources.py" > "$dir/sources.list"
    # shellcheck disable=SC2086
    if ! apt-get $options update > "$dir/update.log" 2>&1 ||
       grep -q '^[WE]:' "$dir/update.log"; then
        cat "$dir/update.log" >&2
        echo "apt-local: cannot read the Debian package registry" \
             "(sources: $dir/sources.list); check the network or the" \
             "mirror in /etc/apt/sources.list*" >&2
        exit 1
    fi
}

case "${1:-}" in
update)
    update ;;
apt-get|apt-cache)
    tool=$1
    shift
    ls "$dir/lists" | grep -q '_Sources' || update
    # shellcheck disable=SC2086
    exec "$tool" $options "$@" ;;
*)
    echo "usage: apt-local.sh update | apt-get ... | apt-cache ..." >&2
    exit 2 ;;
esac
