# The series' jobs in Xen's own CI (automation/scripts/
# qemu-liveupdate-x86_64.sh, run by the GitLab jobs qemu-liveupdate-x86-64-gcc
# and qemu-page-offline-x86-64-gcc), run here as those jobs run them, on
# this build: the debug Xen, the test VM's dom0 kernel and initramfs (with
# Debian's kexec), the tools copied over it as the jobs copy dist/install.
# Prints PASS: or FAIL: per job; each job's console is in
# build/runs/xen-ci-JOB/smoke.serial.
top=$(cd "$(dirname "$0")/.." && pwd)
script=$top/build/xen/automation/scripts/qemu-liveupdate-x86_64.sh

for job in liveupdate page-offline; do
    dir=$top/build/runs/xen-ci-$job
    rm -rf "$dir"
    mkdir -p "$dir"
    if (cd "$dir" &&
        XEN=$top/build/out/xen-debug/xen KERNEL=$top/build/image/vmlinuz \
        ROOTFS=$top/build/image/dom0.cpio.gz TOOLS=$top/build/stage \
        HOOK=test/run QEMU_TIMEOUT=300 bash "$script" "$job" > job.log 2>&1); then
        echo "PASS: Xen CI job $job boots and passes"
    else
        echo "FAIL: Xen CI job $job: $(tail -n 1 "$dir/job.log")" \
             "(log: build/runs/xen-ci-$job/)"
    fi
done
