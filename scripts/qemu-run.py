#!/usr/bin/env python3
"""Boot Xen with a Linux dom0 under QEMU and decide pass or fail.

One boot: Xen (multiboot from legacy BIOS, or xen.efi from a FAT ESP
under OVMF), Debian's kernel as a PV dom0 and our initramfs, plus a small
per-run archive holding the dom0 script (/test/run) and what it should
expect (/test/env).  The serial console goes to build/runs/NAME/serial.log.

The verdict comes from markers on the console (see image/dom0-init):
  PASS: / FAIL:           one check of the dom0 script
  DOM0-SCRIPT-EXIT: <n>   the script finished with status n
  DOM0-INIT-FAILED: ...   dom0 could not bring the Xen tools up
  EXPECT-PANIC: <text>    the script is about to make a Xen panic, whose
                          message must hold <text>: that panic ends the
                          boot as one more passed check
and from what must never appear: a Xen or Linux panic.  QEMU ending
without the exit marker, or the timeout, fails the boot with its reason.

Exit status: 0 pass, 1 fail, 2 usage or setup error.  The last line is
    RESULT <name> <pass|fail> <checks passed> <checks failed> <reason>
for the suite runner.
"""

import argparse
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

PANICS = [
    (re.compile(r"Panic on CPU \d+"), "Xen panic"),
    (re.compile(r"Kernel panic - not syncing"), "dom0 kernel panic"),
    (re.compile(r"Assertion '.*' failed"), "Xen assertion failed"),
]


def read_conf(path):
    """NAME=value lines; the make command line may override any of them."""
    conf = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                name, _, value = line.partition("=")
                conf[name] = os.environ.get(name, value)
    return conf


def kvm_works():
    """KVM only where it really runs Xen; MISSION.md: it often does not."""
    return os.access("/dev/kvm", os.R_OK | os.W_OK) and \
        os.environ.get("QEMU_TRY_KVM") == "1"


def make_run_archive(run_dir, script, env, carry):
    """A cpio holding /test/run and /test/env; Linux unpacks concatenated
    archives in order, so this lands on top of the base initramfs.  With
    carry, it holds the base initramfs too, as /test/dom0.cpio.gz, for a
    script that boots dom0 again (a live update)."""
    staging = tempfile.mkdtemp(dir=run_dir)
    os.mkdir(os.path.join(staging, "test"))
    if script:
        shutil.copy(script, os.path.join(staging, "test", "run"))
    if carry:
        shutil.copy(carry, os.path.join(staging, "test", "dom0.cpio.gz"))
    with open(os.path.join(staging, "test", "env"), "w") as f:
        for name, value in env.items():
            f.write(f"{name}={shlex.quote(value)}\n")
    archive = os.path.join(run_dir, "test.cpio")
    with open(archive, "wb") as out:
        names = subprocess.run(["find", "test"], cwd=staging, check=True,
                               capture_output=True).stdout
        subprocess.run(["cpio", "-o", "-H", "newc", "-R", "0:0", "--quiet"],
                       cwd=staging, input=names, stdout=out, check=True)
    shutil.rmtree(staging)
    return archive


def asks_to_carry(script):
    """Does the dom0 script say it boots dom0 again?"""
    if not script:
        return False
    with open(script) as f:
        return any(line.rstrip("\n") == "# carry-initrd" for line in f)


def concat(parts, out):
    """Linux looks for each archive at a 4-byte boundary and skips the zero
    padding between them."""
    with open(out, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, dst)
            dst.write(b"\0" * (-dst.tell() % 4))
    return out


def qemu_command(args, conf, initrd, run_dir):
    accel = conf["QEMU_ACCEL"]
    if accel == "auto":
        accel = "kvm" if kvm_works() else "tcg"
    cmd = [os.environ.get("QEMU", "qemu-system-x86_64"),
           "-machine", "q35," + "accel=" + accel,
           "-m", str(args.memory), "-smp", conf["QEMU_SMP"],
           "-display", "none", "-no-reboot", "-nic", "none"]
    if args.shell:
        cmd += ["-serial", "mon:stdio"]
    else:
        cmd += ["-serial", "file:" + os.path.join(run_dir, "serial.log"),
                "-monitor", "none"]

    xen_cmdline = " ".join([conf["XEN_CMDLINE"]] + args.xen_arg)
    dom0_cmdline = " ".join([conf["DOM0_CMDLINE"]] + args.dom0_arg +
                            (["dom0.shell"] if args.shell else []))
    if args.boot == "bios":
        # Multiboot: QEMU loads the Xen ELF, modules are "file args".
        cmd += ["-kernel", os.path.join(args.xen, "xen"),
                "-append", xen_cmdline,
                "-initrd", f"{args.kernel} {dom0_cmdline},{initrd}"]
    else:
        esp = os.path.join(run_dir, "esp")
        boot = os.path.join(esp, "EFI", "BOOT")
        os.makedirs(boot)
        # xen.efi reads the .cfg named after itself, beside it.
        shutil.copy(os.path.join(args.xen, "xen.efi"),
                    os.path.join(boot, "BOOTX64.EFI"))
        shutil.copy(args.kernel, os.path.join(boot, "vmlinuz"))
        shutil.copy(initrd, os.path.join(boot, "initrd.gz"))
        with open(os.path.join(boot, "BOOTX64.cfg"), "w") as f:
            f.write("[global]\ndefault=xen\n\n[xen]\n"
                    f"options={xen_cmdline}\n"
                    f"kernel=vmlinuz {dom0_cmdline}\n"
                    "ramdisk=initrd.gz\n")
        vars_copy = os.path.join(run_dir, "OVMF_VARS.fd")
        shutil.copy(args.ovmf_vars, vars_copy)
        cmd += ["-drive", f"if=pflash,format=raw,readonly=on,file={args.ovmf_code}",
                "-drive", f"if=pflash,format=raw,file={vars_copy}",
                "-drive", f"file=fat:{esp},format=raw,if=virtio,readonly=on"]
    return cmd


def xen_panic_message(text, start):
    """The lines Xen prints between "Panic on CPU n:" at @start and the
    closing row of stars, joined, without the "(XEN) " prefixes."""
    lines = []
    for line in text[start:].splitlines()[1:]:
        line = re.sub(r"^\(XEN\) ", "", line)
        if line.startswith("****") or len(lines) > 20:
            break
        lines.append(line.strip())
    return " ".join(lines)


class Verdict:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.exit_status = None
        self.problem = None
        self.init_failed = None
        self.panicked = False    # a panic ended the boot, expected or not
        self.expected_panic = False
        self.ready_after = None  # seconds from QEMU start to DOM0-READY

    def read(self, text):
        self.passed = len(re.findall(r"^PASS: ", text, re.M))
        self.failed = len(re.findall(r"^FAIL: ", text, re.M))
        m = re.search(r"^DOM0-SCRIPT-EXIT: (\d+)", text, re.M)
        self.exit_status = int(m.group(1)) if m else None
        m = re.search(r"^DOM0-INIT-FAILED: (.*)", text, re.M)
        self.init_failed = "dom0 init failed: " + m.group(1).strip() \
            if m else None
        self.problem = self.init_failed
        expect = re.search(r"^EXPECT-PANIC: (.*)", text, re.M)
        for pattern, what in PANICS:
            m = pattern.search(text)
            if m:
                self.panicked = True
                self.problem = f"{what}: '{m.group(0)}'"
                if expect and what == "Xen panic":
                    self.check_panic(expect.group(1).strip(),
                                     xen_panic_message(text, m.start()))
                break

    def check_panic(self, expected, message):
        if expected in message:
            # The panic was the script's plan; an earlier failure stays.
            self.problem = self.init_failed
            self.expected_panic = True
            self.passed += 1
        else:
            self.problem = f"Xen panic, not the one expected " \
                           f"('{expected}'): '{message[:300]}'"

    def reason(self, ended):
        """None for a pass, else why the boot failed."""
        if self.problem:
            return self.problem
        if self.expected_panic:
            return f"{self.failed} failed checks" if self.failed else None
        if self.exit_status is None:
            return ended
        if self.failed or self.exit_status != 0:
            return f"dom0 script exited {self.exit_status} " \
                   f"with {self.failed} failed checks"
        return None


def watch(proc, log, timeout, grace, follow):
    """Follow the serial log until QEMU ends, a panic shows, or time is up:
    the timeout, or @grace seconds after the script's exit marker, by when
    dom0 must have powered the machine off.  With follow, the console is
    copied to stdout as it comes."""
    verdict = Verdict()
    start = time.monotonic()
    panic_seen = None
    exit_seen = None
    shown = 0
    while True:
        ended = proc.poll() is not None
        text = ""
        if os.path.exists(log):
            with open(log, errors="replace") as f:
                text = f.read().replace("\r", "")
        if follow:
            sys.stdout.write(text[shown:])
            sys.stdout.flush()
            shown = len(text)
        verdict.read(text)
        if verdict.ready_after is None and "DOM0-READY" in text:
            verdict.ready_after = time.monotonic() - start
        if ended:
            return verdict, "QEMU exited without the DOM0-SCRIPT-EXIT marker"
        now = time.monotonic()
        if (verdict.problem or verdict.panicked) and panic_seen is None:
            panic_seen = now
        # Give a panic a few seconds to print its trace into the log.
        if panic_seen is not None and now - panic_seen > 3:
            proc.kill()
            proc.wait()
            return verdict, verdict.problem
        if verdict.exit_status is not None and exit_seen is None:
            exit_seen = now
        if exit_seen is not None and now - exit_seen > grace:
            proc.kill()
            proc.wait()
            verdict.problem = verdict.problem or \
                f"no power-off within {grace} s of the script's exit"
            return verdict, verdict.problem
        if now - start > timeout:
            proc.kill()
            proc.wait()
            return verdict, f"timeout after {timeout} s"
        time.sleep(0.5)


def main():
    conf = read_conf(os.path.join(TOP, "config", "qemu.conf"))
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--name", required=True, help="names build/runs/NAME")
    p.add_argument("--boot", choices=["bios", "uefi"], default="bios")
    p.add_argument("--xen", default=os.path.join(TOP, "build/out/xen-debug"),
                   help="directory holding xen and xen.efi")
    p.add_argument("--kernel", default=os.path.join(TOP, "build/image/vmlinuz"))
    p.add_argument("--initrd", default=os.path.join(TOP, "build/image/dom0.cpio.gz"))
    p.add_argument("--script", help="dom0 script run as /test/run")
    p.add_argument("--shell", action="store_true",
                   help="interactive dom0 shell on this terminal")
    p.add_argument("--xen-arg", action="append", default=[],
                   help="added to Xen's command line")
    p.add_argument("--dom0-arg", action="append", default=[],
                   help="added to dom0's command line")
    p.add_argument("--env", action="append", default=[],
                   help="NAME=VALUE put in /test/env for the script")
    p.add_argument("--memory", type=int, default=int(conf["QEMU_MEMORY_MB"]))
    p.add_argument("--timeout", type=int, default=int(conf["QEMU_TIMEOUT"]))
    p.add_argument("--poweroff-grace", type=int, default=60,
                   help="seconds dom0 has to power off after the script")
    p.add_argument("--ovmf-code", default="/usr/share/OVMF/OVMF_CODE.fd")
    p.add_argument("--ovmf-vars", default="/usr/share/OVMF/OVMF_VARS.fd")
    p.add_argument("--follow", action="store_true",
                   help="copy the serial console to stdout as it comes")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the QEMU command line")
    args = p.parse_args()
    if not args.script and not args.shell:
        p.error("give --script FILE or --shell")

    run_dir = os.path.join(TOP, "build", "runs", args.name)
    shutil.rmtree(run_dir, ignore_errors=True)
    os.makedirs(run_dir)
    log = os.path.join(run_dir, "serial.log")

    env = dict(e.split("=", 1) for e in args.env)
    env.setdefault("VM_MEMORY_MB", str(args.memory))
    env.setdefault("DOM0_CMDLINE", " ".join([conf["DOM0_CMDLINE"]] +
                                            args.dom0_arg))
    # A script that boots dom0 again (a live update) says so.
    archive = make_run_archive(run_dir, args.script, env,
                               asks_to_carry(args.script) and args.initrd)
    initrd = concat([args.initrd, archive], os.path.join(run_dir, "initrd"))
    cmd = qemu_command(args, conf, initrd, run_dir)
    with open(os.path.join(run_dir, "qemu-command"), "w") as f:
        f.write(shlex.join(cmd) + "\n")
    if args.verbose or args.shell:
        print("  QEMU    " + shlex.join(cmd), flush=True)

    if args.shell:
        return subprocess.call(cmd)

    print(f"  BOOT    {args.name} ({args.boot})", flush=True)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                            stdout=open(os.path.join(run_dir, "qemu.out"), "w"),
                            stderr=subprocess.STDOUT)
    verdict, ended = watch(proc, log, args.timeout, args.poweroff_grace,
                           args.follow)
    reason = verdict.reason(ended)
    took = time.monotonic() - start
    rel_log = os.path.relpath(log, os.getcwd())
    if reason is None:
        print(f"  PASS    {args.name}: {verdict.passed} checks, {took:.0f} s")
    else:
        print(f"  FAIL    {args.name}: {reason} (log: {rel_log})")
        for line in open(log, errors="replace").read().splitlines():
            if line.startswith("FAIL: "):
                print("          " + line)
    # A boot that failed on its own (no marker, panic, timeout) counts as
    # one more failed check, so a suite never reports it as clean.
    failed = verdict.failed + (1 if reason and not verdict.failed else 0)
    with open(os.path.join(run_dir, "result.json"), "w") as f:
        json.dump({"name": args.name, "boot": args.boot,
                   "pass": reason is None, "reason": reason,
                   "checks_passed": verdict.passed, "checks_failed": failed,
                   "seconds_to_dom0_ready": verdict.ready_after,
                   "seconds_total": took}, f, indent=1)
    print(f"RESULT {args.name} {'pass' if reason is None else 'fail'} "
          f"{verdict.passed} {failed} {reason or 'ok'}")
    return 0 if reason is None else 1


sys.exit(main())
