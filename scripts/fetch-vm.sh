#!/bin/sh
# Fetch what goes only into the test VM: Debian's dom0-capable kernel and
# Debian's own kexec-tools.  They are downloaded with 'apt-get download'
# and unpacked under build/vm, never installed on the host.  The versions
# used are recorded in build/vm/versions.txt.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
dir=$top/build/vm
apt="$top/scripts/apt-local.sh"

# candidate PACKAGE FIELD: a field of the version apt would pick.
candidate() {
    "$apt" apt-cache show --no-all-versions "$1" |
        sed -n "s/^$2: //p" | head -n 1
}

mkdir -p "$dir/debs"
[ -f "$dir/versions.txt" ] && exit 0

# The kernel metapackage names the real image package in its Depends.
kernel=$(candidate linux-image-amd64 Depends | sed 's/ .*//')
[ -n "$kernel" ] || {
    echo "fetch-vm: cannot resolve linux-image-amd64 in the package index" >&2
    exit 1
}

rm -rf "$dir/kernel" "$dir/kexec-tools" "$dir/versions.txt.new"
for pkg in "$kernel" kexec-tools; do
    version=$(candidate "$pkg" Version)
    echo "  FETCH   $pkg $version (for the test VM)"
    (cd "$dir/debs" && "$apt" apt-get download "$pkg=$version" > /dev/null) || {
        echo "fetch-vm: could not download $pkg=$version;" \
             "check the network or the mirror" >&2
        exit 1
    }
    case $pkg in
    linux-image-*) unpack=$dir/kernel ;;
    *) unpack=$dir/$pkg ;;
    esac
    mkdir -p "$unpack"
    dpkg-deb -x "$(ls "$dir/debs/${pkg}"_*.deb | tail -n 1)" "$unpack"
    echo "$pkg $version" >> "$dir/versions.txt.new"
done
mv "$dir/versions.txt.new" "$dir/versions.txt"
cat "$dir/versions.txt"
