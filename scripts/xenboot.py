"""The boot protocol, in one place: what a dom0 test script declares, what
it is told, one boot of Xen with a Linux dom0 under QEMU, and its verdict.
scripts/qemu-run.py (one boot, 'make run') and tests/run-suite.py (the
suite) are its two users.

A dom0 test script (tests/boot/*.sh) declares in comment lines:
  # boot: CASE [XEN-ARG...] [[bios]|[uefi]]
                          one boot per line (per boot path, or on the one
                          named), with the XEN-ARGs added to Xen's command
                          line and CASE in the script's environment;
                          without such a line, one boot per boot path.
                          ${NAME} in a XEN-ARG is a value an earlier case
                          handed on (SUITE-ENV)
  # checks: N [CASE...]   every boot (or the CASEs') must report at least
                          N checks, or it fails
  # carry-initrd          the script boots dom0 again (a live update): its
                          archive holds the base initramfs too
  # disks: KIND...        scratch disks of 8 MiB for dom0, each with its
                          KIND as serial: virtio-msix (virtio-blk with
                          MSI-X), virtio-intx (virtio-blk with its INTx
                          pin, a GSI), ahci-msi (a disk on the q35 AHCI
                          controller, which Linux drives with MSI)
  # cpu: MODEL            the CPU model QEMU gives the VM (its -cpu),
                          instead of QEMU's default

One boot: Xen (multiboot from legacy BIOS, or xen.efi from a FAT ESP under
OVMF), Debian's kernel as a PV dom0 and our initramfs, plus a small
per-run archive holding the dom0 script (/test/run) and what it should
expect (/test/env).  The serial console goes to build/runs/NAME/serial.log.

The verdict comes from markers on the console (see image/dom0-init):
  DOM0-READY              xl can be used; it must come within the ready
                          deadline (QEMU_READY_TIMEOUT)
  PASS: / FAIL:           one check of the dom0 script
  DOM0-SCRIPT-EXIT: <n>   the script finished with status n
  DOM0-INIT-FAILED: ...   dom0 could not bring the Xen tools up
  EXPECT-PANIC: <text>    the script is about to make a Xen panic, whose
                          message must hold <text>: that panic must come,
                          and ends the boot as one more passed check
  SUITE-ENV: NAME=VALUE   handed to the later cases of the same script
                          and boot path, in their /test/env
and from what must never appear: a Xen or Linux panic.  QEMU ending
without the exit marker, or the timeout, fails the boot with its reason.
"""

import functools
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
BOOT_PATHS = ("bios", "uefi")

PANICS = [
    (re.compile(r"Panic on CPU \d+"), "Xen panic"),
    (re.compile(r"Kernel panic - not syncing"), "dom0 kernel panic"),
    (re.compile(r"Assertion '.*' failed"), "Xen assertion failed"),
]


def read_conf(name):
    """NAME=value lines of config/NAME; the environment (and so the make
    command line) overrides any of them."""
    conf = {}
    with open(os.path.join(TOP, "config", name)) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                conf[key] = os.environ.get(key, value)
    return conf


# What a test script declares.

class Case:
    """One '# boot:' line: a case name (None for a script without any),
    the Xen arguments it adds, the boot paths it runs on, and the fewest
    checks it must report."""

    def __init__(self, name, xen_args, boots, min_checks=0):
        self.name = name
        self.xen_args = xen_args
        self.boots = boots
        self.min_checks = min_checks

    def xen_args_with(self, env):
        """The Xen arguments, with each ${NAME} replaced by env[NAME];
        raises KeyError naming a value no earlier case handed on."""
        return [re.sub(r"\$\{(\w+)\}", lambda m: env[m.group(1)], a)
                for a in self.xen_args]


def plan(script):
    """The cases a test script declares, in order."""
    cases, checks = [], {}
    with open(script) as f:
        for line in f:
            words = line.split()
            if words[:2] == ["#", "boot:"] and len(words) > 2:
                boots = BOOT_PATHS
                if words[-1] in ("[bios]", "[uefi]"):
                    boots = (words.pop()[1:-1],)
                cases.append(Case(words[2], words[3:], boots))
            elif words[:2] == ["#", "checks:"] and len(words) > 2:
                for name in words[3:] or [None]:
                    checks[name] = int(words[2])
    if not cases:
        cases.append(Case(None, [], BOOT_PATHS))
    unknown = set(checks) - {None} - {c.name for c in cases}
    if unknown:
        raise SystemExit(f"{script}: '# checks:' names no '# boot:' case "
                         f"{', '.join(sorted(unknown))}")
    for case in cases:
        case.min_checks = checks.get(case.name, checks.get(None, 0))
    return cases


def find_case(script, name):
    for case in plan(script):
        if case.name == name:
            return case
    known = ", ".join(c.name for c in plan(script) if c.name) or "none"
    raise SystemExit(f"{script} has no '# boot: {name}' line "
                     f"(its cases: {known})")


def asks_to_carry(script):
    """Does the dom0 script say it boots dom0 again?"""
    if not script:
        return False
    with open(script) as f:
        return any(line.rstrip("\n") == "# carry-initrd" for line in f)


# The QEMU device each '# disks:' KIND is, given its -drive id.
DISKS = {
    "virtio-msix": "virtio-blk-pci,drive={id},serial=virtio-msix",
    "virtio-intx": "virtio-blk-pci,drive={id},serial=virtio-intx,vectors=0",
    "ahci-msi": "ide-hd,drive={id},bus=ide.0,serial=ahci-msi",
}


def declared(script, key):
    """The words of a dom0 script's '# KEY:' lines, in order."""
    words = []
    if script:
        with open(script) as f:
            for line in f:
                if line.split()[:2] == ["#", key + ":"]:
                    words += line.split()[2:]
    return words


def declared_disks(script):
    """The disk KINDs a dom0 script asks for, in order."""
    kinds = declared(script, "disks")
    unknown = set(kinds) - set(DISKS)
    if unknown:
        raise SystemExit(f"{script}: '# disks:' names no disk kind "
                         f"{', '.join(sorted(unknown))} "
                         f"(known: {', '.join(DISKS)})")
    return kinds


def declared_cpu(script):
    """The QEMU arguments for the CPU model a dom0 script asks for."""
    model = declared(script, "cpu")
    if len(model) > 1:
        raise SystemExit(f"{script}: '# cpu:' names more than one model: "
                         f"{' '.join(model)}")
    return ["-cpu", model[0]] if model else []


# What a script is told: what this build should look like.

def expected_env(boot):
    """The values tests/boot/*.sh check the build against, whoever boots
    them: the version marker, build/xen's HEAD, the boot path, the md5 of
    Debian's kexec binary."""
    base = read_conf("base.conf")
    env = {"XEN_EXTRA": "." + base["XEN_BASE_VERSION"].split(".")[-1] +
           base["XEN_VENDORVERSION"],
           "BOOT_PATH": boot}
    head = subprocess.run(["git", "-C", os.path.join(TOP, "build", "xen"),
                           "rev-parse", "--verify", "--short", "HEAD"],
                          capture_output=True, text=True)
    if head.returncode == 0:
        env["XEN_CHANGESET"] = head.stdout.strip()
    md5 = kexec_md5()
    if md5:
        env["KEXEC_MD5"] = md5
    return env


@functools.lru_cache(maxsize=None)
def kexec_md5():
    """sbin/kexec's md5 as the Debian package lists it."""
    debs = os.path.join(TOP, "build", "vm", "debs")
    names = sorted(n for n in os.listdir(debs) if n.startswith("kexec-tools_")) \
        if os.path.isdir(debs) else []
    if not names:
        return None
    ctrl = subprocess.run(["dpkg-deb", "--ctrl-tarfile",
                           os.path.join(debs, names[-1])],
                          capture_output=True, check=True).stdout
    sums = subprocess.run(["tar", "-xO", "./md5sums"], input=ctrl,
                          capture_output=True, check=True).stdout.decode()
    m = re.search(r"^([0-9a-f]+)  sbin/kexec$", sums, re.M)
    return m.group(1) if m else None


def suite_env(console):
    """The SUITE-ENV: NAME=VALUE lines of a case's console."""
    return dict(re.findall(r"^SUITE-ENV: ([A-Za-z_]\w*)=(\S*)", console,
                           re.M))


# One boot.

def host_memory_mb():
    """This machine's RAM, in MiB."""
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) // 1024
    return 0


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


def concat(parts, out):
    """Linux looks for each archive at a 4-byte boundary and skips the zero
    padding between them."""
    with open(out, "wb") as dst:
        for part in parts:
            with open(part, "rb") as src:
                shutil.copyfileobj(src, dst)
            dst.write(b"\0" * (-dst.tell() % 4))
    return out


class Boot:
    """What one boot is made of.  @xen is the directory holding xen and
    xen.efi; @env goes to /test/env on top of expected_env()."""

    def __init__(self, name, boot="bios", script=None, xen_args=(),
                 dom0_args=(), env=None, shell=False, xen=None,
                 kernel=None, initrd=None, memory=None, timeout=None,
                 ready_timeout=None, min_checks=0, poweroff_grace=60,
                 ovmf_code="/usr/share/OVMF/OVMF_CODE.fd",
                 ovmf_vars="/usr/share/OVMF/OVMF_VARS.fd"):
        conf = read_conf("qemu.conf")
        self.conf = conf
        self.name, self.boot, self.script = name, boot, script
        self.shell = shell
        self.xen = xen or os.path.join(TOP, "build", "out", "xen-debug")
        self.kernel = kernel or os.path.join(TOP, "build", "image", "vmlinuz")
        self.initrd = initrd or os.path.join(TOP, "build", "image",
                                             "dom0.cpio.gz")
        self.memory = memory or int(conf["QEMU_MEMORY_MB"])
        self.timeout = timeout or int(conf["QEMU_TIMEOUT"])
        self.ready_timeout = ready_timeout or \
            int(conf["QEMU_READY_TIMEOUT"])
        self.min_checks = min_checks
        self.poweroff_grace = poweroff_grace
        self.ovmf_code, self.ovmf_vars = ovmf_code, ovmf_vars
        self.xen_cmdline = " ".join([conf["XEN_CMDLINE"]] + list(xen_args))
        self.dom0_cmdline = " ".join([conf["DOM0_CMDLINE"]] +
                                     list(dom0_args) +
                                     (["dom0.shell"] if shell else []))
        self.env = expected_env(boot)
        self.env["VM_MEMORY_MB"] = str(self.memory)
        self.env["DOM0_CMDLINE"] = " ".join([conf["DOM0_CMDLINE"]] +
                                            list(dom0_args))
        self.env.update(env or {})
        self.run_dir = os.path.join(TOP, "build", "runs", name)
        self.log = os.path.join(self.run_dir, "serial.log")

    def prepare(self):
        """A fresh build/runs/NAME with the initramfs (and, for UEFI, the
        ESP); returns the QEMU command line, also left in qemu-command."""
        shutil.rmtree(self.run_dir, ignore_errors=True)
        os.makedirs(self.run_dir)
        carry = asks_to_carry(self.script) and self.initrd
        archive = make_run_archive(self.run_dir, self.script, self.env, carry)
        initrd = concat([self.initrd, archive],
                        os.path.join(self.run_dir, "initrd"))
        cmd = self.qemu_command(initrd)
        with open(os.path.join(self.run_dir, "qemu-command"), "w") as f:
            f.write(shlex.join(cmd) + "\n")
        return cmd

    def esp_cfg(self):
        """Where xen.efi reads its command line from, under OVMF."""
        return os.path.join(self.run_dir, "esp", "EFI", "BOOT", "BOOTX64.cfg")

    def disk_args(self):
        """QEMU arguments for the script's scratch disks, sparse files in
        the run directory."""
        args = []
        for n, kind in enumerate(declared_disks(self.script)):
            image = os.path.join(self.run_dir, f"disk{n}-{kind}.img")
            with open(image, "wb") as f:
                f.truncate(8 << 20)
            args += ["-drive", f"if=none,id=disk{n},format=raw,file={image}",
                     "-device", DISKS[kind].format(id=f"disk{n}")]
        return args

    def qemu_command(self, initrd):
        accel = self.conf["QEMU_ACCEL"]
        if accel == "auto":
            accel = "kvm" if kvm_works() else "tcg"
        cmd = [os.environ.get("QEMU", "qemu-system-x86_64"),
               "-machine", "q35," + "accel=" + accel,
               "-m", str(self.memory), "-smp", self.conf["QEMU_SMP"],
               "-display", "none", "-no-reboot", "-nic", "none"]
        if self.memory > host_memory_mb() // 2:
            # More RAM than this machine can spare: declared, not reserved
            # (pages cost nothing until touched; boot with bootscrub=0).
            cmd += ["-object", f"memory-backend-ram,id=ram,"
                    f"size={self.memory}M,reserve=off",
                    "-machine", "memory-backend=ram"]
        cmd += declared_cpu(self.script) + self.disk_args()
        if self.shell:
            cmd += ["-serial", "mon:stdio"]
        else:
            cmd += ["-serial", "file:" + self.log, "-monitor", "none"]
        if self.boot == "bios":
            # Multiboot: QEMU loads the Xen ELF, modules are "file args".
            return cmd + ["-kernel", os.path.join(self.xen, "xen"),
                          "-append", self.xen_cmdline,
                          "-initrd",
                          f"{self.kernel} {self.dom0_cmdline},{initrd}"]
        esp = os.path.join(self.run_dir, "esp")
        boot = os.path.dirname(self.esp_cfg())
        os.makedirs(boot)
        # xen.efi reads the .cfg named after itself, beside it.
        shutil.copy(os.path.join(self.xen, "xen.efi"),
                    os.path.join(boot, "BOOTX64.EFI"))
        shutil.copy(self.kernel, os.path.join(boot, "vmlinuz"))
        shutil.copy(initrd, os.path.join(boot, "initrd.gz"))
        with open(self.esp_cfg(), "w") as f:
            f.write("[global]\ndefault=xen\n\n[xen]\n"
                    f"options={self.xen_cmdline}\n"
                    f"kernel=vmlinuz {self.dom0_cmdline}\n"
                    "ramdisk=initrd.gz\n")
        vars_copy = os.path.join(self.run_dir, "OVMF_VARS.fd")
        shutil.copy(self.ovmf_vars, vars_copy)
        return cmd + [
            "-drive", f"if=pflash,format=raw,readonly=on,file={self.ovmf_code}",
            "-drive", f"if=pflash,format=raw,file={vars_copy}",
            "-drive", f"file=fat:{esp},format=raw,if=virtio,readonly=on"]

    def run(self, follow=False):
        """Boot, watch the console, decide.  Prints a BOOT line and a PASS
        or FAIL line; returns the result, also left in result.json."""
        cmd = self.prepare()
        print(f"  BOOT    {self.name} ({self.boot})", flush=True)
        start = time.monotonic()
        with open(os.path.join(self.run_dir, "qemu.out"), "w") as out:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT)
            verdict, ended = watch(proc, self, follow)
        return self.report(verdict, ended, time.monotonic() - start)

    def report(self, verdict, ended, took):
        reason = verdict.reason(ended, self.min_checks)
        rel_log = os.path.relpath(self.log, os.getcwd())
        if reason is None:
            print(f"  PASS    {self.name}: {verdict.passed} checks, "
                  f"{took:.0f} s", flush=True)
        else:
            print(f"  FAIL    {self.name}: {reason}, {took:.0f} s "
                  f"(log: {rel_log})", flush=True)
            for line in read_console(self.log).splitlines():
                if line.startswith("FAIL: "):
                    print("          " + line)
        # A boot that failed on its own (no marker, panic, timeout) counts
        # as one more failed check, so a suite never reports it as clean.
        failed = verdict.failed + (1 if reason and not verdict.failed else 0)
        result = {"name": self.name, "boot": self.boot,
                  "pass": reason is None, "reason": reason,
                  "checks_passed": verdict.passed, "checks_failed": failed,
                  "seconds_to_dom0_ready": verdict.ready_after,
                  "seconds_total": round(took, 1),
                  "suite_env": suite_env(read_console(self.log))}
        with open(os.path.join(self.run_dir, "result.json"), "w") as f:
            json.dump(result, f, indent=1)
        return result


def read_console(log):
    if not os.path.exists(log):
        return ""
    with open(log, errors="replace") as f:
        return f.read().replace("\r", "")


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
        self.expect_panic = None  # the text an announced panic must hold
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
        m = re.search(r"^EXPECT-PANIC: (.*)", text, re.M)
        self.expect_panic = m.group(1).strip() if m else None
        for pattern, what in PANICS:
            m = pattern.search(text)
            if m:
                self.panicked = True
                self.problem = f"{what}: '{m.group(0)}'"
                if self.expect_panic and what == "Xen panic":
                    self.check_panic(xen_panic_message(text, m.start()))
                break

    def check_panic(self, message):
        if self.expect_panic in message:
            # The panic was the script's plan; an earlier failure stays.
            self.problem = self.init_failed
            self.expected_panic = True
            self.passed += 1
        else:
            self.problem = f"Xen panic, not the one expected " \
                           f"('{self.expect_panic}'): '{message[:300]}'"

    def reason(self, ended, min_checks=0):
        """None for a pass, else why the boot failed."""
        if self.problem:
            return self.problem
        if self.expect_panic and not self.expected_panic:
            return f"the Xen panic the script announced " \
                   f"('{self.expect_panic}') never came: {ended}"
        if self.expected_panic:
            failed = self.failed
        elif self.exit_status is None:
            return ended
        elif self.failed or self.exit_status != 0:
            return f"dom0 script exited {self.exit_status} " \
                   f"with {self.failed} failed checks"
        else:
            failed = 0
        if failed:
            return f"{failed} failed checks"
        if self.passed < min_checks:
            return f"{self.passed} checks ran, the script declares " \
                   f"at least {min_checks}"
        return None


def watch(proc, boot, follow):
    """Follow the serial log until QEMU ends, a panic shows, or time is up:
    the timeout, the ready deadline without DOM0-READY, or a grace period
    after the script's exit marker, by when dom0 must have powered the
    machine off.  With follow, the console is copied to stdout as it
    comes."""
    verdict = Verdict()
    start = time.monotonic()
    panic_seen = None
    exit_seen = None
    shown = 0
    while True:
        ended = proc.poll() is not None
        text = read_console(boot.log)
        if follow:
            sys.stdout.write(text[shown:])
            sys.stdout.flush()
            shown = len(text)
        verdict.read(text)
        now = time.monotonic()
        if verdict.ready_after is None and "DOM0-READY" in text:
            verdict.ready_after = round(now - start, 1)
        if ended and verdict.exit_status is not None:
            return verdict, "dom0 powered the machine off after its script"
        if ended:
            return verdict, "QEMU exited without the DOM0-SCRIPT-EXIT marker"
        if (verdict.problem or verdict.panicked) and panic_seen is None:
            panic_seen = now
        if verdict.exit_status is not None and exit_seen is None:
            exit_seen = now
        stop = None
        # Give a panic a few seconds to print its trace into the log.
        if panic_seen is not None and now - panic_seen > 3:
            stop = verdict.problem or "the announced Xen panic ended it"
        elif exit_seen is not None and now - exit_seen > boot.poweroff_grace:
            stop = verdict.problem = verdict.problem or \
                f"no power-off within {boot.poweroff_grace} s of the " \
                "script's exit"
        elif verdict.ready_after is None and \
                now - start > boot.ready_timeout:
            stop = verdict.problem = \
                f"dom0 not ready (no DOM0-READY) within {boot.ready_timeout} s"
        elif now - start > boot.timeout:
            stop = f"timeout after {boot.timeout} s"
        if stop:
            proc.kill()
            proc.wait()
            return verdict, stop
        time.sleep(0.5)
