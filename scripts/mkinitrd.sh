#!/bin/sh
# Build the test dom0's initramfs: Debian's busybox-static, the tools we
# just built (build/stage) and the shared libraries they need, Debian's
# unmodified kexec binary, the Xen kernel modules of Debian's kernel, the
# test helpers of tests/dom0, the debug Xen as /boot/xen (the image a live
# update test loads) and image/dom0-init as /init.  Output: build/image/dom0.cpio.gz.
#
# Usage: mkinitrd.sh OUTPUT
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out=$1
vm=$top/build/vm
stage=$top/build/stage
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT

kmods=$(echo "$vm"/kernel/lib/modules/*)
kver=$(basename "$kmods")

mkdir -p "$root"/bin "$root"/sbin "$root"/etc "$root"/lib64 "$root"/root \
         "$root"/proc "$root"/sys "$root"/dev "$root"/run "$root"/tmp \
         "$root"/var/lib "$root"/var/log "$root"/test

# Busybox, with one link per applet.
cp /bin/busybox "$root/bin/busybox"
for applet in $(/bin/busybox --list); do
    [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done

# The tools, without what only a build or a Python user needs.
cp -a "$stage"/. "$root"/
rm -rf "$root"/usr/include "$root"/usr/share "$root"/usr/lib/python3* \
       "$root"/usr/lib/debug
find "$root/usr/lib" -name '*.a' -delete
rm -rf "$root/var/run"
ln -s ../run "$root/var/run"

# Debian's kexec, as shipped (it links our libxenctrl.so.4.17).
cp "$vm/kexec-tools/sbin/kexec" "$root/sbin/kexec"

# Test helpers that talk to Xen (tests/dom0/*.c), built against our tools.
for src in "$top"/tests/dom0/*.c; do
    gcc -O2 -Wall -Werror -I"$stage/usr/include" -L"$stage/usr/lib" \
        -Wl,-rpath-link,"$stage/usr/lib" \
        -o "$root/usr/bin/$(basename "$src" .c)" "$src" -lxenguest -lxenctrl -lxenforeignmemory -lxencall -lyajl
done

# The hotplug scripts run under bash.
cp /bin/bash "$root/bin/bash"

# Shared libraries of every ELF file, resolved against ours first, and
# libgcc_s, which glibc loads at run time for pthread_cancel (xl uses it).
{
    find "$root" -type f -perm -u+x | while read -r f; do
        LD_LIBRARY_PATH="$root/usr/lib" ldd "$f" 2>/dev/null |
            sed -n 's/.*=> \(\/[^ ]*\).*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) (.*/\1/p'
    done
    realpath "$(gcc -print-file-name=libgcc_s.so.1)"
} | sort -u | while read -r lib; do
    case $lib in "$root"/*) continue ;; esac
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
done

# Kernel modules, dependencies first, each listed once in an order file:
# /etc/modules.order (loaded at boot) or /etc/modules.disks (loaded by the
# tests that give dom0 disks, tests/lib/testlib.sh: load_disk_drivers).
module_path() {
    find "$kmods/kernel" -name "$1.ko" -o -name "$(echo "$1" | tr _ -).ko" |
        head -n 1
}
add_module() {
    local path rel dep
    path=$(module_path "$1")
    [ -n "$path" ] || { echo "mkinitrd: no module $1 in $kver" >&2; exit 1; }
    for dep in $(/sbin/modinfo -F depends "$path" | tr , ' '); do
        add_module "$dep" "$2"
    done
    rel=${path#"$kmods"/}
    grep -qx "$rel" "$root/etc/modules.order" "$2" 2>/dev/null && return
    mkdir -p "$root/lib/modules/$kver/$(dirname "$rel")"
    cp "$path" "$root/lib/modules/$kver/$rel"
    echo "$rel" >> "$2"
}
for list in order:dom0-modules disks:dom0-disk-modules; do
    : > "$root/etc/modules.${list%%:*}"
    for module in $(grep -v '^#' "$top/config/${list#*:}"); do
        add_module "$module" "$root/etc/modules.${list%%:*}"
    done
done

cp "$top/image/dom0-init" "$root/init"
chmod +x "$root/init"
cp "$top/tests/lib/testlib.sh" "$root/lib/testlib.sh"
cp "$vm/versions.txt" "$root/etc/vm-versions.txt"
# The same kernel serves as the domU kernel and as a kexec test image; the
# domU gets a tiny busybox initramfs of its own.
mkdir -p "$root/boot"
cp "$vm"/kernel/boot/vmlinuz-* "$root/boot/vmlinuz"
# The debug Xen's multiboot2 ELF, as the next Xen for live update tests,
# and the same Xen with another version string, to tell them apart.
cp "$top/build/out/xen-debug/xen" "$root/boot/xen"
cp "$top/build/out/xen-next/xen" "$root/boot/xen-next"
domu=$(mktemp -d)
mkdir -p "$domu/bin" "$domu/proc" "$domu/sys" "$domu/dev"
cp /bin/busybox "$domu/bin/busybox"
for applet in sh mount echo cat uname sleep; do
    ln -s busybox "$domu/bin/$applet"
done
cp "$top/image/domU-init" "$domu/init"
# Guest workloads (tests/domU/*.c): static, the domU has no C library.
for src in "$top"/tests/domU/*.c; do
    gcc -O2 -Wall -Werror -static -o "$domu/bin/$(basename "$src" .c)" "$src"
done
chmod +x "$domu/init"
(cd "$domu" && find . | sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -1 > "$root/boot/domU.cpio.gz"
rm -rf "$domu"

(cd "$root" && find . | sort | cpio -o -H newc -R 0:0 --quiet) |
    gzip -1 > "$out.part"
mv "$out.part" "$out"
