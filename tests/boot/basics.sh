# Basics, on each boot path: Xen built from our tree boots to a working
# dom0, xl sees the machine as QEMU made it, a PV domU runs, and Debian's
# own kexec binary talks to Xen through our libxenctrl.
#
# Expected values come from the runner (/test/env): XEN_EXTRA and
# XEN_CHANGESET (the version marker and the build tree's HEAD),
# VM_MEMORY_MB, BOOT_PATH (bios or uefi) and KEXEC_MD5 (from the .deb).
# checks: 17
. /lib/testlib.sh

expect_ok "xl info runs" xl info
expect_eq "xen_extra is our build's marker" "$(xl_info xen_extra)" "$XEN_EXTRA"
expect_eq "xen_changeset is build/xen's HEAD" \
    "$(xl_info xen_changeset | sed -n 's/.*git:\([0-9a-f]*\).*/\1/p')" \
    "$XEN_CHANGESET"
# The firmware and Xen keep a few MiB; QEMU's size is the upper bound.
expect_range "total_memory matches the VM (MiB)" "$(xl_info total_memory)" \
    "$((VM_MEMORY_MB - 64))" "$VM_MEMORY_MB"
expect_eq "xl list shows Domain-0 with ID 0" \
    "$(xl list | awk '$2 == "0" { print $1 }')" "Domain-0"

if [ "$BOOT_PATH" = uefi ]; then loader=EFI; else loader=qemu; fi
expect_eq "Xen was booted by the $BOOT_PATH path" \
    "$(xl dmesg | sed -n 's/.*Bootloader: \([^ ]*\).*/\1/p')" "$loader"

expect_ok "a PV domU boots and reports on its console" domu_start domu 128
expect_eq "xl list shows the domU with its 128 MiB" \
    "$(xl list | awk '$1 == "domu" { print $3 }')" 128
# The State column: r(unning) or b(locked, idle), never crashed or dying.
expect_ok "xl list shows the domU alive" \
    sh -c "xl list domu | awk 'NR == 2 { exit \$5 !~ /^(r|-b)/ }'"
expect_ok "xl destroy removes it" xl destroy domu
expect_eq "xl list no longer shows it" "$(xl list | grep -c '^domu ')" 0

# kexec -S returns 1 when an image of the given type is loaded, 0 if not.
expect_eq "kexec is Debian's binary, unmodified" \
    "$(md5sum /sbin/kexec | cut -d' ' -f1)" "$KEXEC_MD5"
kexec -S -l
expect_eq "kexec status: nothing loaded at boot" "$?" 0
expect_ok "kexec -l loads a kernel through Xen" \
    kexec -l /boot/vmlinuz --append=console=hvc0
kexec -S -l
expect_eq "kexec status: the image is loaded" "$?" 1
expect_ok "kexec -u unloads it" kexec -u
kexec -S -l
expect_eq "kexec status: nothing loaded after unload" "$?" 0

finish
